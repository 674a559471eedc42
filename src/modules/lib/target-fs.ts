/**
 * File operations on the target, through the transport only, so that every module works the same locally and
 * over SSH. Reads and writes use the transport's put/get/stat (fs locally, SFTP remotely); the rest are POSIX
 * commands with every path shell-quoted.
 */
import { createHash } from 'node:crypto';
import type { ExecOutcome, Transport } from '../../engine/types.js';
import { ModuleError } from '../../core/errors.js';
import { quoteArgv } from '../../engine/transports/shell-quote.js';

/** Run argv on the target; throw a ModuleError with stderr when it fails (for steps that must not fail). */
export async function mustRun(t: Transport, argv: string[], what: string): Promise<ExecOutcome> {
  const r = await t.exec({ argv });
  if (r.rc !== 0) throw new ModuleError('target-command', `${what} failed on ${t.host}: ${(r.stderr || r.stdout).trim() || `exit ${r.rc}`}`);
  return r;
}

const GLOB = /[*?[]/;

/** True when the path (or, for a glob, any match) exists on the target — Ansible's creates/removes semantics. */
export async function pathExists(t: Transport, path: string): Promise<boolean> {
  if (!GLOB.test(path)) return (await t.stat(path)).exists;
  // Let the target's shell expand the glob; an unmatched pattern stays literal and fails the -e test.
  const r = await t.exec({ shell: `for f in ${path.replace(/[^A-Za-z0-9_@%+=:,./*?[\]~-]/g, (c) => `\\${c}`)}; do [ -e "$f" ] && exit 0; done; exit 1` });
  return r.rc === 0;
}

export function sha1Hex(data: string | Uint8Array): string {
  return createHash('sha1').update(data).digest('hex');
}

/** SHA-1 of a file on the target (what Ansible's stat/copy compare), undefined when absent or not a regular file. */
export async function targetSha1(t: Transport, path: string): Promise<string | undefined> {
  if (t.kind === 'local') {
    const st = await t.stat(path);
    if (!st.exists || !st.isreg) return undefined;
    return sha1Hex(await t.get(path));
  }
  const r = await t.exec({ shell: `[ -f ${quoteArgv([path])} ] || exit 3; sha1sum -- ${quoteArgv([path])}` });
  if (r.rc === 3) return undefined;
  if (r.rc !== 0) throw new ModuleError('target-command', `cannot checksum ${path} on ${t.host}: ${r.stderr.trim()}`);
  return r.stdout.trim().split(/\s+/)[0];
}

/** Read a file from the target, or undefined when it does not exist. */
export async function readIfExists(t: Transport, path: string): Promise<Buffer | undefined> {
  const st = await t.stat(path);
  if (!st.exists) return undefined;
  if (st.isdir) throw new ModuleError('target-is-dir', `${path} on ${t.host} is a directory`);
  return t.get(path);
}

/** Is `mode` (octal string or symbolic) already what the file has? Octal compares directly; symbolic asks chmod. */
export async function applyMode(t: Transport, path: string, mode: string | undefined, checkMode: boolean): Promise<boolean> {
  if (mode === undefined) return false;
  const before = await t.stat(path);
  if (!before.exists) return false;
  if (/^[0-7]+$/.test(mode)) {
    if (parseInt(before.mode ?? '0', 8) === parseInt(mode, 8)) return false;
    if (!checkMode) await mustRun(t, ['chmod', mode, '--', path], `chmod ${mode} ${path}`);
    return true;
  }
  if (checkMode) return true; // symbolic in check mode: cannot know without applying; report a possible change.
  await mustRun(t, ['chmod', mode, '--', path], `chmod ${mode} ${path}`);
  const after = await t.stat(path);
  return after.mode !== before.mode;
}

/** Resolve `~` the way the target would: only a leading `~/` or `~` is expanded, with the target's $HOME. */
export async function expandHome(t: Transport, path: string): Promise<string> {
  if (path !== '~' && !path.startsWith('~/')) return path;
  const home = t.kind === 'local' ? process.env.HOME ?? '/' : (await mustRun(t, ['sh', '-c', 'printf %s "$HOME"'], 'reading $HOME')).stdout;
  return home + path.slice(1);
}
