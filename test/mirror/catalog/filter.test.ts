// filterCatalog on a realistic catalog: the oc-mirror v2 rules a user relies on, and validity of every result.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { PayloadError } from '../../../src/core/errors.js';
import { assertValidCatalog, catalogProblems, filterCatalog } from '../../../src/mirror/catalog/index.js';
import { sampleCatalog } from '../../helpers/catalog-fixtures.js';

const fbc = sampleCatalog();
const names = (c: { bundles: Array<{ name: string }> }) => c.bundles.map((b) => b.name);

describe('filterCatalog on the sample catalog', () => {
  it('the source catalog itself is valid', () => expect(catalogProblems(fbc)).toEqual([]));

  it('keeps the head of every channel when no channel is given', () => {
    const out = filterCatalog(fbc, { packages: [{ name: 'etcd' }, { name: 'legacy-operator' }] });
    expect(out.catalog.packages.map((p) => p.name)).toEqual(['etcd', 'legacy-operator']);
    expect(out.catalog.channels.map((c) => `${c.package}/${c.name}=${c.entries.map((e) => e.name).join(',')}`)).toEqual([
      'etcd/stable=etcd.v0.9.4',
      'etcd/alpha=etcd.v0.10.1',
      'legacy-operator/v1=legacy.v1.1.0',
      'legacy-operator/stable=legacy.v2.0.0',
    ]);
    expect(names(out.catalog)).toEqual(['etcd.v0.10.1', 'etcd.v0.9.4', 'legacy.v1.1.0', 'legacy.v2.0.0']);
    // The bundle deprecation goes with its bundle; package and channel deprecations stay.
    expect(out.catalog.deprecations[0].entries.map((e) => `${e.reference.schema}:${e.reference.name ?? ''}`)).toEqual(['olm.package:', 'olm.channel:v1']);
    assertValidCatalog(out.catalog);
  });

  it('keeps the head entry with its replaces/skips/skipRange fields', () => {
    const out = filterCatalog(fbc, { packages: [{ name: 'jaeger-product' }] });
    expect(out.catalog.channels[0].entries).toEqual([{ name: 'jaeger-operator.v1.51.0-1', replaces: 'jaeger-operator.v1.47.1-5', skipRange: '>=1.13.0 <1.51.0-1' }]);
    assertValidCatalog(out.catalog);
  });

  it('rewrites the default channel when asked, and refuses to drop it silently', () => {
    const ok = filterCatalog(fbc, { packages: [{ name: 'etcd', defaultChannel: 'alpha', channels: [{ name: 'alpha' }] }] });
    expect(ok.catalog.packages[0].defaultChannel).toBe('alpha');
    expect(fbc.packages[0].defaultChannel).toBe('stable');
    assertValidCatalog(ok.catalog);
    expect(() => filterCatalog(fbc, { packages: [{ name: 'etcd', channels: [{ name: 'alpha' }] }] })).toThrow(
      /the default channel "stable" was filtered out, a new default channel must be configured/,
    );
  });

  it('walks the replaces chain for minVersion/maxVersion like oc-mirror', () => {
    const out = filterCatalog(fbc, { packages: [{ name: 'etcd', channels: [{ name: 'stable', minVersion: '0.9.1', maxVersion: '0.9.2' }] }] });
    // 0.9.2 is the lowest chain node reaching both in-range bundles (itself and the skipped 0.9.1); 0.9.0 is out.
    expect(out.catalog.channels[0].entries.map((e) => e.name)).toEqual(['etcd.v0.9.2', 'etcd.v0.9.1']);
    expect(names(out.catalog)).toEqual(['etcd.v0.9.1', 'etcd.v0.9.2']);
    assertValidCatalog(out.catalog);
  });

  it('keeps out-of-range chain members needed to reach the range, with a warning', () => {
    const out = filterCatalog(fbc, { packages: [{ name: 'etcd', channels: [{ name: 'stable', versionRange: '<=0.9.0 || >=0.9.4' }] }] });
    expect(out.catalog.channels[0].entries.map((e) => e.name)).toEqual(['etcd.v0.9.0', 'etcd.v0.9.2', 'etcd.v0.9.4']);
    expect(out.warnings.join('\n')).toContain('including bundle "etcd.v0.9.2" with version "0.9.2"');
  });

  it('drops a non-default channel that a range empties, errors when it is the default', () => {
    const out = filterCatalog(fbc, { packages: [{ name: 'etcd', versionRange: '>=0.9.0 <0.10.0' }] });
    expect(out.catalog.channels.map((c) => c.name)).toEqual(['stable']);
    expect(() => filterCatalog(fbc, { packages: [{ name: 'etcd', versionRange: '>=5.0.0' }] })).toThrow(/results in an empty channel/);
  });

  it('full keeps every entry of the kept channels', () => {
    const out = filterCatalog(fbc, { packages: [{ name: 'etcd' }], full: true });
    expect(out.catalog.bundles).toHaveLength(6);
    assertValidCatalog(out.catalog);
    expect(filterCatalog(fbc, { full: true }).untouched).toBe(true);
    expect(() => filterCatalog(fbc, { packages: [{ name: 'etcd', minVersion: '0.9.0' }], full: true })).toThrow(/full: true cannot be mixed/);
  });

  it('lists every missing package and channel in one error, or warns with continueOnMissing', () => {
    const cfg = { packages: [{ name: 'etcd', channels: [{ name: 'stable' }, { name: 'beta' }] }, { name: 'nope' }, { name: 'gone' }] };
    let err: unknown;
    try {
      filterCatalog(fbc, cfg);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PayloadError);
    expect((err as PayloadError).code).toBe('missing-packages');
    expect((err as Error).message).toBe('packages not in the catalog: nope, gone; channels not in the catalog: etcd/beta');
    expect((err as PayloadError).hint).toContain('dci_continue_on_mirror_error');
    const out = filterCatalog(fbc, cfg, { continueOnMissing: true });
    expect(out.missingPackages).toEqual(['nope', 'gone']);
    expect(out.warnings[0]).toContain('nope, gone');
    expect(out.catalog.packages.map((p) => p.name)).toEqual(['etcd']);
  });

  it('keeps other metas of kept packages and package-less ones', () => {
    expect(filterCatalog(fbc, { packages: [{ name: 'tiny' }] }).catalog.others).toHaveLength(1);
    expect(filterCatalog(fbc, { packages: [{ name: 'etcd' }] }).catalog.others).toHaveLength(0);
  });

  it('refuses a range on both the package and a channel, and an unparsable range', () => {
    expect(() => filterCatalog(fbc, { packages: [{ name: 'etcd', minVersion: '1.0.0', channels: [{ name: 'stable', maxVersion: '2.0.0' }] }] })).toThrow(/both on the package and on channel/);
    expect(() => filterCatalog(fbc, { packages: [{ name: 'etcd', versionRange: '>>1' }] })).toThrow(/error parsing version range/);
  });
});

