/**
 * What the in-place file editors (lineinfile, blockinfile, replace) share: their common arguments (the path and
 * its aliases, backup, mode, owner/group, validate), finding the file on the target, and the write rule — the
 * edited text is written (with backup and validate) only when the edit changed it or the file is new; otherwise
 * only `mode` is applied to the file as it is, and the caller reports an attributes-only change.
 */
import type { RunContext, TaskResult } from '../../engine/types.js';
import { bool, modeArg, str } from './args.js';
import { fail } from './result.js';
import { expandHome } from './target-fs.js';
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

/**
 * Write `edited` when `contentChanged` or there is no `original` (backup, validate, missing parents created);
 * else apply only `mode` to `original`. The result is writeIfChanged's: `changed` without `contentChanged` means
 * the attributes alone changed.
 */
export async function writeEdit(ctx: RunContext, path: string, original: Buffer | undefined, edited: Buffer, contentChanged: boolean, args: EditFileArgs): Promise<TaskResult> {
  if (contentChanged || !original) return writeIfChanged(ctx, path, edited, { mode: args.mode, backup: args.backup, validate: args.validate, makeParents: true });
  return writeIfChanged(ctx, path, original, { mode: args.mode });
}
