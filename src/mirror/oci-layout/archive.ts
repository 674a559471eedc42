/**
 * A tar of an OCI image layout (what is carried into an air-gapped site). Reading: the tar's headers are scanned
 * once (no body is read) and blobs are streamed straight from their byte ranges, so a 50 GB archive is used in
 * place. Writing: images are copied into a sibling layout directory (`FILE.layout/`, resumable), packed into
 * FILE (temp + rename) on close, and the directory removed. `extractArchive` unpacks with every blob verified.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { open, readdir, rename, rm, stat, mkdir, readFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { dirname, join, basename } from 'node:path';
import { once } from 'node:events';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { RegistryError } from '../../core/errors.js';
import { isDigest, verifyBytes, assertDigest } from '../digest.js';
import { VerifiedBlob } from '../verified-blob.js';
import { MAX_MANIFEST_BYTES, MEDIA_TYPES } from '../media-types.js';
import type { Descriptor, ImageSource, ManifestBlob, ManifestHead } from '../types.js';
import { OciLayout, REF_NAME, type OciIndex } from './layout.js';

interface TarEntry {
  offset: number;
  size: number;
}

function parseOctal(buf: Buffer): number {
  if (buf[0] & 0x80) {
    // GNU base-256 for sizes ≥ 8 GiB
    let v = 0;
    for (let i = 1; i < buf.length; i++) v = v * 256 + buf[i];
    return v;
  }
  const s = buf.toString('latin1').replace(/\0.*$/s, '').trim();
  return s ? parseInt(s, 8) : 0;
}

function cstr(buf: Buffer): string {
  const z = buf.indexOf(0);
  return buf.subarray(0, z < 0 ? buf.length : z).toString('utf8');
}

/** Map of entry name → byte range, from the headers only (ustar, pax `path`/`size`, GNU long names). */
export async function scanTar(file: string): Promise<Map<string, TarEntry>> {
  const fh = await open(file, 'r');
  const out = new Map<string, TarEntry>();
  try {
    const size = (await fh.stat()).size;
    const hdr = Buffer.alloc(512);
    let pos = 0;
    let paxPath: string | undefined;
    let paxSize: number | undefined;
    let longName: string | undefined;
    while (pos + 512 <= size) {
      await fh.read(hdr, 0, 512, pos);
      if (hdr.every((b) => b === 0)) break;
      const type = String.fromCharCode(hdr[156] || 48);
      let entrySize = parseOctal(hdr.subarray(124, 136));
      const dataStart = pos + 512;
      if (type === 'x' || type === 'L') {
        const data = Buffer.alloc(entrySize);
        await fh.read(data, 0, entrySize, dataStart);
        if (type === 'L') longName = cstr(data);
        else {
          for (const rec of data.toString('utf8').split('\n')) {
            const m = /^\d+ ([^=]+)=(.*)$/s.exec(rec);
            if (m?.[1] === 'path') paxPath = m[2];
            if (m?.[1] === 'size') paxSize = Number(m[2]);
          }
        }
      } else {
        if (paxSize !== undefined) entrySize = paxSize;
        const prefix = hdr.subarray(257, 263).toString('latin1').startsWith('ustar') ? cstr(hdr.subarray(345, 500)) : '';
        const name = paxPath ?? longName ?? (prefix ? `${prefix}/${cstr(hdr.subarray(0, 100))}` : cstr(hdr.subarray(0, 100)));
        if (type === '0' || type === '\0' || type === '7') out.set(name.replace(/^\.\//, ''), { offset: dataStart, size: entrySize });
        paxPath = undefined;
        paxSize = undefined;
        longName = undefined;
      }
      pos = dataStart + Math.ceil(entrySize / 512) * 512;
    }
  } finally {
    await fh.close();
  }
  return out;
}

/** One file of a tar (by its entry name), or undefined when the tar has none; larger than `max` is an error. */
export async function readTarEntry(file: string, name: string, max: number): Promise<Buffer | undefined> {
  const e = (await scanTar(file)).get(name);
  if (!e) return undefined;
  if (e.size > max) throw new RegistryError('entry-too-large', `${file}: ${name} is larger than ${max} bytes`, { location: { file } });
  const fh = await open(file, 'r');
  try {
    const b = Buffer.alloc(e.size);
    await fh.read(b, 0, e.size, e.offset);
    return b;
  } finally {
    await fh.close();
  }
}

export class OciArchiveSource implements ImageSource {
  readonly description: string;
  private entries: Promise<Map<string, TarEntry>> | undefined;
  private index: Promise<OciIndex> | undefined;

  constructor(readonly file: string) {
    this.description = `oci-archive:${file}`;
  }

  private scan(): Promise<Map<string, TarEntry>> {
    this.entries ??= scanTar(this.file).catch((e) => {
      throw new RegistryError('oci-archive-invalid', `cannot read ${this.file} as a tar of an OCI layout: ${(e as Error).message}`, { location: { file: this.file }, cause: e });
    });
    return this.entries;
  }

  private async readEntry(name: string, max: number): Promise<Buffer | undefined> {
    const e = (await this.scan()).get(name);
    if (!e) return undefined;
    if (e.size > max) throw new RegistryError('manifest-too-large', `${this.file}: ${name} is larger than ${max} bytes`, { location: { file: this.file } });
    const fh = await open(this.file, 'r');
    try {
      const b = Buffer.alloc(e.size);
      await fh.read(b, 0, e.size, e.offset);
      return b;
    } finally {
      await fh.close();
    }
  }

  private readIndex(): Promise<OciIndex> {
    this.index ??= (async () => {
      const b = await this.readEntry('index.json', MAX_MANIFEST_BYTES);
      if (!b) throw new RegistryError('oci-archive-invalid', `${this.file} has no index.json`, { hint: 'the archive must be a tar of an OCI image layout', location: { file: this.file } });
      return JSON.parse(b.toString('utf8')) as OciIndex;
    })();
    return this.index;
  }

  async tags(): Promise<string[]> {
    return (await this.readIndex()).manifests.map((m) => m.annotations?.[REF_NAME]).filter((t): t is string => !!t);
  }

  private async resolve(ref: string): Promise<Descriptor | undefined> {
    const idx = await this.readIndex();
    if (isDigest(ref)) {
      const d = idx.manifests.find((m) => m.digest === ref);
      if (d) return d;
      const e = (await this.scan()).get(`blobs/sha256/${ref.slice(7)}`);
      return e ? { digest: ref, size: e.size, mediaType: MEDIA_TYPES.ociManifest } : undefined;
    }
    const tagged = idx.manifests.filter((m) => m.annotations?.[REF_NAME] === ref);
    return tagged[tagged.length - 1];
  }

  async headManifest(ref: string): Promise<ManifestHead | undefined> {
    const d = await this.resolve(ref);
    return d ? { digest: d.digest, mediaType: d.mediaType, size: d.size } : undefined;
  }

  async getManifest(ref: string): Promise<ManifestBlob> {
    const d = await this.resolve(ref);
    const bytes = d ? await this.readEntry(`blobs/sha256/${d.digest.slice(7)}`, MAX_MANIFEST_BYTES) : undefined;
    if (!d || !bytes) throw new RegistryError('manifest-unknown', `${this.description}: no image ${JSON.stringify(ref)}`, { location: { file: this.file } });
    verifyBytes(bytes, d.digest, `${this.description}:${ref}`);
    let mediaType = d.mediaType;
    const mt = (JSON.parse(bytes.toString('utf8')) as { mediaType?: unknown }).mediaType;
    if (typeof mt === 'string') mediaType = mt;
    return { bytes, mediaType, digest: d.digest };
  }

  async getBlob(desc: Descriptor): Promise<Readable> {
    assertDigest(desc.digest, this.description);
    const e = (await this.scan()).get(`blobs/sha256/${desc.digest.slice(7)}`);
    if (!e) throw new RegistryError('blob-missing', `${this.description}: blob ${desc.digest} is missing`, { location: { file: this.file, blob: desc.digest } });
    if (e.size === 0) return createReadStream(this.file, { start: 1, end: 0 });
    return createReadStream(this.file, { start: e.offset, end: e.offset + e.size - 1, highWaterMark: 1 << 20 });
  }

  /** Whether the tar holds a blob (an incremental archive does not hold what its base carried). */
  async hasBlob(desc: Descriptor): Promise<boolean> {
    assertDigest(desc.digest, this.description);
    return (await this.scan()).get(`blobs/sha256/${desc.digest.slice(7)}`)?.size === desc.size;
  }

  async close(): Promise<void> {
    // nothing held open between reads
  }
}

/**
 * Pack a layout directory into a tar file (atomically: temp + rename). Temp files of interrupted copies are
 * skipped. `extraFiles`: other files of the directory to carry (e.g. an archive's refs.json), after index.json.
 */
export async function packLayout(dir: string, file: string, extraFiles: string[] = []): Promise<void> {
  const { pack: tarPack } = await import('tar-stream');
  const pack = tarPack();
  const tmp = join(dirname(file), `.${basename(file)}.${randomBytes(4).toString('hex')}.tmp`);
  const out = pipeline(pack, createWriteStream(tmp));
  const mtime = new Date(0);
  const addFile = async (name: string, path: string): Promise<void> => {
    const st = await stat(path);
    const entry = pack.entry({ name, size: st.size, mtime, mode: 0o644, uid: 0, gid: 0 });
    const src = createReadStream(path, { highWaterMark: 1 << 20 });
    for await (const chunk of src) {
      if (!entry.write(chunk)) await once(entry, 'drain');
    }
    await new Promise<void>((resolve, reject) => {
      entry.once('error', reject);
      entry.end(() => resolve());
    });
  };
  try {
    await addFile('oci-layout', join(dir, 'oci-layout'));
    await addFile('index.json', join(dir, 'index.json'));
    for (const f of extraFiles) await addFile(f, join(dir, f));
    const blobs = (await readdir(join(dir, 'blobs', 'sha256'))).filter((f) => /^[a-f0-9]{64}$/.test(f)).sort();
    for (const b of blobs) await addFile(`blobs/sha256/${b}`, join(dir, 'blobs', 'sha256', b));
    pack.finalize();
    await out;
    await rename(tmp, file);
  } catch (e) {
    pack.destroy();
    await out.catch(() => undefined);
    await rm(tmp, { force: true });
    throw e;
  }
}

/** Unpack an archive into a layout directory; every blob is verified against its name before it is kept. */
export async function extractArchive(file: string, dir: string): Promise<void> {
  const entries = await scanTar(file);
  await mkdir(join(dir, 'blobs', 'sha256'), { recursive: true });
  for (const [name, e] of entries) {
    let target: string;
    if (name === 'oci-layout' || name === 'index.json') target = join(dir, name);
    else if (/^blobs\/sha256\/[a-f0-9]{64}$/.test(name)) target = join(dir, name);
    else continue; // anything else (or a path escaping the layout) is ignored
    const exists = await stat(target).then((s) => s.size === e.size, () => false);
    if (exists && name.startsWith('blobs/')) continue; // resumable: verified when it was written
    const tmp = `${target}.${randomBytes(4).toString('hex')}.tmp`;
    const src = e.size === 0 ? createReadStream(file, { start: 1, end: 0 }) : createReadStream(file, { start: e.offset, end: e.offset + e.size - 1 });
    try {
      if (name.startsWith('blobs/')) {
        await pipeline(new VerifiedBlob(src, { digest: `sha256:${name.slice(13)}`, size: e.size, image: file }), createWriteStream(tmp));
      } else {
        await pipeline(src, createWriteStream(tmp));
      }
      await rename(tmp, target);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
  }
}

/** Destination: a resumable layout directory next to the archive, packed into the archive on close. */
export class OciArchiveDestination extends OciLayout {
  constructor(readonly file: string) {
    super(`${file}.layout`, { create: true });
    Object.defineProperty(this, 'description', { value: `oci-archive:${file}` });
  }

  override async close(): Promise<void> {
    await super.close();
    const has = await readFile(join(this.dir, 'oci-layout')).then(() => true, () => false);
    if (!has) return;
    await packLayout(this.dir, this.file);
    await rm(this.dir, { recursive: true, force: true });
  }
}

