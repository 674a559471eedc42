/**
 * An OCI image layout directory as a source and a destination (the air-gap disk format): `oci-layout`,
 * `index.json` (top-level manifests, tags in `org.opencontainers.image.ref.name`), `blobs/sha256/<hex>`.
 * Writes are resumable and safe to interrupt: every blob goes to a temp file and is renamed into place only after
 * its stream ended verified, index.json is replaced atomically, and a rerun skips blobs already present.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, writeFile, readdir } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { RegistryError } from '../../core/errors.js';
import { writeFileAtomic } from '../../core/atomic-write.js';
import { assertDigest, isDigest, sha256Digest, verifyBytes } from '../digest.js';
import { MAX_MANIFEST_BYTES, MEDIA_TYPES } from '../media-types.js';
import type { Descriptor, ImageDestination, ImageSource, ManifestBlob, ManifestHead } from '../types.js';

export const REF_NAME = 'org.opencontainers.image.ref.name';

/** Layout directory → blobs that count as present there although they are not (see withExternalBlobs). */
const externalBlobs = new Map<string, ReadonlySet<string>>();

/**
 * While `fn` runs, the layout at `dir` answers "present" for these blobs and child manifests without holding them.
 * This is how an incremental archive is written: what its base archives already carry is skipped by the copy
 * engine like a blob the destination has. Reads of such a blob still fail (it is not there).
 */
export async function withExternalBlobs<T>(dir: string, digests: ReadonlySet<string>, fn: () => Promise<T>): Promise<T> {
  const key = resolve(dir);
  if (externalBlobs.has(key)) throw new Error(`external blobs already declared for ${dir}`);
  externalBlobs.set(key, digests);
  try {
    return await fn();
  } finally {
    externalBlobs.delete(key);
  }
}

export interface OciIndex {
  schemaVersion: 2;
  mediaType?: string;
  manifests: Descriptor[];
  annotations?: Record<string, string>;
}

export class OciLayout implements ImageSource, ImageDestination {
  readonly description: string;
  readonly storeKey: string;
  readonly repository = '';
  private index: Promise<OciIndex> | undefined;
  private writeChain: Promise<void> = Promise.resolve();
  private initialized: Promise<void> | undefined;
  private existing: Promise<boolean> | undefined;

  constructor(readonly dir: string, private readonly options: { create?: boolean } = {}) {
    this.description = `oci:${dir}`;
    this.storeKey = `oci:${resolve(dir)}`;
  }

  blobPath(digest: string): string {
    assertDigest(digest, this.description);
    return join(this.dir, 'blobs', 'sha256', digest.slice(7));
  }

  /**
   * Reads never create anything: a destination layout that does not exist yet reads as empty, and the directory
   * is made by the first write (so a copy whose source cannot be read leaves no empty layout behind).
   */
  private async exists(): Promise<boolean> {
    this.existing ??= stat(join(this.dir, 'oci-layout')).then(
      () => true,
      () => false,
    );
    if (await this.existing) return true;
    if (!this.options.create) {
      throw new RegistryError('oci-layout-missing', `${this.dir} is not an OCI image layout (no oci-layout file)`, { hint: 'check the oci:DIR path, or write one first with mirror copy --to oci:DIR', location: { file: this.dir } });
    }
    return false;
  }

