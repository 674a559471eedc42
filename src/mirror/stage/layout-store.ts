/**
 * An OCI layout that stands for a registry, or that carries images across an air gap. Images are stored under
 * short deterministic tags derived from a reference, and `refs.json` maps each reference (source references in an
 * archive, destination references when the layout stands in for the registry) to its tag, so a later reader can
 * find `quay.io/…@sha256:…` without a network.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
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
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as LayoutRefs;
    if (parsed.format !== 'dci-agent-ts/layout-refs@1' || !parsed.refs || typeof parsed.refs !== 'object') throw new Error('unknown format');
    return parsed;
  } catch (e) {
    throw new PayloadError('bad-archive-index', `${file} cannot be read: ${(e as Error).message}`, { hint: 'the archive is damaged or from another tool; recreate it', location: { file } });
  }
}

export async function writeLayoutRefs(dir: string, refs: LayoutRefs): Promise<void> {
  await writeFileAtomic(join(dir, REFS_FILE), JSON.stringify(refs, null, 2) + '\n');
}

/** Resolves references to locations: through an archive's refs when given, else the registry itself. */
export function sourceResolver(archiveDir?: string): (ref: string) => string {
  if (!archiveDir) return (ref) => `docker://${ref.replace(/^docker:\/\//, '')}`;
  const { refs } = readLayoutRefs(archiveDir);
  return (ref) => {
    const tag = refs[ref.replace(/^docker:\/\//, '')];
    if (!tag) {
      throw new PayloadError('not-in-archive', `${ref} is not in the archive ${archiveDir}`, {
        hint: 'the archive was made with other settings (version, catalogs, packages): recreate it with `mirror to-disk` using this inventory',
      });
    }
    return `oci:${archiveDir}:${tag}`;
  };
}
