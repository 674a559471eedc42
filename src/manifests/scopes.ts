/**
 * registries.conf scopes (runtime-utils): validity of insecure/blocked/allowed entries, nesting of one scope
 * inside another, and the mirrors a nested scope inherits.
 */

/** A valid scope for images.config insecure/blocked/allowed lists: non-empty; a wildcard only as `*.domain`. */
export function isValidRegistriesConfScope(scope: string): boolean {
  if (scope === '') return false;
  if (!scope.includes('*')) return true;
  return scope.startsWith('*.') && !/[/@:*]/.test(scope.slice(2));
}

/** True when `subScope` lies inside `superScope` (equal, a path below it, or a host under a `*.` wildcard). */
export function scopeIsNestedInsideScope(subScope: string, superScope: string): boolean {
  if (subScope === superScope) return true;
  if (subScope.length > superScope.length && subScope.startsWith(superScope) && subScope[superScope.length] === '/') return true;
  if (superScope.startsWith('*.')) {
    const suffix = superScope.slice(1);
    if (subScope.includes(':')) {
      const host = subScope.split(':')[0];
      return host.endsWith(suffix) && !host.includes('/');
    }
    return subScope.split('/')[0].endsWith(suffix);
  }
  return false;
}

export class NestedScopeError extends Error {
  constructor(message: string, readonly code: 'not-nested' | 'wildcard-scope' | 'unexpected-scopes') {
    super(message);
    this.name = 'NestedScopeError';
  }
}

/** The mirrors of `mirroredScope` rewritten for the nested `subScope` (its extra path appended to each). */
export function mirrorsAdjustedForNestedScope<T extends { location: string }>(mirroredScope: string, subScope: string, mirrors: readonly T[]): T[] {
  if (!scopeIsNestedInsideScope(subScope, mirroredScope)) {
    throw new NestedScopeError(`internal error: mirrorsAdjustedForNestedScope for "${mirroredScope}" and non-subscope "${subScope}"`, 'not-nested');
  }
  if (mirroredScope.startsWith('*.')) {
    throw new NestedScopeError(`internal error: mirrorsAdjustedForNestedScope for a wildcard scope "${mirroredScope}"`, 'wildcard-scope');
  }
  if (!subScope.startsWith(mirroredScope)) {
    throw new NestedScopeError(`internal error: mirrorsAdjustedForNestedScope with unexpected scopes "${mirroredScope}" and "${subScope}"`, 'unexpected-scopes');
  }
  const adjustment = subScope.slice(mirroredScope.length);
  return mirrors.map((m) => ({ ...m, location: m.location + adjustment }));
}
