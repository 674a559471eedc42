/**
 * "Where will this pull go?": the ordered locations CRI-O tries for an image pull spec, with the reason for
 * each step, from a registries.conf or from the cluster's mirror-set objects.
 */
import { MirrorSetError } from '../core/errors.js';
import { parseNormalizedReference, formatPullReference, ReferenceParseError } from './reference.js';
import { baseRegistriesConf, editRegistriesConf, registryScope, type EditRegistriesInput, type RegistriesConf } from './registries-conf.js';
import { pullSourcesFromReference, registryFinder, type SkippedMirror } from './pull-sources.js';

export interface ResolvedLocation {
  location: string;
  insecure: boolean;
  reference: string;
  role: 'mirror' | 'primary';
  /** True when this attempt fails at once because its physical location is in a blocked scope. */
  blocked: boolean;
  why: string;
}

export interface ResolveResult {
  image: string;
  /** The normalised pull spec (short names get docker.io). */
  normalized: string;
  digested: boolean;
  /** The registries.conf entry that matched (prefix = its scope), or null: the image is pulled as is. */
  matched: { prefix: string; location: string; blocked: boolean; insecure: boolean } | null;
  locations: ResolvedLocation[];
  skipped: SkippedMirror[];
}

/** Resolve against a loaded registries.conf. Throws MirrorSetError for an unparsable image or rewrite. */
export function resolvePullSources(image: string, conf: RegistriesConf): ResolveResult {
  return createPullResolver(conf)(image);
}

/** A resolver for many images against one configuration (the lookup index is built once). */
export function createPullResolver(conf: RegistriesConf): (image: string) => ResolveResult {
  const findRegistry = registryFinder(conf);
  return (image) => resolveWith(image, findRegistry);
}

function resolveWith(image: string, findRegistry: ReturnType<typeof registryFinder>): ResolveResult {
  let ref;
  try {
    ref = parseNormalizedReference(image);
  } catch (e) {
    if (e instanceof ReferenceParseError) throw new MirrorSetError('invalid-image', e.message, { hint: 'give a pull spec such as quay.io/ns/repo:tag or quay.io/ns/repo@sha256:<64 hex>' });
    throw e;
  }
  // CRI-O pulls a reference without tag or digest as :latest (reference.TagNameOnly).
  if (ref.tag === undefined && ref.digest === undefined) ref = { ...ref, tag: 'latest' };
  const normalized = formatPullReference(ref);
  const digested = ref.digest !== undefined;
  const reg = findRegistry(ref.name);
  const blockedAt = (reference: string): string | undefined => {
    const name = parseNormalizedReference(reference).name;
    const r = findRegistry(name);
    return r?.blocked ? registryScope(r) : undefined;
  };
  if (!reg) {
    const b = blockedAt(normalized);
    return {
      image,
      normalized,
      digested,
      matched: null,
      locations: [{ location: ref.domain, insecure: false, reference: normalized, role: 'primary', blocked: b !== undefined, why: 'no registries.conf entry matches: pulled from its own registry' }],
      skipped: [],
    };
  }
  const scope = registryScope(reg);
  let pulled;
  try {
    pulled = pullSourcesFromReference(reg, ref);
  } catch (e) {
    throw new MirrorSetError('rewrite-failed', `cannot rewrite ${normalized} for entry "${scope}": ${(e as Error).message}`);
  }
  const locations = pulled.sources.map((s): ResolvedLocation => {
    const blockedScope = blockedAt(s.reference);
    let why =
      s.role === 'mirror'
        ? `mirror of "${scope}"${s.pullFromMirror ? ` (pull-from-mirror = "${s.pullFromMirror}")` : reg.mirrorByDigestOnly ? ' (mirror-by-digest-only)' : ''}`
        : `the source itself, always tried last (entry "${scope}")`;
    if (blockedScope !== undefined) {
      why += s.role === 'primary' && blockedScope === scope ? '; blocked (NeverContactSource or a blocked registry): this attempt fails' : `; blocked by registries.conf scope "${blockedScope}": this attempt fails`;
    }
    // A wildcard entry without location pulls from the image's own host.
    return { location: s.location !== '' ? s.location : ref.domain, insecure: s.insecure, reference: s.reference, role: s.role, blocked: blockedScope !== undefined, why };
  });
  return {
    image,
    normalized,
    digested,
    matched: { prefix: scope, location: reg.location, blocked: reg.blocked, insecure: reg.insecure },
    locations,
    skipped: pulled.skipped,
  };
}

/** Resolve against the registries.conf MCO would render from these objects and registry lists. */
export function resolvePullSourcesFromMirrorSets(image: string, input: EditRegistriesInput): ResolveResult {
  return resolvePullSources(image, editRegistriesConf(baseRegistriesConf(), input));
}
