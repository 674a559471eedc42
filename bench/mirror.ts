/**
 * Mirror benchmark (run by hand): `npx tsx bench/mirror.ts [--small] [--runs N] [--skopeo-runs N] [--no-big]`.
 *
 * Workload (generated here, deterministic): 60 images, 3–8 layers, ~40% of layer slots shared, ~400 MB
 * (`--small`: ~40 MB), every 10th image a 2-arch index; pushed to registry A, one repository per image.
 * Each round mirrors A → a fresh registry B with:
 *   - ours: `dci-agent-ts mirror copy --mapping` (a new process: start-up included), then the same again (no-op);
 *   - `skopeo copy --all --preserve-digests` once per image, sequentially (what the original agent does), + no-op;
 *   - `skopeo sync --all --preserve-digests` from a YAML list of the 60 repositories, + no-op.
 * Then a single 1 GiB layer copied A → B by each tool, measuring peak RSS (GNU time). Medians of the runs are
 * printed as ratios against the anchors measured in the same run. Nothing is asserted.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startRegistry, type TestRegistry } from '../test/helpers/registry.js';
import { writeOciLayout, imageSetSpecs, pushLayout, type GeneratedLayout } from '../test/helpers/oci-images.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const RUNNER = join(tmpdir(), `dci-bench-runner-${process.pid}.mjs`);
const BIN = RUNNER;
const args = process.argv.slice(2);
const flag = (name: string): boolean => args.includes(name);
const num = (name: string, dflt: number): number => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const SMALL = flag('--small');
const RUNS = num('--runs', 5);
const SKOPEO_RUNS = num('--skopeo-runs', RUNS);
const BIG = !flag('--no-big');
const BIG_RUNS = num('--big-runs', 3);

interface Timed {
  seconds: number;
  maxRssKb: number;
  code: number;
  stderr: string;
}

/** Run a command under GNU time: wall seconds and peak RSS of the process. */
function timed(cmd: string, cmdArgs: string[], env: Record<string, string> = {}): Promise<Timed> {
  return new Promise((resolve, reject) => {
    const child = spawn('/usr/bin/time', ['-f', '__TIME__ %e %M', cmd, ...cmdArgs], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const m = /__TIME__ ([\d.]+) (\d+)/.exec(stderr);
      resolve({ seconds: m ? Number(m[1]) : NaN, maxRssKb: m ? Number(m[2]) : NaN, code: code ?? 1, stderr: stderr.replace(/__TIME__.*\n?/, '') });
    });
  });
}

