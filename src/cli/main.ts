/**
 * The CLI: parses argv and calls one function per subcommand. Subcommands live in ./commands/<name>.ts and are
 * listed in ./commands/index.ts; each is loaded only when invoked so that `--help` and `version` start fast.
 */
import { Command, CommanderError } from 'commander';
import { DciError, formatUserError, isDciError } from '../core/errors.js';
import { globalSecrets } from '../core/secrets.js';
import { COMMANDS } from './commands/index.js';

export interface CliIO {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
}

export const defaultIO: CliIO = {
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
};

/**
 * Build the program; command actions set `process.exitCode` (or throw a DciError). With `only`, just that command is
 * registered (main passes the one named first on the command line: registering the other ten costs start-up time,
 * which is most of a no-op re-mirror); without it, every command (root help, unknown-command suggestions).
 */
export function buildProgram(io: CliIO = defaultIO, only?: string): Command {
  const program = new Command();
  program
    .name('dci-agent-ts')
    .description('Run DCI OpenShift agent pipelines: mirror, install, deploy operators, report.')
    .option('--debug', 'show stack traces for errors')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .exitOverride();
  for (const cmd of COMMANDS) if (!only || cmd.name === only) cmd.register(program, io);
  program.addHelpText(
    'after',
    `
Exit codes: 0 ok, 1 pipeline failed, 2 bad input, 75 another run holds the lock, 130 interrupted.

Examples:
  dci-agent-ts run --inventory inventories/demo.yml
  dci-agent-ts validate --inventory lab.ini
  dci-agent-ts vars --inventory lab.ini --host master-0 --explain ipmi_user`,
  );
  return program;
}

/** Entry point used by bin/dci-agent-ts. Never throws: prints one clear message and sets the exit code. */
export async function main(argv: string[], io: CliIO = defaultIO): Promise<number> {
  const debug = argv.includes('--debug');
  const first = argv[0];
  const program = buildProgram(io, first && COMMANDS.some((c) => c.name === first) ? first : undefined);
  let code: number;
  try {
    await program.parseAsync(argv, { from: 'user' });
    code = typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    code = reportError(e, io, debug);
  }
  process.exitCode = code;
  return code;
}

export function reportError(e: unknown, io: CliIO, debug: boolean): number {
  if (e instanceof CommanderError) {
    // commander already printed its message; help/version are not errors.
    if (e.code === 'commander.helpDisplayed' || e.code === 'commander.help' || e.code === 'commander.version') return 0;
    return 2;
  }
  if (isDciError(e)) {
    io.stderr(globalSecrets.redact(formatUserError(e)) + '\n');
    if (debug && e.stack) io.stderr(globalSecrets.redact(e.stack) + '\n');
    return e.exitCode;
  }
  const err = e instanceof Error ? e : new Error(String(e));
  io.stderr(globalSecrets.redact(`error: ${err.message}`) + '\n');
  if (debug && err.stack) io.stderr(globalSecrets.redact(err.stack) + '\n');
  else io.stderr('  (internal error: run again with --debug for the stack trace and report it)\n');
  return 1;
}

export { DciError };
