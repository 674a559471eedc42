/**
 * Put bytes at a path on the target only when they differ (SHA-1 compare, like Ansible's copy/template), with
 * force, backup, validate and mode. Shared by copy, template and the line-editing modules.
 */
import { posix } from 'node:path';
import type { RunContext, TaskResult } from '../../engine/types.js';
import { quoteArgv } from '../../engine/transports/shell-quote.js';
import { applyMode, mustRun, sha1Hex, targetSha1 } from './target-fs.js';
import { fail, permissionRefusal } from './result.js';

export interface WriteOptions {
  mode?: string;
  force?: boolean;
  backup?: boolean;
  /** Command with `%s` for the temp file (e.g. `visudo -cf %s`): the file is installed only when it succeeds. */
  validate?: string;
  /** Create missing parent directories (lineinfile/blockinfile create=yes). */
  makeParents?: boolean;
}

/** `dest.2026-11-26@10:49:39~` as Ansible's backup_local does (plus the pid it inserts). */
export function backupName(dest: string): string {
  const d = new Date();
  const p = (n: number) => String(n).padStart(2, '0');
  return `${dest}.${process.pid}.${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}@${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}~`;
}

export async function writeIfChanged(ctx: RunContext, dest: string, data: Buffer, opts: WriteOptions = {}): Promise<TaskResult> {
  const t = ctx.transport;
  const parent = posix.dirname(dest);
  const parentStat = await t.stat(parent);
  if (!parentStat.exists) {
    if (!opts.makeParents) return fail(`Destination directory ${parent} does not exist`, { dest });
    if (!ctx.checkMode) await mustRun(t, ['mkdir', '-p', '--', parent], `mkdir ${parent}`);
  }
  const before = await t.stat(dest);
  if (before.isdir) return fail(`Destination ${dest} is a directory`, { dest });
  const checksum = sha1Hex(data);
  const oldSum = before.exists ? await targetSha1(t, dest) : undefined;
  const contentChanged = !before.exists || (opts.force !== false && oldSum !== checksum);
  const result: TaskResult = { changed: false, failed: false, dest, checksum, size: data.length, state: 'file' };
  if (contentChanged && !ctx.checkMode) {
    if (opts.backup && before.exists) {
      const name = backupName(dest);
      await mustRun(t, ['cp', '-p', '--', dest, name], `backup of ${dest}`);
      result.backup_file = name;
    }
    if (opts.validate) {
      if (!opts.validate.includes('%s')) return fail(`validate must contain %s: ${opts.validate}`, { dest });
      const tmp = `${dest}.dci-validate-${process.pid}`;
      const refused = await putOrRefusal(ctx, dest, () => t.put(tmp, data, 0o600));
      if (refused) return refused;
      const v = await t.exec({ shell: opts.validate.split('%s').join(quoteArgv([tmp])) });
      await t.exec({ argv: ['rm', '-f', '--', tmp] });
      if (v.rc !== 0) return fail(`failed to validate`, { dest, exit_status: v.rc, stdout: v.stdout, stderr: v.stderr });
    }
    const octal = opts.mode && /^[0-7]+$/.test(opts.mode) ? parseInt(opts.mode, 8) : undefined;
    const refused = await putOrRefusal(ctx, dest, () => t.put(dest, data, octal));
    if (refused) return refused;
  }
  const modeChanged = ctx.checkMode && !before.exists ? false : await applyMode(t, dest, opts.mode, ctx.checkMode);
  result.changed = contentChanged || modeChanged;
  const after = ctx.checkMode ? before : await t.stat(dest);
  if (after.exists) Object.assign(result, { mode: after.mode, uid: after.uid, gid: after.gid, size: after.size });
  else if (opts.mode) result.mode = opts.mode;
  return result;
}

/**
 * A write refused for lack of permission is a task failure with Ansible's words ("Destination DIR not writable"),
 * the host, the cause and what to do; any other error propagates.
 */
async function putOrRefusal(ctx: RunContext, dest: string, put: () => Promise<void>): Promise<TaskResult | undefined> {
  try {
    await put();
    return undefined;
  } catch (e) {
    const refused = permissionRefusal(e);
    if (!refused) throw e;
    const hint = refused.asBecomeUser ? 'become a user allowed to write there' : 'the task runs as the login user: set become: true to write as root';
    return fail(`Destination ${posix.dirname(dest)} not writable on ${ctx.host}: ${refused.message} (${hint})`, { dest });
  }
}
