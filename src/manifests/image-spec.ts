/**
 * Splitting a fully qualified pull spec as written in a mirroring mapping (`host[:port]/path[:tag][@digest]`)
 * without docker.io normalisation: a mirror destination such as `myregistry/ns/repo` names a host
 * `myregistry` even without a dot. The split itself is the reference parser's first step (src/core/image-reference.ts).
 */
import { splitPullSpec } from '../core/image-reference.js';

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
  // A spec without '/' is a bare host: `host:5000` keeps its port (no tag).
  const { repository: repo, tag, digest } = splitPullSpec(spec, { tagNeedsPath: true });
  const slash = repo.indexOf('/');
  const host = slash === -1 ? repo : repo.slice(0, slash);
  const path = slash === -1 ? '' : repo.slice(slash + 1);
  const parts: ImageSpecParts = { repo, host, path };
  if (tag !== undefined) parts.tag = tag;
  if (digest !== undefined) parts.digest = digest;
  return parts;
}

/** The repository without its last path component ('' path stays ''). */
export function namespaceOf(parts: Pick<ImageSpecParts, 'host' | 'path'>): string {
  const i = parts.path.lastIndexOf('/');
  return i === -1 ? parts.host : `${parts.host}/${parts.path.slice(0, i)}`;
}
