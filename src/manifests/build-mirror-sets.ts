/**
 * From the (source → mirrored) mapping the mirroring stage produced, build the mirror-set objects to apply:
 * deterministic (sorted sources, sorted de-duplicated mirrors, fixed names) so that re-running with the same
 * content gives byte-identical objects and MCO does not re-render and drain nodes; validated with MCO's
 * own rules before anything is returned.
 */
import { MirrorSetError } from '../core/errors.js';
import { categoryOfType, type MirrorCategory } from './oc-mirror-groups.js';
import { isValidMirrorLocation } from './patterns.js';
import { formatPullReference, parseNormalizedReference } from './reference.js';
import { namespaceOf, splitImageSpec } from './image-spec.js';
import { compareBytes, type MirrorEntry, type MirrorSetKind, type MirrorSetObject } from './types.js';
import { assertMirrorConfigValid } from './validate.js';
import { baseRegistriesConf, editRegistriesConf } from './registries-conf.js';
import { createPullResolver } from './resolve.js';
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
  /**
   * Split an object whose YAML would exceed this many bytes into `<kind>-<category>-0`, `-1`, …: `oc apply`
   * stores the whole object in an annotation limited to 256 KiB (oc-mirror v1 used the same 250 000).
   */
  maxObjectBytes?: number;
}

export const MAX_OBJECT_BYTES = 250_000;

// Upper bound of the YAML size of one entry (block style: dashes, indentation, keys, quotes if any).
function entryBytes(e: MirrorEntry): number {
  return 64 + e.source.length + (e.mirrors ?? []).reduce((n, m) => n + m.length + 16, 0) + (e.mirrorSourcePolicy ? 48 : 0);
}

