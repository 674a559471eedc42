/**
 * Catalog filtering benchmark: a generated file-based catalog of 500 packages / 5,000 bundles (3 channels each,
 * skips, deprecations, 2 KiB bundle objects ×4 per bundle ≈ the weight of real catalogs), written as
 * `<pkg>/catalog.json` files. A child process (so RSS is only the work measured) loads the files, filters them
 * four ways (heads of everything; 100 packages by name; 100 packages with version ranges; 100 packages full),
 * validates each result; a child doing it once gives the cold time and the peak RSS, a child doing it N times
 * (default 5, issue #10: ≥ 5 runs) gives median (min–max) per step. Goal: < 2 s and < 300 MB RSS.
 * Anchor: plain JSON.parse of the same files in the same child, each run (the floor any loader pays).
 *
 *   npm run bench -- catalog [--packages 500] [--bundles 10] [--runs 5] [--quick]   (--quick: 100 packages, 3 runs)
 */
import { execFile } from 'node:child_process';
import { mkdtemp, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { cliArgs, loadAverage, machine, median, printTable, type Row } from './lib.js';

const args = process.argv.slice(2);
const a = cliArgs(args);

async function readTree(dir: string): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  for (const d of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!d.isFile()) continue;
    const full = join(d.parentPath, d.name);
    out.set(full.slice(dir.length + 1), await readFile(full));
  }
  return out;
}

interface RunResult {
  anchorMs: number;
  loadMs: number;
  filterMs: number;
  results: Array<{ name: string; ms: number; bundles: number; images: number }>;
  packages: number;
  bundles: number;
}

async function oneRun(files: Map<string, Buffer>): Promise<RunResult> {
  const { parseFbcFiles, filterCatalog, assertValidCatalog, catalogImages } = await import('../src/mirror/catalog/index.js');
  let t = performance.now();
  for (const b of files.values()) {
    for (const part of b.toString('utf8').split('\n}\n')) if (part.trim()) JSON.parse(part.endsWith('}') ? part : `${part}\n}`);
  }
  const anchorMs = performance.now() - t;
  t = performance.now();
  const fbc = await parseFbcFiles(files);
  const loadMs = performance.now() - t;
  const pkgs = fbc.packages.map((p) => p.name);
  const some = pkgs.filter((_, i) => i % 5 === 0).slice(0, 100);
  const runs: Array<[string, Parameters<typeof filterCatalog>[1]]> = [
    ['all packages, channel heads', {}],
    ['100 packages by name', { packages: some.map((name) => ({ name })) }],
    ['100 packages, minVersion/maxVersion', { packages: some.map((name) => ({ name, channels: [{ name: 'stable', minVersion: '1.3.0', maxVersion: '1.7.0' }] })) }],
    ['100 packages, full', { packages: some.map((name) => ({ name })), full: true }],
  ];
  const results: RunResult['results'] = [];
  let filterMs = 0;
  for (const [name, cfg] of runs) {
    t = performance.now();
    const out = filterCatalog(fbc, cfg);
    assertValidCatalog(out.catalog);
    const images = catalogImages(out.catalog).length;
    const ms = performance.now() - t;
    filterMs += ms;
    results.push({ name, ms, bundles: out.catalog.bundles.length, images });
  }
  return { anchorMs, loadMs, filterMs, results, packages: fbc.packages.length, bundles: fbc.bundles.length };
}

/** In a fresh process: `count` runs (the first one cold); peak RSS covers all of them. */
async function child(dir: string, count: number): Promise<void> {
  const files = await readTree(dir);
  const bytes = [...files.values()].reduce((n, b) => n + b.length, 0);
  const runs: RunResult[] = [];
  for (let i = 0; i < count; i++) runs.push(await oneRun(files));
  const rssMb = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(JSON.stringify({ files: files.size, bytes, runs, rssMb }));
}

async function main(): Promise<void> {
  if (args[0] === '--child') return child(args[1], Number(args[2]));
  const packages = a.num('packages', 500);
  const bundles = a.num('bundles', 10);
  const runs = a.num('runs', 5);
  const { generateCatalog } = await import('../test/helpers/catalog-fixtures.js');
  const { writeFbcFiles } = await import('../src/mirror/catalog/index.js');
  const dir = await mkdtemp(join(tmpdir(), 'dci-bench-catalog-'));
  try {
    const fbc = generateCatalog({ packages, bundles, objects: 4 });
    for (const [p, c] of writeFbcFiles(fbc)) {
      await mkdir(dirname(join(dir, p)), { recursive: true });
      await writeFile(join(dir, p), c);
    }
    const self = fileURLToPath(import.meta.url);
    type ChildOut = { files: number; bytes: number; runs: RunResult[]; rssMb: number };
    const spawnChild = async (count: number): Promise<ChildOut> =>
      JSON.parse((await promisify(execFile)(process.execPath, ['--import', 'tsx', self, '--child', dir, String(count)], { maxBuffer: 1 << 20 })).stdout) as ChildOut;
    process.stdout.write(`machine: ${machine()}\nload average at start: ${loadAverage()}\n`);
    // Peak RSS from a process that filters once (what one mirror run does); times from one that repeats N times.
    const once = await spawnChild(1);
    const r = await spawnChild(runs);
    const total = (x: RunResult): number => x.loadMs + x.filterMs;
    const cold = once.runs[0];
    const anchor = 'anchor: JSON.parse of the files';
    const rows: Row[] = [
      { name: anchor, samples: r.runs.map((x) => x.anchorMs) },
      { name: 'load: parseFbcFiles', samples: r.runs.map((x) => x.loadMs), anchor, note: 'ratio < 1: slower than the bare parse' },
      ...cold.results.map((x, i): Row => ({ name: `filter: ${x.name}`, samples: r.runs.map((y) => y.results[i].ms), note: `${x.bundles} bundles, ${x.images} images` })),
      { name: 'total: load + 4 filters + validation', samples: r.runs.map(total), note: `goal < 2000 ms: ${median(r.runs.map(total)) < 2000 ? 'OK' : 'OVER'}; cold first run (own process) ${total(cold).toFixed(0)} ms` },
    ];
    printTable(`catalog: ${cold.packages} packages, ${cold.bundles} bundles, ${r.files} files, ${(r.bytes / 2 ** 20).toFixed(1)} MiB of JSON (${runs} runs in one process)`, 'ms', rows, 0);
    process.stdout.write(`peak RSS (one filtering run): ${once.rssMb.toFixed(0)} MB (goal < 300 MB) ${once.rssMb < 300 ? 'OK' : 'OVER'}\nload average at end: ${loadAverage()}\n`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
