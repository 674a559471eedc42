// Order-independent view of a catalog for comparisons (files are read in path order, filters keep input order).
import type { DeclarativeConfig } from '../../../src/mirror/catalog/fbc-model.js';

const key = (o: { package?: string; name?: string; schema?: string }): string => `${o.package ?? ''}\u0000${o.name ?? ''}\u0000${o.schema ?? ''}`;
const sorted = <T extends { package?: string; name?: string; schema?: string }>(xs: T[]): T[] => [...xs].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));

export function canonical(fbc: DeclarativeConfig): DeclarativeConfig {
  return {
    packages: sorted(fbc.packages),
    channels: sorted(fbc.channels),
    bundles: sorted(fbc.bundles),
    deprecations: sorted(fbc.deprecations),
    others: sorted(fbc.others),
  };
}
