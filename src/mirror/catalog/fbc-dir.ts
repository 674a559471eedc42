/**
 * Load a file-based catalog from a directory on disk (an `opm render` output, an unpacked `/configs`, the
 * fixture of the catalog-filter vectors). Same rules as from an image: every regular file, `.indexignore`
 * honoured. Symbolic links are not followed (a catalog dir must not reach outside itself).
 */
import { lstat, readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { PayloadError } from '../../core/errors.js';
import type { DeclarativeConfig } from './fbc-model.js';
import { parseFbcFiles } from './fbc-parse.js';

export async function readFbcDirectory(dir: string, options: { maxFileBytes?: number } = {}): Promise<DeclarativeConfig> {
  const max = options.maxFileBytes ?? 1 << 30;
  let st;
  try {
    st = await lstat(dir);
  } catch (e) {
    throw new PayloadError('catalog-dir-missing', `catalog directory ${dir} does not exist`, { cause: e, location: { file: dir } });
  }
  if (!st.isDirectory()) throw new PayloadError('catalog-dir-missing', `${dir} is not a directory`, { location: { file: dir } });
  const files = new Map<string, Buffer>();
  for (const d of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!d.isFile()) continue; // directories, and symlinks (never followed)
    const full = join(d.parentPath, d.name);
    const size = (await lstat(full)).size;
    if (size > max) throw new PayloadError('catalog-file-too-large', `${full} is ${size} bytes, over the ${max}-byte limit`, { location: { file: full } });
    files.set(relative(dir, full).split(sep).join('/'), await readFile(full));
  }
  return parseFbcFiles(files, dir);
}
