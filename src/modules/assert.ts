/** assert: evaluate conditions (Jinja expressions without braces); fail with fail_msg/msg on the first false one. */
import { z } from 'zod';
import type { Module, RunContext } from '../engine/types.js';
import { looseBool, toBool } from './lib/args.js';

const Message = z.union([z.string(), z.array(z.string())]);
const Args = z
  .object({
    that: z.union([z.array(z.unknown()), z.string(), z.boolean(), z.number()]),
    msg: Message.optional(),
    fail_msg: Message.optional(),
    success_msg: Message.optional(),
    quiet: looseBool.optional(),
  })
  .strict();
type Args = z.infer<typeof Args>;

export const assert: Module<Args> = {
  name: 'assert',
  aliases: ['ansible.builtin.assert', 'ansible.legacy.assert'],
  args: Args,
  checkMode: true,
  controllerOnly: true,
  async run(args, ctx) {
    const conditions = Array.isArray(args.that) ? args.that : [args.that];
    for (const cond of conditions) {
      if (!(await evaluate(cond, ctx))) {
        return {
          changed: false,
          failed: true,
          assertion: cond,
          evaluated_to: false,
          msg: asText(args.fail_msg ?? args.msg ?? 'Assertion failed'),
        };
      }
    }
    return { changed: false, failed: false, msg: asText(args.success_msg ?? 'All assertions passed') };
  },
};

/** A condition already templated by the executor (boolean) or a bare expression to evaluate like `when:`. */
export async function evaluate(cond: unknown, ctx: RunContext): Promise<boolean> {
  if (typeof cond === 'boolean') return cond;
  if (typeof cond === 'number') return cond !== 0;
  if (cond === null || cond === undefined) return false;
  const text = String(cond).trim();
  const expr = /^\{\{.*\}\}$/s.test(text) ? text.slice(2, -2) : text;
  const out = (await ctx.render(`{% if ${expr} %}True{% else %}False{% endif %}`)).trim();
  return toBool(out) ?? false;
}

/** TaskResult.msg is a string; a list message (allowed by Ansible) is shown one item per line. */
function asText(msg: string | string[]): string {
  return Array.isArray(msg) ? msg.join('\n') : msg;
}
