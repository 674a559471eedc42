/**
 * `release-manifests/image-references` (an image.openshift.io/v1 ImageStream: version in metadata.name, one
 * tag per component pointing at a digest) and `release-manifests/release-metadata` (cincinnati-metadata-v0).
 * Checked the way `oc adm release mirror` checks them: wrong kind/apiVersion or a component by tag is an error.
 */
import { PayloadError } from '../../core/errors.js';
import { isDigest } from '../digest.js';
import { splitPullSpec } from '../../core/image-reference.js';

export interface ReleaseComponent {
  /** Tag name in the ImageStream, e.g. `etcd`. */
  name: string;
  /** Pull spec by digest, e.g. `quay.io/openshift-release-dev/ocp-v4.0-art-dev@sha256:…`. */
  image: string;
  annotations?: Record<string, string>;
}

export interface ImageReferences {
  /** metadata.name: the release version, e.g. `4.16.3`. */
  version: string;
  annotations: Record<string, string>;
  components: ReleaseComponent[];
}

export interface ReleaseMetadata {
  kind: string;
  version: string;
  previous: string[];
  next: string[];
  metadata: Record<string, unknown>;
}

interface Where {
  image?: string;
  layer?: string;
}

function fail(msg: string, where: Where, hint?: string): never {
  throw new PayloadError('release-payload-invalid', `${where.image ?? 'release image'}: release-manifests/image-references ${msg}`, {
    hint: hint ?? 'the release image is not an OpenShift release payload, or it is damaged',
    location: { image: where.image, blob: where.layer },
  });
}

export function parseImageReferences(text: string, where: Where = {}): ImageReferences {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    fail(`is not JSON (${(e as Error).message})`, where);
  }
  const d = doc as {
    kind?: unknown;
    apiVersion?: unknown;
    metadata?: { name?: unknown; annotations?: Record<string, string> };
    spec?: { tags?: unknown };
  };
  if (d?.kind !== 'ImageStream' || d.apiVersion !== 'image.openshift.io/v1') {
    fail(`has kind "${String(d?.kind)}" apiVersion "${String(d?.apiVersion)}", expected ImageStream image.openshift.io/v1`, where);
  }
  const version = d.metadata?.name;
  if (typeof version !== 'string' || version === '') fail('has no metadata.name (the release version)', where);
  if (!Array.isArray(d.spec?.tags)) fail('has no spec.tags list', where);
  const components: ReleaseComponent[] = [];
  const seen = new Set<string>();
  for (const [i, t] of (d.spec.tags as unknown[]).entries()) {
    const tag = t as { name?: unknown; from?: { kind?: unknown; name?: unknown }; annotations?: Record<string, string> };
    if (typeof tag?.name !== 'string' || tag.name === '') fail(`spec.tags[${i}] has no name`, where);
    if (seen.has(tag.name)) fail(`lists component "${tag.name}" twice`, where);
    seen.add(tag.name);
    if (tag.from?.kind !== 'DockerImage' || typeof tag.from.name !== 'string') {
      fail(`component "${tag.name}" does not point to a DockerImage`, where);
    }
    if (!isDigest(splitPullSpec(tag.from.name).digest ?? '')) {
      fail(`component "${tag.name}" points to "${tag.from.name}": image-references should only contain pointers to images by digest`, where);
    }
    components.push({ name: tag.name, image: tag.from.name, ...(tag.annotations ? { annotations: tag.annotations } : {}) });
  }
  return { version, annotations: d.metadata?.annotations ?? {}, components };
}

export function parseReleaseMetadata(text: string, where: Where = {}): ReleaseMetadata {
  let doc: {
    kind?: unknown;
    version?: unknown;
    previous?: unknown;
    next?: unknown;
    metadata?: unknown;
  };
  try {
    doc = JSON.parse(text) as typeof doc;
  } catch (e) {
    throw new PayloadError('release-payload-invalid', `${where.image ?? 'release image'}: release-manifests/release-metadata is not JSON (${(e as Error).message})`, {
      location: { image: where.image, blob: where.layer },
    });
  }
  const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
  return {
    kind: typeof doc.kind === 'string' ? doc.kind : '',
    version: typeof doc.version === 'string' ? doc.version : '',
    previous: strings(doc.previous),
    next: strings(doc.next),
    metadata: typeof doc.metadata === 'object' && doc.metadata !== null ? (doc.metadata as Record<string, unknown>) : {},
  };
}
