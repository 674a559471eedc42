/**
 * Mirror benchmark (run by hand): `npm run bench -- mirror [--small] [--runs N] [--big-runs N] [--no-big] [--quick]`.
 *
 * Workload (generated here, deterministic): 60 images, 3–8 layers, ~40% of layer slots shared, ~400 MB
 * (`--small`: ~40 MB), every 10th image a 2-arch index; pushed to registry A, one repository per image.
 * Each round mirrors A → a fresh registry B with each tool, back to back (same load), each as a new process:
 *   - ours: `dci-agent-ts mirror copy --mapping` (compiled dist/, start-up included), then the same again (no-op);
 *   - `skopeo copy --all --preserve-digests` once per image, sequentially (what the original agent does), + no-op;
 *   - `skopeo sync --all --preserve-digests` from a YAML list of the 60 repositories, + no-op.
 * The order of the three tools rotates from round to round, so none always runs first or after the same neighbour.
 * Then a single 1 GiB layer copied A → B by ours and `skopeo copy`, measuring peak RSS (GNU time).
 * `--profile-registries`: in the first round, a Go CPU profile of registry A and of registry B while our fresh copy
 * runs (distribution's pprof endpoint), saved under the temp dir for `go tool pprof` — where the registries' CPU goes.
 * Tables: median (min–max) wall and CPU seconds per case, the ratio of the medians to the anchor, and the median
 * (min–max) of the per-round ratios (each round's tools ran under the same load). Nothing is asserted.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestRegistry } from '../test/helpers/registry.js';
import { writeOciLayout, imageSetSpecs, pushLayout, type GeneratedLayout } from '../test/helpers/oci-images.js';
import { cliArgs, loadAverage, machine, median, must, printTable, stat, timed, withRegistryBench, type Timed } from './lib.js';
import { bigLayerBench } from './memory.js';

const a = cliArgs();
const SMALL = a.flag('small');
const RUNS = a.num('runs', 5);
const BIG = !a.flag('no-big');
const BIG_RUNS = a.num('big-runs', 3);
const PROFILE = a.flag('profile-registries');
/** Long enough for our fresh copy on this machine (~5 s); the no-op waits for the profile to end. */
const PROFILE_SECONDS = 10;
const SKOPEO_FLAGS = ['--all', '--preserve-digests', '--src-tls-verify=false', '--dest-tls-verify=false'];

type Case = 'oursFresh' | 'oursNoop' | 'copyFresh' | 'copyNoop' | 'syncFresh' | 'syncNoop';

/** "1.93 (1.41–2.60)" of the per-round ratios anchor/ours. */
function perRound(anchor: Timed[], ours: Timed[]): string {
  const r = ours.map((o, i) => anchor[i].seconds / o.seconds);
  return stat(r);
}

