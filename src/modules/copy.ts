/** copy: put content or a controller file (or a directory tree) on the target; changed only when bytes differ. */
import { z } from 'zod';
import { posix } from 'node:path';
import type { Module, RunContext, TaskResult, Transport } from '../engine/types.js';
import { bool, modeArg, str } from './lib/args.js';
import { fail } from './lib/result.js';
import { writeIfChanged } from './lib/write-file.js';
import { findControllerFile } from './lib/controller-files.js';
import { mustRun } from './lib/target-fs.js';

const Args = z
  .object({
    src: str.optional(),
    content: z.unknown().optional(),
    dest: str,
    mode: modeArg.optional(),
    directory_mode: modeArg.optional(),
    owner: str.optional(),
    group: str.optional(),
    backup: bool.default(false),
    force: bool.default(true),
    remote_src: bool.default(false),
    validate: str.optional(),
    follow: bool.optional(),
    local_follow: bool.optional(),
    decrypt: bool.optional(),
    unsafe_writes: bool.optional(),
  })
  .strict();
type Args = z.infer<typeof Args>;

export const copy: Module<Args> = {
  name: 'copy',
  aliases: ['ansible.builtin.copy', 'ansible.legacy.copy'],
  args: Args,
  checkMode: true,
  async run(args, ctx) {
    if (args.src === undefined && args.content === undefined) return fail('src (or content) is required');
    if (args.src !== undefined && args.content !== undefined) return fail('src and content are mutually exclusive');
    const t = ctx.transport;
    const opts = { mode: args.mode, force: args.force, backup: args.backup, validate: args.validate };
    if (args.content !== undefined) {
      if (args.dest.endsWith('/')) return fail('can not use content with a dir as dest');
      // Ansible serialises structured content as JSON.
      const text = typeof args.content === 'string' ? args.content : JSON.stringify(args.content);
      return writeIfChanged(ctx, args.dest, Buffer.from(text, 'utf8'), opts);
    }
    const src = args.src!;
    const source: Transport = args.remote_src ? t : ctx.controller;
    const srcPath = args.remote_src ? src : await findControllerFile(ctx, src, 'files');
    if (!srcPath) return fail(`Could not find or access '${src}' on the Ansible Controller.`);
    const st = await source.stat(srcPath);
    if (!st.exists) return fail(`Source ${srcPath} not found`);
    if (st.isdir) return copyTree(ctx, source, srcPath, args);
    const destStat = await t.stat(args.dest);
    const dest = args.dest.endsWith('/') || destStat.isdir ? posix.join(args.dest, posix.basename(srcPath)) : args.dest;
    if (args.dest.endsWith('/') && !destStat.exists && !ctx.checkMode) await mustRun(t, ['mkdir', '-p', '--', args.dest], `mkdir ${args.dest}`);
    const result = await writeIfChanged(ctx, dest, await source.get(srcPath), { ...opts, makeParents: false });
    return { ...result, src: srcPath };
  },
};

/** Directory source: `src/` copies the contents, `src` copies the directory itself into dest. */
async function copyTree(ctx: RunContext, source: Transport, srcDir: string, args: Args): Promise<TaskResult> {
  const t = ctx.transport;
  const listing = await source.exec({ argv: ['find', srcDir, '-mindepth', '1', '(', '-type', 'd', '-o', '-type', 'f', '-o', '-type', 'l', ')', '-printf', '%y %P\\0'] });
  if (listing.rc !== 0) return fail(`cannot list ${srcDir}: ${listing.stderr}`);
  const base = srcDir.endsWith('/') ? args.dest : posix.join(args.dest, posix.basename(srcDir));
  let changed = false;
  const entries = listing.stdout.split('\0').filter(Boolean).map((e) => ({ type: e[0], rel: e.slice(2) }));
  const dirs = [base, ...entries.filter((e) => e.type === 'd').map((e) => posix.join(base, e.rel))];
  for (const d of dirs) {
    if (!(await t.stat(d)).exists) {
      changed = true;
      if (!ctx.checkMode) await mustRun(t, ['mkdir', '-p', ...(args.directory_mode && /^[0-7]+$/.test(args.directory_mode) ? ['-m', args.directory_mode] : []), '--', d], `mkdir ${d}`);
    }
  }
  for (const f of entries.filter((e) => e.type !== 'd')) {
    const r = await writeIfChanged(ctx, posix.join(base, f.rel), await source.get(posix.join(srcDir, f.rel)), { mode: args.mode, force: args.force, backup: args.backup });
    if (r.failed) return r;
    changed ||= r.changed;
  }
  return { changed, failed: false, dest: args.dest, src: srcDir };
}
