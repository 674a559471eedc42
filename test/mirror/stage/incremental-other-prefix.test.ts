/**
 * An incremental archive imported with another `dci_mirror_repo_prefix` than its base, on real docker-registry
 * processes (each behind a pass-through proxy that counts requests and can refuse the repository list) through the
 * real CLI: archive 1 carries X and Y and is imported under prefix p1; archive 2 (`--base archive1`) carries Z,
 * built on a layer only X had, and is imported under p2 with an inventory that still lists Y. Y and the layer are
 * in the registry, under p1: from-disk must find them there (the registry's repository list, read once) and leave
 * Y and Z whole in their p2 repositories. A tag that already holds another image is not overwritten. A registry
 * that refuses the list keeps the clear "import archive 1 first" error and says which variables to set back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestRegistry } from '../../helpers/registry.js';
import { startFaultProxy, type FaultProxy } from '../../helpers/fault-proxy.js';
import { buildImage, gzLayer, pushImage, type BuiltImage } from '../../helpers/release-fixtures.js';
import { blobStatus, blobsOf, manifestIn, pushSharedLayerImages, startIncrementalLab, type IncrementalLab, type SharedLayerImages } from './incremental-lab.js';

let lab: IncrementalLab;
let source: TestRegistry;
let dir: string;
/** The lab registries as the CLI sees them: through a proxy each. */
const via = {} as Record<'open' | 'guarded', { registry: TestRegistry; proxy: FaultProxy; direct: TestRegistry }>;
/** X: on the shared layer; Y: in both inventories; Z: new in archive 2, on the shared layer too. */
let images: SharedLayerImages['images'];
let sharedLayer: string;

function inventory(name: string, registry: TestRegistry, refs: string[], prefix?: string): string {
  return lab.inventory(name, registry, `    dci_mirror_release: false\n${prefix ? `    dci_mirror_repo_prefix: ${prefix}\n` : ''}    dci_additional_images:\n${refs.map((r) => `      - ${r}`).join('\n')}\n`);
}
const first = () => [images.x.ref, images.y.ref];
const second = () => [images.y.ref, images.z.ref];
const catalogReads = (p: FaultProxy) => p.log.filter((e) => e.path.startsWith('/v2/_catalog')).length;

/** Every blob and the manifest of `image` answer in `repo` (what a node pulling it asks for). */
async function wholeIn(registry: TestRegistry, repo: string, tag: string, image: BuiltImage): Promise<void> {
  expect(await manifestIn(registry, repo, tag), `${repo}:${tag}`).toBe(image.manifest.digest);
  for (const d of [image.configDigest, ...image.layers.map((l) => l.digest)]) expect(await blobStatus(registry, repo, d), `${d} in ${repo}`).toBe(200);
}

beforeAll(async () => {
  lab = await startIncrementalLab('incremental-prefix-', ['open', 'guarded']);
  ({ dir, source } = lab);
  for (const name of ['open', 'guarded'] as const) {
    const direct = lab.labs[name];
    const proxy = await startFaultProxy(direct.url);
    via[name] = { direct, proxy, registry: { ...direct, host: proxy.host, port: Number(proxy.host.split(':')[1]), url: proxy.url } };
  }
  ({ images, sharedLayer } = await pushSharedLayerImages(source));
  await lab.toDisk(inventory('arc1.yml', via.open.registry, first()), join(dir, 'arc1'));
  await lab.toDisk(inventory('arc2.yml', via.open.registry, second()), join(dir, 'arc2'), join(dir, 'arc1'));
  await source.stop(); // the jumphost cannot reach the source
}, 180_000);

afterAll(async () => {
  await Promise.all(Object.values(via).map((v) => v.proxy.close()));
  await lab?.stop();
});