describe('catalog-filter-fixture vectors (jaeger-product cases, on a catalog of the same shape)', () => {
  const here = dirname(fileURLToPath(import.meta.url));
  const file = JSON.parse(readFileSync(resolve(here, '../../../../shared/vectors/catalog-filter-fixture.json'), 'utf8')) as {
    cases: Array<{ name: string; input: { filter: { packages: Array<{ name: string }> }; full: boolean }; expected: { packageCount: number; bundleCount: number; bundlesInclude?: string[]; channelCount?: number } }>;
  };
  const jaegerOnly = file.cases.filter((c) => c.input.filter.packages.length > 0 && c.input.filter.packages.every((p) => p.name === 'jaeger-product'));
  it('has jaeger cases', () => expect(jaegerOnly.length).toBeGreaterThanOrEqual(2));
  for (const c of jaegerOnly) {
    it(c.name, () => {
      const out = filterCatalog(fbc, { ...c.input.filter, full: c.input.full });
      expect(out.catalog.packages).toHaveLength(c.expected.packageCount);
      expect(out.catalog.bundles).toHaveLength(c.expected.bundleCount);
      if (c.expected.channelCount !== undefined) expect(out.catalog.channels).toHaveLength(c.expected.channelCount);
      expect(names(out.catalog)).toEqual(expect.arrayContaining(c.expected.bundlesInclude ?? []));
      assertValidCatalog(out.catalog);
    });
  }
});