  /** Before a write: make the layout (oci-layout marker, blobs/sha256) when it is not there yet. */
  private async init(): Promise<void> {
    this.initialized ??= (async () => {
      if (!(await this.exists())) {
        await mkdir(join(this.dir, 'blobs', 'sha256'), { recursive: true });
        await writeFileAtomic(join(this.dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
        this.existing = Promise.resolve(true);
      } else {
        await mkdir(join(this.dir, 'blobs', 'sha256'), { recursive: true });
      }
    })();
    return this.initialized;
  }

  async readIndex(): Promise<OciIndex> {
    this.index ??= (async () => {
      if (!(await this.exists())) return { schemaVersion: 2, mediaType: MEDIA_TYPES.ociIndex, manifests: [] };
      try {
        const j = JSON.parse(await readFile(join(this.dir, 'index.json'), 'utf8')) as OciIndex;
        if (!Array.isArray(j.manifests)) throw new Error('no manifests array');
        return j;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { schemaVersion: 2, mediaType: MEDIA_TYPES.ociIndex, manifests: [] };
        throw new RegistryError('oci-layout-invalid', `${join(this.dir, 'index.json')} is not a valid OCI index: ${(e as Error).message}`, { location: { file: join(this.dir, 'index.json') }, cause: e });
      }
    })();
    return this.index;
  }

  /** The tags (ref names) in index.json. */
  async tags(): Promise<string[]> {
    return (await this.readIndex()).manifests.map((m) => m.annotations?.[REF_NAME]).filter((t): t is string => !!t);
  }

  /** The index.json descriptor for a tag or digest; a digest may also name any manifest blob. */
  private async resolve(ref: string): Promise<Descriptor | undefined> {
    const idx = await this.readIndex();
    if (isDigest(ref)) {
      const d = idx.manifests.find((m) => m.digest === ref);
      if (d) return d;
      try {
        const bytes = await this.readBlobCapped(ref);
        const mt = (JSON.parse(bytes.toString('utf8')) as { mediaType?: string; manifests?: unknown }).mediaType;
        return { digest: ref, size: bytes.length, mediaType: mt ?? MEDIA_TYPES.ociManifest };
      } catch {
        return undefined;
      }
    }
    const tagged = idx.manifests.filter((m) => m.annotations?.[REF_NAME] === ref);
    return tagged[tagged.length - 1];
  }

  private async readBlobCapped(digest: string): Promise<Buffer> {
    const p = this.blobPath(digest);
    const st = await stat(p);
    if (st.size > MAX_MANIFEST_BYTES) throw new RegistryError('manifest-too-large', `manifest ${digest} in ${this.dir} is larger than ${MAX_MANIFEST_BYTES} bytes`, { location: { file: p } });
    return readFile(p);
  }

  async headManifest(ref: string): Promise<ManifestHead | undefined> {
    if (isDigest(ref) && externalBlobs.get(resolve(this.dir))?.has(ref)) return { digest: ref, mediaType: MEDIA_TYPES.ociManifest };
    const d = await this.resolve(ref);
    if (!d) return undefined;
    // A descriptor in index.json is only a claim until its blob is there (an interrupted copy).
    try {
      const st = await stat(this.blobPath(d.digest));
      if (st.size !== d.size) return undefined;
    } catch {
      return undefined;
    }
    return { digest: d.digest, mediaType: d.mediaType, size: d.size };
  }

  async getManifest(ref: string): Promise<ManifestBlob> {
    const d = await this.resolve(ref);
    if (!d) {
      const tags = await this.tags();
      throw new RegistryError('manifest-unknown', `${this.description}: no image ${JSON.stringify(ref)}`, {
        hint: tags.length ? `the layout has: ${tags.slice(0, 10).join(', ')}${tags.length > 10 ? ', ...' : ''}` : 'the layout is empty',
        location: { file: this.dir, image: `${this.description}:${ref}` },
      });
    }
    let bytes: Buffer;
    try {
      bytes = await this.readBlobCapped(d.digest);
    } catch (e) {
      if (e instanceof RegistryError) throw e;
      throw new RegistryError('blob-missing', `${this.description}: manifest ${d.digest} of ${ref} is missing`, { hint: 'the layout is incomplete; copy the image into it again', location: { file: this.dir, blob: d.digest }, cause: e });
    }
    verifyBytes(bytes, d.digest, `${this.description}:${ref}`);
    let mediaType = d.mediaType;
    try {
      const mt = (JSON.parse(bytes.toString('utf8')) as { mediaType?: unknown }).mediaType;
      if (typeof mt === 'string') mediaType = mt;
    } catch {
      // reported by parseManifest
    }
    return { bytes, mediaType, digest: d.digest };
  }

  async getBlob(desc: Descriptor): Promise<Readable> {
    const p = this.blobPath(desc.digest);
    try {
      await stat(p);
    } catch (e) {
      throw new RegistryError('blob-missing', `${this.description}: blob ${desc.digest} is missing`, { hint: 'the layout is incomplete; copy the image into it again', location: { file: this.dir, blob: desc.digest }, cause: e });
    }
    return createReadStream(p, { highWaterMark: 1 << 20 });
  }

  async hasBlob(desc: Descriptor): Promise<boolean> {
    if (externalBlobs.get(resolve(this.dir))?.has(desc.digest)) return true;
    if (!(await this.exists())) return false;
    try {
      return (await stat(this.blobPath(desc.digest))).size === desc.size;
    } catch {
      return false;
    }
  }

  async putBlob(desc: Descriptor, data: Readable): Promise<void> {
    await this.init();
    const final = this.blobPath(desc.digest);
    const tmp = join(this.dir, 'blobs', 'sha256', `.tmp-${desc.digest.slice(7, 19)}-${randomBytes(4).toString('hex')}`);
    try {
      await pipeline(data, createWriteStream(tmp, { mode: 0o644 }));
      await rename(tmp, final);
    } catch (e) {
      await rm(tmp, { force: true });
      throw writeError(e, final);
    }
  }

  async putManifest(ref: string, manifest: ManifestBlob, options: { child?: boolean } = {}): Promise<void> {
    await this.init();
    if (sha256Digest(manifest.bytes) !== manifest.digest) verifyBytes(manifest.bytes, manifest.digest, this.description);
    const final = this.blobPath(manifest.digest);
    await writeFileAtomic(final, manifest.bytes, { fsync: false }).catch((e: unknown) => {
      throw writeError(e, final);
    });
    if (options.child) return;
    const entry: Descriptor = { mediaType: manifest.mediaType, digest: manifest.digest, size: manifest.bytes.length };
    if (!isDigest(ref)) entry.annotations = { [REF_NAME]: ref };
    // Serialise read-modify-write of index.json within this process; the file itself is replaced atomically.
    const job = this.writeChain.then(async () => {
      const idx = await this.readIndex();
      idx.manifests = idx.manifests.filter((m) =>
        isDigest(ref) ? !(m.digest === ref && !m.annotations?.[REF_NAME]) : m.annotations?.[REF_NAME] !== ref,
      );
      idx.manifests.push(entry);
      const file = join(this.dir, 'index.json');
      await writeFileAtomic(file, JSON.stringify(idx, null, 1)).catch((e: unknown) => {
        throw writeError(e, file);
      });
    });
    this.writeChain = job.catch(() => undefined);
    await job;
  }

  /** Remove temp files left by an interrupted run (they are never read; this only reclaims space). */
  async cleanTemp(): Promise<number> {
    const dir = join(this.dir, 'blobs', 'sha256');
    let n = 0;
    for (const f of await readdir(dir).catch(() => [] as string[])) {
      if (f.startsWith('.tmp-')) {
        await rm(join(dir, f), { force: true });
        n++;
      }
    }
    return n;
  }

  async close(): Promise<void> {
    await this.writeChain;
  }
}

/** System calls of the writing side: a source socket's error (syscall "read") is not the layout's. */
const WRITE_SYSCALLS = new Set(['open', 'write', 'writev', 'close', 'fsync', 'fdatasync', 'rename', 'mkdir', 'chmod']);

/**
 * A file-system failure while writing the layout, naming the file (Node's own messages do not: "ENOSPC: no space
 * left on device, write"). Other errors (a digest mismatch or a read error of the incoming stream) pass unchanged.
 */
function writeError(e: unknown, file: string): unknown {
  const fsErr = e as NodeJS.ErrnoException | undefined;
  if (!fsErr?.syscall || !fsErr.code || !WRITE_SYSCALLS.has(fsErr.syscall)) return e;
  const full = fsErr.code === 'ENOSPC' || fsErr.code === 'EDQUOT';
  return new RegistryError(full ? 'disk-full' : 'layout-write-failed', `cannot write ${file}: ${fsErr.message}`, {
    hint: full ? `free space where ${dirname(file)} is, or use a bigger disk, then run again (what was written is kept)` : 'check the folder exists and is writable',
    location: { file },
    cause: e,
  });
}

/** Write a minimal index.json (used by tests and by archive extraction). */
export async function writeIndex(dir: string, index: OciIndex): Promise<void> {
  await writeFile(join(dir, 'index.json'), JSON.stringify(index, null, 1));
}
