// catalog-filter-fixture.json against the upstream catalog it names (sherine-k/catalog-filter testdata). That data
// is not in the repository: point DCI_CATALOG_FILTER_FIXTURE at a local copy of its `configs` directory to run
// the cases (each package whose catalog is present; cases naming an absent package are skipped).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { assertValidCatalog, filterCatalog, readFbcDirectory, type CatalogFilterConfig } from '../../../src/mirror/catalog/index.js';

const dir = process.env.DCI_CATALOG_FILTER_FIXTURE;
const here = dirname(fileURLToPath(import.meta.url));
const file = JSON.parse(readFileSync(resolve(here, '../../../../shared/vectors/catalog-filter-fixture.json'), 'utf8')) as {
  cases: Array<{
    name: string;
    input: { filter: CatalogFilterConfig; full: boolean };
    expected: { packageCount: number; bundleCount: number; channelCount?: number; bundlesInclude?: string[]; channelName?: string; channelEntryCount?: number };
  }>;
};

describe.skipIf(!dir)('catalog-filter-fixture vectors on the upstream catalog', () => {
  for (const c of file.cases) {
    const packages = (c.input.filter.packages ?? []).map((p) => p.name);
    const present = (p: string) => dir !== undefined && existsSync(join(dir, p));
    const runnable = packages.length > 0 ? packages.every(present) : ['3scale-operator', 'devworkspace-operator', 'jaeger-product'].every(present);
    it.skipIf(!runnable)(c.name, async () => {
      const fbc = await readFbcDirectory(dir as string);
      const out = filterCatalog(fbc, { ...c.input.filter, full: c.input.full });
      expect(out.catalog.packages).toHaveLength(c.expected.packageCount);
      expect(out.catalog.bundles).toHaveLength(c.expected.bundleCount);
      if (c.expected.channelCount !== undefined) expect(out.catalog.channels).toHaveLength(c.expected.channelCount);
      if (c.expected.channelName) expect(out.catalog.channels[0].name).toBe(c.expected.channelName);
      if (c.expected.channelEntryCount !== undefined) expect(out.catalog.channels[0].entries).toHaveLength(c.expected.channelEntryCount);
      expect(out.catalog.bundles.map((b) => b.name)).toEqual(expect.arrayContaining(c.expected.bundlesInclude ?? []));
      assertValidCatalog(out.catalog);
    });
  }
});
