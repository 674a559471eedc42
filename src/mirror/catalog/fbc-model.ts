/**
 * The file-based catalog (operator-registry `declcfg`) as plain JSON objects. Objects keep every field they
 * were read with (icons, `olm.bundle.object` properties, CSV metadata...) because the pruned catalog we push
 * must carry them for OLM; only the fields the filter reads are typed.
 */

export interface FbcPackage {
  schema?: 'olm.package';
  name: string;
  defaultChannel?: string;
  [key: string]: unknown;
}

export interface FbcChannelEntry {
  name: string;
  replaces?: string;
  skips?: string[];
  skipRange?: string;
  [key: string]: unknown;
}

export interface FbcChannel {
  schema?: 'olm.channel';
  name: string;
  package: string;
  entries: FbcChannelEntry[];
  [key: string]: unknown;
}

export interface FbcProperty {
  type: string;
  value: unknown;
}

export interface FbcRelatedImage {
  name?: string;
  image: string;
}

export interface FbcBundle {
  schema?: 'olm.bundle';
  name: string;
  package: string;
  image?: string;
  properties?: FbcProperty[];
  relatedImages?: FbcRelatedImage[];
  [key: string]: unknown;
}

export interface FbcDeprecationEntry {
  reference: { schema: string; name?: string };
  message?: string;
  [key: string]: unknown;
}

export interface FbcDeprecation {
  schema?: 'olm.deprecations';
  package: string;
  entries: FbcDeprecationEntry[];
  [key: string]: unknown;
}

/** Any other schema: kept opaque. `package` (when present) ties it to a package. */
export interface FbcMeta {
  schema?: string;
  name?: string;
  package?: string;
  [key: string]: unknown;
}

export interface DeclarativeConfig {
  packages: FbcPackage[];
  channels: FbcChannel[];
  bundles: FbcBundle[];
  deprecations: FbcDeprecation[];
  others: FbcMeta[];
}

export const SCHEMA_PACKAGE = 'olm.package';
export const SCHEMA_CHANNEL = 'olm.channel';
export const SCHEMA_BUNDLE = 'olm.bundle';
export const SCHEMA_DEPRECATIONS = 'olm.deprecations';

/** An empty catalog; every list present so callers never test for undefined. */
export function emptyCatalog(): DeclarativeConfig {
  return { packages: [], channels: [], bundles: [], deprecations: [], others: [] };
}

/** Fill absent lists of a partially written catalog (test vectors omit empty ones). */
export function normalizeCatalog(partial: Partial<DeclarativeConfig>): DeclarativeConfig {
  return {
    packages: partial.packages ?? [],
    channels: partial.channels ?? [],
    bundles: partial.bundles ?? [],
    deprecations: partial.deprecations ?? [],
    others: partial.others ?? [],
  };
}

/** The bundle's `olm.package` version string, or undefined when the property is missing. */
export function bundleVersionText(bundle: FbcBundle): string | undefined {
  for (const p of bundle.properties ?? []) {
    if (p.type !== 'olm.package') continue;
    const v = p.value as { version?: unknown } | null;
    return typeof v?.version === 'string' ? v.version : '';
  }
  return undefined;
}
