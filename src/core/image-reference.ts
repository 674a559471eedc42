/**
 * Docker image references: `[host[:port]/]path[:tag][@digest]` — the one parser of the project, in core because both
 * src/mirror and src/manifests read references (mirror depends on manifests, never the reverse). Two readers use it
 * with different rules (`ReferenceRules`):
 *  - the mirror client (`MIRROR_RULES`, `parseReference`): what we can fetch and verify — user input may carry
 *    white space and `docker://`, hosts are lower-cased, registry-1.docker.io is Docker Hub, digests are sha256;
 *  - the mirror-set resolver in src/manifests (`CONTAINERS_RULES`): containers/image's ParseNormalizedNamed exactly,
 *    as CRI-O applies it to pulls and rewritten mirror references.
 * Both get the docker.io normalisation (no host → docker.io; one path component on docker.io → library/NAME).
 * `splitPullSpec` is the first, unvalidated step, for specs that are only taken apart as written. Transport
 * prefixes (`docker://`, `oci:`, `oci-archive:`) are parsed by `parseImageLocation`.
 */
import { UsageError } from './errors.js';

export interface ImageReference {
  /** Registry name as written (docker.io for Docker Hub); lower-cased under MIRROR_RULES. */
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
const SHA256_DIGEST = /^sha256:[a-f0-9]{64}$/;
// distribution/reference's digest grammar: any registered-looking algorithm, at least 32 hex characters.
const ANY_DIGEST = /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$/;
const IMAGE_ID = /^[a-f0-9]{64}$/;
const MAX_NAME_LENGTH = 255;

/** How a reader of references normalises and what it accepts. */
export interface ReferenceRules {
  /** Trim white space and drop a `docker://` prefix (references typed by users). */
  lenientInput: boolean;
  /** Lower-case the registry host (our client keys credentials and TLS settings by host). */
  lowercaseRegistry: boolean;
  /** Hosts that mean Docker Hub (normalised to docker.io). */
  dockerHubAliases: readonly string[];
  /** 'sha256': only digests we can verify; 'any': distribution's digest grammar. */
  digests: 'sha256' | 'any';
  /** Refuse a bare 64-hex image ID, as ParseNormalizedNamed does. */
  refuseImageId: boolean;
  /**
   * 'host': the first component, when it names a registry, must be host[:port]. 'host-or-path': it may also be a
   * path component (containers/image's grammar lets the optional domain fall back to a path: `my_reg.io/a` parses).
   */
  registryGrammar: 'host' | 'host-or-path';
  /** What the 255-character limit applies to: the repository path, or registry/path (distribution's name). */
  maxLengthOf: 'repository' | 'name';
}

export const MIRROR_RULES: ReferenceRules = {
  lenientInput: true,
  lowercaseRegistry: true,
  dockerHubAliases: ['index.docker.io', 'registry-1.docker.io'],
  digests: 'sha256',
  refuseImageId: false,
  registryGrammar: 'host',
  maxLengthOf: 'repository',
};

export const CONTAINERS_RULES: ReferenceRules = {
  lenientInput: false,
  lowercaseRegistry: false,
  dockerHubAliases: ['index.docker.io'],
  digests: 'any',
  refuseImageId: true,
  registryGrammar: 'host-or-path',
  maxLengthOf: 'name',
};

/** Why a reference was refused; each reader words it its own way. `value` is the offending part. */
export interface ReferenceProblem {
  kind: 'empty' | 'image-id' | 'digest' | 'tag' | 'registry' | 'empty-component' | 'uppercase' | 'component' | 'too-long';
  value?: string;
}

export type ReadReference = { ok: true; ref: ImageReference } | { ok: false; problem: ReferenceProblem };

export interface PullSpecParts {
  /** Everything before the tag and digest, as written: `registry/path/name` (no docker.io defaults). */
  repository: string;
  tag?: string;
  digest?: string;
}

/**
 * Split `repo[:tag][@digest]` as written, without validating or normalising anything: the digest starts at the
 * first `@`, the tag at the last `:` after the last `/`. With `tagNeedsPath`, a spec without `/` has no tag (a
 * mapping destination `host:5000` is a host and port).
 */
export function splitPullSpec(spec: string, options: { tagNeedsPath?: boolean } = {}): PullSpecParts {
  let rest = spec;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/') && (!options.tagNeedsPath || rest.includes('/'))) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  return { repository: rest, tag, digest };
}

/** Docker tag grammar: `[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`. */
export const isValidTag = (tag: string): boolean => TAG.test(tag);

/** Whether the first path component names a registry rather than a Docker Hub namespace (docker's rule). */
export function namesRegistry(first: string): boolean {
  return first.includes('.') || first.includes(':') || first === 'localhost' || first !== first.toLowerCase();
}

/** Parse and normalise a reference under `rules`; a refused one comes back as a problem (no exception). */
export function readReference(input: string, rules: ReferenceRules): ReadReference {
  const refuse = (kind: ReferenceProblem['kind'], value?: string): ReadReference => ({ ok: false, problem: value === undefined ? { kind } : { kind, value } });
  let s = input;
  if (rules.lenientInput) {
    s = s.trim();
    if (s.startsWith('docker://')) s = s.slice('docker://'.length);
  }
  if (!s) return refuse('empty');
  if (rules.refuseImageId && IMAGE_ID.test(s)) return refuse('image-id', s);
  const split = splitPullSpec(s);
  const { tag, digest } = split;
  if (digest !== undefined && !(rules.digests === 'sha256' ? SHA256_DIGEST : ANY_DIGEST).test(digest)) return refuse('digest', digest);
  if (tag !== undefined && !TAG.test(tag)) return refuse('tag', tag);
  const parts = split.repository.split('/');
  let registry = DOCKER_HUB;
  if (parts.length > 1 && namesRegistry(parts[0])) {
    registry = parts.shift() as string;
    if (!HOST.test(registry) && !(rules.registryGrammar === 'host-or-path' && COMPONENT.test(registry))) return refuse('registry', registry);
    if (rules.lowercaseRegistry) registry = registry.toLowerCase();
  }
  if (rules.dockerHubAliases.includes(registry)) registry = DOCKER_HUB;
  if (parts.length === 0 || parts.some((p) => p === '')) return refuse('empty-component');
  for (const p of parts) {
    if (!COMPONENT.test(p)) return p !== p.toLowerCase() ? refuse('uppercase', parts.join('/')) : refuse('component', p);
  }
  if (registry === DOCKER_HUB && parts.length === 1) parts.unshift('library');
  const repository = parts.join('/');
  if ((rules.maxLengthOf === 'name' ? `${registry}/${repository}` : repository).length > MAX_NAME_LENGTH) return refuse('too-long');
  return { ok: true, ref: { registry, repository, tag, digest } };
}

function mirrorReason(p: ReferenceProblem): string {
  const q = JSON.stringify(p.value);
  switch (p.kind) {
    case 'empty':
      return 'empty';
    case 'digest':
      return `${q} is not a sha256 digest`;
    case 'tag':
      return `tag ${q} is not valid (letters, digits, _ . -, at most 128, not starting with . or -)`;
    case 'registry':
      return `registry host ${q} is not valid`;
    case 'empty-component':
      return 'empty repository path component';
    case 'uppercase':
      return `repository ${q} must be lower-case`;
    case 'component':
      return `path component ${q} is not valid`;
    case 'too-long':
      return `repository name longer than ${MAX_NAME_LENGTH} characters`;
    case 'image-id':
      return 'a 64-hex image ID is not a reference';
  }
}

function bad(input: string, why: string): UsageError {
  return new UsageError('bad-image-reference', `invalid image reference ${JSON.stringify(input)}: ${why}`, {
    hint: 'write it as host[:port]/path/name[:tag][@sha256:<64 hex>], e.g. quay.io/openshift-release-dev/ocp-release:4.14.38-x86_64',
  });
}

/** Parse a docker reference (without transport prefix) for the mirror client. Throws UsageError naming what is wrong. */
export function parseReference(input: string): ImageReference {
  const read = readReference(input, MIRROR_RULES);
  if (!read.ok) throw bad(input, mirrorReason(read.problem));
  return read.ref;
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
    if (!SHA256_DIGEST.test(digest)) throw bad(input, `${JSON.stringify(digest)} is not a sha256 digest`);
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
