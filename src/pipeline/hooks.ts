/**
 * Finding user hooks: `<dir>/hooks/<name>.yml` (or `.yaml`) for every dir of `dci_config_dirs` / `--hooks-dir`, in
 * order; teardown in reverse order so layered configs unwind like a stack. A missing hook file is skipped (the
 * original agent required every file; we do not).
 */
import { existsSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

export interface HookFile {
  /** The config dir the hook came from (exposed to the hook as `hookdir`). */
  dir: string;
  file: string;
  name: string;
}

export function findHooks(dirs: string[], name: string): HookFile[] {
  const ordered = name === 'teardown' ? [...dirs].reverse() : dirs;
  const found: HookFile[] = [];
  for (const dir of ordered) {
    const abs = resolve(dir);
    for (const ext of ['.yml', '.yaml']) {
      const file = join(abs, 'hooks', `${name}${ext}`);
      if (existsSync(file) && statSync(file).isFile()) {
        found.push({ dir: abs, file, name });
        break;
      }
    }
  }
  return found;
}

/**
 * The config dirs whose hooks a run uses: `dci_config_dirs` (a list or one path; relative paths are relative to the
 * inventory file, so a lab repository can carry its hooks; `~` expanded; templated values skipped), then the
 * `--hooks-dir` ones, without repeats.
 */
export function configDirsFor(vars: Record<string, unknown>, inventoryPath: string, hooksDirs: readonly string[] = []): string[] {
  const plain = (v: unknown): v is string => typeof v === 'string' && !v.includes('{{') && !v.includes('{%');
  const fromVars = vars.dci_config_dirs;
  const list = Array.isArray(fromVars) ? fromVars.filter(plain) : plain(fromVars) ? [fromVars] : [];
  const invDir = dirname(resolve(inventoryPath));
  return [...list.map((d) => resolve(invDir, d.replace(/^~(?=\/|$)/, homedir()))), ...hooksDirs].filter((d, i, a) => a.indexOf(d) === i);
}
