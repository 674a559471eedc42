/** template: render a controller-side Jinja2 file with the task's variables and install it like copy. */
import { z } from 'zod';
import type { Module } from '../engine/types.js';
import { bool, looseBool, modeArg, str } from './lib/args.js';
import { fail } from './lib/result.js';
import { writeIfChanged } from './lib/write-file.js';
import { findControllerFile } from './lib/controller-files.js';

const Args = z
  .object({
    src: str,
    dest: str,
    mode: modeArg.optional(),
    owner: str.optional(),
    group: str.optional(),
    backup: bool.default(false),
    force: bool.default(true),
    validate: str.optional(),
    newline_sequence: z.enum(['\n', '\r', '\r\n']).default('\n'),
    trim_blocks: looseBool.optional(),
    lstrip_blocks: looseBool.optional(),
    follow: bool.optional(),
    output_encoding: str.optional(),
    unsafe_writes: bool.optional(),
  })
  .strict();
type Args = z.infer<typeof Args>;

export const template: Module<Args> = {
  name: 'template',
  aliases: ['ansible.builtin.template', 'ansible.legacy.template'],
  args: Args,
  checkMode: true,
  async run(args, ctx) {
    const path = await findControllerFile(ctx, args.src, 'templates');
    if (!path) return fail(`Could not find or access '${args.src}' on the Ansible Controller.`);
    const source = (await ctx.controller.get(path)).toString('utf8');
    let text = await ctx.render(source, { template_path: path, template_host: ctx.host });
    if (args.newline_sequence !== '\n') text = text.replace(/\n/g, args.newline_sequence);
    const result = await writeIfChanged(ctx, args.dest, Buffer.from(text, 'utf8'), { mode: args.mode, force: args.force, backup: args.backup, validate: args.validate });
    return { ...result, src: path };
  },
};
