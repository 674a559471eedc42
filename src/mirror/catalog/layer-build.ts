/**
 * Deterministic layers for the rebuilt catalog: entries sorted, directories before their content, mtime 0,
 * uid/gid 0, modes 0755/0644, gzip at a fixed level, so the same catalog always gives the same digests.
 */
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';

export interface BuiltBlobLayer {
  blob: Buffer;
  /** sha256 of the compressed blob. */
  digest: string;
  /** sha256 of the uncompressed tar (config rootfs.diff_ids). */
  diffId: string;
}

interface Entry {
  name: string;
  type: 'file' | 'directory';
  content?: Buffer;
}

const sha = (b: Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

async function tarOf(entries: Entry[]): Promise<Buffer> {
  const { pack: tarPack } = await import('tar-stream');
  const pack = tarPack();
  const chunks: Buffer[] = [];
  const collected = (async () => {
    for await (const c of pack) chunks.push(c as Buffer);
  })();
  const mtime = new Date(0);
  for (const e of entries) {
    const header = { name: e.name, mtime, uid: 0, gid: 0, uname: '', gname: '', mode: e.type === 'directory' ? 0o755 : 0o644, type: e.type };
    await new Promise<void>((resolve, reject) => {
      if (e.type === 'directory') pack.entry(header, (err) => (err ? reject(err) : resolve()));
      else pack.entry(header, e.content ?? Buffer.alloc(0), (err) => (err ? reject(err) : resolve()));
    });
  }
  pack.finalize();
  await collected;
  return Buffer.concat(chunks);
}

function finish(tar: Buffer): BuiltBlobLayer {
  const blob = gzipSync(tar, { level: 6 });
  return { blob, digest: sha(blob), diffId: sha(tar) };
}

function parentsOf(path: string): string[] {
  const parts = path.split('/');
  return parts.slice(0, -1).map((_, i) => parts.slice(0, i + 1).join('/'));
}

/** A layer holding `files` (paths relative to `dir`) under `dir` (image path without leading `/`). */
export async function buildDirectoryLayer(dir: string, files: ReadonlyMap<string, Buffer>): Promise<BuiltBlobLayer> {
  const root = dir.replace(/^\/+|\/+$/g, '');
  const dirs = new Set<string>();
  const fileEntries: Entry[] = [];
  for (const [rel, content] of files) {
    const full = root ? `${root}/${rel}` : rel;
    for (const p of parentsOf(full)) dirs.add(p);
    fileEntries.push({ name: full, type: 'file', content });
  }
  if (root) dirs.add(root);
  const entries: Entry[] = [...[...dirs].map((d): Entry => ({ name: `${d}/`, type: 'directory' })), ...fileEntries];
  // Sorting "a/" before "a/b" keeps every directory ahead of its content.
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return finish(await tarOf(entries));
}

/** A layer whose only content is the OCI whiteout `.wh.<name>` deleting `path` from the layers below. */
export async function buildWhiteoutLayer(path: string): Promise<BuiltBlobLayer> {
  const clean = path.replace(/^\/+|\/+$/g, '');
  const slash = clean.lastIndexOf('/');
  const parent = slash >= 0 ? clean.slice(0, slash) : '';
  const name = clean.slice(slash + 1);
  const entries: Entry[] = [...(parent ? [...parentsOf(`${parent}/x`)].map((d): Entry => ({ name: `${d}/`, type: 'directory' })) : [])];
  entries.push({ name: `${parent ? `${parent}/` : ''}.wh.${name}`, type: 'file' });
  return finish(await tarOf(entries));
}
