/**
 * How oc-mirror v2 groups mirrored images into ImageDigestMirrorSet / ImageTagMirrorSet content
 * (clusterresources.IDMS_ITMSGenerator, mirror-semantics.md §5.2). Kept as a separate, faithful function so
 * its upstream vectors can be checked; our own builder (build-mirror-sets.ts) is path-aware and sorted.
 */
import { MirrorSetError } from '../core/errors.js';
import { namespaceOf, splitImageSpec } from './image-spec.js';

export type OcMirrorImageType = 'release' | 'releaseContent' | 'graph' | 'operatorCatalog' | 'operatorBundle' | 'operatorRelatedImage' | 'generic';
export type MirrorCategory = 'release' | 'operator' | 'generic';

export interface MirroredImage {
  origin: string;
  destination: string;
  type: OcMirrorImageType | string;
}

export interface MirrorSetGroup {
  name: string;
  category: MirrorCategory;
  entries: Array<{ source: string; mirrors: string[] }>;
}

export function categoryOfType(type: string): MirrorCategory {
  if (type === 'release' || type === 'releaseContent' || type === 'graph') return 'release';
  if (type === 'operatorBundle' || type === 'operatorRelatedImage' || type === 'operatorCatalog') return 'operator';
  return 'generic';
}

/** True when oc-mirror gives the image a digest mirror entry (digest in origin, or the release image). */
export function ocMirrorIsDigestContent(img: MirroredImage): boolean {
  return splitImageSpec(img.origin).digest !== undefined || img.type === 'release';
}

/** True when oc-mirror gives the image a tag mirror entry (origin not by digest only). */
export function ocMirrorIsTagContent(img: MirroredImage): boolean {
  const p = splitImageSpec(img.origin);
  return p.digest === undefined || p.tag !== undefined;
}

/** oc-mirror's scope rule: namespace scope when the destination path ends with the origin path (plain suffix). */
export function ocMirrorScope(origin: string, destination: string, forceRepositoryScope: boolean): { source: string; mirror: string } {
  const o = splitImageSpec(origin);
  const d = splitImageSpec(destination);
  if (!forceRepositoryScope && d.path.endsWith(o.path)) return { source: namespaceOf(o), mirror: namespaceOf(d) };
  return { source: o.repo, mirror: d.repo };
}

export function groupMirroredImages(images: readonly MirroredImage[], options: { mode: 'digest' | 'tag'; forceRepositoryScope?: boolean }): MirrorSetGroup[] {
  const byCategory = new Map<MirrorCategory, Map<string, string[]>>();
  for (const img of images) {
    if (img.type === 'graph' || img.type === 'operatorCatalog') continue;
    if (!img.origin) throw new MirrorSetError('empty-origin', `mirrored image ${img.destination} has no origin`);
    const wanted = options.mode === 'digest' ? ocMirrorIsDigestContent(img) : ocMirrorIsTagContent(img);
    if (!wanted) continue;
    const { source, mirror } = ocMirrorScope(img.origin, img.destination, options.forceRepositoryScope === true);
    const cat = categoryOfType(img.type);
    let sources = byCategory.get(cat);
    if (!sources) byCategory.set(cat, (sources = new Map()));
    const mirrors = sources.get(source) ?? [];
    if (!mirrors.includes(mirror)) mirrors.push(mirror);
    sources.set(source, mirrors);
  }
  const prefix = options.mode === 'digest' ? 'idms' : 'itms';
  const res: MirrorSetGroup[] = [];
  for (const cat of ['release', 'operator', 'generic'] as const) {
    const sources = byCategory.get(cat);
    if (!sources || sources.size === 0) continue;
    res.push({ name: `${prefix}-${cat}-0`, category: cat, entries: [...sources].map(([source, mirrors]) => ({ source, mirrors })) });
  }
  return res;
}

/** The files oc-mirror v2 writes for these images: idms-oc-mirror.yaml and/or itms-oc-mirror.yaml. */
export function ocMirrorSetFiles(images: readonly MirroredImage[]): string[] {
  const files: string[] = [];
  if (groupMirroredImages(images, { mode: 'digest' }).length > 0) files.push('idms-oc-mirror.yaml');
  if (groupMirroredImages(images, { mode: 'tag' }).length > 0) files.push('itms-oc-mirror.yaml');
  return files;
}
