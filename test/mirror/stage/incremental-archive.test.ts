/**
 * Incremental air-gapped archives on real docker-registry processes, through the real CLI: archive 1 holds a
 * release and a pruned catalog's content; the lab's content then grows (one more operator package, two
 * additional images); archive 2 made with `--base archive1` holds only the new blobs (plus the release and catalog
 * images themselves, which from-disk reads to plan); importing 1 then 2 into a fresh registry gives the same
 * mapping and mirror sets as a full `mirror images` run; importing 2 alone fails with one clear error.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestRegistry } from '../../helpers/registry.js';
import { buildImage, gzLayer, pushImage, pushReleaseFixture, type BuiltImage, type ReleaseFixture } from '../../helpers/release-fixtures.js';
import { pushCatalogImage, sampleCatalog, withRealImages, type CatalogImageFixture } from '../../helpers/catalog-fixtures.js';
import { runCli } from '../../helpers/cli.js';
import { RegistryClient } from '../../../src/mirror/registry/client.js';
import { TransportSet } from '../../../src/mirror/transports.js';
import { imageDigests } from '../../../src/mirror/stage/copy-groups.js';
import { scanTar } from '../../../src/mirror/oci-layout/archive.js';
import { blobsOf, premountWithoutBase, startIncrementalLab, type IncrementalLab } from './incremental-lab.js';

let lab: IncrementalLab;
let source: TestRegistry;
let labFull: TestRegistry;
let labInc: TestRegistry;
let labAlone: TestRegistry;
let labTar: TestRegistry;
let release: ReleaseFixture;
let catalog: CatalogImageFixture;
let extras: Array<{ ref: string; image: BuiltImage }>;
/** In archive 1 already; shares a layer with the second extra image (another repository). */
let baseApp: { ref: string; image: BuiltImage };
let sharedLayer: string;
let dir: string;

function inventory(name: string, registry: TestRegistry, grown: boolean): string {
  return lab.inventory(
    name,
    registry,
    `    ocp_release_image: ${release.releaseRef}
    operators_index: ${catalog.ref}
    dci_operators:
      - name: jaeger-product
    dci_additional_images:
      - ${baseApp.ref}
${grown ? `${extras.map((e) => `      - ${e.ref}`).join('\n')}\n    opm_mirror_list:\n      etcd:\n        channel: stable\n` : ''}`,
  );
}

/** Outputs with the lab registry's address replaced, so runs into different registries compare. */
function outputs(out: string, registry: TestRegistry): Record<string, string> {
  const files: Record<string, string> = {};
  for (const f of readdirSync(join(out, 'cluster-resources')).sort()) files[f] = readFileSync(join(out, 'cluster-resources', f), 'utf8').replaceAll(registry.host, 'LAB');
  files['mapping.txt'] = readFileSync(join(out, 'mapping.txt'), 'utf8').replaceAll(registry.host, 'LAB').split('\n').sort().join('\n');
  files['install-config-sources.yaml'] = readFileSync(join(out, 'install-config-sources.yaml'), 'utf8').replaceAll(registry.host, 'LAB');
  return files;
}

beforeAll(async () => {
  lab = await startIncrementalLab('incremental-', ['full', 'inc', 'alone', 'tar']);
  ({ dir, source } = lab);
  ({ full: labFull, inc: labInc, alone: labAlone, tar: labTar } = lab.labs);
  release = await pushReleaseFixture({ host: source.host, components: 12 });
  const fbc = await withRealImages(source.host, sampleCatalog(source.host));
  catalog = await pushCatalogImage({ host: source.host, fbc });
  const shared = gzLayer([{ name: 'usr/lib/shared.txt', content: 'a base layer many images share '.repeat(300) }]);
  sharedLayer = shared.digest;
  const appImage = buildImage([shared, gzLayer([{ name: 'app/own.txt', content: 'the base app' }])]);
  baseApp = { ref: `${source.host}/lab/base-app@${await pushImage(source.host, 'lab/base-app', appImage)}`, image: appImage };
  extras = [];
  for (const [i, tagged] of [true, false].entries()) {
    const own = gzLayer([{ name: `extra-${i}/data.txt`, content: `additional image ${i} `.repeat(200) }]);
    // The second one is built on the shared layer, which only archive 1 carries (and another repository holds).
    const image = buildImage(i === 1 ? [shared, own] : [own]);
    const digest = await pushImage(source.host, `lab/extra-${i}`, image, tagged ? 'v1' : undefined);
    extras.push({ ref: tagged ? `${source.host}/lab/extra-${i}:v1` : `${source.host}/lab/extra-${i}@${digest}`, image });
  }
}, 120_000);

afterAll(async () => {
  await lab?.stop();
});