async function sh(script: string): Promise<Timed> {
  return timed('/bin/bash', ['-c', script]);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function must(t: Timed, what: string): Timed {
  if (t.code !== 0) throw new Error(`${what} failed (${t.code}): ${t.stderr.slice(-2000)}`);
  return t;
}

const SKOPEO_FLAGS = ['--all', '--preserve-digests', '--src-tls-verify=false', '--dest-tls-verify=false'];

async function main(): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), 'bench-mirror-'));
  const regs: TestRegistry[] = [];
  const fresh = async (): Promise<TestRegistry> => {
    const r = await startRegistry();
    regs.push(r);
    return r;
  };
  try {
    const count = 60;
    const totalBytes = SMALL ? 40e6 : 400e6;
    process.stdout.write(`generating ${count} images, ~${Math.round(totalBytes / 1e6)} MB ...\n`);
    const t0 = Date.now();
    const layout: GeneratedLayout = await writeOciLayout(join(work, 'src'), {
      seed: 'bench-mirror',
      gzipLevel: 0,
      images: imageSetSpecs({ seed: 'bench-mirror', count, layersMin: 3, layersMax: 8, sharedRatio: 0.4, totalBytes, multiArchEvery: 10, dockerEvery: 0, tagPrefix: 'img-' }),
    });
    const manifests = layout.images.reduce((n, i) => n + i.manifests.length, 0);
    process.stdout.write(`  ${layout.images.length} images (${manifests} manifests), ${layout.blobCount} distinct blobs, ${(layout.blobBytes / 1e6).toFixed(1)} MB, in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
    const a = await fresh();
    for (const img of layout.images) await pushLayout(layout.dir, { host: a.host, repository: `bench/${img.tag}`, plainHttp: true }, [img.tag]);
    // Our CLI as shipped: compiled JS (dist/), started as a new process per run.
    const build = await timed(join(ROOT, 'node_modules', '.bin', 'tsc'), ['-p', join(ROOT, 'tsconfig.build.json')]);
    const built = await readFile(join(ROOT, 'dist', 'cli', 'main.js')).then(() => true, () => false);
    if (!built) throw new Error(`could not build dist/: ${build.stderr.slice(-1000)}`);
    await writeFile(RUNNER, `const { main } = await import(${JSON.stringify(pathToFileURL(join(ROOT, 'dist', 'cli', 'main.js')).href)});\nawait main(process.argv.slice(2));\n`);
    process.stdout.write('  our CLI: compiled dist/cli/main.js in a new node process per run\n');

    const rows: Record<string, number[]> = { oursFresh: [], oursNoop: [], copyFresh: [], copyNoop: [], syncFresh: [], syncNoop: [] };
    const rssOurs: number[] = [];
    for (let run = 0; run < Math.max(RUNS, SKOPEO_RUNS); run++) {
      // ours
      if (run < RUNS) {
        const b = await fresh();
        const map = join(work, `map-${run}.txt`);
        await writeFile(map, layout.images.map((i) => `${a.host}/bench/${i.tag}:${i.tag}=${b.host}/mirror/${i.tag}:${i.tag}`).join('\n') + '\n');
        const cli = [BIN, 'mirror', 'copy', '--mapping', map, '--plain-http', a.host, '--plain-http', b.host];
        const f = must(await timed(process.execPath, cli), 'ours fresh');
        const n = must(await timed(process.execPath, cli), 'ours no-op');
        rows.oursFresh.push(f.seconds);
        rows.oursNoop.push(n.seconds);
        rssOurs.push(f.maxRssKb);
        await b.stop();
      }
      if (run < SKOPEO_RUNS) {
        // skopeo copy loop
        const b = await fresh();
        const loop = layout.images.map((i) => `skopeo copy -q ${SKOPEO_FLAGS.join(' ')} docker://${a.host}/bench/${i.tag}:${i.tag} docker://${b.host}/mirror/${i.tag}:${i.tag} || exit 1`).join('\n');
        rows.copyFresh.push(must(await sh(loop), 'skopeo copy loop').seconds);
        rows.copyNoop.push(must(await sh(loop), 'skopeo copy loop no-op').seconds);
        await b.stop();
        // skopeo sync
        const c = await fresh();
        const yaml = join(work, `sync-${run}.yaml`);
        await writeFile(yaml, `${a.host}:\n  tls-verify: false\n  images-by-tag-regex:\n${layout.images.map((i) => `    bench/${i.tag}: '^${i.tag}$'`).join('\n')}\n`);
        const sync = ['sync', '--all', '--preserve-digests', '--dest-tls-verify=false', '--src', 'yaml', '--dest', 'docker', yaml, `${c.host}/mirror`];
        rows.syncFresh.push(must(await timed('skopeo', sync), 'skopeo sync').seconds);
        rows.syncNoop.push(must(await timed('skopeo', sync), 'skopeo sync no-op').seconds);
        await c.stop();
      }
      process.stdout.write(`  run ${run + 1}: ${Object.entries(rows).map(([k, v]) => `${k}=${v.at(-1)?.toFixed(2) ?? '-'}`).join(' ')}\n`);
    }
    const med = Object.fromEntries(Object.entries(rows).map(([k, v]) => [k, median(v)])) as Record<keyof typeof rows, number>;
    const bestFresh = Math.min(med.copyFresh, med.syncFresh);
    process.stdout.write(`\n== ${layout.images.length} images, ${(layout.blobBytes / 1e6).toFixed(0)} MB, A → fresh B (medians; ours ${RUNS} runs, skopeo ${SKOPEO_RUNS} runs) ==\n`);
    process.stdout.write(`ours fresh        ${med.oursFresh.toFixed(2)} s   (peak RSS ${(median(rssOurs) / 1024).toFixed(0)} MB)\n`);
    process.stdout.write(`skopeo copy loop  ${med.copyFresh.toFixed(2)} s   → ours is ${(med.copyFresh / med.oursFresh).toFixed(2)}× faster\n`);
    process.stdout.write(`skopeo sync       ${med.syncFresh.toFixed(2)} s   → ours is ${(med.syncFresh / med.oursFresh).toFixed(2)}× faster\n`);
    process.stdout.write(`fresh vs faster anchor: ${(bestFresh / med.oursFresh).toFixed(2)}× (goal ≥ 2×)\n`);
    process.stdout.write(`ours no-op        ${med.oursNoop.toFixed(2)} s (process start included)\n`);
    process.stdout.write(`skopeo copy no-op ${med.copyNoop.toFixed(2)} s   → ${(med.copyNoop / med.oursNoop).toFixed(2)}×\n`);
    process.stdout.write(`skopeo sync no-op ${med.syncNoop.toFixed(2)} s   → ${(med.syncNoop / med.oursNoop).toFixed(2)}× (goal ≥ 2×)\n`);
    process.stdout.write(`raw: ${JSON.stringify(rows)}\n`);

    if (BIG) {
      process.stdout.write('\ngenerating one image with a single 1 GiB layer ...\n');
      const big = await writeOciLayout(join(work, 'big'), { seed: 'bench-big', gzipLevel: 0, images: [{ tag: 'big', layers: [{ size: 1 << 30 }] }] });
      await rm(layout.dir, { recursive: true, force: true });
      const a2 = await fresh();
      await pushLayout(big.dir, { host: a2.host, repository: 'bench/big', plainHttp: true });
      await rm(big.dir, { recursive: true, force: true });
      const ours: Timed[] = [];
      const sk: Timed[] = [];
      for (let run = 0; run < BIG_RUNS; run++) {
        const b = await fresh();
        ours.push(must(await timed(process.execPath, [BIN, 'mirror', 'copy', '--from', `docker://${a2.host}/bench/big:big`, '--to', `docker://${b.host}/mirror/big:big`, '--plain-http', a2.host, '--plain-http', b.host]), 'ours big'));
        await b.stop();
        const c = await fresh();
        sk.push(must(await timed('skopeo', ['copy', '-q', ...SKOPEO_FLAGS, `docker://${a2.host}/bench/big:big`, `docker://${c.host}/mirror/big:big`]), 'skopeo big'));
        await c.stop();
        process.stdout.write(`  run ${run + 1}: ours ${ours.at(-1)!.seconds}s ${(ours.at(-1)!.maxRssKb / 1024).toFixed(0)} MB, skopeo ${sk.at(-1)!.seconds}s ${(sk.at(-1)!.maxRssKb / 1024).toFixed(0)} MB\n`);
      }
      const oRss = median(ours.map((t) => t.maxRssKb)) / 1024;
      const sRss = median(sk.map((t) => t.maxRssKb)) / 1024;
      process.stdout.write(`\n== 1 GiB single layer, A → B (median of ${BIG_RUNS}) ==\n`);
      process.stdout.write(`ours   ${median(ours.map((t) => t.seconds)).toFixed(2)} s, peak RSS ${oRss.toFixed(0)} MB (goal < 150 MB)\n`);
      process.stdout.write(`skopeo ${median(sk.map((t) => t.seconds)).toFixed(2)} s, peak RSS ${sRss.toFixed(0)} MB → time ratio ${(median(sk.map((t) => t.seconds)) / median(ours.map((t) => t.seconds))).toFixed(2)}×\n`);
    }
  } finally {
    for (const r of regs) await r.stop().catch(() => undefined);
    await rm(work, { recursive: true, force: true });
    await rm(RUNNER, { force: true });
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
  process.exitCode = 1;
});
