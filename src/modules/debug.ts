/** debug: show a message or a variable's value (Ansible's result shapes: `{msg}` or `{<var>: value}`). */
import { z } from 'zod';
import type { Module, RunContext } from '../engine/types.js';
import { num } from './lib/args.js';
import { ok, fail } from './lib/result.js';

const Args = z
  .object({
    msg: z.unknown().optional(),
    var: z.union([z.string(), z.number(), z.boolean()]).transform(String).optional(),
    verbosity: num.optional(),
  })
  .strict();
type Args = z.infer<typeof Args>;

export const UNDEFINED_MARK = 'VARIABLE IS NOT DEFINED!';

export const debug: Module<Args> = {
  name: 'debug',
  aliases: ['ansible.builtin.debug', 'ansible.legacy.debug'],
  args: Args,
  checkMode: true,
  controllerOnly: true,
  async run(args, ctx) {
    if (args.msg !== undefined && args.var !== undefined) return fail("'msg' and 'var' are incompatible options");
    if (args.var !== undefined) {
      return ok({ [args.var]: await evaluateVar(args.var, ctx) });
    }
    return ok({ msg: args.msg === undefined ? 'Hello world!' : args.msg });
  },
};

/** Evaluate `var:` as a Jinja expression to a native value; undefined → Ansible's marker string. */
async function evaluateVar(expr: string, ctx: RunContext): Promise<unknown> {
  try {
    const json = await ctx.render(`{{ (${expr}) | to_json }}`);
    return JSON.parse(json) as unknown;
  } catch (e) {
    const message = (e as Error).message ?? '';
    if (/undefined|not defined/i.test(message)) return UNDEFINED_MARK;
    // No to_json (or a non-JSON value): fall back to the rendered string, as Ansible's repr would show it.
    return ctx.render(`{{ ${expr} }}`);
  }
}
