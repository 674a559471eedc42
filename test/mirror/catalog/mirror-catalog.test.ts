// End to end on real registries, the way the mirror-images stage uses this library: settings → filter, mirror
// the kept bundles and related images by digest with the copy engine, rebuild + push the pruned catalog, then
// check that every mirrored image resolves to an existing copy and the pushed catalog is the filtered one.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildMirrorSets } from '../../../src/manifests/build-mirror-sets.js';
import { resolvePullSourcesFromMirrorSets } from '../../../src/manifests/resolve.js';
import {
  assertValidCatalog,
  catalogImages,
  filterCatalog,
  filterConfigFromDci,
  planCatalogMirror,
  prunedCatalogDestination,
  prunedCatalogMapping,
  readCatalog,
  rebuildCatalog,
} from '../../../src/mirror/catalog/index.js';
import { assertCopySucceeded, copyImages, createRegistryClient, type RegistryClient } from '../../../src/mirror/index.js';
import { startRegistry, type TestRegistry } from '../../helpers/registry.js';
import { pushCatalogImage, sampleCatalog, withRealImages, type CatalogImageFixture } from '../../helpers/catalog-fixtures.js';
import { canonical } from './canonical.js';

let src: TestRegistry;
let dst: TestRegistry;
let client: RegistryClient;
let fx: CatalogImageFixture;

beforeAll(async () => {
  [src, dst] = await Promise.all([startRegistry(), startRegistry()]);
  client = createRegistryClient({ plainHttp: [src.host, dst.host] });
  fx = await pushCatalogImage({ host: src.host, fbc: await withRealImages(src.host, sampleCatalog(src.host)) });
});
afterAll(async () => {
  await client?.close();
  await Promise.all([src?.stop(), dst?.stop()]);
});

describe('catalog mirror', () => {
  it('filters from the agent settings, mirrors kept images by digest, pushes the pruned catalog', async () => {
    const cat = await readCatalog(`docker://${fx.ref}`, { client });
    const config = filterConfigFromDci({
      opm_mirror_list: { etcd: { channel: 'alpha' }, 'jaeger-product': { channel: 'stable', minVersion: '1.47.1-5' } },
      dci_operators: [{ name: 'legacy-operator', catalog_source: 'redhat-operators' }, { name: 'other', catalog_source: 'elsewhere' }],
      catalogSourceName: 'redhat-operators',
    });
    const out = filterCatalog(cat.fbc, config);
    assertValidCatalog(out.catalog);
    expect(out.catalog.packages.map((p) => `${p.name}:${p.defaultChannel}`)).toEqual(['etcd:alpha', 'jaeger-product:stable', 'legacy-operator:stable']);
    expect(out.catalog.bundles.map((b) => b.name)).toEqual(['etcd.v0.10.1', 'jaeger-operator.v1.47.1-5', 'jaeger-operator.v1.51.0-1', 'legacy.v1.1.0', 'legacy.v2.0.0']);

    const target = { localRegistry: dst.host, localRepo: 'olm' };
    const mapping = planCatalogMirror(catalogImages(out.catalog), target);
    expect(mapping.length).toBe(out.catalog.bundles.reduce((n, b) => n + (b.relatedImages?.length ?? 0), 0));
    const report = await copyImages(mapping.map((m) => ({ source: `docker://${m.source}`, destination: `docker://${m.destination}` })), { client });
    assertCopySucceeded(report);

    const prunedAt = prunedCatalogDestination(fx.ref, target);
    expect(prunedAt).toBe(`${dst.host}/olm/redhat/redhat-operator-index:v4.16`);
    const rebuilt = await rebuildCatalog({ client, source: `docker://${fx.ref}`, destination: `docker://${prunedAt}`, fbc: out.catalog });
    const back = await readCatalog(`docker://${prunedAt}`, { client });
    expect(back.resolved.topDigest).toBe(rebuilt.digest);
    expect(canonical(back.fbc)).toEqual(canonical(out.catalog));

    // The mapping goes straight into the mirror-set builder (the pruned catalog line is skipped there: it is
    // consumed through a CatalogSource); every image resolves through the IDMS to a copy with the same digest.
    const build = buildMirrorSets([...mapping, prunedCatalogMapping(fx.ref, target)], { version: '4.16' });
    const idms = build.entries.filter((g) => g.kind === 'idms').map((g) => g.entries);
    expect(idms.length).toBeGreaterThan(0);
    const dstRepo = (ref: string) => client.repository(dst.host, ref.slice(dst.host.length + 1, ref.indexOf('@')));
    for (const m of mapping) {
      const r = resolvePullSourcesFromMirrorSets(m.source, { idms });
      expect(r.locations[0].role).toBe('mirror');
      const ref = r.locations[0].reference;
      expect(ref.startsWith(`${dst.host}/olm/`)).toBe(true);
      const digest = ref.slice(ref.indexOf('@') + 1);
      expect((await dstRepo(ref).headManifest(digest))?.digest).toBe(digest);
    }
  });
});

describe('catalog from disk (air-gapped flow)', () => {
  it('reads and rebuilds a catalog held in an OCI layout, pushing the pruned image to the registry', async () => {
    const { mkdtemp, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = await mkdtemp(join(tmpdir(), 'dci-catalog-layout-'));
    try {
      assertCopySucceeded(await copyImages([{ source: `docker://${fx.ref}`, destination: `oci:${dir}:v4.16` }], { client }));
      const cat = await readCatalog(`oci:${dir}:v4.16`, { client });
      const out = filterCatalog(cat.fbc, { packages: [{ name: 'tiny' }] });
      const rebuilt = await rebuildCatalog({ client, source: `oci:${dir}:v4.16`, destination: `docker://${dst.host}/disk/index:v4.16`, fbc: out.catalog });
      const back = await readCatalog(`docker://${dst.host}/disk/index:v4.16`, { client });
      expect(back.resolved.topDigest).toBe(rebuilt.digest);
      expect(canonical(back.fbc)).toEqual(canonical(out.catalog));
      expect(back.fbc.others.map((o) => o.name)).toEqual(['tiny-template']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
