/**
 * `group_vars/` and `host_vars/` next to the inventory, found the way Ansible's host_group_vars plugin and
 * `DataLoader.find_vars_files` find them: for an entity `name`, the first of `name` (a file or a directory),
 * `name.yml`, `name.yaml`, `name.json` wins — only that one; a directory is read recursively in sorted order
 * (hidden files, `~` backups and files with other extensions are skipped). Each file must hold a mapping.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { InventoryError } from '../core/errors.js';
import { displayPath } from './display-path.js';
import { describeType, isPlainMapping, loadAnsibleYaml } from './yaml-loader.js';

export const VARS_FILE_EXTENSIONS = ['.yml', '.yaml', '.json'];

export interface VarsFile {
  /** Path as shown to users. */
  file: string;
  vars: Record<string, unknown>;
  lines: Record<string, number>;
}

async function kind(path: string): Promise<'file' | 'dir' | undefined> {
  try {
    const s = await stat(path);
    return s.isDirectory() ? 'dir' : s.isFile() ? 'file' : undefined;
  } catch {
    return undefined;
  }
}

async function dirFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const names = (await readdir(dir)).sort();
  for (const n of names) {
    if (n.startsWith('.') || n.endsWith('~')) continue;
    const full = join(dir, n);
    const ext = extname(n);
    const k = await kind(full);
    if (k === 'dir' && !ext) out.push(...(await dirFiles(full)));
    else if (k === 'file' && (!ext || VARS_FILE_EXTENSIONS.includes(ext))) out.push(full);
  }
  return out;
}

/** The files holding variables for one group or host under `<basedir>/<subdir>` (group_vars or host_vars). */
export async function findVarsFiles(basedir: string, subdir: 'group_vars' | 'host_vars', name: string): Promise<string[]> {
  const root = join(basedir, subdir);
  if ((await kind(root)) !== 'dir') return [];
  for (const ext of ['', ...VARS_FILE_EXTENSIONS]) {
    const p = join(root, name + ext);
    const k = await kind(p);
    if (k === 'dir') return dirFiles(p);
    if (k === 'file') return [p];
  }
  return [];
}

/** Load one vars file (YAML or JSON); an empty file gives no variables. */
export async function loadVarsFile(path: string): Promise<VarsFile> {
  const file = displayPath(path);
  const text = await readFile(path, 'utf8');
  const { value, positions } = loadAnsibleYaml(text, file);
  if (value === undefined || value === null) return { file, vars: {}, lines: {} };
  if (!isPlainMapping(value)) {
    throw new InventoryError('bad-vars-file', `a vars file must be a mapping of variable names to values, got ${describeType(value)}`, {
      location: { file, line: positions?.line },
      hint: 'write `name: value` lines at the top level of the file',
    });
  }
  const lines: Record<string, number> = {};
  for (const [k, p] of positions?.keys ?? []) lines[k] = p.line;
  return { file, vars: value, lines };
}
