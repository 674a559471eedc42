/**
 * An OCI layout that stands for a registry, or that carries images across an air gap. Images are stored under
 * short deterministic tags derived from a reference, and `refs.json` maps each reference (source references in an
 * archive, destination references when the layout stands in for the registry) to its tag, so a later reader can
 * find `quay.io/…@sha256:…` without a network.
 */
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { writeFileAtomic } from '../../core/atomic-write.js';
import { PayloadError } from '../../core/errors.js';

export const REFS_FILE = 'refs.json';

export interface LayoutRefs {
  /** Format marker so a future change can be detected. */
  format: 'dci-agent-ts/layout-refs@1';
  /** reference → layout tag */
  refs: Record<string, string>;
  /** What the archive was made for (informational). */
  createdAt?: string;
  /** Files of the mirror outputs carried with an archive (relative names → content). */
  outputs?: Record<string, string>;
  /** Identity of this archive (an incremental archive names the ids of its bases). */
  id?: string;
  /** Name to show for this archive (its folder name). */
  name?: string;
  /** reference → manifest digest of every image this archive holds (its content manifest). */
  digests?: Record<string, string>;
  /** Every blob of the layout (layers, configs, manifests), by digest. */
  blobs?: string[];
  /**
   * Incremental archives (`to-disk --base OLD`): the archives this one extends, flattened (a base of a base is
   * listed too). What they hold is not in this archive; `from-disk` expects it in the registry already.
   */
  base?: ArchiveBase[];
}

export interface ArchiveBase {
  id: string;
  name: string;
  createdAt?: string;
  /** reference → manifest digest of the images that archive holds. */
  digests: Record<string, string>;
  blobs: string[];
}

/** What a set of base archives holds: by blob, by reference; each answer names the archive holding it. */
export interface BaseSet {
  entries: ArchiveBase[];
  blobOwner: Map<string, ArchiveBase>;
  refOwner: Map<string, { base: ArchiveBase; digest: string }>;
}

export function baseSet(entries: ArchiveBase[]): BaseSet {
  const set: BaseSet = { entries: [], blobOwner: new Map(), refOwner: new Map() };
  for (const e of entries) {
    if (set.entries.some((x) => x.id === e.id)) continue;
    set.entries.push(e);
    for (const b of e.blobs) if (!set.blobOwner.has(b)) set.blobOwner.set(b, e);
    for (const [ref, digest] of Object.entries(e.digests)) if (!set.refOwner.has(ref)) set.refOwner.set(ref, { base: e, digest });
  }
  return set;
}

/**
 * Read the base archives given to `to-disk --base`: an archive folder, or its refs.json (the content manifest
 * alone is enough: the base itself may already have been carried away). Bases of a base come along.
 */
export async function readBaseArchives(paths: readonly string[]): Promise<BaseSet> {
  const entries: ArchiveBase[] = [];
  for (const p of paths) {
    const abs = resolve(p);
    const exists = existsSync(abs);
    const isDir = exists && statSync(abs).isDirectory();
    if (!exists) {
      throw new PayloadError('no-base-archive', `the base archive ${p} does not exist`, { hint: 'give --base the folder, .tar or refs.json of an archive made earlier by `mirror to-disk`', location: { file: abs } });
    }
    const refs = isDir || isArchiveFile(abs) ? await readArchiveRefs(abs) : readLayoutRefsFile(abs);
    const shown = isDir ? join(abs, REFS_FILE) : abs;
    if (!refs.id || !refs.digests || !refs.blobs) {
      throw new PayloadError('base-archive-too-old', `${p} has no content manifest (made by an older dci-agent-ts)`, {
        hint: 'make a full archive (without --base) once; later archives can then use it as their base',
        location: { file: shown },
      });
    }
    const name = refs.name ?? (isDir || isArchiveFile(abs) ? basename(abs) : basename(dirname(abs)));
    entries.push({ id: refs.id, name, createdAt: refs.createdAt, digests: refs.digests, blobs: refs.blobs });
    entries.push(...(refs.base ?? []));
  }
  return baseSet(entries);
}

