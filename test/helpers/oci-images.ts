/**
 * Synthetic container images for tests and benchmarks, deterministic from a seed: writes an OCI image layout
 * (oci-layout, index.json with `org.opencontainers.image.ref.name` tags, blobs/sha256/...) with real gzip'd tar
 * layers (test/helpers/tar.ts), configs whose rootfs.diff_ids match, image manifests, multi-arch indexes, and
 * Docker schema 2 variants (manifest + manifest list). Layers that share a `key` are the same blob everywhere (shared layers). Bytes come
 * from AES-CTR keyed by the seed, so big layers are generated as fast as gzip can swallow them and streamed to
 * disk (never held in memory).
 */
import { createCipheriv, createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, writeFile, stat, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { MT, formatMediaTypes, imageConfigBytes, imageManifestJson, sha256 } from './image-json.js';
import { TAR_END, tarBuffer, tarHeader, tarPadding } from './tar.js';

export { MT };

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: Platform;
  annotations?: Record<string, string>;
}

/** A layer: `size` random bytes in one file, or the given files. Same `key` (and content) → same blob. */
export type LayerSpec = { size: number; key?: string } | { files: Record<string, string | Buffer>; key?: string };

export interface ImageSpec {
  tag: string;
  /** Default 'oci'. */
  format?: 'oci' | 'docker';
  /** One platform → a plain manifest; several → an index / manifest list. Default linux/amd64. */
  platforms?: Platform[];
  /** Layers, or a function giving the layers of one platform (keys should then include the arch). */
  layers: LayerSpec[] | ((p: Platform) => LayerSpec[]);
  /** Image config fields (Labels, Cmd, Entrypoint, Env, ...). */
  config?: Record<string, unknown>;
}

export interface GeneratedManifest {
  platform: Platform;
  digest: string;
  mediaType: string;
  size: number;
  config: Descriptor;
  layers: Descriptor[];
}

export interface GeneratedImage {
  tag: string;
  /** Digest of the top object (manifest, or index when multi-arch). */
  digest: string;
  mediaType: string;
  size: number;
  manifests: GeneratedManifest[];
  /** Every blob digest (configs + layers) this image references. */
  blobs: string[];
}

export interface GeneratedLayout {
  dir: string;
  images: GeneratedImage[];
  /** Sum of the sizes of distinct blobs (configs + layers) in the layout. */
  blobBytes: number;
  blobCount: number;
}

export interface WriteLayoutOptions {
  seed: string;
  images: ImageSpec[];
  /** gzip level for layers (default 1; 0 = stored, fastest for big benchmarks). */
  gzipLevel?: number;
}

const LINUX_AMD64: Platform = { os: 'linux', architecture: 'amd64' };

/** Deterministic byte stream: AES-128-CTR over zeros with a key derived from (seed, label). */
export function seededBytes(seed: string, label: string): (n: number) => Buffer {
  const k = createHash('sha256').update(`${seed}\0${label}`).digest();
  const cipher = createCipheriv('aes-128-ctr', k.subarray(0, 16), k.subarray(16, 32));
  return (n) => cipher.update(Buffer.alloc(n));
}

/** A small deterministic PRNG (mulberry32) for choices. */
export function seededRandom(seed: string): () => number {
  let a = createHash('sha256').update(seed).digest().readUInt32LE(0);
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class HashTap extends Transform {
  readonly hash = createHash('sha256');
  bytes = 0;
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    cb(null, chunk);
  }
}

async function writeBlobBytes(dir: string, bytes: Buffer): Promise<string> {
  const digest = sha256(bytes);
  const path = join(dir, 'blobs', 'sha256', digest.slice(7));
  await writeFile(path, bytes);
  return digest;
}

let tmpCounter = 0;

/** The tar stream of a layer: the given files, or one file of `size` seeded bytes generated as it is read. */
async function* layerTar(seed: string, spec: LayerSpec, label: string): AsyncGenerator<Buffer> {
  if ('files' in spec) {
    yield tarBuffer(Object.entries(spec.files).map(([name, content]) => ({ name, content: Buffer.from(content) })));
    return;
  }
  const gen = seededBytes(seed, `layer:${label}`);
  yield tarHeader({ name: `data/${label.replace(/[^\w.-]/g, '_')}.bin` }, spec.size);
  for (let left = spec.size; left > 0; ) {
    const n = Math.min(left, 1 << 20);
    left -= n;
    yield gen(n);
  }
  yield tarPadding(spec.size);
  yield TAR_END;
}