async function main(): Promise<void> {
  await withRegistryBench('mirror', async (bench) => {
    const { work, cli, fresh } = bench;
    const loads: string[] = [];
    process.stdout.write(`machine: ${machine()}\nload average at start: ${loadAverage()}\n`);
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
    const src = await fresh(PROFILE ? { debug: true } : undefined);
    for (const img of layout.images) await pushLayout(layout.dir, { host: src.host, repository: `bench/${img.tag}`, plainHttp: true }, [img.tag]);
    process.stdout.write('  our CLI: compiled dist/cli/main.js in a new node process per run\n');

    const t: Record<Case, Timed[]> = { oursFresh: [], oursNoop: [], copyFresh: [], copyNoop: [], syncFresh: [], syncNoop: [] };
    // CPU seconds of registry A (source) and B (destination) during each fresh copy: on one machine the client and
    // both registries share the cores, so the wall time of a fresh copy cannot go below (client + A + B) / cores.
    const regCpu: Record<'oursFresh' | 'copyFresh' | 'syncFresh', Array<{ a: number; b: number }>> = { oursFresh: [], copyFresh: [], syncFresh: [] };
    const fresh1 = async (c: keyof typeof regCpu, b: TestRegistry, run: () => Promise<Timed>): Promise<Timed> => {
      const a0 = await src.cpuSeconds();
      const b0 = await b.cpuSeconds();
      const r = await run();
      regCpu[c].push({ a: (await src.cpuSeconds()) - a0, b: (await b.cpuSeconds()) - b0 });
      return r;
    };
    const tools: Record<'ours' | 'copy' | 'sync', (run: number) => Promise<void>> = {
      ours: async (run) => {
        const profile = PROFILE && run === 0;
        const b = await fresh(profile ? { debug: true } : undefined);
        const map = join(work, `map-${run}.txt`);
        await writeFile(map, layout.images.map((i) => `${src.host}/bench/${i.tag}:${i.tag}=${b.host}/mirror/${i.tag}:${i.tag}`).join('\n') + '\n');
        const args = [cli.bin, 'mirror', 'copy', '--mapping', map, '--plain-http', src.host, '--plain-http', b.host];
        const profiles = profile ? Promise.all([src.cpuProfile(PROFILE_SECONDS), b.cpuProfile(PROFILE_SECONDS)]) : undefined;
        t.oursFresh.push(must(await fresh1('oursFresh', b, () => timed(process.execPath, args)), 'ours fresh'));
        if (profiles) {
          const dir = await mkdtemp(join(tmpdir(), 'dci-bench-pprof-'));
          const [pa, pb] = await profiles;
          await writeFile(join(dir, 'registry-A.pb.gz'), pa);
          await writeFile(join(dir, 'registry-B.pb.gz'), pb);
          process.stdout.write(`  registry CPU profiles of our fresh copy (round 1, first ${PROFILE_SECONDS} s): go tool pprof -top /usr/bin/docker-registry ${dir}/registry-{A,B}.pb.gz\n`);
        }
        t.oursNoop.push(must(await timed(process.execPath, args), 'ours no-op'));
        await b.stop();
      },
      copy: async () => {
        const b = await fresh();
        const loop = layout.images.map((i) => `skopeo copy -q ${SKOPEO_FLAGS.join(' ')} docker://${src.host}/bench/${i.tag}:${i.tag} docker://${b.host}/mirror/${i.tag}:${i.tag} || exit 1`).join('\n');
        t.copyFresh.push(must(await fresh1('copyFresh', b, () => timed('/bin/bash', ['-c', loop])), 'skopeo copy loop'));
        t.copyNoop.push(must(await timed('/bin/bash', ['-c', loop]), 'skopeo copy loop no-op'));
        await b.stop();
      },
      sync: async (run) => {
        const c = await fresh();
        const yaml = join(work, `sync-${run}.yaml`);
        await writeFile(yaml, `${src.host}:\n  tls-verify: false\n  images-by-tag-regex:\n${layout.images.map((i) => `    bench/${i.tag}: '^${i.tag}$'`).join('\n')}\n`);
        const sync = ['sync', '--all', '--preserve-digests', '--dest-tls-verify=false', '--src', 'yaml', '--dest', 'docker', yaml, `${c.host}/mirror`];
        t.syncFresh.push(must(await fresh1('syncFresh', c, () => timed('skopeo', sync)), 'skopeo sync'));
        t.syncNoop.push(must(await timed('skopeo', sync), 'skopeo sync no-op'));
        await c.stop();
      },
    };
    const order = ['ours', 'copy', 'sync'] as const;
    const retried: string[] = [];
    for (let run = 0; run < RUNS; run++) {
      for (let k = 0; k < order.length; k++) {
        const tool = order[(run + k) % order.length];
        const lengths = Object.fromEntries(Object.entries(t).map(([c, v]) => [c, v.length]));
        try {
          await tools[tool](run);
        } catch (e) {
          // A registry answering 500 under load happens (to any client): redo the round of that tool once with a
          // fresh destination, and say so in the output.
          for (const [c, n] of Object.entries(lengths)) t[c as Case].length = n;
          for (const c of Object.keys(regCpu) as Array<keyof typeof regCpu>) regCpu[c].length = t[c].length;
          retried.push(`round ${run + 1} ${tool}: ${(e as Error).message.split('\n')[0].slice(0, 300)}`);
          process.stdout.write(`  (round ${run + 1}: ${tool} failed, redone once: ${retried.at(-1)})\n`);
          await tools[tool](run);
        }
      }
      loads.push(loadAverage());
      const last = (c: Case): string => t[c].at(-1)!.seconds.toFixed(2);
      process.stdout.write(`  run ${run + 1} (load ${loads.at(-1)}): fresh ours ${last('oursFresh')} / copy ${last('copyFresh')} / sync ${last('syncFresh')} s; no-op ours ${last('oursNoop')} / copy ${last('copyNoop')} / sync ${last('syncNoop')} s\n`);
    }
    const sec = (c: Case): number[] => t[c].map((x) => x.seconds);
    const cpu = (c: Case): number[] => t[c].map((x) => x.cpuSeconds);
    const freshAnchor: Case = median(sec('copyFresh')) <= median(sec('syncFresh')) ? 'copyFresh' : 'syncFresh';
    const name: Record<Case, string> = {
      oursFresh: 'ours mirror copy, fresh',
      copyFresh: 'skopeo copy loop, fresh',
      syncFresh: 'skopeo sync, fresh',
      oursNoop: 'ours mirror copy, no-op',
      copyNoop: 'skopeo copy loop, no-op',
      syncNoop: 'skopeo sync, no-op',
    };
    const title = `${layout.images.length} images, ${(layout.blobBytes / 1e6).toFixed(0)} MB, registry A → fresh registry B, new process per run`;
    printTable(`${title}: fresh mirror`, 's', [
      { name: name.copyFresh, samples: sec('copyFresh'), cpu: cpu('copyFresh') },
      { name: name.syncFresh, samples: sec('syncFresh'), cpu: cpu('syncFresh') },
      {
        name: name.oursFresh,
        samples: sec('oursFresh'),
        cpu: cpu('oursFresh'),
        anchor: name[freshAnchor],
        note: `peak RSS ${stat(t.oursFresh.map((x) => x.maxRssKb / 1024), 0)} MB; per-round ratio vs ${name[freshAnchor]} ${perRound(t[freshAnchor], t.oursFresh)}; goal ≥ 2× the faster anchor`,
      },
    ]);
    const cores = availableParallelism();
    process.stdout.write(`\nCPU budget of a fresh copy (medians, seconds of CPU; ${cores} cores shared by the client and both registries):\n`);
    process.stdout.write(`  ${'tool'.padEnd(26)} ${'client'.padStart(7)} ${'reg. A'.padStart(7)} ${'reg. B'.padStart(7)} ${'total'.padStart(7)} ${'total/cores'.padStart(12)} ${'wall'.padStart(7)} ${'regs/cores'.padStart(11)}\n`);
    for (const c of ['copyFresh', 'syncFresh', 'oursFresh'] as const) {
      const client = median(cpu(c));
      const ra = median(regCpu[c].map((x) => x.a));
      const rb = median(regCpu[c].map((x) => x.b));
      const total = median(t[c].map((x, i) => x.cpuSeconds + regCpu[c][i].a + regCpu[c][i].b));
      const regs = median(regCpu[c].map((x) => x.a + x.b));
      process.stdout.write(`  ${name[c].padEnd(26)} ${client.toFixed(2).padStart(7)} ${ra.toFixed(2).padStart(7)} ${rb.toFixed(2).padStart(7)} ${total.toFixed(2).padStart(7)} ${(total / cores).toFixed(2).padStart(12)} ${median(sec(c)).toFixed(2).padStart(7)} ${(regs / cores).toFixed(2).padStart(11)}\n`);
    }
    const oursRegs = median(regCpu.oursFresh.map((x) => x.a + x.b)) / cores;
    process.stdout.write(
      '  (total/cores is the least wall time the copy could take on this machine with these registries; regs/cores the\n' +
        '   least it could take with the same registry work and a client that cost no CPU at all — for our request\n' +
        `   pattern ${oursRegs.toFixed(2)} s, i.e. no client could go beyond ${(median(sec(freshAnchor)) / oursRegs).toFixed(2)}× the faster anchor on this machine)\n\n`,
    );
    printTable(`${title}: no-op re-mirror (everything present; start-up included)`, 's', [
      { name: name.copyNoop, samples: sec('copyNoop'), cpu: cpu('copyNoop') },
      { name: name.syncNoop, samples: sec('syncNoop'), cpu: cpu('syncNoop') },
      {
        name: name.oursNoop,
        samples: sec('oursNoop'),
        cpu: cpu('oursNoop'),
        anchor: name.syncNoop,
        note: `peak RSS ${stat(t.oursNoop.map((x) => x.maxRssKb / 1024), 0)} MB; per-round ratio vs skopeo sync ${perRound(t.syncNoop, t.oursNoop)}, vs copy loop ${perRound(t.copyNoop, t.oursNoop)}; goal ≥ 2× skopeo sync`,
      },
    ]);
    process.stdout.write(`load average after each round: ${loads.join(' | ')}\n`);
    if (retried.length) process.stdout.write(`runs redone after a failure: ${retried.length}\n${retried.map((r) => `  ${r}\n`).join('')}`);

    if (BIG) {
      // The memory bench's large-layer case (registry → registry only), after the 60-image workload is removed.
      process.stdout.write('\n');
      await rm(layout.dir, { recursive: true, force: true });
      await bigLayerBench(bench, { mib: 1024, runs: BIG_RUNS, oci: false });
    }
    process.stdout.write(`load average at the end: ${loadAverage()}\n`);
  });
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
  process.exitCode = 1;
});
