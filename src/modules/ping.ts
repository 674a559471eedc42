/** ping: check that the target answers (runs a no-op over its transport). */
import { z } from 'zod';
import type { Module } from '../engine/types.js';
import { str } from './lib/args.js';
import { fail } from './lib/result.js';

const Args = z.object({ data: str.default('pong') }).strict();
type Args = z.infer<typeof Args>;

export const ping: Module<Args> = {
  name: 'ping',
  aliases: ['ansible.builtin.ping', 'ansible.legacy.ping'],
  args: Args,
  checkMode: true,
  async run(args, ctx) {
    if (args.data === 'crash') return fail('boom', { exception: 'Exception: boom' });
    const r = await ctx.transport.exec({ argv: ['true'] });
    if (r.rc !== 0) return fail(`ping failed on ${ctx.host}: ${r.stderr.trim()}`);
    return { changed: false, failed: false, ping: args.data };
  },
};
