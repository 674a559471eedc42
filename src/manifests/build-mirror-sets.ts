/**
 * From the (source → mirrored) mapping the mirroring stage produced, build the mirror-set objects to apply:
 * deterministic (sorted sources, sorted de-duplicated mirrors, fixed names) so that re-running with the same
 * content gives byte-identical objects and MCO does not re-render and drain nodes; validated with MCO's
 * own rules before anything is returned.
 */
import { MirrorSetError } from '../core/errors.js';
import { categoryOfType, type MirrorCategory } from './oc-mirror-groups.js';
import { isValidMirrorLocation } from './patterns.js';
import { namespaceOf, splitPullSpec } from './pull-spec.js';
import { compareBytes, type MirrorEntry, type MirrorSetKind, type MirrorSetObject } from './types.js';
import { assertMirrorConfigValid } from './validate.js';
import { chooseMirrorSetKind, type MirrorSetKindDecision, type MirrorSetKindOverride } from './version.js';

/** One mirrored image: where it came from and where it now lives (both full pull specs). */
export interface MirrorMapping {
  source: string;
  destination: string;
  /** release | operator | generic; derived from `type` when absent, else generic. */
  category?: MirrorCategory;
  /** oc-mirror image type (release, releaseContent, operatorBundle, operatorCatalog, graph, …). */
  type?: string;
}

