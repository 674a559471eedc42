/**
 * Docker image references: `[host[:port]/]path[:tag][@digest]`, with the docker.io normalisation the container
 * tools use (no host → docker.io; one path component on docker.io → library/NAME; the API endpoint of docker.io
 * is registry-1.docker.io). Transport prefixes (`docker://`, `oci:`, `oci-archive:`) are parsed by
 * `parseImageLocation`.
 */
import { UsageError } from '../core/errors.js';
import { assertDigest } from './digest.js';

export interface ImageReference {
  /** Registry name as written (docker.io for Docker Hub), lower-cased. */
  registry: string;
  /** Repository path, e.g. openshift-release-dev/ocp-release. */
  repository: string;
  tag?: string;
  digest?: string;
}

export const DOCKER_HUB = 'docker.io';
const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const HOST = /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\[[0-9a-fA-F:]+\])(?::\d+)?$/;

function bad(input: string, why: string): UsageError {
  return new UsageError('bad-image-reference', `invalid image reference ${JSON.stringify(input)}: ${why}`, {
    hint: 'write it as host[:port]/path/name[:tag][@sha256:<64 hex>], e.g. quay.io/openshift-release-dev/ocp-release:4.14.38-x86_64',
  });
}

/** Parse a docker reference (without transport prefix). Throws UsageError naming what is wrong. */
export function parseReference(input: string): ImageReference {
  let s = input.trim();
  if (s.startsWith('docker://')) s = s.slice('docker://'.length);
  if (!s) throw bad(input, 'empty');
  let digest: string | undefined;
  const at = s.indexOf('@');
  if (at >= 0) {
    digest = s.slice(at + 1);
    s = s.slice(0, at);
    try {
      assertDigest(digest, input);
    } catch {
      throw bad(input, `${JSON.stringify(digest)} is not a sha256 digest`);
    }
  }
  let tag: string | undefined;
  const lastSlash = s.lastIndexOf('/');
  const colon = s.lastIndexOf(':');
  if (colon > lastSlash) {
    tag = s.slice(colon + 1);
    s = s.slice(0, colon);
    if (!TAG.test(tag)) throw bad(input, `tag ${JSON.stringify(tag)} is not valid (letters, digits, _ . -, at most 128, not starting with . or -)`);
  }
  const parts = s.split('/');
  let registry = DOCKER_HUB;
  if (parts.length > 1 && (parts[0].includes('.') || parts[0].includes(':') || parts[0] === 'localhost' || parts[0] !== parts[0].toLowerCase())) {
    registry = parts.shift() as string;
    if (!HOST.test(registry)) throw bad(input, `registry host ${JSON.stringify(registry)} is not valid`);
    registry = registry.toLowerCase();
  }
  if (registry === 'index.docker.io' || registry === 'registry-1.docker.io') registry = DOCKER_HUB;
  if (parts.length === 0 || parts.some((p) => p === '')) throw bad(input, 'empty repository path component');
  for (const p of parts) {
    if (!COMPONENT.test(p)) {
      throw bad(input, p !== p.toLowerCase() ? `repository ${JSON.stringify(parts.join('/'))} must be lower-case` : `path component ${JSON.stringify(p)} is not valid`);
    }
  }
  if (registry === DOCKER_HUB && parts.length === 1) parts.unshift('library');
  const repository = parts.join('/');
  if (repository.length > 255) throw bad(input, 'repository name longer than 255 characters');
  return { registry, repository, tag, digest };
}

/** host[:port]/repo[:tag][@digest] */
export function formatReference(r: ImageReference): string {
  return `${r.registry}/${r.repository}${r.tag ? `:${r.tag}` : ''}${r.digest ? `@${r.digest}` : ''}`;
}

/** The host the Distribution API is served from (docker.io's API is registry-1.docker.io). */
export function apiHost(registry: string): string {
  return registry === DOCKER_HUB ? 'registry-1.docker.io' : registry;
}

export type ImageLocation =
  | { transport: 'docker'; ref: ImageReference }
  | { transport: 'oci'; dir: string; tag?: string; digest?: string }
  | { transport: 'oci-archive'; file: string; tag?: string; digest?: string };

/**
 * Parse `docker://host/repo[:tag|@digest]`, `oci:DIR[:tag|@digest]`, `oci-archive:FILE[:tag|@digest]`; a string
 * without transport is a docker reference.
 */
export function parseImageLocation(input: string): ImageLocation {
  const m = /^(oci|oci-archive):(.*)$/.exec(input);
  if (!m) {
    if (/^[a-z][a-z0-9+-]*:\/\//.test(input) && !input.startsWith('docker://')) {
      throw new UsageError('bad-image-reference', `unsupported transport in ${JSON.stringify(input)}`, { hint: 'use docker://host/repo[:tag|@digest], oci:DIR[:tag] or oci-archive:FILE[:tag]' });
    }
    return { transport: 'docker', ref: parseReference(input) };
  }
  let rest = m[2];
  let tag: string | undefined;
  let digest: string | undefined;
  const at = rest.lastIndexOf('@');
  if (at >= 0 && /^sha\d+:/.test(rest.slice(at + 1))) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    try {
      assertDigest(digest, input);
    } catch {
      throw bad(input, `${JSON.stringify(digest)} is not a sha256 digest`);
    }
  } else {
    const colon = rest.lastIndexOf(':');
    if (colon >= 0 && !rest.slice(colon + 1).includes('/')) {
      tag = rest.slice(colon + 1);
      rest = rest.slice(0, colon);
      if (!/^[\w][\w.:-]{0,127}$/.test(tag)) throw bad(input, `reference name ${JSON.stringify(tag)} is not valid`);
    }
  }
  if (!rest) throw bad(input, `${m[1]}: needs a path`);
  return m[1] === 'oci' ? { transport: 'oci', dir: rest, tag, digest } : { transport: 'oci-archive', file: rest, tag, digest };
}

export function formatImageLocation(l: ImageLocation): string {
  if (l.transport === 'docker') return `docker://${formatReference(l.ref)}`;
  const base = `${l.transport}:${l.transport === 'oci' ? l.dir : l.file}`;
  return l.digest ? `${base}@${l.digest}` : l.tag ? `${base}:${l.tag}` : base;
}
