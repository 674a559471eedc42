/** shell: run a command line through /bin/sh (or `executable`), with pipes, redirects and expansion. */
import { z } from 'zod';
import type { Module } from '../engine/types.js';
import { bool, str } from './lib/args.js';
import { fail } from './lib/result.js';
import { runCommand } from './lib/run-command.js';
import { withFreeFormOptions } from './command.js';

const Args = z
  .object({
    _raw_params: str.optional(),
    cmd: str.optional(),
    chdir: str.optional(),
    creates: str.optional(),
    removes: str.optional(),
    stdin: str.optional(),
    stdin_add_newline: bool.default(true),
    strip_empty_ends: bool.default(true),
    executable: str.optional(),
    warn: bool.optional(),
  })
  .strict();
type Args = z.infer<typeof Args>;

export const shell: Module<Args> = {
  name: 'shell',
  aliases: ['ansible.builtin.shell', 'ansible.legacy.shell'],
  args: Args,
  checkMode: true,
  freeForm: '_raw_params',
  async run(rawArgs, ctx) {
    const args = withFreeFormOptions(rawArgs, 'shell');
    const line = args._raw_params || args.cmd;
    if (!line) return fail('no command given');
    const request = args.executable ? { argv: [args.executable, '-c', line] } : { shell: line };
    return runCommand(
      {
        request,
        cmd: line,
        chdir: args.chdir,
        creates: args.creates,
        removes: args.removes,
        stdin: args.stdin,
        stdinAddNewline: args.stdin_add_newline,
        stripEmptyEnds: args.strip_empty_ends,
      },
      ctx,
    );
  },
};
