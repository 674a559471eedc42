/** file: make a path a directory / file / link / absent, touch it, set its mode (optionally recursively). */
import { z } from 'zod';
import { posix } from 'node:path';
import type { FileStat, Module, RunContext, TaskResult } from '../engine/types.js';
import { bool, modeArg, str } from './lib/args.js';
import { fail } from './lib/result.js';
import { applyMode, expandHome, mustRun } from './lib/target-fs.js';

const Args = z
  .object({
    path: str.optional(),
    dest: str.optional(),
    name: str.optional(),
    state: z.enum(['file', 'directory', 'absent', 'touch', 'link', 'hard']).optional(),
    src: str.optional(),
    mode: modeArg.optional(),
    recurse: bool.default(false),
    force: bool.default(false),
    follow: bool.default(true),
    owner: str.optional(),
    group: str.optional(),
    access_time: str.optional(),
    modification_time: str.optional(),
    access_time_format: str.optional(),
    modification_time_format: str.optional(),
    unsafe_writes: bool.optional(),
  })
  .strict();
type Args = z.infer<typeof Args>;

export const file: Module<Args> = {
  name: 'file',
  aliases: ['ansible.builtin.file', 'ansible.legacy.file'],
  args: Args,
  checkMode: true,
  async run(args, ctx) {
    const given = args.path ?? args.dest ?? args.name;
    if (given === undefined) return fail('missing required arguments: path');
    const path = await expandHome(ctx.transport, given.replace(/(.)\/+$/, '$1'));
    const st = await ctx.transport.stat(path);
    const state = args.state ?? (st.exists ? (st.isdir ? 'directory' : st.islnk ? 'link' : 'file') : 'file');
    if (args.recurse && state !== 'directory') return fail('recurse option requires state to be \'directory\'', { path });
    switch (state) {
      case 'absent':
        return absent(ctx, path, st);
      case 'directory':
        return directory(ctx, path, st, args);
      case 'touch':
        return touch(ctx, path, st, args);
      case 'link':
      case 'hard':
        return link(ctx, path, st, args, state);
      default:
        return plainFile(ctx, path, st, args);
    }
  },
};

async function describe(ctx: RunContext, path: string, state: string, changed: boolean, extra: Record<string, unknown> = {}): Promise<TaskResult> {
  const st = ctx.checkMode ? await ctx.transport.stat(path) : await ctx.transport.stat(path);
  const base: TaskResult = { changed, failed: false, path, state, ...extra };
  if (st.exists) Object.assign(base, { mode: st.mode, uid: st.uid, gid: st.gid, size: st.size });
  return base;
}

async function absent(ctx: RunContext, path: string, st: FileStat): Promise<TaskResult> {
  const exists = st.exists || st.islnk;
  if (exists && !ctx.checkMode) await mustRun(ctx.transport, ['rm', '-rf', '--', path], `removing ${path}`);
  return { changed: Boolean(exists), failed: false, path, state: 'absent' };
}

async function directory(ctx: RunContext, path: string, st: FileStat, args: Args): Promise<TaskResult> {
  const t = ctx.transport;
  if (st.exists && !st.isdir) return fail(`There is a file in the way at ${path}`, { path });
  let changed = false;
  if (!st.exists) {
    changed = true;
    if (ctx.checkMode) return { changed, failed: false, path, state: 'directory', ...(args.mode ? { mode: args.mode } : {}) };
    // Like Ansible, every directory this creates (not only the last) gets the requested mode.
    const missing: string[] = [];
    for (let p = path; p !== '/' && p !== '.' && !(await t.stat(p)).exists; p = posix.dirname(p)) missing.unshift(p);
    await mustRun(t, ['mkdir', '-p', '--', path], `mkdir ${path}`);
    if (args.mode) for (const m of missing.slice(0, -1)) await applyMode(t, m, args.mode, false);
  }
  changed = (await applyMode(t, path, args.mode, ctx.checkMode)) || changed;
  if (args.recurse && args.mode) changed = (await recursiveMode(ctx, path, args.mode)) || changed;
  return describe(ctx, path, 'directory', changed);
}

