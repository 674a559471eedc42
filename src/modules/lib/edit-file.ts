/**
 * What the in-place file editors (lineinfile, blockinfile, replace) share: their common arguments (the path and
 * its aliases, backup, mode, owner/group, validate), finding the file on the target, and the write rule — the
 * edited text is written (with backup and validate) only when the edit changed it or the file is new; otherwise
 * only `mode` is applied to the file as it is, and the caller reports an attributes-only change.
 */
import type { RunContext, TaskResult } from '../../engine/types.js';
import { bool, modeArg, str } from './args.js';
import { fail } from './result.js';
import { applyMode, expandHome } from './target-fs.js';
import { writeIfChanged } from './write-file.js';

/** Spread into a module's zod object; the module adds its own arguments. */
export const EDIT_FILE_ARGS = {
  path: str.optional(),
  dest: str.optional(),
  destfile: str.optional(),
  name: str.optional(),
  backup: bool.default(false),
  mode: modeArg.optional(),
  owner: str.optional(),
  group: str.optional(),
  validate: str.optional(),
  unsafe_writes: bool.optional(),
};

export interface EditFileArgs {
  path?: string;
  dest?: string;
  destfile?: string;
  name?: string;
  backup: boolean;
  mode?: string;
  validate?: string;
}

/** The message Ansible gives when only the file's attributes changed. */
export const ATTRIBUTES_CHANGED = 'ownership, perms or SE linux context changed';

/** The file to edit (`path` or an alias, `~` expanded on the target), or the failed result when none is given. */
export async function editTarget(args: EditFileArgs, ctx: RunContext): Promise<{ path: string } | { failure: TaskResult }> {
  const given = args.path ?? args.dest ?? args.destfile ?? args.name;
  if (!given) return { failure: fail('missing required arguments: path') };
  return { path: await expandHome(ctx.transport, given) };
}

export interface EditWrite {
  /** The failed result (write, backup or validate failed); the rest is then meaningless. */
  failure?: TaskResult;
  /** `mode` changed the file's permissions (on its own or after a content change: Ansible says both). */
  attributesChanged: boolean;
  backupFile?: string;
}

/**
 * Write `edited` when `contentChanged` or there is no `original` (backup, validate, missing parents created), with
 * `mode`; else apply only `mode` to the file as it is. As Ansible reports it, a new or edited file whose mode
 * differs from what it had (0644 for a new file) is an attributes change too ("line added and ownership, ...").
 */
export async function writeEdit(ctx: RunContext, path: string, original: Buffer | undefined, edited: Buffer, contentChanged: boolean, args: EditFileArgs): Promise<EditWrite> {
  if (!contentChanged && original) {
    const w = await writeIfChanged(ctx, path, original, { mode: args.mode });
    return w.failed ? { failure: w, attributesChanged: false } : { attributesChanged: w.changed };
  }
  const done = (w: TaskResult, attributesChanged: boolean): EditWrite =>
    w.failed ? { failure: w, attributesChanged: false } : { attributesChanged, ...(typeof w.backup_file === 'string' ? { backupFile: w.backup_file } : {}) };
  const write = { backup: args.backup, validate: args.validate, makeParents: true };
  if (args.mode !== undefined && /^[0-7]+$/.test(args.mode)) {
    // An octal mode is given to the write itself, so a private file is never readable by others, not even for a
    // moment; the change is judged against the mode the file had (a new file would have been created 0644).
    const before = await ctx.transport.stat(path);
    const had = before.exists ? parseInt(before.mode ?? '0', 8) : 0o644;
    return done(await writeIfChanged(ctx, path, edited, { ...write, mode: args.mode }), had !== parseInt(args.mode, 8));
  }
  // A symbolic mode (u+x) is relative to the mode the written file has: apply it afterwards.
  const w = await writeIfChanged(ctx, path, edited, write);
  return done(w, w.failed ? false : await applyMode(ctx.transport, path, args.mode, ctx.checkMode));
}

/** The edit's own message, followed by the attributes change when there was one. */
export function editMessage(msg: string, attributesChanged: boolean): string {
  if (!attributesChanged) return msg;
  return msg ? `${msg} and ${ATTRIBUTES_CHANGED}` : ATTRIBUTES_CHANGED;
}
