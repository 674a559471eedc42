/** tempfile: create a unique temporary file or directory on the target (mktemp), returning its path. */
import { z } from 'zod';
import type { Module } from '../engine/types.js';
import { str } from './lib/args.js';
import { fail } from './lib/result.js';

const Args = z
  .object({
    state: z.enum(['file', 'directory']).default('file'),
    path: str.optional(),
    prefix: str.default('ansible.'),
    suffix: str.default(''),
  })
  .strict();
type Args = z.infer<typeof Args>;

export const tempfile: Module<Args> = {
  name: 'tempfile',
  aliases: ['ansible.builtin.tempfile', 'ansible.legacy.tempfile'],
  args: Args,
  checkMode: false,
  async run(args, ctx) {
    if (/[/]/.test(args.prefix) || /[/]/.test(args.suffix)) return fail('prefix and suffix must not contain /');
    const argv = ['mktemp', ...(args.state === 'directory' ? ['-d'] : []), ...(args.path ? [`--tmpdir=${args.path}`] : ['--tmpdir']), ...(args.suffix ? [`--suffix=${args.suffix}`] : []), `${args.prefix}XXXXXXXX`];
    const r = await ctx.transport.exec({ argv });
    if (r.rc !== 0) return fail(`failed to create the temporary ${args.state}: ${r.stderr.trim()}`);
    const path = r.stdout.trim();
    const st = await ctx.transport.stat(path);
    return { changed: true, failed: false, path, state: args.state, mode: st.mode, uid: st.uid, gid: st.gid, size: st.size };
  },
};
