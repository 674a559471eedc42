/**
 * Shared helpers for the benchmarks that spawn processes: GNU time wrapper (wall seconds + peak RSS),
 * median/min–max, the compiled CLI as a new process, and a ratio table. Benchmarks print, they never assert.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { StartRegistryOptions, TestRegistry } from '../test/helpers/registry.js';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

export interface Timed {
  seconds: number;
  /** user + system CPU seconds of the process and the children it waited for (GNU time %U + %S) */
  cpuSeconds: number;
  maxRssKb: number;
  code: number;
  stderr: string;
}

/** Run a command under GNU time: wall seconds and peak RSS of the process (and its waited-for children). */
export function timed(cmd: string, cmdArgs: string[], env: Record<string, string> = {}): Promise<Timed> {
  return new Promise((resolve, reject) => {
    const child = spawn('/usr/bin/time', ['-f', '__TIME__ %e %M %U %S', cmd, ...cmdArgs], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const m = /__TIME__ ([\d.]+) (\d+) ([\d.]+) ([\d.]+)/.exec(stderr);
      resolve({
        seconds: m ? Number(m[1]) : NaN,
        maxRssKb: m ? Number(m[2]) : NaN,
        cpuSeconds: m ? Number(m[3]) + Number(m[4]) : NaN,
        code: code ?? 1,
        stderr: stderr.replace(/__TIME__.*\n?/, ''),
      });
    });
  });
}

/** Fail the benchmark (not silently record a bogus time) when a measured command failed. */
export function must(t: Timed, what: string): Timed {
  if (t.code !== 0) throw new Error(`${what} failed (${t.code}): ${t.stderr.slice(-2000)}`);
  return t;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** "1.23 (1.10–1.40)" — median and range of a sample. */
export function stat(xs: number[], digits = 2): string {
  if (xs.length === 0) return '-';
  return `${median(xs).toFixed(digits)} (${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)})`;
}

/** Tiny flag parser shared by the benches: `--name value` and `--flag`. */
export function cliArgs(argv = process.argv.slice(2)): { flag(name: string): boolean; num(name: string, dflt: number): number } {
  return {
    flag: (name) => argv.includes(`--${name}`),
    num: (name, dflt) => {
      const i = argv.indexOf(`--${name}`);
      return i >= 0 ? Number(argv[i + 1]) : dflt;
    },
  };
}

/** "1.2 / 3.4 / 5.6" — the 1, 5 and 15 minute load averages now (the machine may be shared: say how busy it was). */
export function loadAverage(): string {
  return loadavg()
    .map((x) => x.toFixed(1))
    .join(' / ');
}

export function machine(): string {
  return `${cpus().length} cores (${cpus()[0]?.model ?? '?'}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
}

/**
 * Our CLI as shipped: build dist/ and write a tiny runner that imports dist/cli/main.js, so each measured run is a
 * fresh node process with the compiled code (start-up included), like `dci-agent-ts` after `npm install`.
 */
export async function prepareCli(): Promise<{ bin: string; cleanup: () => Promise<void> }> {
  const build = await timed(join(ROOT, 'node_modules', '.bin', 'tsc'), ['-p', join(ROOT, 'tsconfig.build.json')]);
  const built = await readFile(join(ROOT, 'dist', 'cli', 'main.js')).then(
    () => true,
    () => false,
  );
  if (!built) throw new Error(`could not build dist/: ${build.stderr.slice(-1000)}`);
  const bin = join(tmpdir(), `dci-bench-runner-${process.pid}.mjs`);
  await writeFile(bin, `const { main } = await import(${JSON.stringify(pathToFileURL(join(ROOT, 'dist', 'cli', 'main.js')).href)});\nawait main(process.argv.slice(2));\n`);
  return { bin, cleanup: () => rm(bin, { force: true }) };
}

/** What a registry bench works with: a temp dir, our compiled CLI and registries started on demand. */
export interface RegistryBench {
  work: string;
  cli: { bin: string };
  /** A new docker-registry on 127.0.0.1 (random port), stopped when the bench ends. */
  fresh(options?: StartRegistryOptions): Promise<TestRegistry>;
}

/**
 * The set-up the registry benches share: a temp work dir named after the bench, dist/ built (`prepareCli`), and
 * every registry `fresh()` started stopped at the end — the work dir and the runner removed too, also on failure.
 */
export async function withRegistryBench<T>(name: string, body: (b: RegistryBench) => Promise<T>): Promise<T> {
  const work = await mkdtemp(join(tmpdir(), `bench-${name}-`));
  const regs: TestRegistry[] = [];
  const cli = await prepareCli();
  const fresh = async (options?: StartRegistryOptions): Promise<TestRegistry> => {
    // Loaded here so the benches without registries (engine, catalog) do not load the registry helper.
    const { startRegistry } = await import('../test/helpers/registry.js');
    const r = await startRegistry(options);
    regs.push(r);
    return r;
  };
  try {
    return await body({ work, cli, fresh });
  } finally {
    for (const r of regs) await r.stop().catch(() => undefined);
    await rm(work, { recursive: true, force: true });
    await cli.cleanup();
  }
}

export interface Row {
  name: string;
  /** samples in the unit of the table */
  samples: number[];
  /** the row this one is compared with (its anchor), by name */
  anchor?: string;
  note?: string;
  /** CPU seconds (user + system) per run, printed with its own ratio to the anchor's CPU when both have it */
  cpu?: number[];
}

/**
 * Print rows as "name  median (min–max)  runs  ratio": ratio = anchor median / row median (>1: ours is faster or
 * smaller); a row others compare with says "anchor", a row with no ratio "-". Rows with CPU samples get a second
 * column, CPU median (min–max) and its ratio to the anchor's CPU.
 */
export function printTable(title: string, unit: string, rows: Row[], digits = 2): void {
  const w = Math.max(...rows.map((r) => r.name.length), 10);
  const withCpu = rows.some((r) => r.cpu?.length);
  const ratio = (a: number[] | undefined, b: number[] | undefined): string => (a?.length && b?.length ? `${(median(a) / median(b)).toFixed(2)}×` : '');
  process.stdout.write(`\n== ${title} ==\n`);
  process.stdout.write(`${'case'.padEnd(w)}  ${`median (min–max) ${unit}`.padEnd(26)} runs  ${'vs anchor'.padEnd(10)}${withCpu ? `  ${'CPU s median (min–max)'.padEnd(24)} CPU vs anchor` : ''}  note\n`);
  for (const r of rows) {
    const a = r.anchor ? rows.find((x) => x.name === r.anchor) : undefined;
    const cpuCols = withCpu ? `  ${(r.cpu?.length ? stat(r.cpu) : '-').padEnd(24)} ${ratio(a?.cpu, r.cpu).padEnd(13)}` : '';
    process.stdout.write(`${r.name.padEnd(w)}  ${stat(r.samples, digits).padEnd(26)} ${String(r.samples.length).padStart(4)}  ${(a ? ratio(a.samples, r.samples) : rows.some((x) => x.anchor === r.name) ? 'anchor' : '-').padEnd(10)}${cpuCols}  ${r.note ?? ''}\n`);
  }
}
