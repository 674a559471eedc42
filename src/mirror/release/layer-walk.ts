/**
 * Walk one image layer (tar, optionally gzip'd) as a stream, refusing what would be unsafe to act on:
 *  - entry names that are absolute or contain a `..` segment;
 *  - hard links whose target is absolute or climbs out; symbolic links whose relative target climbs above the
 *    layer root (absolute targets are root-relative inside a container and are never followed here);
 *  - decompression bombs: an entry whose header announces more than the remaining byte budget is refused from
 *    its header alone (nothing read), and decompressed bytes are counted against the budget as they flow.
 * Nothing is written to disk: wanted files are handed over as buffers (each capped at `maxFileBytes`).
 * Every refusal is a PayloadError naming the image, the layer digest and the entry.
 */
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { DciError, PayloadError } from '../../core/errors.js';

export interface LayerLimits {
  /** Largest wanted file handed over (bytes). */
  maxFileBytes: number;
  /** Largest total of decompressed bytes read from one layer. */
  maxLayerBytes: number;
}

export const DEFAULT_LAYER_LIMITS: LayerLimits = { maxFileBytes: 64 << 20, maxLayerBytes: 1 << 30 };

export type LayerEntryType = 'file' | 'directory' | 'symlink' | 'link' | 'other';

export interface LayerEntry {
  /** Normalised path inside the layer: no leading `./` or `/`, no trailing `/`. */
  path: string;
  type: LayerEntryType;
  size: number;
  mode: number;
  /** Link target as stored (symlink: as written; hard link: normalised layer path). */
  linkTarget?: string;
}

export interface WalkLayerOptions {
  /** For messages: the image reference and the layer digest. */
  image: string;
  layer: string;
  limits?: Partial<LayerLimits>;
  /** Return true to receive the content of this regular file through `onFile`. */
  want?: (entry: LayerEntry) => boolean;
  onFile?: (entry: LayerEntry, content: Buffer) => void;
  /** Every entry (after the safety checks), wanted or not. */
  onEntry?: (entry: LayerEntry) => void;
  /** Checked after each entry: true stops reading the layer. */
  done?: () => boolean;
}

export interface WalkLayerResult {
  entries: number;
  bytesRead: number;
  /** True when `done()` stopped the walk before the end of the layer. */
  stoppedEarly: boolean;
}

function unsafe(o: WalkLayerOptions, entry: string, why: string, code = 'unsafe-layer-entry'): PayloadError {
  return new PayloadError(code, `${o.image}: layer ${o.layer}: entry "${entry}" ${why}`, {
    hint: 'this image was not built by a trusted tool; refusing to read it (nothing was written)',
    location: { image: o.image, blob: o.layer },
  });
}

/** Normalise a tar path; undefined when it is unsafe (absolute, `..`, NUL). */
export function normaliseLayerPath(name: string): string | undefined {
  if (name.includes('\0')) return undefined;
  if (name.startsWith('/')) return undefined;
  const parts = name.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.some((p) => p === '..')) return undefined;
  return parts.join('/');
}

/** True when a symlink at `path` with target `target` resolves above the layer root. */
export function symlinkEscapes(path: string, target: string): boolean {
  if (target.startsWith('/')) return false; // root-relative in a container; clamped at "/"
  const stack = path.split('/').slice(0, -1);
  for (const seg of target.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (stack.length === 0) return true;
      stack.pop();
    } else stack.push(seg);
  }
  return false;
}

class ByteBudget extends Transform {
  bytes = 0;
  constructor(
    private readonly limit: number,
    private readonly onOver: () => Error,
  ) {
    super();
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.limit) cb(this.onOver());
    else cb(null, chunk);
  }
}

/** Passes bytes through, gunzipping when the stream starts with the gzip magic. */
async function* maybeGunzip(source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  const it = source[Symbol.asyncIterator]();
  const first = await it.next();
  if (first.done) return;
  const head = first.value;
  const rest = (async function* () {
    yield head;
    for (;;) {
      const n = await it.next();
      if (n.done) return;
      yield n.value;
    }
  })();
  if (head.length >= 4 && head.readUInt32LE(0) === 0xfd2fb528) {
    throw new Error('zstd-compressed layers are not supported (only tar and tar+gzip)');
  }
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) {
    const gunzip = createGunzip();
    const feed = pipeline(rest, gunzip).catch((e: unknown) => {
      gunzip.destroy(e as Error);
    });
    try {
      for await (const chunk of gunzip) yield chunk as Buffer;
    } finally {
      await feed;
    }
  } else {
    yield* rest;
  }
}

