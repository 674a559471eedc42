/**
 * The one door for child processes on the local machine (house rule 5). Heavy `execa` is loaded lazily so that
 * commands that never spawn (validate, vars, version) start fast.
 */
export interface ExecOptions {
  cwd?: string;
  env?: Record<string, string | undefined>;
  /** Extend process.env (default) or replace it. */
  extendEnv?: boolean;
  input?: string;
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Called for each line of stdout/stderr as it arrives. */
  onLine?: (stream: 'stdout' | 'stderr', line: string) => void;
  /** Run through /bin/sh -c (shell module). */
  shell?: boolean;
  /** Drop one final newline (\n or \r\n) from stdout and stderr (default true); false keeps the output intact. */
  stripFinalNewline?: boolean;
}

export interface ExecResult {
  rc: number;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  killed: boolean;
  durationMs: number;
}

export async function execCommand(file: string, args: string[], options: ExecOptions = {}): Promise<ExecResult> {
  const { execa } = await import('execa');
  const started = Date.now();
  const child = execa(file, args, {
    cwd: options.cwd,
    env: options.env,
    extendEnv: options.extendEnv ?? true,
    input: options.input,
    timeout: options.timeoutMs,
    cancelSignal: options.signal,
    reject: false,
    stripFinalNewline: options.stripFinalNewline ?? true,
    shell: options.shell ? '/bin/sh' : false,
    forceKillAfterDelay: 5000,
    stdin: options.input === undefined ? 'ignore' : 'pipe',
    lines: false,
  });
  if (options.onLine) {
    const onLine = options.onLine;
    for (const [name, stream] of [['stdout', child.stdout], ['stderr', child.stderr]] as const) {
      let buf = '';
      stream?.on('data', (chunk: Buffer) => {
        buf += chunk.toString('utf8');
        let i;
        while ((i = buf.indexOf('\n')) >= 0) {
          onLine(name, buf.slice(0, i));
          buf = buf.slice(i + 1);
        }
      });
      stream?.on('end', () => {
        if (buf) onLine(name, buf);
      });
    }
  }
  const r = await child;
  return {
    rc: typeof r.exitCode === 'number' ? r.exitCode : r.timedOut || r.isCanceled ? -1 : 1,
    stdout: typeof r.stdout === 'string' ? r.stdout : '',
    stderr: typeof r.stderr === 'string' ? r.stderr : '',
    timedOut: Boolean(r.timedOut),
    killed: Boolean(r.isTerminated),
    durationMs: Date.now() - started,
  };
}
