/**
 * How containers/image (CRI-O) picks the registries.conf entry for a pull spec and the ordered endpoints
 * it tries (sysregistriesv2 FindRegistry / PullSourcesFromReference / rewriteReference,
 * mirror-semantics.md §3).
 */
import { formatPullReference, isDigested, parseCanonicalReference, type PullReference } from './reference.js';
import type { RegistriesConf, RegistryEntry, RegistryMirror } from './registries-conf.js';

/** Length of the host matched by a `*.suffix` prefix, or -1. */
export function refMatchingSubdomainPrefix(ref: string, prefix: string): number {
  const suffix = prefix.slice(1);
  let index = ref.indexOf(suffix);
  if (index === -1) return -1;
  if (ref.slice(0, index).includes('/')) return -1;
  index += suffix.length;
  if (index === ref.length) return index;
  return ref[index] === ':' || ref[index] === '/' || ref[index] === '@' ? index : -1;
}

/** Length of `prefix` when it matches `ref` (wildcards included), else -1. */
export function refMatchingPrefix(ref: string, prefix: string): number {
  if (prefix.startsWith('*.')) return refMatchingSubdomainPrefix(ref, prefix);
  if (ref.length < prefix.length) return -1;
  if (ref.length === prefix.length) return ref === prefix ? prefix.length : -1;
  if (!ref.startsWith(prefix)) return -1;
  const c = ref[prefix.length];
  return c === ':' || c === '/' || c === '@' ? prefix.length : -1;
}

/** The entry with the longest matching prefix (first one on ties), or undefined. Entries need their prefix set. */
export function findRegistry(conf: RegistriesConf, ref: string): RegistryEntry | undefined {
  let best: RegistryEntry | undefined;
  let bestLen = 0;
  for (const r of conf.registries) {
    const prefix = r.prefix !== '' ? r.prefix : r.location;
    if (refMatchingPrefix(ref, prefix) !== -1 && prefix.length > bestLen) {
      best = r;
      bestLen = prefix.length;
    }
  }
  return best;
}

/**
 * A findRegistry for many lookups on one configuration: plain prefixes are looked up by the cut points of
 * the reference (same result as the linear scan, including "first entry wins" on equal lengths).
 */
export function registryFinder(conf: RegistriesConf): (ref: string) => RegistryEntry | undefined {
  const plain = new Map<string, { reg: RegistryEntry; index: number }>();
  const wildcards: Array<{ prefix: string; reg: RegistryEntry; index: number }> = [];
  conf.registries.forEach((reg, index) => {
    const prefix = reg.prefix !== '' ? reg.prefix : reg.location;
    if (prefix === '') return;
    if (prefix.startsWith('*.')) wildcards.push({ prefix, reg, index });
    else if (!plain.has(prefix)) plain.set(prefix, { reg, index });
  });
  return (ref: string) => {
    let best: { reg: RegistryEntry; index: number; len: number } | undefined;
    const consider = (reg: RegistryEntry, index: number, len: number): void => {
      if (!best || len > best.len || (len === best.len && index < best.index)) best = { reg, index, len };
    };
    for (let i = 1; i <= ref.length; i++) {
      if (i < ref.length && ref[i] !== '/' && ref[i] !== ':' && ref[i] !== '@') continue;
      const hit = plain.get(ref.slice(0, i));
      if (hit) consider(hit.reg, hit.index, i);
    }
    for (const w of wildcards) if (refMatchingSubdomainPrefix(ref, w.prefix) !== -1) consider(w.reg, w.index, w.prefix.length);
    return best?.reg;
  };
}

export class RewriteError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RewriteError';
  }
}

/** location + the rest of `ref` after `prefix`; `ref` unchanged for a wildcard entry without location. */
export function rewriteReference(ref: string, prefix: string, location: string): string {
  const prefixLen = refMatchingPrefix(ref, prefix);
  if (prefixLen === -1) throw new RewriteError(`invalid prefix '${prefix}' for reference '${ref}'`);
  if (location === '') {
    if (!prefix.startsWith('*.')) throw new RewriteError(`invalid prefix '${prefix}' for empty location, should be in the format: *.example.com`);
    return ref;
  }
  const rewritten = location + ref.slice(prefixLen);
  try {
    return formatPullReference(parseCanonicalReference(rewritten));
  } catch (e) {
    throw new RewriteError(`rewriting reference: ${(e as Error).message}`);
  }
}

export interface PullSource {
  location: string;
  insecure: boolean;
  /** The pull spec sent to this endpoint. */
  reference: string;
  /** 'mirror' for a mirror, 'primary' for the entry's own location (always last). */
  role: 'mirror' | 'primary';
  pullFromMirror?: RegistryMirror['pullFromMirror'];
}

export interface SkippedMirror {
  location: string;
  why: string;
}

/** Endpoints tried for `ref` with entry `reg`, in order, plus the mirrors left out and why. */
export function pullSourcesFromReference(reg: RegistryEntry, ref: PullReference): { sources: PullSource[]; skipped: SkippedMirror[] } {
  const digested = isDigested(ref);
  const use: RegistryMirror[] = [];
  const skipped: SkippedMirror[] = [];
  if (reg.mirrorByDigestOnly) {
    if (digested) use.push(...reg.mirrors);
    else for (const m of reg.mirrors) skipped.push({ location: m.location, why: 'mirror-by-digest-only is set on the entry and the pull is by tag' });
  } else {
    for (const m of reg.mirrors) {
      if (!digested && m.pullFromMirror === 'digest-only') skipped.push({ location: m.location, why: 'pull-from-mirror = "digest-only" and the pull is by tag' });
      else if (digested && m.pullFromMirror === 'tag-only') skipped.push({ location: m.location, why: 'pull-from-mirror = "tag-only" and the pull is by digest' });
      else use.push(m);
    }
  }
  const prefix = reg.prefix !== '' ? reg.prefix : reg.location;
  const refString = formatPullReference(ref);
  const sources: PullSource[] = use.map((m) => ({
    location: m.location,
    insecure: m.insecure,
    reference: rewriteReference(refString, prefix, m.location),
    role: 'mirror' as const,
    pullFromMirror: m.pullFromMirror,
  }));
  sources.push({ location: reg.location, insecure: reg.insecure, reference: rewriteReference(refString, prefix, reg.location), role: 'primary' });
  return { sources, skipped };
}