/** chmod -R, reporting a change only when some entry had another mode. */
async function recursiveMode(ctx: RunContext, path: string, mode: string): Promise<boolean> {
  const t = ctx.transport;
  if (/^[0-7]+$/.test(mode)) {
    const octal = parseInt(mode, 8).toString(8);
    const differ = await t.exec({ argv: ['find', path, '-mindepth', '1', '!', '-type', 'l', '!', '-perm', octal.padStart(4, '0'), '-print', '-quit'] });
    if (!differ.stdout.trim()) return false;
  } else {
    const before = await t.exec({ argv: ['find', path, '-mindepth', '1', '-printf', '%m %p\\n'] });
    if (ctx.checkMode) return true;
    await mustRun(t, ['chmod', '-R', mode, '--', path], `chmod -R ${mode} ${path}`);
    const after = await t.exec({ argv: ['find', path, '-mindepth', '1', '-printf', '%m %p\\n'] });
    return before.stdout !== after.stdout;
  }
  if (!ctx.checkMode) await mustRun(t, ['chmod', '-R', mode, '--', path], `chmod -R ${mode} ${path}`);
  return true;
}

async function touch(ctx: RunContext, path: string, st: FileStat, args: Args): Promise<TaskResult> {
  const t = ctx.transport;
  if (!(await t.stat(posix.dirname(path))).exists) return fail(`Error, could not touch target: parent directory of ${path} does not exist`, { path });
  // Ansible reports touch as changed every time: the timestamps always move.
  if (!ctx.checkMode) {
    await mustRun(t, ['touch', '--', path], `touch ${path}`);
    await applyMode(t, path, args.mode, false);
  }
  const r = await describe(ctx, path, st.exists ? (st.isdir ? 'directory' : 'file') : 'file', true);
  return destInsteadOfPath(r);
}

async function link(ctx: RunContext, path: string, st: FileStat, args: Args, kind: 'link' | 'hard'): Promise<TaskResult> {
  const t = ctx.transport;
  if (!args.src) return fail(`src is required for creating a ${kind === 'link' ? 'symlink' : 'hard link'}`, { path });
  if (kind === 'link') {
    if (st.islnk) {
      const current = (await t.exec({ argv: ['readlink', '--', path] })).stdout;
      if (current === args.src) return destInsteadOfPath(await describe(ctx, path, 'link', false, { src: args.src }));
    } else if (st.exists && !args.force) {
      return fail(`refusing to convert from ${st.isdir ? 'directory' : 'file'} to symlink for ${path}`, { path });
    }
  } else {
    const same = await t.exec({ shell: `[ ${q(path)} -ef ${q(args.src)} ]` });
    if (st.exists && same.rc === 0) return destInsteadOfPath(await describe(ctx, path, 'hard', false, { src: args.src }));
  }
  if (!ctx.checkMode) {
    if (st.exists && st.isdir && !st.islnk) await mustRun(t, ['rm', '-rf', '--', path], `replacing ${path}`);
    await mustRun(t, kind === 'link' ? ['ln', '-sfn', '--', args.src, path] : ['ln', '-f', '--', args.src, path], `linking ${path}`);
  }
  return { changed: true, failed: false, dest: path, state: kind, src: args.src };
}

async function plainFile(ctx: RunContext, path: string, st: FileStat, args: Args): Promise<TaskResult> {
  if (!st.exists) return fail(`file (${path}) is absent, cannot continue`, { path, state: 'absent' });
  if (st.isdir) return fail(`${path} already exists as a directory`, { path });
  const changed = await applyMode(ctx.transport, path, args.mode, ctx.checkMode);
  return describe(ctx, path, 'file', changed);
}

/** Ansible names the path `dest` in touch/link/hard results. */
function destInsteadOfPath(r: TaskResult): TaskResult {
  const { path, ...rest } = r;
  return { ...rest, dest: path };
}

function q(s: string): string {
  return `'${s.replace(/'/g, `'"'"'`)}'`;
}
