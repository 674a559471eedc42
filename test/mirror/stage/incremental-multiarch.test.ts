/**
 * Incremental archives and multi-arch images, on real docker-registry processes through the real CLI: archive 1
 * carries a 2-arch index (repository lab/multi-a); archive 2, made with `--base archive1`, adds another index in
 * another repository (lab/multi-b) built on the same child manifests plus a new platform. Archive 2 does not
 * carry those children (archive 1 did), so from-disk of archive 2 must take them from lab/multi-a in the registry
 * (the registry answers per repository) — or, when archive 1 was never imported, say "import archive 1 first".
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import type { TestRegistry } from '../../helpers/registry.js';
import { buildImage, gzLayer, MT, pushImage, pushManifest, sha256, type BuiltImage } from '../../helpers/release-fixtures.js';
import { blobStatus, blobsOf, manifestIn, premountWithoutBase, startIncrementalLab, type IncrementalLab } from './incremental-lab.js';

let lab: IncrementalLab;
let source: TestRegistry;
let labInc: TestRegistry;
let labAlone: TestRegistry;
let dir: string;
let children: BuiltImage[];
let extraChild: BuiltImage;
let indexA: string;
let indexB: string;

function indexOf(images: BuiltImage[], archs: string[]): { bytes: Buffer; mediaType: string; digest: string } {
  const bytes = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MT.ociIndex,
      manifests: images.map((m, i) => ({ mediaType: m.manifest.mediaType, digest: m.manifest.digest, size: m.manifest.bytes.length, platform: { os: 'linux', architecture: archs[i] } })),
    }),
  );
  return { bytes, mediaType: MT.ociIndex, digest: sha256(bytes) };
}

function inventory(name: string, registry: TestRegistry, grown: boolean): string {
  return lab.inventory(
    name,
    registry,
    `    dci_mirror_release: false
    dci_additional_images:
      - ${source.host}/lab/multi-a:v1
${grown ? `      - ${source.host}/lab/multi-b:v2\n` : ''}`,
  );
}

beforeAll(async () => {
  lab = await startIncrementalLab('incremental-multi-', ['inc', 'alone']);
  ({ dir, source } = lab);
  ({ inc: labInc, alone: labAlone } = lab.labs);
  const base = gzLayer([{ name: 'usr/lib/base.txt', content: 'shared by every platform '.repeat(200) }]);
  children = ['amd64', 'arm64'].map((arch) => buildImage([base, gzLayer([{ name: `app/${arch}`, content: `${arch} binary `.repeat(100) }])], { architecture: arch }));
  extraChild = buildImage([base, gzLayer([{ name: 'app/s390x', content: 's390x binary '.repeat(100) }])], { architecture: 's390x' });
  for (const c of children) await pushImage(source.host, 'lab/multi-a', c);
  const a = indexOf(children, ['amd64', 'arm64']);
  await pushManifest(source.host, 'lab/multi-a', 'v1', a);
  indexA = a.digest;
  for (const c of [...children, extraChild]) await pushImage(source.host, 'lab/multi-b', c);
  const b = indexOf([...children, extraChild], ['amd64', 'arm64', 's390x']);
  await pushManifest(source.host, 'lab/multi-b', 'v2', b);
  indexB = b.digest;
}, 120_000);

afterAll(async () => {
  await lab?.stop();
});

describe('incremental archives with multi-arch indexes', () => {
  const arc1 = () => join(dir, 'arc1');
  const arc2 = () => join(dir, 'arc2');

  it('archive 2 does not carry the child manifests archive 1 did; from-disk 1 then 2 puts both indexes, whole, in their repositories', async () => {
    await lab.toDisk(inventory('lab1.yml', labInc, false), arc1());
    await lab.toDisk(inventory('lab2.yml', labInc, true), arc2(), arc1());
    for (const c of children) {
      expect(blobsOf(arc1())).toContain(c.manifest.digest);
      expect(blobsOf(arc2())).not.toContain(c.manifest.digest);
    }
    expect(blobsOf(arc2())).toContain(indexB);
    expect(blobsOf(arc2())).toContain(extraChild.manifest.digest);

    await source.stop(); // the jumphost cannot reach the source
    const i1 = await lab.fromDisk(inventory('inc1.yml', labInc, false), arc1(), join(dir, 'out1'));
    expect(i1.stderr).toBe('');
    expect(i1.code).toBe(0);
    const i2 = await lab.fromDisk(inventory('inc2.yml', labInc, true), arc2(), join(dir, 'out2'));
    expect(i2.stderr).toBe('');
    expect(i2.code).toBe(0);
    expect(i2.stdout).toMatch(/2 child manifests of the base archive\(s\) pushed from other repositories/);
    expect(await manifestIn(labInc, 'lab/multi-a', 'v1')).toBe(indexA);
    expect(await manifestIn(labInc, 'lab/multi-b', 'v2')).toBe(indexB);
    // Every child, and every blob of every child, answers in lab/multi-b (what a node pulling it will ask for).
    for (const c of [...children, extraChild]) {
      expect(await manifestIn(labInc, 'lab/multi-b', c.manifest.digest)).toBe(c.manifest.digest);
      for (const d of [c.configDigest, ...c.layers.map((l) => l.digest)]) {
        expect(await blobStatus(labInc, 'lab/multi-b', d), `${d} in lab/multi-b`).toBe(200);
      }
    }
  }, 240_000);

  it('from-disk of archive 2 alone: one clear error naming the image archive 1 brought and the archive to import first', async () => {
    const out = join(dir, 'out-alone');
    const r = await lab.fromDisk(inventory('alone.yml', labAlone, true), arc2(), out);
    expect(r.code).toBe(2);
    expect(r.stderr.match(/^error:/gm)).toHaveLength(1);
    expect(r.stderr).toMatch(/came with the base archive arc1/);
    expect(r.stderr).toMatch(/import archive arc1 first/);
    expect(r.stderr).toContain(`lab/multi-a:v1: manifest ${indexA}`);
  }, 120_000);

  it('the new index alone, its base not imported: the error names the index, a child manifest and the archive', async () => {
    const ref = `${source.host}/lab/multi-b:v2`;
    const e = await premountWithoutBase(arc2(), labAlone, ref, `docker://${labAlone.host}/lab/multi-b:v2`);
    expect(e.message).toBe(`${ref}: manifest ${children[0].manifest.digest} is neither in this archive nor in the registry ${labAlone.host}: it came with the base archive arc1`);
    expect(e.hint).toMatch(/^import archive arc1 first/);
    expect(await manifestIn(labAlone, 'lab/multi-b', 'v2')).toBeUndefined();
  });
});
