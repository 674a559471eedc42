/** slurp: read a file from the target, base64-encoded (decode with the b64decode filter). */
import { z } from 'zod';
import type { Module } from '../engine/types.js';
import { str } from './lib/args.js';
import { fail, permissionRefusal } from './lib/result.js';
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
    let data: Buffer;
    try {
      data = await ctx.transport.get(src);
    } catch (e) {
      const refused = permissionRefusal(e);
      if (!refused) throw e;
      // Ansible's words first, then where, why and the way out.
      const hint = refused.asBecomeUser ? 'become a user allowed to read it' : 'set become: true to read it as root';
      return fail(`file is not readable: ${src} on ${ctx.host}: ${refused.message} (${hint})`);
    }
    return { changed: false, failed: false, content: data.toString('base64'), encoding: 'base64', source: src };
  },
};
