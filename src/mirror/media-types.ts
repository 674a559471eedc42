/**
 * Manifest media types we copy, and parsing of manifest bytes into descriptors. Docker schema 2 (manifest and
 * manifest list) and OCI (manifest and index) are supported; schema 1 is refused with a clear error because it
 * cannot be copied without rewriting (its signature covers the bytes) and no current OpenShift content uses it.
 */
import { RegistryError } from '../core/errors.js';
import type { Descriptor } from './types.js';
import { assertDigest } from './digest.js';

export const MEDIA_TYPES = {
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerSchema1: 'application/vnd.docker.distribution.manifest.v1+json',
  dockerSchema1Signed: 'application/vnd.docker.distribution.manifest.v1+prettyjws',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
} as const;

/** The Accept header for manifest requests: every type we can copy, most specific first. */
export const MANIFEST_ACCEPT = [MEDIA_TYPES.ociIndex, MEDIA_TYPES.dockerList, MEDIA_TYPES.ociManifest, MEDIA_TYPES.dockerManifest].join(', ');

/** Manifests are small JSON; anything bigger is refused before it is buffered (a hostile registry cannot OOM us). */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
/** Image configs are read whole only by the JSON helper (copies stream them like layers). */
export const MAX_CONFIG_BYTES = 8 * 1024 * 1024;

export type ParsedManifest =
  | { kind: 'index'; mediaType: string; manifests: Descriptor[]; raw: Record<string, unknown> }
  | { kind: 'image'; mediaType: string; config: Descriptor; layers: Descriptor[]; raw: Record<string, unknown> };

export function isIndexMediaType(mt: string): boolean {
  return mt === MEDIA_TYPES.ociIndex || mt === MEDIA_TYPES.dockerList;
}

function asDescriptor(v: unknown, where: string): Descriptor {
  const d = v as Partial<Descriptor> | null;
  if (!d || typeof d !== 'object' || typeof d.digest !== 'string' || typeof d.size !== 'number' || typeof d.mediaType !== 'string') {
    throw new RegistryError('manifest-invalid', `${where}: a descriptor lacks mediaType, digest or size`, { location: { image: where } });
  }
  // Digests become file names in OCI layouts: refuse anything but sha256 hex before it can reach a path.
  assertDigest(d.digest, where);
  if (!Number.isSafeInteger(d.size) || d.size < 0) throw new RegistryError('manifest-invalid', `${where}: descriptor ${d.digest} has an invalid size`, { location: { image: where } });
  return d as Descriptor;
}

/**
 * Parse manifest bytes. `headerMediaType` is the Content-Type the registry sent (or the descriptor's mediaType);
 * the body's own `mediaType` wins when present. `where` names the image for error messages.
 */
export function parseManifest(bytes: Buffer, headerMediaType: string | undefined, where: string): ParsedManifest {
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(bytes.toString('utf8')) as Record<string, unknown>;
  } catch (e) {
    throw new RegistryError('manifest-invalid', `${where}: the manifest is not valid JSON`, { cause: e, location: { image: where } });
  }
  if (!raw || typeof raw !== 'object') throw new RegistryError('manifest-invalid', `${where}: the manifest is not a JSON object`, { location: { image: where } });
  const headerMt = headerMediaType?.split(';')[0].trim();
  if (raw.schemaVersion === 1 || headerMt === MEDIA_TYPES.dockerSchema1 || headerMt === MEDIA_TYPES.dockerSchema1Signed) {
    throw new RegistryError('manifest-schema1', `${where}: Docker schema 1 manifests are not supported`, {
      hint: 'rebuild or re-push the image with a current tool (schema 2 or OCI); schema 1 is deprecated and cannot be mirrored with its digest',
      location: { image: where },
    });
  }
  let mt = typeof raw.mediaType === 'string' ? raw.mediaType : headerMt;
  if (!mt || mt === 'application/json' || mt === 'application/octet-stream') {
    // OCI allows an absent mediaType: infer from the shape.
    mt = Array.isArray(raw.manifests) ? MEDIA_TYPES.ociIndex : MEDIA_TYPES.ociManifest;
  }
  if (isIndexMediaType(mt)) {
    if (!Array.isArray(raw.manifests)) throw new RegistryError('manifest-invalid', `${where}: index without a manifests list`, { location: { image: where } });
    return { kind: 'index', mediaType: mt, manifests: raw.manifests.map((d) => asDescriptor(d, where)), raw };
  }
  if (mt === MEDIA_TYPES.ociManifest || mt === MEDIA_TYPES.dockerManifest) {
    if (!Array.isArray(raw.layers)) throw new RegistryError('manifest-invalid', `${where}: image manifest without layers`, { location: { image: where } });
    return { kind: 'image', mediaType: mt, config: asDescriptor(raw.config, where), layers: raw.layers.map((d) => asDescriptor(d, where)), raw };
  }
  throw new RegistryError('manifest-unsupported', `${where}: unsupported manifest media type ${mt}`, {
    hint: 'only Docker schema 2 and OCI manifests and indexes can be mirrored',
    location: { image: where },
  });
}

/** Layers that must not be copied (Windows foreign layers carry `urls` and are fetched from elsewhere). */
export function isForeignLayer(d: Descriptor): boolean {
  return d.mediaType.includes('foreign') || d.mediaType.includes('nondistributable');
}