describe('incremental archives (to-disk --base)', () => {
  const arc1 = () => join(dir, 'arc1');
  const arc2 = () => join(dir, 'arc2');

  it('archive 2 made with --base archive 1 holds only what archive 1 did not, and says which archive it extends', async () => {
    await lab.toDisk(inventory('lab1.yml', labInc, false), arc1());
    const r2 = await lab.toDisk(inventory('lab2.yml', labInc, true), arc2(), arc1());
    expect(r2.stdout).toMatch(/already in the base archive\(s\) arc1/);

    const m1 = JSON.parse(readFileSync(join(arc1(), 'refs.json'), 'utf8')) as { id: string; blobs: string[]; digests: Record<string, string> };
    const m2 = JSON.parse(readFileSync(join(arc2(), 'refs.json'), 'utf8')) as { base: Array<{ id: string; name: string }>; blobs: string[]; digests: Record<string, string> };
    expect(m2.base.map((b) => [b.id, b.name])).toEqual([[m1.id, 'arc1']]);
    // The content manifests list exactly the blobs on disk.
    expect([...m1.blobs].sort()).toEqual(blobsOf(arc1()).sort());
    expect([...m2.blobs].sort()).toEqual(blobsOf(arc2()).sort());

    // What both hold is only the release image and the catalog image (carried whole: from-disk reads them).
    const client = new RegistryClient({ plainHttp: [source.host] });
    const transports = new TransportSet(client);
    const carried = new Set<string>();
    try {
      for (const ref of [`${source.host}/${release.releaseRepo}@${release.releaseDigest}`, catalog.ref]) for (const d of await imageDigests(transports, `docker://${ref}`)) carried.add(d);
    } finally {
      await transports.close();
      await client.close();
    }
    const inBoth = blobsOf(arc2()).filter((b) => m1.blobs.includes(b));
    expect(inBoth.length).toBeGreaterThan(0);
    for (const b of inBoth) expect(carried.has(b), `${b} is in both archives but is not part of the release or catalog image`).toBe(true);
    // No release component is written again; every new image is.
    for (const c of release.components) expect(blobsOf(arc2())).not.toContain(c.digest);
    for (const e of extras) {
      expect(blobsOf(arc2())).toContain(e.image.manifest.digest);
      for (const l of e.image.layers.filter((x) => x.digest !== sharedLayer)) expect(blobsOf(arc2())).toContain(l.digest);
    }
    expect(m1.blobs).toContain(sharedLayer);
    expect(blobsOf(arc2())).not.toContain(sharedLayer);
    expect(blobsOf(arc2())).not.toContain(baseApp.image.manifest.digest);
    expect(Object.keys(m2.digests)).toEqual(expect.arrayContaining(extras.map((e) => e.ref)));
  }, 240_000);

  it('the same as single tar files (--archive FILE.tar, --base FILE.tar)', async () => {
    const t1 = join(dir, 'arc1.tar');
    const t2 = join(dir, 'arc2.tar');
    await lab.toDisk(inventory('tar1.yml', labTar, false), t1);
    await lab.toDisk(inventory('tar2.yml', labTar, true), t2, t1);
    expect(existsSync(`${t2}.layout`)).toBe(false);
    const entries = [...(await scanTar(t2)).keys()];
    expect(entries).toEqual(expect.arrayContaining(['oci-layout', 'index.json', 'refs.json']));
    const blobs = entries.filter((e) => e.startsWith('blobs/sha256/')).map((e) => `sha256:${e.slice(13)}`);
    expect(blobs.sort()).toEqual(blobsOf(arc2()).sort()); // same content as the folder made from the same base content
    expect(blobs).not.toContain(sharedLayer);
  }, 240_000);

  it('from-disk 1 then 2 into a fresh registry gives the same mirror sets and mapping as a full run', async () => {
    const full = join(dir, 'out-full');
    const rf = await runCli(['mirror', 'images', '-i', inventory('full.yml', labFull, true), '--out', full], { timeoutMs: 120_000 });
    expect(rf.stderr).toBe('');
    expect(rf.code).toBe(0);
    // The jumphost cannot reach the source registry.
    await source.stop();
    const out1 = join(dir, 'out-inc1');
    const i1 = await lab.fromDisk(inventory('inc1.yml', labInc, false), arc1(), out1);
    expect(i1.stderr).toBe('');
    expect(i1.code).toBe(0);
    const out2 = join(dir, 'out-inc2');
    const i2 = await lab.fromDisk(inventory('inc2.yml', labInc, true), arc2(), out2);
    expect(i2.stderr).toBe('');
    expect(i2.code).toBe(0);
    expect(i2.stdout).toMatch(/release 4\.16\.3: already complete/);
    // The new image built on the shared layer: that layer was mounted from the base image's repository.
    expect(i2.stdout).toMatch(/1 blobs of the base archive\(s\) mounted from other repositories/);
    expect(outputs(out2, labInc)).toEqual(outputs(full, labFull));
    // And from the tar files.
    for (const [i, t] of ['arc1.tar', 'arc2.tar'].entries()) {
      const r = await lab.fromDisk(inventory(`tarin${i}.yml`, labTar, i === 1), join(dir, t), join(dir, `out-tar${i}`));
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
    }
    expect(outputs(join(dir, 'out-tar1'), labTar)).toEqual(outputs(full, labFull));
  }, 240_000);

  it('from-disk of archive 2 alone fails with one clear error: which image, which blob, import archive 1 first', async () => {
    const out = join(dir, 'out-alone');
    const r = await lab.fromDisk(inventory('alone.yml', labAlone, true), arc2(), out);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/came with the base archive arc1/);
    expect(r.stderr).toMatch(/sha256:[a-f0-9]{64}/);
    expect(r.stderr).toMatch(/import archive arc1 first/);
    expect(r.stderr).toContain(release.componentRepo);
    expect(r.stderr.match(/^error:/gm)).toHaveLength(1);
    expect(existsSync(join(out, 'mapping.txt'))).toBe(false);
  }, 120_000);

  it('a new image on a layer only the base archive carried, base not imported: the error names the image, the blob and the archive', async () => {
    const extra = extras[1];
    const e = await premountWithoutBase(arc2(), labAlone, extra.ref, `docker://${labAlone.host}/lab/extra-1@${extra.image.manifest.digest}`);
    expect(e.message).toBe(`${extra.ref}: blob ${sharedLayer} is neither in this archive nor in the registry ${labAlone.host}: it came with the base archive arc1`);
    expect(e.hint).toMatch(/^import archive arc1 first/);
  });
});
