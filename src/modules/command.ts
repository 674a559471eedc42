/** command: run a program with arguments, no shell (argv, or a free-form line split like Python's shlex). */
import { z } from 'zod';
import type { Module, RunContext } from '../engine/types.js';
import { bool, freeFormBool, str } from './lib/args.js';
import { fail } from './lib/result.js';
import { runCommand, splitFreeForm } from './lib/run-command.js';
import { shlexSplit } from '../engine/transports/shell-quote.js';

const OPTIONS = ['chdir', 'creates', 'removes', 'stdin', 'stdin_add_newline', 'strip_empty_ends', 'expand_argument_vars', 'executable', 'warn'] as const;

const Args = z
  .object({
    _raw_params: str.optional(),
    cmd: str.optional(),
    argv: z.array(z.union([z.string(), z.number()]).transform(String)).optional(),
    chdir: str.optional(),
    creates: str.optional(),
    removes: str.optional(),
    stdin: str.optional(),
    stdin_add_newline: bool.default(true),
    strip_empty_ends: bool.default(true),
    expand_argument_vars: bool.default(true),
    // `_uses_shell` is how Ansible's shell action calls command; accepted so both names share one schema.
    _uses_shell: bool.optional(),
    executable: str.optional(),
    warn: bool.optional(),
  })
  .strict();
export type CommandArgs = z.infer<typeof Args>;

export const command: Module<CommandArgs> = {
  name: 'command',
  aliases: ['ansible.builtin.command', 'ansible.legacy.command'],
  args: Args,
  checkMode: true,
  freeForm: '_raw_params',
  async run(rawArgs, ctx) {
    const args = withFreeFormOptions(rawArgs);
    const given = [args._raw_params, args.cmd, args.argv].filter((x) => x !== undefined).length;
    if (given === 0) return fail('no command given');
    if (given > 1) return fail('only one of _raw_params, cmd or argv can be used');
    let argv: string[];
    try {
      argv = args.argv ?? shlexSplit(args._raw_params ?? args.cmd ?? '');
    } catch (e) {
      return fail((e as Error).message);
    }
    if (argv.length === 0) return fail('no command given');
    if (args.expand_argument_vars && argv.some((a) => a.includes('$') || a.startsWith('~'))) {
      // Ansible expands $VAR and ~ in the arguments on the target (os.path.expandvars/expanduser).
      const env = ctx.transport.kind === 'local' ? process.env : await targetEnv(ctx);
      argv = argv.map((a) => expandVars(a, env));
    }
    return runCommand(
      {
        request: { argv },
        cmd: argv,
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

/** Pull `chdir=... creates=...` out of a free-form line, as Ansible does. */
export function withFreeFormOptions<T extends { _raw_params?: string }>(args: T, module = 'command'): T {
  if (args._raw_params === undefined) return args;
  const { command: text, options } = splitFreeForm(args._raw_params, OPTIONS);
  const merged: Record<string, unknown> = { ...args, _raw_params: text };
  for (const [k, v] of Object.entries(options)) {
    // A bool option is checked like a YAML one (ansible-core hands the string to check_type_bool).
    if (merged[k] === undefined || k.startsWith('stdin_') || k === 'strip_empty_ends') merged[k] = /^(stdin_add_newline|strip_empty_ends|expand_argument_vars)$/.test(k) ? freeFormBool(module, k, v) : v;
  }
  return merged as T;
}

/** Python's os.path.expandvars + expanduser on one argument: unknown variables stay as written. */
function expandVars(arg: string, env: Record<string, string | undefined>): string {
  let out = arg;
  if (out === '~' || out.startsWith('~/')) out = (env.HOME ?? '~') + out.slice(1);
  return out.replace(/\$(\w+)|\$\{(\w+)\}/g, (m, a: string | undefined, b: string | undefined) => env[(a ?? b)!] ?? m);
}

async function targetEnv(ctx: RunContext): Promise<Record<string, string>> {
  const r = await ctx.transport.exec({ argv: ['env', '-0'] });
  const env: Record<string, string> = {};
  for (const entry of r.stdout.split('\0')) {
    const i = entry.indexOf('=');
    if (i > 0) env[entry.slice(0, i)] = entry.slice(i + 1);
  }
  return env;
}
