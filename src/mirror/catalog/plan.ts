/**
 * Where catalog content goes in the local registry, oc-mirror v2 style: every image keeps its repository path
 * under `<localRegistry>[/<localRepo>]` and its digest (or tag), so one mirror-set entry per source namespace
 * or repository redirects pulls; the pruned catalog keeps its path and tag (or `targetTag`). Pure.
 */
import { splitPullSpec } from '../../core/image-reference.js';
import type { CatalogImageRef } from './related-images.js';

export interface CatalogMirrorTarget {
  localRegistry: string;
  /** Optional path prefix under the registry. */
  localRepo?: string;
}

export interface CatalogMapping {
  source: string;
  destination: string;
  kind: 'bundle' | 'related' | 'catalog';
  /** oc-mirror's image type, so the mapping feeds the mirror-set builder (`buildMirrorSets`) as is. */
  type: 'operatorBundle' | 'operatorRelatedImage' | 'operatorCatalog';
}

function stripRegistry(repository: string): string {
  const slash = repository.indexOf('/');
  const first = slash >= 0 ? repository.slice(0, slash) : '';
  const hasHost = first.includes('.') || first.includes(':') || first === 'localhost';
  return hasHost ? repository.slice(slash + 1) : repository;
}

function destRepo(t: CatalogMirrorTarget, sourceRepository: string): string {
  const prefix = [t.localRegistry.replace(/\/+$/, ''), (t.localRepo ?? '').replace(/^\/+|\/+$/g, '')].filter(Boolean).join('/');
  return `${prefix}/${stripRegistry(sourceRepository)}`;
}

/** Destination of one image: same path under the mirror, same digest (destination without tag) or tag. */
export function catalogImageDestination(image: string, t: CatalogMirrorTarget): string {
  const p = splitPullSpec(image);
  return p.digest ? destRepo(t, p.repository) : `${destRepo(t, p.repository)}:${p.tag ?? 'latest'}`;
}

export function planCatalogMirror(images: readonly CatalogImageRef[], t: CatalogMirrorTarget): CatalogMapping[] {
  return images.map((i) => ({
    source: i.image,
    destination: catalogImageDestination(i.image, t),
    kind: i.kind,
    type: i.kind === 'bundle' ? 'operatorBundle' : 'operatorRelatedImage',
  }));
}

/** Where the pruned catalog image is pushed: its own path, its tag or `targetTag`. */
export function prunedCatalogDestination(catalog: string, t: CatalogMirrorTarget & { targetTag?: string }): string {
  const p = splitPullSpec(catalog);
  const tag = t.targetTag ?? p.tag ?? (p.digest ? p.digest.replace(':', '-').slice(0, 71) : 'latest');
  return `${destRepo(t, p.repository)}:${tag}`;
}

/** The mapping line for the pruned catalog itself (consumed through a CatalogSource, not a mirror set). */
export function prunedCatalogMapping(catalog: string, t: CatalogMirrorTarget & { targetTag?: string }): CatalogMapping {
  return { source: catalog, destination: prunedCatalogDestination(catalog, t), kind: 'catalog', type: 'operatorCatalog' };
}
