/** Test fixtures: inventory trees written to a fresh temp directory, removed by the caller's `cleanup`. */
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { execFile } from 'node:child_process';

export interface TempTree {
  dir: string;
  path(rel: string): string;
  cleanup(): Promise<void>;
}

/** Write `files` (relative path → content) under a new temp dir. */
export async function writeTree(files: Record<string, string>, prefix = 'dci-config-'): Promise<TempTree> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  for (const [rel, content] of Object.entries(files)) {
    const p = join(dir, rel);
    await mkdir(dirname(p), { recursive: true });
    await writeFile(p, content);
  }
  return { dir, path: (rel) => join(dir, rel), cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Run a command, resolve with stdout (rejects on a non-zero exit with stderr in the message). */
export function run(file: string, args: string[], opts: { cwd?: string; input?: string; env?: Record<string, string> } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(file, args, { cwd: opts.cwd, env: { ...process.env, ...opts.env }, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${file} ${args.join(' ')} failed: ${stderr || err.message}`));
      else resolve(stdout);
    });
    if (opts.input !== undefined) child.stdin?.end(opts.input);
  });
}

/** The real ansible-inventory, run outside the repo so no ansible.cfg or group_vars leak in. */
export async function ansibleInventory(args: string[], cwd: string): Promise<unknown> {
  const out = await run('ansible-inventory', args, {
    cwd,
    env: { ANSIBLE_NOCOLOR: '1', ANSIBLE_DEPRECATION_WARNINGS: 'False', ANSIBLE_INVENTORY_UNPARSED_FAILED: 'True', ANSIBLE_LOCALHOST_WARNING: 'False' },
  });
  return JSON.parse(out) as unknown;
}
