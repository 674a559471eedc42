/**
 * The JSON documents of fixture images, shared by the in-memory builder (release-fixtures.ts) and the OCI layout
 * writer (oci-images.ts): media types, the sha256 of bytes, the image config and the image manifest. Kept apart
 * from src/mirror/media-types.ts on purpose: fixtures written from the code under test would hide its mistakes.
 */
import { createHash } from 'node:crypto';

export const MT = {
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
} as const;

export type ImageFormat = 'oci' | 'docker';

/** The media types of one format: OCI, or Docker schema 2. */
export function formatMediaTypes(format: ImageFormat): { manifest: string; index: string; config: string; layer: string } {
  return format === 'oci'
    ? { manifest: MT.ociManifest, index: MT.ociIndex, config: MT.ociConfig, layer: MT.ociLayerGzip }
    : { manifest: MT.dockerManifest, index: MT.dockerList, config: MT.dockerConfig, layer: MT.dockerLayerGzip };
}

export const sha256 = (b: Buffer | string): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

const CREATED = '2024-01-01T00:00:00Z';

export interface ImageConfigInput {
  architecture: string;
  os: string;
  variant?: string;
  /** Fields of the config's `config` (Labels, Cmd, Env...): they follow (and may replace) the default PATH Env. */
  config?: Record<string, unknown>;
  diffIds: string[];
  /** History lines read `<createdBy> <i>`. */
  createdBy: string;
}

/** An image config whose rootfs.diff_ids are the layers' (fixed dates, so the same input gives the same digest). */
export function imageConfigBytes(o: ImageConfigInput): Buffer {
  return Buffer.from(
    JSON.stringify({
      created: CREATED,
      architecture: o.architecture,
      os: o.os,
      ...(o.variant ? { variant: o.variant } : {}),
      config: { Env: ['PATH=/usr/bin:/bin'], ...(o.config ?? {}) },
      rootfs: { type: 'layers', diff_ids: o.diffIds },
      history: o.diffIds.map((_, i) => ({ created: CREATED, created_by: `${o.createdBy} ${i}` })),
    }),
  );
}

export interface DescriptorJson {
  mediaType: string;
  digest: string;
  size: number;
}

/** An image manifest (schema 2) of the format's media type. */
export function imageManifestJson(format: ImageFormat, config: DescriptorJson, layers: DescriptorJson[]): { schemaVersion: 2; mediaType: string; config: DescriptorJson; layers: DescriptorJson[] } {
  return { schemaVersion: 2, mediaType: formatMediaTypes(format).manifest, config, layers };
}
