// The catalog-filter vectors (transcribed from oc-mirror v2's catalog filter tests) run against filterCatalog.
// The project-wide vectors runner lives in test/vectors; this is the catalog owner's own check.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { filterCatalog, normalizeCatalog, type DeclarativeConfig } from '../../../src/mirror/catalog/index.js';
import { DciError } from '../../../src/core/errors.js';

const here = dirname(fileURLToPath(import.meta.url));
const vectors = resolve(here, '../../../../shared/vectors/catalog-filter.json');

interface VectorCase {
  name: string;
  input: { filter: { packages?: [] }; catalog: Partial<DeclarativeConfig> };
  expected?: { catalog: Partial<DeclarativeConfig>; warningContains?: string };
  error?: string;
  errorMessage?: string;
}

const file = JSON.parse(readFileSync(vectors, 'utf8')) as { cases: VectorCase[] };

/** Vectors leave empty lists out; compare with the same convention. */
function dropEmpty(c: DeclarativeConfig): Partial<DeclarativeConfig> {
  return Object.fromEntries(Object.entries(c).filter(([k, v]) => (v as unknown[]).length > 0 || k === 'packages' || k === 'channels' || k === 'bundles'));
}

describe('catalog-filter vectors', () => {
  it('has cases', () => expect(file.cases.length).toBeGreaterThanOrEqual(6));
  for (const c of file.cases) {
    it(c.name, () => {
      const catalog = normalizeCatalog(c.input.catalog);
      const before = JSON.stringify(catalog);
      if (c.error) {
        let err: unknown;
        try {
          filterCatalog(catalog, c.input.filter);
        } catch (e) {
          err = e;
        }
        expect(err).toBeInstanceOf(DciError);
        expect((err as DciError).code).toBe(c.error);
        if (c.errorMessage) expect((err as Error).message).toContain(c.errorMessage);
        return;
      }
      const out = filterCatalog(catalog, c.input.filter);
      expect(dropEmpty(out.catalog)).toEqual(dropEmpty(normalizeCatalog(c.expected!.catalog)));
      if (c.expected!.warningContains) expect(out.warnings.join('\n')).toContain(c.expected!.warningContains);
      // The filter is pure: the input catalog is unchanged.
      expect(JSON.stringify(catalog)).toBe(before);
    });
  }
});
