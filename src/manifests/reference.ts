/**
 * Image references as containers/image (distribution/reference) understands them: the grammar, the
 * docker.io normalisation of short names, and the "canonical" check CRI-O applies to a rewritten pull spec.
 * Pure string functions; no registry access. The grammar and normalisation are the project's one reference
 * parser (src/core/image-reference.ts, CONTAINERS_RULES); this module gives them containers/image's shape and errors.
 */
import { CONTAINERS_RULES, DOCKER_HUB, namesRegistry, readReference, type ReferenceProblem } from '../core/image-reference.js';

const NAME_TOTAL_LENGTH_MAX = 255;

export const DEFAULT_DOMAIN = DOCKER_HUB;

/** A parsed, normalised image reference. `name` is `domain/path` (what FindRegistry is given). */
export interface PullReference {
  domain: string;
  path: string;
  name: string;
  tag?: string;
  digest?: string;
}

export class ReferenceParseError extends Error {
  constructor(readonly input: string, reason: string) {
    super(`invalid image reference "${input}": ${reason}`);
    this.name = 'ReferenceParseError';
  }
}

/** Serialise as containers/image does: name[:tag][@digest]. */
export function formatPullReference(ref: PullReference): string {
  return `${ref.name}${ref.tag !== undefined ? `:${ref.tag}` : ''}${ref.digest !== undefined ? `@${ref.digest}` : ''}`;
}

/** True when the reference pins content (CRI-O treats tag+digest as digested, like reference.Canonical). */
export function isDigested(ref: PullReference): boolean {
  return ref.digest !== undefined;
}

/** containers/image's wording for each refusal (all grammar errors are "invalid reference format"). */
function reason(input: string, problem: ReferenceProblem): string {
  if (problem.kind === 'empty') return 'empty reference';
  if (problem.kind === 'image-id') return 'cannot be a 64-byte hexadecimal string';
  if (problem.kind === 'too-long') return `repository name must not be more than ${NAME_TOTAL_LENGTH_MAX} characters`;
  // ParseNormalizedNamed checks the case of the path (after the domain, before tag/digest) before the grammar.
  const slash = input.indexOf('/');
  const path = (slash !== -1 && namesRegistry(input.slice(0, slash)) ? input.slice(slash + 1) : input).split(/[:@]/)[0];
  return path !== path.toLowerCase() ? 'repository name must be lowercase' : 'invalid reference format';
}

/**
 * Parse like reference.ParseNormalizedNamed: short names get `docker.io` (and `library/`), upper case in the
 * repository path is refused, a bare 64-hex identifier is refused. The parser is src/core/image-reference.ts under
 * CONTAINERS_RULES.
 */
export function parseNormalizedReference(input: string): PullReference {
  const read = readReference(input, CONTAINERS_RULES);
  if (!read.ok) throw new ReferenceParseError(input, reason(input, read.problem));
  const { registry, repository, tag, digest } = read.ref;
  const ref: PullReference = { domain: registry, path: repository, name: `${registry}/${repository}` };
  if (tag !== undefined) ref.tag = tag;
  if (digest !== undefined) ref.digest = digest;
  return ref;
}

/**
 * Parse like reference.ParseNamed: the input must already be in its canonical, fully qualified form
 * (`example.com@sha256:…` is refused because it would normalise to docker.io/library/example.com).
 */
export function parseCanonicalReference(input: string): PullReference {
  const ref = parseNormalizedReference(input);
  if (formatPullReference(ref) !== input) throw new ReferenceParseError(input, 'repository name must be canonical');
  return ref;
}

/** Parse a fully qualified `host[:port]/path` repository (no tag/digest); returns host and path parts. */
export function splitRepository(repo: string): { host: string; path: string } {
  const i = repo.indexOf('/');
  return i === -1 ? { host: repo, path: '' } : { host: repo.slice(0, i), path: repo.slice(i + 1) };
}