/** The blobs of a layout directory (what the archive holds), sorted. */
export function layoutBlobs(dir: string): string[] {
  const d = join(dir, 'blobs', 'sha256');
  if (!existsSync(d)) return [];
  return readdirSync(d)
    .filter((f) => /^[a-f0-9]{64}$/.test(f))
    .map((f) => `sha256:${f}`)
    .sort();
}

export function newArchiveId(): string {
  return randomUUID();
}

export function layoutTag(ref: string): string {
  return `r-${createHash('sha256').update(ref).digest('hex').slice(0, 24)}`;
}

export function layoutLocation(dir: string, ref: string): string {
  return `oci:${dir}:${layoutTag(ref)}`;
}

export function readLayoutRefs(dir: string): LayoutRefs {
  const file = join(dir, REFS_FILE);
  if (!existsSync(file)) {
    throw new PayloadError('no-archive-index', `${dir} is not a dci-agent-ts mirror archive: ${REFS_FILE} is missing`, {
      hint: 'create the archive with `dci-agent-ts mirror to-disk --archive DIR` on a connected host',
      location: { file },
    });
  }
  return readLayoutRefsFile(file);
}

function readLayoutRefsFile(file: string, text?: string): LayoutRefs {
  try {
    const parsed = JSON.parse(text ?? readFileSync(file, 'utf8')) as LayoutRefs;
    if (parsed.format !== 'dci-agent-ts/layout-refs@1' || !parsed.refs || typeof parsed.refs !== 'object') throw new Error('unknown format');
    return parsed;
  } catch (e) {
    throw new PayloadError('bad-archive-index', `${file} cannot be read: ${(e as Error).message}`, { hint: 'the archive is damaged or from another tool; recreate it', location: { file } });
  }
}

export async function writeLayoutRefs(dir: string, refs: LayoutRefs): Promise<void> {
  await writeFileAtomic(join(dir, REFS_FILE), JSON.stringify(refs, null, 2) + '\n');
}

/** `--archive FILE.tar`: the archive is one tar file (the layout and refs.json), not a folder. */
export function isArchiveFile(path: string): boolean {
  return /\.tar$/i.test(path);
}

/** refs.json of an archive folder or of an archive tar file. */
export async function readArchiveRefs(archive: string): Promise<LayoutRefs> {
  if (!isArchiveFile(archive)) return readLayoutRefs(archive);
  if (!existsSync(archive)) {
    throw new PayloadError('no-archive', `the archive ${archive} does not exist`, { hint: 'give the .tar written by `dci-agent-ts mirror to-disk --archive FILE.tar`', location: { file: archive } });
  }
  const { readTarEntry } = await import('../oci-layout/archive.js');
  const bytes = await readTarEntry(archive, REFS_FILE, 64 << 20).catch(() => undefined);
  if (!bytes) {
    throw new PayloadError('no-archive-index', `${archive} is not a dci-agent-ts mirror archive: it holds no ${REFS_FILE}`, {
      hint: 'create the archive with `dci-agent-ts mirror to-disk --archive FILE.tar` on a connected host',
      location: { file: archive },
    });
  }
  return readLayoutRefsFile(`${archive}:${REFS_FILE}`, bytes.toString('utf8'));
}

/** Resolves references to locations: through an archive's refs when given, else the registry itself. */
export function sourceResolver(archiveDir?: string, archiveRefs?: LayoutRefs): (ref: string) => string {
  if (!archiveDir) return (ref) => `docker://${ref.replace(/^docker:\/\//, '')}`;
  const { refs } = archiveRefs ?? readLayoutRefs(archiveDir);
  const transport = isArchiveFile(archiveDir) ? 'oci-archive' : 'oci';
  return (ref) => {
    const tag = refs[ref.replace(/^docker:\/\//, '')];
    if (!tag) {
      throw new PayloadError('not-in-archive', `${ref} is not in the archive ${archiveDir}`, {
        hint: 'the archive was made with other settings (version, catalogs, packages): recreate it with `mirror to-disk` using this inventory',
      });
    }
    return `${transport}:${archiveDir}:${tag}`;
  };
}
