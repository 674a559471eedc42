/**
 * Read one image without copying it (for release payload and catalog readers): resolve a tag or an index to the
 * image manifest of one platform, fetch its config as JSON (size-capped, verified), and stream a layer verified
 * against its digest (the stream errors with DigestMismatch before its end when the bytes are wrong).
 */
import type { Readable } from 'node:stream';
import { RegistryError } from '../core/errors.js';
import { verifyBytes } from './digest.js';
import { VerifiedBlob } from './verified-blob.js';
import { MAX_CONFIG_BYTES, parseManifest } from './media-types.js';
import { parsePlatforms, platformMatches, platformString } from './copy/platforms.js';
import { RegistryClient, type RegistryClientOptions } from './registry/client.js';
import { readCapped } from './registry/repository.js';
import { TransportSet } from './transports.js';
import type { Descriptor, ImageSource, Platform } from './types.js';

export interface ResolvedImage {
  /** The location as given. */
  image: string;
  /** Digest of the image manifest (the per-platform one when the reference is an index). */
  digest: string;
  /** Digest of the index, when the reference named one. */
  indexDigest?: string;
  /** Digest of what the reference names (index or manifest): use it to pin/mirror by digest. */
  topDigest: string;
  mediaType: string;
  platform?: Platform;
  config: Descriptor;
  layers: Descriptor[];
  /** The manifest bytes. */
  bytes: Buffer;
}

export class ImageReader {
  private constructor(
    readonly image: string,
    private readonly source: ImageSource,
    private readonly ref: string,
    private readonly owned: { client?: RegistryClient; transports: TransportSet },
  ) {}

  /** Open `docker://…`, `oci:DIR:tag` or `oci-archive:FILE:tag` for reading. */
  static open(image: string, options: { client?: RegistryClient; registry?: RegistryClientOptions } = {}): ImageReader {
    const client = options.client ?? new RegistryClient(options.registry);
    const transports = new TransportSet(client);
    const s = transports.source(image);
    const ref = s.digest ?? s.tag ?? 'latest';
    return new ImageReader(image, s.transport, ref, { client: options.client ? undefined : client, transports });
  }

  /** The image manifest; an index is resolved to `platform` (default linux/amd64). */
  async manifest(options: { platform?: string; signal?: AbortSignal } = {}): Promise<ResolvedImage> {
    const top = await this.source.getManifest(this.ref, options.signal);
    const parsed = parseManifest(top.bytes, top.mediaType, this.image);
    if (parsed.kind === 'image') {
      return { image: this.image, digest: top.digest, topDigest: top.digest, mediaType: parsed.mediaType, config: parsed.config, layers: parsed.layers, bytes: top.bytes };
    }
    const wanted = parsePlatforms([options.platform ?? 'linux/amd64']);
    const d = parsed.manifests.find((m) => platformMatches(m.platform, wanted));
    if (!d) {
      throw new RegistryError('no-matching-platform', `${this.image} has no ${wanted[0].text} image (it has ${parsed.manifests.map((m) => platformString(m.platform)).join(', ')})`, { location: { image: this.image } });
    }
    const m = await this.source.getManifest(d.digest, options.signal);
    const child = parseManifest(m.bytes, m.mediaType, `${this.image}@${d.digest}`);
    if (child.kind !== 'image') throw new RegistryError('manifest-invalid', `${this.image}: nested index ${d.digest} is not supported here`, { location: { image: this.image } });
    return { image: this.image, digest: m.digest, indexDigest: top.digest, topDigest: top.digest, mediaType: child.mediaType, platform: d.platform, config: child.config, layers: child.layers, bytes: m.bytes };
  }

  /** The image config as JSON (capped at 8 MiB, verified). */
  async config<T = Record<string, unknown>>(resolved: ResolvedImage, signal?: AbortSignal): Promise<T> {
    const d = resolved.config;
    if (d.size > MAX_CONFIG_BYTES) throw new RegistryError('blob-too-large', `config of ${this.image} is ${d.size} bytes (limit ${MAX_CONFIG_BYTES})`, { location: { image: this.image, blob: d.digest } });
    const stream = await this.source.getBlob(d, { signal });
    const bytes = await readCapped(stream, MAX_CONFIG_BYTES, undefined, `config ${d.digest} of ${this.image}`);
    verifyBytes(bytes, d.digest, this.image);
    return JSON.parse(bytes.toString('utf8')) as T;
  }

  /** A blob's bytes (still compressed), verified while streaming. */
  async blob(desc: Descriptor, signal?: AbortSignal): Promise<Readable> {
    const raw = await this.source.getBlob(desc, { signal });
    return new VerifiedBlob(raw, { digest: desc.digest, size: desc.size, image: this.image });
  }

  async close(): Promise<void> {
    await this.owned.transports.close();
    await this.owned.client?.close();
  }
}