export interface BuildMirrorSetsOptions {
  version: string;
  kind?: MirrorSetKindOverride;
  /** Set `mirrorSourcePolicy: NeverContactSource` on every IDMS/ITMS entry (not possible with ICSP). */
  neverContactSource?: boolean;
  /** `repository` forces one entry per repository (oc-mirror --max-nested-paths style). */
  scope?: 'auto' | 'repository';
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface MirrorSetBuild {
  decision: MirrorSetKindDecision;
  objects: MirrorSetObject[];
  /** Entries per produced kind and category, for install-config and reports. */
  entries: Array<{ kind: MirrorSetKind; category: MirrorCategory; entries: MirrorEntry[] }>;
  warnings: string[];
}

const CATEGORIES: MirrorCategory[] = ['release', 'operator', 'generic'];

// Well-known release repositories, for mappings without a type (oc's mapping.txt): the release image is
// needed by digest (installer, CVO) even when mirrored by tag, and its components are release content.
const RELEASE_IMAGE_REPO = /(^|\/)(ocp-release|ocp-release-nightly|okd|origin-release|release)$/;
const RELEASE_CONTENT_REPO = /(^|\/)(ocp-v4\.0-art-dev|okd-content|origin-v4\.0)$/;

/** The oc-mirror type of a mapping entry: given, or inferred from well-known OpenShift release repositories. */
export function inferMappingType(m: MirrorMapping): string | undefined {
  if (m.type !== undefined) return m.type;
  const repo = splitPullSpec(m.source);
  if (!/^(quay\.io\/openshift-release-dev|quay\.io\/openshift|quay\.io\/okd|registry\.ci\.openshift\.org)\//.test(repo.repo)) return undefined;
  if (RELEASE_CONTENT_REPO.test(repo.path)) return 'releaseContent';
  if (RELEASE_IMAGE_REPO.test(repo.path)) return 'release';
  return undefined;
}

/** Namespace scope when the destination keeps the source path (path-aware), else repository scope. */
export function mirrorScope(source: string, destination: string, scope: 'auto' | 'repository' = 'auto'): { source: string; mirror: string; scope: 'namespace' | 'repository' } {
  const o = splitPullSpec(source);
  const d = splitPullSpec(destination);
  const keepsPath = o.path !== '' && (d.path === o.path || d.path.endsWith(`/${o.path}`));
  // A single-component origin would give the whole registry as source: too wide, use the repository.
  if (scope === 'auto' && keepsPath && o.path.includes('/')) return { source: namespaceOf(o), mirror: namespaceOf(d), scope: 'namespace' };
  return { source: o.repo, mirror: d.repo, scope: 'repository' };
}

function checkMapping(m: MirrorMapping, i: number): void {
  const where = `mapping entry ${i + 1} (${m.source} → ${m.destination})`;
  for (const [what, spec] of [['source', m.source], ['destination', m.destination]] as const) {
    if (typeof spec !== 'string' || spec === '') throw new MirrorSetError('invalid-mapping', `${where}: ${what} is empty`);
    const p = splitPullSpec(spec);
    if (!isValidMirrorLocation(p.repo)) {
      throw new MirrorSetError('invalid-mapping', `${where}: ${what} repository "${p.repo}" is not a valid registry/repository`, {
        hint: 'use host[:port]/lowercase/path with an optional :tag or @sha256:digest',
      });
    }
    if (p.digest !== undefined && !/^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$/.test(p.digest)) {
      throw new MirrorSetError('invalid-mapping', `${where}: ${what} digest "${p.digest}" is not a valid digest`);
    }
  }
}

export function buildMirrorSets(mapping: readonly MirrorMapping[], options: BuildMirrorSetsOptions): MirrorSetBuild {
  const decision = chooseMirrorSetKind(options.version, options.kind);
  const warnings: string[] = [];
  if (options.neverContactSource && decision.kind === 'icsp') {
    throw new MirrorSetError('never-contact-source-with-icsp', 'mirrorSourcePolicy NeverContactSource cannot be expressed with ImageContentSourcePolicy', {
      hint: 'use mirror_set_kind: idms (OpenShift ≥ 4.13) or drop the NeverContactSource option',
    });
  }
  // collection kind → category → source → mirrors
  const groups = new Map<MirrorSetKind, Map<MirrorCategory, Map<string, Set<string>>>>();
  const add = (kind: MirrorSetKind, cat: MirrorCategory, source: string, mirror: string): void => {
    let byCat = groups.get(kind);
    if (!byCat) groups.set(kind, (byCat = new Map()));
    let bySource = byCat.get(cat);
    if (!bySource) byCat.set(cat, (bySource = new Map()));
    let mirrors = bySource.get(source);
    if (!mirrors) bySource.set(source, (mirrors = new Set()));
    mirrors.add(mirror);
  };
  const tagOnlyInIcsp = new Set<string>();
  mapping.forEach((m, i) => {
    checkMapping(m, i);
    // Catalog images are consumed through a CatalogSource; the update graph through an UpdateService.
    const type = inferMappingType(m);
    if (type === 'operatorCatalog' || type === 'graph') return;
    const cat = m.category ?? (type ? categoryOfType(type) : 'generic');
    const src = splitPullSpec(m.source);
    const { source, mirror } = mirrorScope(m.source, m.destination, options.scope);
    if (source === mirror) return; // mirrored onto itself: nothing to redirect
    const byDigest = src.digest !== undefined;
    const byTag = src.digest === undefined || src.tag !== undefined;
    if (decision.only === 'itms') {
      add('itms', cat, source, mirror);
      return;
    }
    if (decision.kind === 'icsp') {
      add('icsp', cat, source, mirror);
      if (!byDigest) tagOnlyInIcsp.add(m.source);
      return;
    }
    // The release image is also pulled by digest by the installer and the CVO, even when mirrored by tag.
    if (byDigest || type === 'release') add('idms', cat, source, mirror);
    if (byTag && decision.tagMirrors) add('itms', cat, source, mirror);
  });
  if (tagOnlyInIcsp.size > 0) {
    warnings.push(
      `${tagOnlyInIcsp.size} image(s) are referenced by tag (e.g. ${[...tagOnlyInIcsp].sort(compareBytes)[0]}); ImageContentSourcePolicy mirrors serve digest pulls only, so pull them by digest`,
    );
  }
  // NeverContactSource only where the source is not one of its own mirrors, and then the same everywhere.
  const selfMirrored = new Set<string>();
  for (const byCat of groups.values()) for (const bySource of byCat.values()) for (const [s, ms] of bySource) if (ms.has(s)) selfMirrored.add(s);
  const objects: MirrorSetObject[] = [];
  const entriesOut: MirrorSetBuild['entries'] = [];
  for (const kind of ['idms', 'icsp', 'itms'] as const) {
    const byCat = groups.get(kind);
    if (!byCat) continue;
    for (const cat of CATEGORIES) {
      const bySource = byCat.get(cat);
      if (!bySource || bySource.size === 0) continue;
      const entries: MirrorEntry[] = [...bySource.keys()].sort(compareBytes).map((source) => {
        const e: MirrorEntry = { source, mirrors: [...bySource.get(source)!].sort(compareBytes) };
        if (options.neverContactSource && kind !== 'icsp' && !selfMirrored.has(source)) e.mirrorSourcePolicy = 'NeverContactSource';
        return e;
      });
      entriesOut.push({ kind, category: cat, entries });
      objects.push(makeObject(kind, `${kind}-${cat}-0`, entries, options));
    }
  }
  if (options.neverContactSource && selfMirrored.size > 0) {
    warnings.push(`NeverContactSource not set for ${[...selfMirrored].sort(compareBytes).join(', ')}: the source is one of its own mirrors`);
  }
  assertMirrorConfigValid(collectMirrorSets(objects), 'generated mirror sets');
  return { decision, objects, entries: entriesOut, warnings };
}

export function makeObject(kind: MirrorSetKind, name: string, entries: readonly MirrorEntry[], options: { labels?: Record<string, string>; annotations?: Record<string, string> } = {}): MirrorSetObject {
  const metadata: MirrorSetObject['metadata'] = { name };
  if (options.labels && Object.keys(options.labels).length > 0) metadata.labels = { ...options.labels };
  if (options.annotations && Object.keys(options.annotations).length > 0) metadata.annotations = { ...options.annotations };
  const clean = entries.map((e) => {
    const o: MirrorEntry = { source: e.source };
    if (e.mirrors !== undefined) o.mirrors = [...e.mirrors];
    if (e.mirrorSourcePolicy !== undefined) o.mirrorSourcePolicy = e.mirrorSourcePolicy;
    return o;
  });
  if (kind === 'idms') return { apiVersion: 'config.openshift.io/v1', kind: 'ImageDigestMirrorSet', metadata, spec: { imageDigestMirrors: clean } };
  if (kind === 'itms') return { apiVersion: 'config.openshift.io/v1', kind: 'ImageTagMirrorSet', metadata, spec: { imageTagMirrors: clean } };
  return {
    apiVersion: 'operator.openshift.io/v1alpha1',
    kind: 'ImageContentSourcePolicy',
    metadata,
    spec: { repositoryDigestMirrors: clean.map((e) => (e.mirrors ? { source: e.source, mirrors: e.mirrors } : { source: e.source })) },
  };
}

/** Entries of loaded/generated objects grouped by kind (what MCO lists), with their names. */
export function collectMirrorSets(objects: readonly MirrorSetObject[]): {
  idms: MirrorEntry[][];
  itms: MirrorEntry[][];
  icsp: MirrorEntry[][];
  names: { idms: string[]; itms: string[]; icsp: string[] };
} {
  const out = { idms: [] as MirrorEntry[][], itms: [] as MirrorEntry[][], icsp: [] as MirrorEntry[][], names: { idms: [] as string[], itms: [] as string[], icsp: [] as string[] } };
  for (const o of objects) {
    if (o.kind === 'ImageDigestMirrorSet') {
      out.idms.push(o.spec?.imageDigestMirrors ?? []);
      out.names.idms.push(o.metadata?.name ?? '');
    } else if (o.kind === 'ImageTagMirrorSet') {
      out.itms.push(o.spec?.imageTagMirrors ?? []);
      out.names.itms.push(o.metadata?.name ?? '');
    } else {
      out.icsp.push(o.spec?.repositoryDigestMirrors ?? []);
      out.names.icsp.push(o.metadata?.name ?? '');
    }
  }
  return out;
}

