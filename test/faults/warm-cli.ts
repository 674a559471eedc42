/**
 * Pre-started `dci-agent-ts` processes for the kill -9 suite (see warm-cli-child.ts). `bundleWarmCli` compiles the
 * child and the CLI sources into one ES module with esbuild (the transpiler tsx itself uses; it comes with tsx):
 * a process then loads in ~0.3 s instead of the 1.5-2 s tsx needs to transform and link ~300 files, which would
 * be most of the suite's CPU. The bundle lives under node_modules/.cache so that its package imports resolve.
 * The suite checks that the bundle writes byte-for-byte what bin/dci-agent-ts writes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { REPO_ROOT } from '../helpers/cli.js';

export interface WarmBundle {
  file: string;
  remove(): Promise<void>;
}

export async function bundleWarmCli(): Promise<WarmBundle> {
  const dir = join(REPO_ROOT, 'node_modules', '.cache', `dci-faults-${process.pid}`);
  await mkdir(dir, { recursive: true });
  const file = join(dir, 'warm-cli.mjs');
  const { build } = await import('esbuild');
  await build({
    entryPoints: [join(REPO_ROOT, 'test', 'faults', 'warm-cli-child.ts')],
    outfile: file,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    logLevel: 'error',
  });
  return { file, remove: () => rm(dir, { recursive: true, force: true }) };
}

export interface WarmCli {
  child: ChildProcess;
  /** Resolves once the process has loaded the CLI and waits for its arguments. */
  ready: Promise<void>;
  /** stdout after the `ready` line, stderr. */
  output: { stdout: string; stderr: string };
  /** Resolves when the process has ended. */
  closed: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Start the run. */
  go(args: string[]): void;
}

/**
 * Start a process on the bundle. Once started (`go`), it is SIGKILLed after `guardMs` whatever happens; before, it
 * waits on its stdin, which closes with this process (no child outlives the tests either way).
 */
export function startWarmCli(bundle: WarmBundle, guardMs = 60_000): WarmCli {
  const child = spawn(process.execPath, [bundle.file], { cwd: REPO_ROOT, env: { ...process.env, NO_COLOR: '1' }, stdio: ['pipe', 'pipe', 'pipe'] });
  let guard: NodeJS.Timeout | undefined;
  const output = { stdout: '', stderr: '' };
  let isReady = false;
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      output.stdout += d.toString();
      if (!isReady && output.stdout.startsWith('ready\n')) {
        isReady = true;
        output.stdout = output.stdout.slice('ready\n'.length);
        resolve();
      }
    });
    child.once('close', () => {
      if (!isReady) reject(new Error(`the pre-started dci-agent-ts ended before it was ready: ${output.stderr}`));
    });
    child.once('error', reject);
  });
  // A process never used must not fail the test run by its rejection.
  ready.catch(() => undefined);
  child.stderr!.on('data', (d: Buffer) => (output.stderr += d.toString()));
  const closed = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('close', (code, signal) => {
      clearTimeout(guard);
      resolve({ code, signal });
    }),
  );
  return {
    child,
    ready,
    output,
    closed,
    go(args) {
      guard = setTimeout(() => child.kill('SIGKILL'), guardMs);
      child.stdin!.end(JSON.stringify(args) + '\n');
    },
  };
}