describe('incremental archive imported under another dci_mirror_repo_prefix than its base', () => {
  const arc1 = () => join(dir, 'arc1');
  const arc2 = () => join(dir, 'arc2');

  it('archive 1 under p1, archive 2 under p2: Y and Z are whole in their p2 repositories; the repository list is read once', async () => {
    expect(blobsOf(arc2())).not.toContain(sharedLayer);
    expect(blobsOf(arc2())).not.toContain(images.y.image.manifest.digest);
    const { registry, direct, proxy } = via.open;
    const i1 = await lab.fromDisk(inventory('open1.yml', registry, first(), 'p1'), arc1(), join(dir, 'open1'));
    expect(i1.stderr).toBe('');
    expect(i1.code).toBe(0);
    await wholeIn(direct, 'p1/lab/x', 'v1', images.x.image);
    proxy.clear();

    const i2 = await lab.fromDisk(inventory('open2.yml', registry, second(), 'p2'), arc2(), join(dir, 'open2'));
    expect(i2.stderr).toBe('');
    expect(i2.code).toBe(0);
    await wholeIn(direct, 'p2/lab/y', 'v1', images.y.image);
    await wholeIn(direct, 'p2/lab/z', 'v1', images.z.image);
    // The shared layer came from p1/lab/x (mounted, not uploaded): no blob upload carried it.
    expect(i2.stdout).toMatch(/1 blobs of the base archive\(s\) mounted from other repositories/);
    // Y (not in archive 2) and Z's layer both needed the search; the registry was asked for its list once.
    expect(catalogReads(proxy)).toBe(1);
    const mapping = readFileSync(join(dir, 'open2', 'mapping.txt'), 'utf8');
    expect(mapping).toContain(`${registry.host}/p2/lab/y:v1`);
    expect(mapping).not.toContain('/p1/');
  }, 240_000);

  it('only the new image under p3: the layer only the base carried is found under p1 and mounted into p3/lab/z', async () => {
    const { registry, direct } = via.open;
    const r = await lab.fromDisk(inventory('open3.yml', registry, [images.z.ref], 'p3'), arc2(), join(dir, 'open3'));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/1 blobs of the base archive\(s\) mounted from other repositories/);
    await wholeIn(direct, 'p3/lab/z', 'v1', images.z.image);
  }, 240_000);

  it('a destination that already holds another image under the tag is not overwritten with what the base had', async () => {
    const { registry, direct } = via.open;
    const other = buildImage([gzLayer([{ name: 'other.txt', content: 'someone else pushed this' }])]);
    await pushImage(direct.host, 'p4/lab/y', other, 'v1');
    const r = await lab.fromDisk(inventory('open4.yml', registry, second(), 'p4'), arc2(), join(dir, 'open4'));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`is ${other.manifest.digest}): it came with the base archive arc1`);
    expect(await manifestIn(direct, 'p4/lab/y', 'v1')).toBe(other.manifest.digest);
  }, 240_000);

  it('a registry that refuses its repository list (401): one clear error naming archive 1 and the variables to set back', async () => {
    const { registry, direct, proxy } = via.guarded;
    proxy.add({ method: 'GET', path: /^\/v2\/_catalog/, fault: { kind: 'status', status: 401, body: JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] }) } });
    const i1 = await lab.fromDisk(inventory('guarded1.yml', registry, first(), 'p1'), arc1(), join(dir, 'guarded1'));
    expect(i1.stderr).toBe('');
    expect(i1.code).toBe(0);

    const r = await lab.fromDisk(inventory('guarded2.yml', registry, second(), 'p2'), arc2(), join(dir, 'guarded2'));
    expect(r.code).toBe(2);
    expect(r.stderr.match(/^error:/gm)).toHaveLength(1);
    expect(r.stderr).toContain(`${images.y.ref}: manifest ${images.y.image.manifest.digest} is neither in this archive nor in the registry`);
    expect(r.stderr).toMatch(/came with the base archive arc1/);
    expect(r.stderr).toMatch(/hint: import archive arc1 first .*GET \/v2\/_catalog answered 401.*set local_repo and dci_mirror_repo_prefix back to the values that import used/);
    expect(await manifestIn(direct, 'p2/lab/z', 'v1')).toBeUndefined();
    // One read of the list, sent twice: like every request, once more after a 401 (the client's credential replay).
    expect(catalogReads(proxy)).toBe(2);
  }, 240_000);

  it('the same registry answering 404 for the list, only the new image asked for: the error names Z, the layer, archive 1 and the variables', async () => {
    const { registry, direct, proxy } = via.guarded;
    proxy.clear();
    proxy.add({ method: 'GET', path: /^\/v2\/_catalog/, fault: { kind: 'status', status: 404, body: '404 page not found' } });
    const r = await lab.fromDisk(inventory('guarded3.yml', registry, [images.z.ref], 'p3'), arc2(), join(dir, 'guarded3'));
    expect(r.code).toBe(2);
    expect(r.stderr.match(/^error:/gm)).toHaveLength(1);
    expect(r.stderr).toContain(`${images.z.ref}: blob ${sharedLayer} is neither in this archive nor in the registry`);
    expect(r.stderr).toMatch(/hint: import archive arc1 first .*GET \/v2\/_catalog answered 404.*set local_repo and dci_mirror_repo_prefix back/);
    expect(await manifestIn(direct, 'p3/lab/z', 'v1')).toBeUndefined();
  }, 240_000);
});
