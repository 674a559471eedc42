/**
 * The shared core of `command` and `shell`: creates/removes guards, chdir, stdin, check mode, and Ansible's
 * result shape (rc, stdout, stderr, *_lines, cmd, start, end, delta; failed with "non-zero return code").
 */
import type { ExecRequest, RunContext, TaskResult } from '../../engine/types.js';
import { ansibleDelta, ansibleTimestamp, lines } from './result.js';
import { expandHome, pathExists } from './target-fs.js';

export interface CommandSpec {
  /** What to run: argv (command) or a shell string (shell). */
  request: Pick<ExecRequest, 'argv' | 'shell'>;
  /** `cmd` in the result: the argv list for command, the string for shell. */
  cmd: string | string[];
  chdir?: string;
  creates?: string;
  removes?: string;
  stdin?: string;
  stdinAddNewline: boolean;
  stripEmptyEnds: boolean;
}

export async function runCommand(spec: CommandSpec, ctx: RunContext): Promise<TaskResult> {
  const t = ctx.transport;
  const shoulda = ctx.checkMode ? 'Would' : 'Did';
  const guardBase = { cmd: spec.cmd, rc: 0, stderr: '', stderr_lines: [] as string[], start: null, end: null, delta: null };
  const chdir = spec.chdir ? await expandHome(t, spec.chdir) : undefined;
  const resolve = async (p: string) => {
    const abs = await expandHome(t, p);
    return chdir && !abs.startsWith('/') ? `${chdir}/${abs}` : abs;
  };
  if (spec.creates && (await pathExists(t, await resolve(spec.creates)))) {
    const stdout = `skipped, since ${spec.creates} exists`;
    return { changed: false, failed: false, ...guardBase, stdout, stdout_lines: [stdout], msg: `${shoulda} not run command since '${spec.creates}' exists` };
  }
  if (spec.removes && !(await pathExists(t, await resolve(spec.removes)))) {
    const stdout = `skipped, since ${spec.removes} does not exist`;
    return { changed: false, failed: false, ...guardBase, stdout, stdout_lines: [stdout], msg: `${shoulda} not run command since '${spec.removes}' does not exist` };
  }
  if (ctx.checkMode) {
    // Ansible: with a creates/removes guard the command "would have run"; without one it is skipped.
    if (spec.creates === undefined && spec.removes === undefined) {
      return { changed: false, failed: false, skipped: true, rc: 0, cmd: spec.cmd, msg: 'Command would have run if not in check mode', stdout: '', stderr: '', stdout_lines: [], stderr_lines: [] };
    }
    return { changed: true, failed: false, rc: 0, cmd: spec.cmd, msg: 'Command would have run if not in check mode', stdout: '', stderr: '', stdout_lines: [], stderr_lines: [] };
  }
  if (chdir) {
    const st = await t.stat(chdir);
    if (!st.exists || !st.isdir) {
      return { changed: false, failed: true, cmd: spec.cmd, msg: `Unable to change directory before execution: [Errno 2] No such file or directory: '${chdir}'` };
    }
  }
  const started = new Date();
  const r = await t.exec({
    ...spec.request,
    cwd: chdir,
    stdin: spec.stdin === undefined ? undefined : spec.stdin + (spec.stdinAddNewline ? '\n' : ''),
    signal: ctx.signal,
    onLine: (stream, line) => ctx.log(line, stream),
    // Every byte the command wrote, final newlines included: strip_empty_ends is the only trimming ansible-core does.
    rawOutput: true,
  });
  const ended = new Date();
  const strip = (s: string) => (spec.stripEmptyEnds ? s.replace(/[\r\n]+$/, '') : s);
  const stdout = strip(r.stdout);
  const stderr = strip(r.stderr);
  const result: TaskResult = {
    changed: true,
    failed: r.rc !== 0,
    rc: r.rc,
    cmd: spec.cmd,
    stdout,
    stderr,
    stdout_lines: lines(stdout),
    stderr_lines: lines(stderr),
    start: ansibleTimestamp(started),
    end: ansibleTimestamp(ended),
    delta: ansibleDelta(ended.getTime() - started.getTime()),
    msg: '',
  };
  if (r.timedOut) result.msg = 'command timed out';
  else if (r.rc !== 0) result.msg = 'non-zero return code';
  return result;
}

/**
 * Ansible's free-form parsing: `command: ls -l chdir=/tmp creates=x` — `key=value` words whose key is a known
 * argument are options; everything else is the command. Returns the command text and the options found.
 */
export function splitFreeForm(raw: string, known: readonly string[]): { command: string; options: Record<string, string> } {
  const options: Record<string, string> = {};
  const kept: string[] = [];
  // Tokens are split on whitespace outside quotes so quoted values keep their spaces.
  const tokens = raw.match(/(?:[^\s"']+|"(?:\\.|[^"\\])*"|'[^']*')+|\s+/g) ?? [];
  for (const tok of tokens) {
    const m = /^([A-Za-z_]+)=(.*)$/s.exec(tok);
    if (m && known.includes(m[1])) {
      options[m[1]] = m[2].replace(/^(['"])(.*)\1$/s, '$2');
      continue;
    }
    kept.push(tok);
  }
  return { command: kept.join('').trim(), options };
}
