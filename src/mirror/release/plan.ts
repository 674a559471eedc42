/**
 * Where `oc adm release mirror --to=REPO` puts a release: everything in one repository, the release image
 * tagged `<version>-<arch>` (or at `--to-release-image`) and each component `<version>-<arch>-<component>`,
 * copied by digest so `REPO@sha256:<digest>` resolves for every original pull spec. Pure.
 */
import { PayloadError } from '../../core/errors.js';
import type { ImageReferences } from './image-references.js';
import { dedupeSortSources, type InstallConfigSource } from '../../manifests/install-config.js';
import { isDigest } from '../digest.js';
import { isValidTag, splitPullSpec } from '../../core/image-reference.js';

export interface ReleaseMirrorTarget {
  /** `host[:port]` of the local registry (`dci_local_registry`). */
  localRegistry: string;
  /** Repository path under it (`local_repo`), e.g. `ocp4/openshift4` or `ocp-4.16/4.16.3`. */
  localRepo: string;
  /** Release version; defaults to the ImageStream's metadata.name. */
  version?: string;
  /** Architecture of the release image config (`amd64`, `arm64`, `ppc64le`, `s390x`) or `multi`. */
  arch: string;
  /** `--to-release-image`: where the release image goes instead of `<repo>:<version>-<arch>`. */
  releaseDestination?: string;
  /** Digest of the release image as read; used as the copy source so what is mirrored is what was read. */
  releaseDigest?: string;
}

export interface ReleaseMapping {
  source: string;
  destination: string;
  /** `release` for the payload image itself, else the component name. */
  component: string;
  /** oc-mirror's image type, so the mapping feeds the mirror-set builder (`buildMirrorSets`) as is. */
  type: 'release' | 'releaseContent';
}

/** oc's arch suffix: amd64 → x86_64, arm64 → aarch64, anything else verbatim. */
export function releaseArchSuffix(arch: string): string {
  if (arch === 'amd64') return 'x86_64';
  if (arch === 'arm64') return 'aarch64';
  return arch;
}

/**
 * The arch part of the destination tags for a payload as read: `multi` when the release is a manifest list
 * and it is kept (`--keep-manifest-list`), else the architecture of the image read.
 */
export function releaseArchFor(payload: { isIndex: boolean; architecture: string }, options: { keepManifestList?: boolean } = {}): string {
  return payload.isIndex && options.keepManifestList ? 'multi' : releaseArchSuffix(payload.architecture);
}

function destinationRepo(t: ReleaseMirrorTarget): string {
  const registry = t.localRegistry.replace(/\/+$/, '');
  const repo = t.localRepo.replace(/^\/+|\/+$/g, '');
  if (!registry) throw new PayloadError('release-plan-invalid', 'the local registry is empty', { hint: 'set dci_local_registry (host:port)' });
  return repo ? `${registry}/${repo}` : registry;
}

function tagFor(repo: string, tag: string, component: string): string {
  if (!isValidTag(tag)) {
    throw new PayloadError('release-plan-invalid', `destination tag "${tag}" for ${component} is not a valid tag`, {
      hint: 'tags are at most 128 characters of [A-Za-z0-9_.-]; check the release version and component names',
    });
  }
  return `${repo}:${tag}`;
}

export function planReleaseMirror(releaseRef: string, imageRefs: ImageReferences, target: ReleaseMirrorTarget): ReleaseMapping[] {
  const repo = destinationRepo(target);
  const version = target.version || imageRefs.version;
  const prefix = `${version}-${releaseArchSuffix(target.arch)}`;
  const rel = splitPullSpec(releaseRef);
  const digest = target.releaseDigest ?? rel.digest;
  const releaseSource = digest !== undefined && isDigest(digest) ? `${rel.repository}@${digest}` : releaseRef;
  const out: ReleaseMapping[] = [
    { source: releaseSource, destination: target.releaseDestination ?? tagFor(repo, prefix, 'the release image'), component: 'release', type: 'release' },
  ];
  for (const c of imageRefs.components) {
    out.push({ source: c.image, destination: tagFor(repo, `${prefix}-${c.name}`, `component "${c.name}"`), component: c.name, type: 'releaseContent' });
  }
  return out;
}

/**
 * The mirror sets `oc adm release mirror` prints: every source repository (components' and the release
 * image's) mirrored to the destination repository, and to the `--to-release-image` repository when set.
 */
export function releaseMirrorSets(releaseRef: string, imageRefs: ImageReferences, target: ReleaseMirrorTarget): InstallConfigSource[] {
  const destinations = [destinationRepo(target)];
  if (target.releaseDestination) destinations.push(splitPullSpec(target.releaseDestination).repository);
  const sources = [...imageRefs.components.map((c) => splitPullSpec(c.image).repository), splitPullSpec(releaseRef).repository];
  const pairs: InstallConfigSource[] = [];
  for (const d of destinations) for (const s of sources) pairs.push({ source: s, mirrors: [d] });
  return dedupeSortSources(pairs);
}