/** Stream one gzip'd tar layer to blobs/, returning (digest, size, diffId). */
async function writeLayer(dir: string, seed: string, spec: LayerSpec, label: string, gzipLevel: number): Promise<{ digest: string; size: number; diffId: string }> {
  const diffTap = new HashTap();
  const blobTap = new HashTap();
  const tmp = join(dir, 'blobs', 'sha256', `.tmp-${process.pid}-${tmpCounter++}`);
  await pipeline(Readable.from(layerTar(seed, spec, label)), diffTap, createGzip({ level: gzipLevel }), blobTap, createWriteStream(tmp));
  const digest = `sha256:${blobTap.hash.digest('hex')}`;
  await rename(tmp, join(dir, 'blobs', 'sha256', digest.slice(7)));
  return { digest, size: blobTap.bytes, diffId: `sha256:${diffTap.hash.digest('hex')}` };
}

function platformKey(p: Platform): string {
  return [p.os, p.architecture, p.variant].filter(Boolean).join('/');
}

/**
 * Write an OCI image layout with the given images. Re-running with the same seed and specs gives byte-identical
 * blobs and digests.
 */
export async function writeOciLayout(dir: string, options: WriteLayoutOptions): Promise<GeneratedLayout> {
  const gzipLevel = options.gzipLevel ?? 1;
  await mkdir(join(dir, 'blobs', 'sha256'), { recursive: true });
  await writeFile(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  const layerCache = new Map<string, Promise<{ digest: string; size: number; diffId: string }>>();
  const blobSizes = new Map<string, number>();
  const images: GeneratedImage[] = [];
  const indexEntries: Descriptor[] = [];

  for (const spec of options.images) {
    const format = spec.format ?? 'oci';
    const types = formatMediaTypes(format);
    const platforms = spec.platforms ?? [LINUX_AMD64];
    const manifests: GeneratedManifest[] = [];
    for (const platform of platforms) {
      const layerSpecs = typeof spec.layers === 'function' ? spec.layers(platform) : spec.layers;
      const layers: Descriptor[] = [];
      const diffIds: string[] = [];
      for (let i = 0; i < layerSpecs.length; i++) {
        const ls = layerSpecs[i];
        const label = ls.key ?? `${spec.tag}/${platformKey(platform)}/${i}`;
        const cacheKey = `${label}\0${'files' in ls ? sha256(JSON.stringify(Object.entries(ls.files).map(([k, v]) => [k, Buffer.from(v).toString('base64')]))) : ls.size}`;
        let p = layerCache.get(cacheKey);
        if (!p) {
          p = writeLayer(dir, options.seed, ls, label, gzipLevel);
          layerCache.set(cacheKey, p);
        }
        const l = await p;
        blobSizes.set(l.digest, l.size);
        layers.push({ mediaType: types.layer, digest: l.digest, size: l.size });
        diffIds.push(l.diffId);
      }
      const configBytes = imageConfigBytes({ ...platform, config: { Labels: { 'dci.test/tag': spec.tag }, ...(spec.config ?? {}) }, diffIds, createdBy: 'synthetic layer' });
      const configDigest = await writeBlobBytes(dir, configBytes);
      blobSizes.set(configDigest, configBytes.length);
      const configDesc: Descriptor = { mediaType: types.config, digest: configDigest, size: configBytes.length };
      const manifest = imageManifestJson(format, configDesc, layers);
      const mBytes = Buffer.from(JSON.stringify(manifest));
      const mDigest = await writeBlobBytes(dir, mBytes);
      manifests.push({ platform, digest: mDigest, mediaType: manifest.mediaType, size: mBytes.length, config: configDesc, layers });
    }
    let top: Descriptor;
    if (manifests.length === 1) {
      top = { mediaType: manifests[0].mediaType, digest: manifests[0].digest, size: manifests[0].size };
    } else {
      const index = {
        schemaVersion: 2,
        mediaType: types.index,
        manifests: manifests.map((m) => ({ mediaType: m.mediaType, digest: m.digest, size: m.size, platform: m.platform })),
      };
      const iBytes = Buffer.from(JSON.stringify(index));
      top = { mediaType: index.mediaType, digest: await writeBlobBytes(dir, iBytes), size: iBytes.length };
    }
    indexEntries.push({ ...top, annotations: { 'org.opencontainers.image.ref.name': spec.tag } });
    const blobs = [...new Set(manifests.flatMap((m) => [m.config.digest, ...m.layers.map((l) => l.digest)]))];
    images.push({ tag: spec.tag, digest: top.digest, mediaType: top.mediaType, size: top.size, manifests, blobs });
  }
  await writeFile(join(dir, 'index.json'), JSON.stringify({ schemaVersion: 2, mediaType: MT.ociIndex, manifests: indexEntries }, null, 1));
  let blobBytes = 0;
  for (const s of blobSizes.values()) blobBytes += s;
  return { dir, images, blobBytes, blobCount: blobSizes.size };
}

export interface ImageSetOptions {
  count: number;
  layersMin?: number;
  layersMax?: number;
  /** Fraction of layer slots that use a shared layer (default 0.4). */
  sharedRatio?: number;
  /** Approximate total bytes of distinct layers (default 8 MiB). */
  totalBytes?: number;
  /** Every Nth image is a 2-arch index (amd64 + arm64); 0 = never (default 5). */
  multiArchEvery?: number;
  /** Every Nth image uses Docker schema 2 media types; 0 = never (default 3). */
  dockerEvery?: number;
  tagPrefix?: string;
  seed: string;
}

/** Specs for a set of images with shared layers (the benchmark workload and the mirror tests' fixtures). */
export function imageSetSpecs(o: ImageSetOptions): ImageSpec[] {
  const rnd = seededRandom(`${o.seed}:specs`);
  const lmin = o.layersMin ?? 3;
  const lmax = o.layersMax ?? 8;
  const shared = o.sharedRatio ?? 0.4;
  const multiEvery = o.multiArchEvery ?? 5;
  const dockerEvery = o.dockerEvery ?? 3;
  const prefix = o.tagPrefix ?? 'img-';
  const avgLayers = (lmin + lmax) / 2;
  const multiShare = multiEvery > 0 ? 1 / multiEvery : 0;
  const manifestsPerImage = 1 + multiShare;
  const slots = o.count * avgLayers * manifestsPerImage;
  const sharedPool = Math.max(2, Math.round((slots * shared) / 8));
  const distinct = slots * (1 - shared) + sharedPool;
  const avgSize = Math.max(256, Math.floor((o.totalBytes ?? 8 << 20) / distinct));
  const sizeOf = (): number => Math.max(64, Math.floor(avgSize * (0.5 + rnd())));
  const poolSizes = Array.from({ length: sharedPool }, sizeOf);
  const specs: ImageSpec[] = [];
  for (let i = 0; i < o.count; i++) {
    const n = lmin + Math.floor(rnd() * (lmax - lmin + 1));
    const plan: Array<{ shared: number } | { size: number }> = [];
    for (let j = 0; j < n; j++) plan.push(rnd() < shared ? { shared: Math.floor(rnd() * sharedPool) } : { size: sizeOf() });
    const multi = multiEvery > 0 && i % multiEvery === 0;
    const platforms: Platform[] = multi ? [LINUX_AMD64, { os: 'linux', architecture: 'arm64' }] : [LINUX_AMD64];
    const tag = `${prefix}${String(i).padStart(3, '0')}`;
    specs.push({
      tag,
      format: dockerEvery > 0 && i % dockerEvery === 1 ? 'docker' : 'oci',
      platforms,
      layers: (p) =>
        plan.map((l, j) =>
          'shared' in l
            ? { key: `shared-${l.shared}-${p.architecture}`, size: poolSizes[l.shared] }
            : { key: `${tag}-${p.architecture}-${j}`, size: l.size },
        ),
    });
  }
  return specs;
}

/** Read back the tags of a layout's index.json. */
export async function layoutTags(dir: string): Promise<string[]> {
  const index = JSON.parse(await readFile(join(dir, 'index.json'), 'utf8')) as { manifests: Descriptor[] };
  return index.manifests.map((m) => m.annotations?.['org.opencontainers.image.ref.name']).filter((t): t is string => !!t);
}

export interface PushTarget {
  /** host:port of the registry. */
  host: string;
  /** Repository to push to; tags are kept. Default: the tag's own name under `test/`. */
  repository: string;
  caFile?: string;
  authFile?: string;
  /** Plain-HTTP registry (default: true unless caFile is given, i.e. the `plain` and `token` test registries). */
  plainHttp?: boolean;
}

/**
 * Push every tag of a layout (or the given tags) to a registry with the project's own mirror engine (digests
 * preserved; Docker-format images too, which skopeo's oci transport cannot read).
 */
export async function pushLayout(dir: string, target: PushTarget, tags?: string[]): Promise<void> {
  const list = tags ?? (await layoutTags(dir));
  const { copyImages } = await import('../../src/mirror/index.js');
  const report = await copyImages(
    list.map((t) => ({ source: `oci:${dir}:${t}`, destination: `docker://${target.host}/${target.repository}:${t}` })),
    {
      registry: {
        authFile: target.authFile,
        caFiles: target.caFile ? { [target.host]: target.caFile } : undefined,
        plainHttp: (target.plainHttp ?? !target.caFile) ? [target.host] : undefined,
      },
    },
  );
  if (report.failures.length > 0) throw new Error(`pushLayout failed: ${report.failures.map((f) => `${f.source}: ${f.message}`).join('; ')}`);
}

/** Total size of a file tree's blobs directory (for benchmarks). */
export async function blobFileSize(dir: string, digest: string): Promise<number> {
  return (await stat(join(dir, 'blobs', 'sha256', digest.slice(7)))).size;
}
