/**
 * An incremental archive made from an inventory that dropped an image, on real docker-registry processes through
 * the real CLI: archive 1 carries X and Y; archive 2 (`--base archive1`) is made from an inventory with Y and a
 * new image Z but without X, and Z is built on a layer only X had. Archive 2 does not carry that layer. from-disk
 * of archive 2 must find it where archive 1's import put X (in the registry, not in the current inventory) and
 * mount it into Z's repository; importing archive 2 alone must still say "import archive arc1 first".
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { TestRegistry } from '../../helpers/registry.js';
import { blobStatus, blobsOf, manifestIn, premountWithoutBase, pushSharedLayerImages, startIncrementalLab, type IncrementalLab, type SharedLayerImages } from './incremental-lab.js';

let lab: IncrementalLab;
let source: TestRegistry;
let labInc: TestRegistry;
let labAlone: TestRegistry;
let dir: string;
/** X: on the shared layer; Y: in both inventories; Z: new in archive 2, on the shared layer too. */
let images: SharedLayerImages['images'];
let sharedLayer: string;

function inventory(name: string, registry: TestRegistry, refs: string[]): string {
  return lab.inventory(name, registry, `    dci_mirror_release: false\n    dci_additional_images:\n${refs.map((r) => `      - ${r}`).join('\n')}\n`);
}
const first = () => [images.x.ref, images.y.ref];
const second = () => [images.y.ref, images.z.ref];

beforeAll(async () => {
  lab = await startIncrementalLab('incremental-dropped-', ['inc', 'alone']);
  ({ dir, source } = lab);
  ({ inc: labInc, alone: labAlone } = lab.labs);
  ({ images, sharedLayer } = await pushSharedLayerImages(source));
}, 120_000);

afterAll(async () => {
  await lab?.stop();
});

describe('incremental archive from an inventory that dropped the image which brought a layer', () => {
  const arc1 = () => join(dir, 'arc1');
  const arc2 = () => join(dir, 'arc2');

  it('from-disk 1 then 2: the layer is mounted from the repository of the dropped image, Z is whole in its repository', async () => {
    await lab.toDisk(inventory('lab1.yml', labInc, first()), arc1());
    await lab.toDisk(inventory('lab2.yml', labInc, second()), arc2(), arc1());
    expect(blobsOf(arc1())).toContain(sharedLayer);
    expect(blobsOf(arc2())).not.toContain(sharedLayer);
    expect(blobsOf(arc2())).toContain(images.z.image.manifest.digest);

    await source.stop(); // the jumphost cannot reach the source
    const i1 = await lab.fromDisk(inventory('inc1.yml', labInc, first()), arc1(), join(dir, 'out1'));
    expect(i1.stderr).toBe('');
    expect(i1.code).toBe(0);
    const i2 = await lab.fromDisk(inventory('inc2.yml', labInc, second()), arc2(), join(dir, 'out2'));
    expect(i2.stderr).toBe('');
    expect(i2.code).toBe(0);
    expect(i2.stdout).toMatch(/1 blobs of the base archive\(s\) mounted from other repositories/);
    // What a node pulling Z asks for answers in Z's repository.
    expect(await manifestIn(labInc, 'lab/z', 'v1')).toBe(images.z.image.manifest.digest);
    const z = images.z.image;
    for (const d of [z.configDigest, ...z.layers.map((l) => l.digest)]) expect(await blobStatus(labInc, 'lab/z', d), `${d} in lab/z`).toBe(200);
    expect(existsSync(join(dir, 'out2', 'mapping.txt'))).toBe(true);
  }, 240_000);

  it('from-disk of archive 2 alone: exit 2, one error naming archive 1 to import first; nothing of Z is pushed', async () => {
    const out = join(dir, 'out-alone');
    const r = await lab.fromDisk(inventory('alone.yml', labAlone, second()), arc2(), out);
    expect(r.code).toBe(2);
    expect(r.stderr.match(/^error:/gm)).toHaveLength(1);
    expect(r.stderr).toMatch(/came with the base archive arc1/);
    expect(r.stderr).toMatch(/import archive arc1 first/);
    expect(r.stderr).toMatch(/sha256:[a-f0-9]{64}/);
    expect(await manifestIn(labAlone, 'lab/z', 'v1')).toBeUndefined();
    expect(existsSync(join(out, 'mapping.txt'))).toBe(false);
  }, 120_000);

  it('every reference archive 1 carried is looked for in the registry; none is there, so the error names Z, the layer and the archive', async () => {
    const tried: string[] = [];
    // Where an import of archive 1 would have put X and Y; in this registry nothing of archive 1 was imported.
    const baseLocations = (ref: string): string[] => {
      tried.push(ref);
      return [`docker://${labAlone.host}/${ref.slice(ref.indexOf('/') + 1).replace(/:[^/]*$/, '')}`];
    };
    const e = await premountWithoutBase(arc2(), labAlone, images.z.ref, `docker://${labAlone.host}/lab/z:v1`, baseLocations);
    expect(e.message).toBe(`${images.z.ref}: blob ${sharedLayer} is neither in this archive nor in the registry ${labAlone.host}: it came with the base archive arc1`);
    expect(e.hint).toMatch(/^import archive arc1 first/);
    // Every reference archive 1 carried was looked for.
    expect(tried.sort()).toEqual(first().sort());
  });
});
