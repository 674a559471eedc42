/**
 * Splitting a fully qualified pull spec as written in a mirroring mapping (`host[:port]/path[:tag][@digest]`)
 * without docker.io normalisation: a mirror destination such as `myregistry/ns/repo` names a host
 * `myregistry` even without a dot.
 */
export interface ImageSpecParts {
  /** host[:port]/path — the repository, without tag or digest. */
  repo: string;
  host: string;
  /** Path after the host ('' for a bare host). */
  path: string;
  tag?: string;
  digest?: string;
}

export function splitImageSpec(spec: string): ImageSpecParts {
  let rest = spec;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at !== -1) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/') && rest.includes('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  const slash = rest.indexOf('/');
  const host = slash === -1 ? rest : rest.slice(0, slash);
  const path = slash === -1 ? '' : rest.slice(slash + 1);
  const parts: ImageSpecParts = { repo: rest, host, path };
  if (tag !== undefined) parts.tag = tag;
  if (digest !== undefined) parts.digest = digest;
  return parts;
}

/** The repository without its last path component ('' path stays ''). */
export function namespaceOf(parts: Pick<ImageSpecParts, 'host' | 'path'>): string {
  const i = parts.path.lastIndexOf('/');
  return i === -1 ? parts.host : `${parts.host}/${parts.path.slice(0, i)}`;
}
