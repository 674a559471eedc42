/**
 * Tar archives for fixtures, written byte by byte (ustar headers, no normalisation: what you ask for is what is
 * stored, so tests can also make hostile ones). Whole archives in memory (`tarBuffer`), or the pieces to stream
 * one big entry (`tarHeader`, `tarPadding`, `TAR_END`) as the OCI layout writer does.
 */

export interface TarEntrySpec {
  name: string;
  type?: 'file' | 'directory' | 'symlink' | 'link';
  content?: string | Buffer;
  linkname?: string;
  mode?: number;
  /** Size written in the header instead of the content length (for hostile headers); no data is written. */
  headerSize?: number;
}

/** The two zero blocks that end an archive. */
export const TAR_END = Buffer.alloc(1024);

function octal(n: number, width: number): string {
  return n.toString(8).padStart(width - 1, '0') + '\0';
}

/** The 512-byte ustar header of an entry whose data is `size` bytes (mtime, uid and gid 0). */
export function tarHeader(e: TarEntrySpec, size: number): Buffer {
  const h = Buffer.alloc(512, 0);
  let name = e.name;
  let prefix = '';
  if (Buffer.byteLength(name) > 100) {
    const cut = name.lastIndexOf('/', 155);
    prefix = name.slice(0, cut);
    name = name.slice(cut + 1);
  }
  h.write(name, 0, 100, 'utf8');
  const type = e.type ?? 'file';
  h.write(octal(e.mode ?? (type === 'directory' ? 0o755 : 0o644), 8), 100, 'ascii');
  h.write(octal(0, 8), 108, 'ascii');
  h.write(octal(0, 8), 116, 'ascii');
  h.write(octal(size, 12), 124, 'ascii');
  h.write(octal(0, 12), 136, 'ascii');
  h.write('        ', 148, 'ascii');
  h.write({ file: '0', link: '1', symlink: '2', directory: '5' }[type], 156, 'ascii');
  if (e.linkname) h.write(e.linkname, 157, 100, 'utf8');
  h.write('ustar\0', 257, 'ascii');
  h.write('00', 263, 'ascii');
  if (prefix) h.write(prefix, 345, 155, 'utf8');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(octal(sum, 7) + ' ', 148, 'ascii');
  return h;
}

/** The zeros after `size` bytes of entry data up to the next 512-byte block. */
export function tarPadding(size: number): Buffer {
  return Buffer.alloc((512 - (size % 512)) % 512);
}

/** A whole archive in memory. */
export function tarBuffer(entries: TarEntrySpec[]): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    const data = e.type === 'file' || e.type === undefined ? Buffer.from(e.content ?? '') : Buffer.alloc(0);
    if (e.headerSize !== undefined) {
      parts.push(tarHeader(e, e.headerSize));
      continue; // the announced data never follows
    }
    parts.push(tarHeader(e, data.length), data, tarPadding(data.length));
  }
  parts.push(TAR_END);
  return Buffer.concat(parts);
}