export async function walkLayer(source: Readable | AsyncIterable<Buffer>, options: WalkLayerOptions): Promise<WalkLayerResult> {
  const { extract: tarExtract } = await import('tar-stream');
  const limits: LayerLimits = { ...DEFAULT_LAYER_LIMITS, ...options.limits };
  let budgetError: PayloadError | undefined;
  const budget = new ByteBudget(limits.maxLayerBytes, () => {
    budgetError ??= unsafe(options, '(whole layer)', `decompresses to more than ${limits.maxLayerBytes} bytes (decompression limit)`, 'layer-too-large');
    return budgetError;
  });
  const extract = tarExtract();
  let failure: unknown;
  let stoppedEarly = false;
  const feeding = pipeline(maybeGunzip(source as AsyncIterable<Buffer>), budget, extract).catch((e: unknown) => {
    failure ??= e;
  });
  let entries = 0;
  // Bytes announced by headers so far: a header announcing more than what is left of the budget is refused
  // before any of its data is read.
  let announced = 0;
  try {
    for await (const entry of extract) {
      const h = entry.header;
      entries++;
      const path = normaliseLayerPath(h.name);
      if (path === undefined) {
        throw unsafe(options, h.name, h.name.startsWith('/') ? 'has an absolute path' : 'has a path that climbs out of the layer ("..")');
      }
      announced += h.size ?? 0;
      if (announced > limits.maxLayerBytes) {
        throw unsafe(options, h.name, `announces ${h.size} bytes, over the ${limits.maxLayerBytes}-byte limit for a layer (decompression bomb?)`, 'layer-too-large');
      }
      const type: LayerEntryType =
        h.type === 'file' || h.type === 'contiguous-file' ? 'file' : h.type === 'directory' ? 'directory' : h.type === 'symlink' ? 'symlink' : h.type === 'link' ? 'link' : 'other';
      const le: LayerEntry = { path, type, size: h.size ?? 0, mode: h.mode ?? 0 };
      if (type === 'symlink') {
        le.linkTarget = h.linkname ?? '';
        if (symlinkEscapes(path, le.linkTarget)) throw unsafe(options, h.name, `is a symbolic link to "${h.linkname}", which points outside the layer`);
      } else if (type === 'link') {
        const target = normaliseLayerPath(h.linkname ?? '');
        if (target === undefined || target === '') throw unsafe(options, h.name, `is a hard link to "${h.linkname}", which points outside the layer`);
        le.linkTarget = target;
      }
      options.onEntry?.(le);
      if (type === 'file' && options.want?.(le)) {
        if (le.size > limits.maxFileBytes) {
          throw unsafe(options, h.name, `announces ${le.size} bytes, over the ${limits.maxFileBytes}-byte limit for this file`, 'layer-too-large');
        }
        const chunks: Buffer[] = [];
        let n = 0;
        for await (const c of entry) {
          n += (c as Buffer).length;
          if (n > limits.maxFileBytes) throw unsafe(options, h.name, `is larger than the ${limits.maxFileBytes}-byte limit for this file`, 'layer-too-large');
          chunks.push(c as Buffer);
        }
        options.onFile?.(le, Buffer.concat(chunks));
      } else {
        entry.resume();
      }
      if (options.done?.()) {
        stoppedEarly = true;
        break;
      }
    }
  } catch (e) {
    failure ??= e;
  } finally {
    if (stoppedEarly || failure) {
      extract.destroy();
      budget.destroy();
      // Release the source too (for a registry blob: its connection), not only our end of the pipe.
      const s = source as Partial<Readable>;
      if (typeof s.destroy === 'function') s.destroy();
    }
    await feeding;
  }
  if (budgetError) throw budgetError;
  if (failure && !stoppedEarly) {
    // Our own errors (PayloadError, DigestMismatch from the verifying stream) already say what and where.
    if (failure instanceof DciError) throw failure;
    throw new PayloadError('layer-unreadable', `${options.image}: layer ${options.layer} is not a readable tar stream: ${(failure as Error).message}`, {
      hint: 'the layer is truncated or not a (gzip) tar; re-push the image or check the registry',
      location: { image: options.image, blob: options.layer },
      cause: failure,
    });
  }
  if (failure instanceof PayloadError) throw failure;
  return { entries, bytesRead: budget.bytes, stoppedEarly };
}
