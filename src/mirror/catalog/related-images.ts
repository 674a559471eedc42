/**
 * The images a pruned catalog needs in the mirror: each kept bundle's image and every `relatedImages` entry
 * (oc-mirror v2 mirrors `relatedImages[].image`; we take the union with `bundle.image`, since `opm render` only
 * adds the bundle image to relatedImages when it was missing). One entry per distinct image.
 */
import type { DeclarativeConfig } from './fbc-model.js';

export interface CatalogImageRef {
  image: string;
  /** `bundle` for a bundle image, `related` for an operand/operator image. */
  kind: 'bundle' | 'related';
  package: string;
  /** Bundles that reference the image (first one first). */
  bundles: string[];
  /** relatedImages[].name of the first reference, when any. */
  name?: string;
  byDigest: boolean;
}

export function catalogImages(fbc: DeclarativeConfig): CatalogImageRef[] {
  const out = new Map<string, CatalogImageRef>();
  const add = (image: string, kind: CatalogImageRef['kind'], pkg: string, bundle: string, name?: string): void => {
    if (!image) return;
    const seen = out.get(image);
    if (seen) {
      if (!seen.bundles.includes(bundle)) seen.bundles.push(bundle);
      if (kind === 'bundle') seen.kind = 'bundle';
      return;
    }
    out.set(image, { image, kind, package: pkg, bundles: [bundle], ...(name ? { name } : {}), byDigest: /@sha256:[a-f0-9]{64}$/.test(image) });
  };
  for (const b of fbc.bundles) {
    if (b.image) add(b.image, 'bundle', b.package, b.name);
    for (const r of b.relatedImages ?? []) add(r.image, r.image === b.image ? 'bundle' : 'related', b.package, b.name, r.name || undefined);
  }
  return [...out.values()];
}
