/**
 * Image references as containers/image (distribution/reference) understands them: the grammar, the
 * docker.io normalisation of short names, and the "canonical" check CRI-O applies to a rewritten pull spec.
 * Pure string functions; no registry access.
 */

// Grammar pieces of distribution/reference (regexp.go); kept as strings so they can be composed.
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const IPV6 = '\\[(?:[a-fA-F0-9:]+)\\]';
const DOMAIN_NAME = `${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*`;
const HOST = `(?:${DOMAIN_NAME}|${IPV6})`;
const DOMAIN = `${HOST}(?::[0-9]+)?`;
const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*';
const TAG = '[\\w][\\w.-]{0,127}';
const DIGEST = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}';
const NAME = `(?:${DOMAIN}/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*`;
const REFERENCE_RE = new RegExp(`^(${NAME})(?::(${TAG}))?(?:@(${DIGEST}))?$`);
const ANCHORED_ID_RE = /^[a-f0-9]{64}$/;
const NAME_TOTAL_LENGTH_MAX = 255;

export const DEFAULT_DOMAIN = 'docker.io';
const LEGACY_DEFAULT_DOMAIN = 'index.docker.io';
const OFFICIAL_REPO_PREFIX = 'library/';

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

function splitDockerDomain(name: string): { domain: string; path: string } {
  const i = name.indexOf('/');
  let domain: string;
  let path: string;
  const first = i === -1 ? '' : name.slice(0, i);
  if (i === -1 || (!first.includes('.') && !first.includes(':') && first !== 'localhost' && first.toLowerCase() === first)) {
    domain = DEFAULT_DOMAIN;
    path = name;
  } else {
    domain = first;
    path = name.slice(i + 1);
  }
  if (domain === LEGACY_DEFAULT_DOMAIN) domain = DEFAULT_DOMAIN;
  if (domain === DEFAULT_DOMAIN && !path.includes('/')) path = OFFICIAL_REPO_PREFIX + path;
  return { domain, path };
}

/**
 * Parse like reference.ParseNormalizedNamed: short names get `docker.io` (and `library/`), upper case in the
 * repository path is refused, a bare 64-hex identifier is refused.
 */
export function parseNormalizedReference(input: string): PullReference {
  if (input === '') throw new ReferenceParseError(input, 'empty reference');
  if (ANCHORED_ID_RE.test(input)) throw new ReferenceParseError(input, 'cannot be a 64-byte hexadecimal string');
  const { domain, path: rest } = splitDockerDomain(input);
  // The remainder (path[:tag][@digest]) must be lower case in its path; tag/digest are parsed below.
  const m = REFERENCE_RE.exec(`${domain}/${rest}`);
  if (!m) {
    const lower = rest.split(/[:@]/)[0];
    if (lower !== lower.toLowerCase()) throw new ReferenceParseError(input, 'repository name must be lowercase');
    throw new ReferenceParseError(input, 'invalid reference format');
  }
  const name = m[1];
  if (name.length > NAME_TOTAL_LENGTH_MAX) throw new ReferenceParseError(input, `repository name must not be more than ${NAME_TOTAL_LENGTH_MAX} characters`);
  const slash = name.indexOf('/');
  const ref: PullReference = { domain: name.slice(0, slash), path: name.slice(slash + 1), name };
  if (m[2] !== undefined) ref.tag = m[2];
  if (m[3] !== undefined) ref.digest = m[3];
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
