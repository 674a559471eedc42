/**
 * The mirror-images stage against real docker-registry processes, through the real CLI: a synthetic release
 * (40 components sharing layers) and a catalog image on a "connected" registry; `mirror images` to the lab
 * registry; every image of the mapping resolves, through our own resolver and the written mirror sets, to a copy
 * with the same digest; the pruned catalog read back from the registry holds exactly the filtered packages; a re-run
 * only checks; to-disk → from-disk into a fresh registry produces the same mirror sets.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRegistry, type TestRegistry } from '../../helpers/registry.js';
import { pushReleaseFixture, type ReleaseFixture } from '../../helpers/release-fixtures.js';
import { pushCatalogImage, sampleCatalog, withRealImages, type CatalogImageFixture } from '../../helpers/catalog-fixtures.js';
import { runCli } from '../../helpers/cli.js';
import { parseYamlDocuments } from '../../../src/manifests/yaml.js';
import { collectMirrorSets, type MirrorSetObject } from '../../../src/manifests/index.js';
import { resolvePullSourcesFromMirrorSets } from '../../../src/manifests/resolve.js';
import { RegistryClient } from '../../../src/mirror/registry/client.js';
import { readCatalog } from '../../../src/mirror/catalog/open-catalog.js';

let source: TestRegistry;
let lab: TestRegistry;
let lab2: TestRegistry;
let release: ReleaseFixture;
let catalog: CatalogImageFixture;
let dir: string;

function inventory(name: string, registry: TestRegistry, extra = ''): string {
  const file = join(dir, name);
  writeFileSync(
    file,
    `all:
  vars:
    cluster: stage
    ocp_version: "4.16.3"
    dci_disconnected: true
    local_registry_host: ${registry.host.split(':')[0]}
    local_registry_port: ${registry.port}
    dci_plain_http_registries: ["${source.host}", "${registry.host}"]
    ocp_release_image: ${release.releaseRef}
    operators_index: ${catalog.ref}
    dci_operators:
      - name: jaeger-product
    opm_mirror_list:
      etcd:
        channel: stable
${extra}
  hosts:
    localhost:
      ansible_connection: local
`,
  );
  return file;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'stage-'));
  [source, lab, lab2] = await Promise.all([startRegistry(), startRegistry({ accessLog: true }), startRegistry()]);
  release = await pushReleaseFixture({ host: source.host, components: 40 });
  const fbc = await withRealImages(source.host, sampleCatalog(source.host));
  catalog = await pushCatalogImage({ host: source.host, fbc });
}, 120_000);

afterAll(async () => {
  await Promise.all([source, lab, lab2].map((r) => r?.stop()));
  rmSync(dir, { recursive: true, force: true });
});

function loadSets(out: string): MirrorSetObject[] {
  return readdirSync(join(out, 'cluster-resources'))
    .filter((f) => /^(idms|itms|icsp)-/.test(f))
    .flatMap((f) => parseYamlDocuments(readFileSync(join(out, 'cluster-resources', f), 'utf8'), f) as MirrorSetObject[]);
}

async function headDigest(client: RegistryClient, ref: string): Promise<string | undefined> {
  const at = ref.indexOf('@');
  const slash = ref.indexOf('/');
  const repoAndTag = at >= 0 ? ref.slice(slash + 1, at) : ref.slice(slash + 1);
  const tagIdx = at >= 0 ? -1 : repoAndTag.lastIndexOf(':');
  const repo = tagIdx >= 0 ? repoAndTag.slice(0, tagIdx) : repoAndTag;
  const reference = at >= 0 ? ref.slice(at + 1) : tagIdx >= 0 ? repoAndTag.slice(tagIdx + 1) : 'latest';
  return (await client.repository(ref.slice(0, slash), repo).headManifest(reference))?.digest;
}

describe('mirror images / to-disk / from-disk (real registries)', () => {
  it('mirrors release + pruned catalog, every mapped image resolves to a verified copy, the pruned catalog is exactly the filtered FBC', async () => {
    const out = join(dir, 'out1');
    const r = await runCli(['mirror', 'images', '--inventory', inventory('lab.yml', lab), '--out', out], { timeoutMs: 120_000 });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/release 4\.16\.3: 40 components mirrored/);
    expect(r.stdout).toMatch(/mirror sets: IDMS/);
    // Progress by image group (plain output: not a terminal), a line per finished group and the summary.
    expect(r.stdout).toMatch(/mirror release: 41 images \(41 copied, 0 already there\), [\d.]+ KiB in /);
    expect(r.stdout).toMatch(/mirror catalog redhat-operator-index:v4\.16: \d+ images \(\d+ copied, 0 already there\)/);
    expect(r.stdout).toMatch(/mirror summary: mirrored \d+ images in 2 groups: \d+ copied, 0 skipped/);
    expect(r.stdout).not.toMatch(/mirror copied:/); // no line per image
    const report = JSON.parse(readFileSync(join(out, 'mirror-report.json'), 'utf8')) as { summary: { images: number; groups: Array<{ group: string; images: number }> } };
    expect(report.summary.groups.map((g) => g.group)).toEqual(['release', 'catalog redhat-operator-index:v4.16']);
    expect(report.summary.groups[0].images).toBe(41);
    expect(report.summary.images).toBe(report.summary.groups.reduce((n, g) => n + g.images, 0));
    const files = readdirSync(out);
    expect(files).toEqual(expect.arrayContaining(['mapping.txt', 'install-config-sources.yaml', 'registries.conf', 'idms-release-0.yaml']));
    expect(files.some((f) => f.startsWith('catalogsource-'))).toBe(true);
    const installConfig = parseYamlDocuments(readFileSync(join(out, 'install-config-sources.yaml'), 'utf8'))[0] as Record<string, unknown>;
    expect(installConfig.imageDigestSources).toBeDefined();
    expect(installConfig.imageContentSources).toBeUndefined();

    const client = new RegistryClient({ plainHttp: [source.host, lab.host] });
    try {
      const sets = collectMirrorSets(loadSets(out));
      const mapping = readFileSync(join(out, 'mapping.txt'), 'utf8').trim().split('\n').map((l) => l.split('='));
      expect(mapping.length).toBeGreaterThan(45);
      for (const [src] of mapping.filter(([s]) => s.includes('@sha256:'))) {
        const resolved = resolvePullSourcesFromMirrorSets(src, { idms: sets.idms, itms: sets.itms, icsp: sets.icsp });
        const first = resolved.locations[0];
        expect(first.location.startsWith(lab.host), `${src} resolves to the mirror first`).toBe(true);
        expect(await headDigest(client, first.reference), `${first.reference} exists with the source digest`).toBe(src.slice(src.indexOf('@') + 1));
      }
      const pruned = await readCatalog(`docker://${lab.host}/redhat/redhat-operator-index:v4.16`, { client });
      expect(pruned.fbc.packages.map((p) => p.name).sort()).toEqual(['etcd', 'jaeger-product']);
      expect(pruned.fbc.channels.filter((c) => c.package === 'etcd').map((c) => c.name)).toEqual(['stable']);
    } finally {
      await client.close();
    }
  });

  it('a second run is a no-op that only checks (HEAD requests, no uploads)', async () => {
    const before = (await lab.requests()).length;
    const r = await runCli(['mirror', 'images', '--inventory', inventory('lab.yml', lab), '--out', join(dir, 'out2')], { timeoutMs: 120_000 });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/release 4\.16\.3: already complete/);
    expect(r.stdout).toMatch(/mirror release: 41 images \(0 copied, 41 already there\)/);
    const after = (await lab.requests()).slice(before);
    expect(after.filter((q) => q.method === 'PUT' && q.path.includes('/blobs/uploads/'))).toEqual([]);
  });

  it('to-disk then from-disk into a fresh registry gives the same mirror sets', async () => {
    const archive = join(dir, 'archive');
    const toDisk = await runCli(['mirror', 'to-disk', '--inventory', inventory('lab.yml', lab), '--archive', archive], { timeoutMs: 120_000 });
    expect(toDisk.code).toBe(0);
    expect(JSON.parse(readFileSync(join(archive, 'refs.json'), 'utf8')).refs[release.releaseRef]).toBeTruthy();
    const out = join(dir, 'out3');
    // The jumphost cannot reach the source registry: stop it.
    await source.stop();
    const fromDisk = await runCli(['mirror', 'from-disk', '--inventory', inventory('lab2.yml', lab2), '--archive', archive, '--out', out], { timeoutMs: 120_000 });
    expect(fromDisk.stderr).toBe('');
    expect(fromDisk.code).toBe(0);
    const norm = (o: string) => readFileSync(join(o, 'idms-release-0.yaml'), 'utf8').replaceAll(lab2.host, 'LAB').replaceAll(lab.host, 'LAB');
    expect(norm(out)).toBe(norm(join(dir, 'out1')));
    expect(readFileSync(join(out, 'mapping.txt'), 'utf8').split('\n').length).toBe(readFileSync(join(dir, 'out1', 'mapping.txt'), 'utf8').split('\n').length);
  });
});
