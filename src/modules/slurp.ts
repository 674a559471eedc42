/** slurp: read a file from the target, base64-encoded (decode with the b64decode filter). */
import { z } from 'zod';
import type { Module } from '../engine/types.js';
import { str } from './lib/args.js';
import { fail } from './lib/result.js';
import { expandHome } from './lib/target-fs.js';

const Args = z.object({ src: str.optional(), path: str.optional() }).strict();
type Args = z.infer<typeof Args>;

export const slurp: Module<Args> = {
  name: 'slurp',
  aliases: ['ansible.builtin.slurp', 'ansible.legacy.slurp'],
  args: Args,
  checkMode: true,
  async run(args, ctx) {
    const given = args.src ?? args.path;
    if (!given) return fail('missing required arguments: src');
    const src = await expandHome(ctx.transport, given);
    const st = await ctx.transport.stat(src);
    if (!st.exists) return fail(`file not found: ${src}`);
    if (st.isdir) return fail(`source is a directory and must be a file: ${src}`);
    const data = await ctx.transport.get(src);
    return { changed: false, failed: false, content: data.toString('base64'), encoding: 'base64', source: src };
  },
};
