/**
 * Write a catalog as files the way oc-mirror v2 does (`declcfg.WriteFS`): `<package>/catalog.json` per
 * package (its olm.package, channels by name, bundles by name, deprecations, then its other metas) and a root
 * `catalog.json` for metas without a package. Deterministic: same catalog → same bytes, so a re-run pushes the
 * same pruned image digest.
 */
import { PayloadError } from '../../core/errors.js';
import type { DeclarativeConfig } from './fbc-model.js';

const byName = (a: { name?: string }, b: { name?: string }): number => ((a.name ?? '') < (b.name ?? '') ? -1 : (a.name ?? '') > (b.name ?? '') ? 1 : 0);

/** `schema` first (opm writes it first; readers do not care, humans do). */
function withSchema(schema: string, o: Record<string, unknown>): string {
  const { schema: _ignored, ...rest } = o;
  return JSON.stringify({ schema, ...rest }, null, 4);
}

/** Paths are relative to the catalog root. */
export function writeFbcFiles(fbc: DeclarativeConfig): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const pkgs = new Set<string>([
    ...fbc.packages.map((p) => p.name),
    ...fbc.channels.map((c) => c.package),
    ...fbc.bundles.map((b) => b.package),
    ...fbc.deprecations.map((d) => d.package),
    ...fbc.others.flatMap((o) => (o.package ? [o.package] : [])),
  ]);
  for (const pkg of [...pkgs].sort()) {
    // Package names become directory names: refuse anything that is not one plain path segment.
    if (!pkg || pkg === '.' || pkg === '..' || pkg.includes('/') || pkg.includes('\0')) {
      throw new PayloadError('catalog-invalid', `package name ${JSON.stringify(pkg)} cannot be written as a catalog directory`, {
        hint: 'package names are DNS-1123 style names; fix the catalog',
      });
    }
    const docs: string[] = [];
    for (const p of fbc.packages.filter((x) => x.name === pkg)) docs.push(withSchema('olm.package', p));
    for (const c of fbc.channels.filter((x) => x.package === pkg).sort(byName)) docs.push(withSchema('olm.channel', c));
    for (const b of fbc.bundles.filter((x) => x.package === pkg).sort(byName)) docs.push(withSchema('olm.bundle', b));
    for (const d of fbc.deprecations.filter((x) => x.package === pkg)) docs.push(withSchema('olm.deprecations', d));
    for (const o of fbc.others.filter((x) => x.package === pkg)) docs.push(JSON.stringify(o, null, 4));
    out.set(`${pkg}/catalog.json`, Buffer.from(docs.join('\n') + '\n'));
  }
  const loose = fbc.others.filter((o) => !o.package);
  if (loose.length) out.set('catalog.json', Buffer.from(loose.map((o) => JSON.stringify(o, null, 4)).join('\n') + '\n'));
  return out;
}
