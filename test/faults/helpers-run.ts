/**
 * Shared pieces of the pipeline fault tests: a `run` started as a real child process (so a test can act while it
 * runs and bound how long it takes), polling, and killing the per-connection processes of our sshd.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { createServer, connect, type AddressInfo, type Socket } from 'node:net';
import { join } from 'node:path';
import { BIN, REPO_ROOT, type CliRun } from '../helpers/cli.js';
import type { SshdHandle } from '../helpers/sshd.js';

export interface RunningCli {
  child: ChildProcess;
  /** Output so far. */
  stdout(): string;
  stderr(): string;
  /** Resolves when the process has exited (killed with SIGKILL after `timeoutMs`: `timedOut` says so). */
  done: Promise<CliRun & { timedOut: boolean; durationMs: number }>;
  /** SIGKILL the child if it still runs (afterEach safety net). */
  kill(): void;
}

export function startCli(args: string[], options: { env?: Record<string, string>; timeoutMs: number }): RunningCli {
  const started = Date.now();
  const child = spawn(process.execPath, ['--', BIN, ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, NO_COLOR: '1', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, options.timeoutMs);
  const done = new Promise<CliRun & { timedOut: boolean; durationMs: number }>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : 1), stdout: out, stderr: err, timedOut, durationMs: Date.now() - started });
    });
  });
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    done,
    kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}

/** Poll `check` every 50 ms until it returns a truthy value; throws with `what` after `timeoutMs`. */
export async function waitFor<T>(what: string, check: () => T | undefined | false | null, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Kill (SIGKILL) the per-connection processes of this sshd, not its listener: with privilege separation the
 * listener forks a monitor per connection, which forks the session process holding the TCP socket. Returns how
 * many processes were killed.
 */
export function killSshdSessions(sshd: SshdHandle): number {
  const listener = readFileSync(join(sshd.dir, 'sshd.pid'), 'utf8').trim();
  const childrenOf = (pid: string): string[] => {
    try {
      return execFileSync('pgrep', ['-P', pid]).toString().split(/\s+/).filter(Boolean);
    } catch {
      return [];
    }
  };
  const monitors = childrenOf(listener);
  const sessions = monitors.flatMap(childrenOf);
  let killed = 0;
  for (const pid of [...sessions, ...monitors]) {
    try {
      process.kill(Number(pid), 'SIGKILL');
      killed++;
    } catch (e) {
      // Killing a session can take its monitor with it before we get there.
      if ((e as NodeJS.ErrnoException).code !== 'ESRCH') throw e;
    }
  }
  return killed;
}

/** The one run directory under `<stateDir>/runs` (fails when there is none or several). */
export function onlyRunDir(stateDir: string): string {
  const runs = join(stateDir, 'runs');
  const dirs = existsSync(runs) ? readdirSync(runs, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name) : [];
  if (dirs.length !== 1) throw new Error(`expected one run in ${runs}, found ${dirs.length}: ${dirs.join(', ')}`);
  return join(runs, dirs[0]);
}

export interface RecordedEvent {
  type: string;
  [k: string]: unknown;
}

export function readEvents(runDir: string): RecordedEvent[] {
  return readFileSync(join(runDir, 'events.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as RecordedEvent);
}

/** A stack trace in user-facing output: "    at fn (file:line:col)" lines. */
export const STACK_TRACE = /^\s+at .+[:(].*\d+:\d+\)?$/m;

export interface TcpProxy {
  port: number;
  /** Connections accepted so far. */
  accepted(): number;
  /** Reset every open connection (both sides see the TCP connection die), keep listening. */
  cut(): void;
  /** Black-hole every open connection: stop moving bytes either way, keep the sockets open (a silent partition). */
  freeze(): void;
  close(): Promise<void>;
}

/** A plain TCP forwarder on 127.0.0.1 to `targetPort`, to cut or freeze a connection from outside both ends. */
export async function startTcpProxy(targetPort: number): Promise<TcpProxy> {
  const pairs = new Set<[Socket, Socket]>();
  let accepted = 0;
  const server = createServer((client) => {
    accepted++;
    const upstream = connect(targetPort, '127.0.0.1');
    const pair: [Socket, Socket] = [client, upstream];
    pairs.add(pair);
    client.pipe(upstream);
    upstream.pipe(client);
    const drop = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', drop);
    upstream.on('error', drop);
    client.on('close', drop);
    upstream.on('close', drop);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    accepted: () => accepted,
    cut() {
      for (const [a, b] of pairs) {
        a.resetAndDestroy();
        b.resetAndDestroy();
      }
      pairs.clear();
    },
    freeze() {
      for (const [a, b] of pairs) {
        a.unpipe(b);
        b.unpipe(a);
        a.pause();
        b.pause();
      }
    },
    async close() {
      for (const [a, b] of pairs) {
        a.destroy();
        b.destroy();
      }
      pairs.clear();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