/** Consecutive chunks of sorted entries whose estimated YAML stays under `limit` (at least one entry each). */
function chunkEntries(entries: readonly MirrorEntry[], limit: number): MirrorEntry[][] {
  const chunks: MirrorEntry[][] = [];
  let current: MirrorEntry[] = [];
  let size = 512; // apiVersion, kind, metadata, spec keys
  for (const e of entries) {
    const b = entryBytes(e);
    if (current.length > 0 && size + b > limit) {
      chunks.push(current);
      current = [];
      size = 512;
    }
    current.push(e);
    size += b;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
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
  const repo = splitImageSpec(m.source);
  if (!/^(quay\.io\/openshift-release-dev|quay\.io\/openshift|quay\.io\/okd|registry\.ci\.openshift\.org)\//.test(repo.repo)) return undefined;
  if (RELEASE_CONTENT_REPO.test(repo.path)) return 'releaseContent';
  if (RELEASE_IMAGE_REPO.test(repo.path)) return 'release';
  return undefined;
}

/** Namespace scope when the destination keeps the source path (path-aware), else repository scope. */
export function mirrorScope(source: string, destination: string, scope: 'auto' | 'repository' = 'auto'): { source: string; mirror: string; scope: 'namespace' | 'repository' } {
  const o = splitImageSpec(source);
  const d = splitImageSpec(destination);
  const keepsPath = o.path !== '' && (d.path === o.path || d.path.endsWith(`/${o.path}`));
  // A single-component origin would give the whole registry as source: too wide, use the repository.
  if (scope === 'auto' && keepsPath && o.path.includes('/')) return { source: namespaceOf(o), mirror: namespaceOf(d), scope: 'namespace' };
  return { source: o.repo, mirror: d.repo, scope: 'repository' };
}

/** Check one mapping entry; returns the source in CRI-O's normalised form (docker.io/library/… for short names). */
function checkMapping(m: MirrorMapping, i: number): string {
  const where = `mapping entry ${i + 1} (${m.source} → ${m.destination})`;
  for (const [what, spec] of [['source', m.source], ['destination', m.destination]] as const) {
    if (typeof spec !== 'string' || spec === '') throw new MirrorSetError('invalid-mapping', `${where}: ${what} is empty`);
    const p = splitImageSpec(spec);
    if (!isValidMirrorLocation(p.repo)) {
      throw new MirrorSetError('invalid-mapping', `${where}: ${what} repository "${p.repo}" is not a valid registry/repository`, {
        hint: 'use host[:port]/lowercase/path with an optional :tag or @sha256:digest',
      });
    }
    if (p.digest !== undefined && !/^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$/.test(p.digest)) {
      throw new MirrorSetError('invalid-mapping', `${where}: ${what} digest "${p.digest}" is not a valid digest`);
    }
  }
  try {
    return formatPullReference(parseNormalizedReference(m.source));
  } catch (e) {
    throw new MirrorSetError('invalid-mapping', `${where}: ${(e as Error).message}`);
  }
}

interface PreparedEntry {
  mapping: MirrorMapping;
  type: string | undefined;
  category: MirrorCategory;
  src: ReturnType<typeof splitImageSpec>;
  dst: ReturnType<typeof splitImageSpec>;
  /** Namespace-scope candidate, when the destination keeps the source path. */
  ns: { source: string; mirror: string } | undefined;
}

/**
 * The source namespaces that may be written as one namespace entry: every mapped repository under it keeps
 * its path, and all of them live in the same set of mirror namespaces (else an image would be looked up
 * first in a mirror namespace that does not hold it). A namespace that is itself a mapped repository is
 * left at repository scope too.
 */
function namespaceScopes(entries: readonly PreparedEntry[], demoted: ReadonlySet<string>): Set<string> {
  const byNs = new Map<string, { ok: boolean; repos: Map<string, Set<string>> }>();
  const repos = new Set(entries.map((e) => e.src.repo));
  for (const e of entries) {
    const key = namespaceOf(e.src);
    let g = byNs.get(key);
    if (!g) byNs.set(key, (g = { ok: true, repos: new Map() }));
    if (!e.ns || e.ns.source !== key) {
      g.ok = false;
      continue;
    }
    const set = g.repos.get(e.src.repo) ?? new Set<string>();
    set.add(e.ns.mirror);
    g.repos.set(e.src.repo, set);
  }
  const out = new Set<string>();
  for (const [ns, g] of byNs) {
    if (!g.ok || demoted.has(ns) || repos.has(ns)) continue;
    const sets = [...g.repos.values()].map((x) => [...x].sort(compareBytes).join('\n'));
    if (sets.every((x) => x === sets[0])) out.add(ns);
  }
  return out;
}

export function buildMirrorSets(mapping: readonly MirrorMapping[], options: BuildMirrorSetsOptions): MirrorSetBuild {
  const decision = chooseMirrorSetKind(options.version, options.kind);
  const warnings: string[] = [];
  if (options.neverContactSource && decision.kind === 'icsp') {
    throw new MirrorSetError('never-contact-source-with-icsp', 'mirrorSourcePolicy NeverContactSource cannot be expressed with ImageContentSourcePolicy', {
      hint: 'use mirror_set_kind: idms (OpenShift ≥ 4.13) or drop the NeverContactSource option',
    });
  }
  const prepared: PreparedEntry[] = [];
  mapping.forEach((m, i) => {
    const source = checkMapping(m, i);
    // Catalog images are consumed through a CatalogSource; the update graph through an UpdateService.
    const type = inferMappingType(m);
    if (type === 'operatorCatalog' || type === 'graph') return;
    const src = splitImageSpec(source);
    const dst = splitImageSpec(m.destination);
    if (src.repo === dst.repo) return; // mirrored onto itself: nothing to redirect
    const sc = mirrorScope(source, m.destination, options.scope ?? 'auto');
    const ns = sc.scope === 'namespace' ? { source: sc.source, mirror: sc.mirror } : undefined;
    prepared.push({ mapping: m, type, category: m.category ?? (type ? categoryOfType(type) : 'generic'), src, dst, ns });
  });
  const tagOnlyInIcsp = [...new Set(prepared.filter((e) => decision.kind === 'icsp' && !decision.only && e.src.digest === undefined).map((e) => e.mapping.source))];
  if (tagOnlyInIcsp.length > 0) {
    warnings.push(
      `${tagOnlyInIcsp.length} image(s) are referenced by tag (e.g. ${tagOnlyInIcsp.sort(compareBytes)[0]}); ImageContentSourcePolicy mirrors serve digest pulls only, so pull them by digest`,
    );
  }
  // Build, then check that every image resolves to one of its own destinations first; a namespace entry
  // that breaks this is demoted to repository entries and the objects are built again.
  const demoted = new Set<string>();
  for (let attempt = 0; ; attempt++) {
    const built = assemble(prepared, decision, options, namespaceScopes(prepared, demoted));
    const wrong = firstMisdirected(prepared, built.objects, decision);
    if (!wrong) {
      if (options.neverContactSource && built.selfMirrored.length > 0) {
        warnings.push(`NeverContactSource not set for ${built.selfMirrored.join(', ')}: the source is one of its own mirrors`);
      }
      assertMirrorConfigValid(collectMirrorSets(built.objects), 'generated mirror sets');
      return { decision, objects: built.objects, entries: built.entries, warnings };
    }
    const ns = namespaceOf(wrong.src);
    if (demoted.has(ns) || attempt > prepared.length) {
      throw new MirrorSetError('mirror-set-self-check', `internal error: ${wrong.mapping.source} would not be pulled from ${wrong.mapping.destination} first with the generated mirror sets`);
    }
    demoted.add(ns);
  }
}

function assemble(
  prepared: readonly PreparedEntry[],
  decision: MirrorSetKindDecision,
  options: BuildMirrorSetsOptions,
  nsScopes: ReadonlySet<string>,
): { objects: MirrorSetObject[]; entries: MirrorSetBuild['entries']; selfMirrored: string[] } {
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
  for (const e of prepared) {
    const useNs = e.ns !== undefined && nsScopes.has(e.ns.source);
    const source = useNs ? e.ns!.source : e.src.repo;
    const mirror = useNs ? e.ns!.mirror : e.dst.repo;
    const byDigest = e.src.digest !== undefined;
    const byTag = e.src.digest === undefined || e.src.tag !== undefined;
    if (decision.only === 'itms') add('itms', e.category, source, mirror);
    else if (decision.kind === 'icsp') add('icsp', e.category, source, mirror);
    else {
      // The release image is also pulled by digest (installer, CVO), even when it was mirrored by tag.
      if (byDigest || e.type === 'release') add('idms', e.category, source, mirror);
      if (byTag && decision.tagMirrors) add('itms', e.category, source, mirror);
    }
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
      chunkEntries(entries, options.maxObjectBytes ?? MAX_OBJECT_BYTES).forEach((chunk, n) => objects.push(makeObject(kind, `${kind}-${cat}-${n}`, chunk, options)));
    }
  }
  return { objects, entries: entriesOut, selfMirrored: [...selfMirrored].sort(compareBytes) };
}

/** The first entry whose pull would not go to one of its own destinations first (undefined when all do). */
function firstMisdirected(prepared: readonly PreparedEntry[], objects: readonly MirrorSetObject[], decision: MirrorSetKindDecision): PreparedEntry | undefined {
  if (prepared.length === 0) return undefined;
  const sets = collectMirrorSets(objects);
  let conf;
  try {
    conf = editRegistriesConf(baseRegistriesConf(), sets);
  } catch {
    return undefined; // reported by the validation that follows
  }
  const resolve = createPullResolver(conf);
  const destinations = new Map<string, Set<string>>();
  for (const e of prepared) {
    const set = destinations.get(e.src.repo) ?? new Set<string>();
    set.add(e.dst.repo);
    destinations.set(e.src.repo, set);
  }
  for (const e of prepared) {
    const pulls: string[] = [];
    const suffixTag = e.src.tag !== undefined ? `:${e.src.tag}` : '';
    if (e.src.digest !== undefined && decision.only !== 'itms') pulls.push(`${e.src.repo}@${e.src.digest}`);
    if ((e.src.digest === undefined || e.src.tag !== undefined) && (decision.only === 'itms' || (decision.kind === 'idms' && decision.tagMirrors))) {
      pulls.push(`${e.src.repo}${suffixTag || ':latest'}`);
    }
    for (const pull of pulls) {
      let first;
      try {
        first = resolve(pull).locations[0];
      } catch {
        return e;
      }
      const repo = splitImageSpec(first.reference).repo;
      if (!destinations.get(e.src.repo)!.has(repo)) return e;
    }
  }
  return undefined;
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

