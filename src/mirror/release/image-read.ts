/**
 * Reading one image for inspection (not copying) from any ImageSource (registry repository, OCI layout,
 * archive): resolve a tag or digest to a platform manifest, keep the index when there is one (the catalog
 * rebuild needs every platform), read and verify the config, open verified layer streams. Shared by the
 * release reader and the catalog reader. (The mirror library's ImageReader does the same from a location
 * string; this one works on an already-open source and also returns the raw config bytes and the index.)
 */
import type { Readable } from 'node:stream';
import { PayloadError } from '../../core/errors.js';
import { verifyBytes } from '../digest.js';
import { VerifiedBlob } from '../verified-blob.js';
import { MAX_CONFIG_BYTES, parseManifest } from '../media-types.js';
import type { Descriptor, ImageSource, ManifestBlob, Platform } from '../types.js';

export interface ImageConfigJson {
  architecture?: string;
  os?: string;
  variant?: string;
  created?: string;
  author?: string;
  config?: {
    Labels?: Record<string, string>;
    Cmd?: string[];
    Entrypoint?: string[];
    [key: string]: unknown;
  };
  rootfs?: { type: string; diff_ids: string[] };
  history?: Array<Record<string, unknown>>;
  [key: string]: unknown;
}

export interface InspectedImage {
  /** For messages. */
  image: string;
  /** Digest of what the ref points at (the index when it is multi-arch). */
  topDigest: string;
  topMediaType: string;
  /** The index, when the ref points at one. */
  index?: { blob: ManifestBlob; manifests: Descriptor[] };
  /** The chosen platform manifest. */
  manifest: ManifestBlob;
  config: Descriptor;
  layers: Descriptor[];
  configJson: ImageConfigJson;
  configBytes: Buffer;
  platform?: Platform;
}

async function readAll(stream: Readable, limit: number, what: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of stream) {
    n += (c as Buffer).length;
    if (n > limit) {
      stream.destroy();
      throw new PayloadError('config-too-large', `${what} is larger than ${limit} bytes`);
    }
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks);
}

/** A blob stream that errors (DigestMismatch) before its end when the bytes do not match the descriptor. */
export async function openVerifiedBlob(source: ImageSource, desc: Descriptor, image: string): Promise<Readable> {
  const raw = await source.getBlob(desc);
  // A reader that stops early (the release reader usually does) destroys the verifier, which releases the connection.
  return new VerifiedBlob(raw, { digest: desc.digest, size: desc.size, image });
}

export async function readManifestChild(source: ImageSource, image: string, desc: Descriptor): Promise<ManifestBlob> {
  const blob = await source.getManifest(desc.digest);
  verifyBytes(blob.bytes, desc.digest, image);
  return blob;
}

/**
 * Resolve `ref` (tag or digest in the source's repository). For an index, pick `platform` (default
 * linux/amd64; the first entry when that is absent and no platform was asked).
 */
export async function inspectImage(source: ImageSource, ref: string, image: string, platform?: Partial<Platform>): Promise<InspectedImage> {
  const top = await source.getManifest(ref);
  const parsed = parseManifest(top.bytes, top.mediaType, image);
  let manifest = top;
  let chosen: Platform | undefined;
  let index: InspectedImage['index'];
  let img = parsed;
  if (parsed.kind === 'index') {
    index = { blob: top, manifests: parsed.manifests };
    const want = { os: platform?.os ?? 'linux', architecture: platform?.architecture ?? 'amd64', variant: platform?.variant };
    const match =
      parsed.manifests.find(
        (d) => d.platform?.os === want.os && d.platform?.architecture === want.architecture && (!want.variant || d.platform?.variant === want.variant),
      ) ?? (platform ? undefined : parsed.manifests[0]);
    if (!match) {
      throw new PayloadError('platform-missing', `${image} has no ${want.os}/${want.architecture} image`, {
        hint: `available: ${parsed.manifests.map((d) => `${d.platform?.os}/${d.platform?.architecture}`).join(', ')}`,
        location: { image },
      });
    }
    chosen = match.platform;
    manifest = await readManifestChild(source, image, match);
    img = parseManifest(manifest.bytes, match.mediaType, image);
    if (img.kind !== 'image') throw new PayloadError('manifest-nested-index', `${image}: an index inside an index is not supported`, { location: { image } });
  }
  if (img.kind !== 'image') throw new PayloadError('manifest-invalid', `${image}: not an image manifest`, { location: { image } });
  if (img.config.size > MAX_CONFIG_BYTES) {
    throw new PayloadError('config-too-large', `${image}: image config announces ${img.config.size} bytes`, { location: { image, blob: img.config.digest } });
  }
  const configBytes = await readAll(await openVerifiedBlob(source, img.config, image), MAX_CONFIG_BYTES, `${image} config`);
  let configJson: ImageConfigJson;
  try {
    configJson = JSON.parse(configBytes.toString('utf8')) as ImageConfigJson;
  } catch (e) {
    throw new PayloadError('config-invalid', `${image}: the image config is not JSON`, { cause: e, location: { image, blob: img.config.digest } });
  }
  return {
    image,
    topDigest: top.digest,
    topMediaType: parsed.mediaType,
    index,
    manifest,
    config: img.config,
    layers: img.layers,
    configJson,
    configBytes,
    platform: chosen,
  };
}
