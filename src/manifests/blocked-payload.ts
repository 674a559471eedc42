/**
 * Keeping the release payload reachable when images.config blocks registries (MCO
 * getValidBlockedAndAllowedRegistries, mirror-semantics.md §2.6): a blocked scope that contains the payload
 * repository is kept only when a digest mirror of the payload leads somewhere not blocked (and the payload
 * repository is then added to the allowed list for the signature policy); otherwise it is dropped and an
 * error is reported. Tag mirrors play no part.
 */
import { splitImageSpec } from './image-spec.js';
import { scopeIsNestedInsideScope } from './scopes.js';
import type { MirrorEntry } from './types.js';

export interface BlockedRegistriesResult {
  registriesConfBlocked: string[];
  policyBlocked: string[];
  allowedRegistries: string[];
  /** Set when a blocked entry had to be dropped (the lists are returned without it). */
  error?: string;
}

export function validBlockedRegistries(releaseImage: string, blockedRegistries: readonly string[], digestSets: readonly (readonly MirrorEntry[])[]): BlockedRegistriesResult {
  const payloadRepo = splitImageSpec(releaseImage).repo;
  const isBlocked = (location: string): boolean => blockedRegistries.some((b) => scopeIsNestedInsideScope(location, b));
  const reachableMirror = (): boolean => {
    for (const entries of digestSets) {
      for (const e of entries) {
        if (e.source.startsWith('*.') || !scopeIsNestedInsideScope(payloadRepo, e.source)) continue;
        const rest = payloadRepo.slice(e.source.length);
        if ((e.mirrors ?? []).some((m) => m !== e.source && !isBlocked(m + rest))) return true;
      }
    }
    return false;
  };
  const kept: string[] = [];
  const allowed: string[] = [];
  let error: string | undefined;
  for (const scope of blockedRegistries) {
    if (!scopeIsNestedInsideScope(payloadRepo, scope)) {
      kept.push(scope);
      continue;
    }
    if (reachableMirror()) {
      kept.push(scope);
      if (!allowed.includes(payloadRepo)) allowed.push(payloadRepo);
      continue;
    }
    error = `blocked registry "${scope}" contains the release payload ${payloadRepo} and no digest mirror of it is reachable: the entry is left out`;
  }
  const res: BlockedRegistriesResult = { registriesConfBlocked: kept, policyBlocked: [...kept], allowedRegistries: allowed };
  if (error !== undefined) res.error = error;
  return res;
}
