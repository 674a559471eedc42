/**
 * Re-mirror benchmark: a synthetic OpenShift release (release image + 189 component images by digest = 190 images,
 * the size of a real 4.x payload) is pushed to registry A and mirrored once to B by each tool; then the measured
 * part: the same mirror again when everything is already there (the daily CI case), as a new process each time
 * (start-up included):
 *   - ours: `dci-agent-ts mirror copy --mapping` (compiled dist/, one node process);
 *   - anchor: `skopeo sync --all --preserve-digests` from a YAML list of the same 190 images.
 *
 * `--spread` maps every component to its own repository instead (to tell per-image from per-repository costs).
 *
 *   npm run bench -- remirror [--runs 5] [--components 189] [--spread] [--quick]
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pushReleaseFixture } from '../test/helpers/release-fixtures.js';
import { cliArgs, loadAverage, machine, must, printTable, stat, timed, withRegistryBench } from './lib.js';

const a = cliArgs();
const QUICK = a.flag('quick');
const RUNS = a.num('runs', QUICK ? 3 : 5);
const COMPONENTS = a.num('components', 189);
const SPREAD = a.flag('spread');

async function main(): Promise<void> {
  await withRegistryBench('remirror', async ({ work, cli, fresh }) => {
    process.stdout.write(`machine: ${machine()}\nload average at start: ${loadAverage()}\n`);
    const src = await fresh();
    const t0 = Date.now();
    const rel = await pushReleaseFixture({ host: src.host, components: COMPONENTS });
    const images = 1 + rel.components.length;
    process.stdout.write(`pushed release ${rel.version}: ${images} images in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);

    // ours: oc-style mapping, components by digest to tags in one repository (what oc adm release mirror writes)
    const ours = await fresh();
    const map = join(work, 'mapping.txt');
    const lines = [`${rel.releaseRef}=${ours.host}/ocp/release:${rel.version}-x86_64`];
    for (const c of rel.components) lines.push(SPREAD ? `${c.image}=${ours.host}/ocp/${c.name}:${rel.version}` : `${c.image}=${ours.host}/ocp/release:${rel.version}-x86_64-${c.name}`);
    await writeFile(map, lines.join('\n') + '\n');
    const oursArgs = [cli.bin, 'mirror', 'copy', '--mapping', map, '--plain-http', src.host, '--plain-http', ours.host];
    const first = must(await timed(process.execPath, oursArgs), 'ours first mirror');

    // anchor: skopeo sync of the same images (release by tag, components by digest)
    const sk = await fresh();
    const yaml = join(work, 'sync.yaml');
    await writeFile(
      yaml,
      `${src.host}:\n  tls-verify: false\n  images:\n    ${rel.releaseRepo}:\n      - '${rel.releaseRef.split(':').pop()}'\n    ${rel.componentRepo}:\n${rel.components.map((c) => `      - '${c.digest}'`).join('\n')}\n`,
    );
    const syncArgs = ['sync', '--all', '--preserve-digests', '--dest-tls-verify=false', '--src', 'yaml', '--dest', 'docker', yaml, `${sk.host}/ocp`];
    const skFirst = must(await timed('skopeo', syncArgs), 'skopeo sync first');
    process.stdout.write(`first mirror: ours ${first.seconds.toFixed(2)} s, skopeo sync ${skFirst.seconds.toFixed(2)} s\n`);

    const oursNoop: number[] = [];
    const syncNoop: number[] = [];
    const oursCpu: number[] = [];
    const syncCpu: number[] = [];
    const rss: number[] = [];
    const loads: string[] = [];
    for (let run = 0; run < RUNS; run++) {
      // Alternate which tool goes first, so neither always runs right after the other.
      const runOurs = async (): Promise<void> => {
        const o = must(await timed(process.execPath, oursArgs), 'ours no-op');
        oursNoop.push(o.seconds);
        oursCpu.push(o.cpuSeconds);
        rss.push(o.maxRssKb / 1024);
      };
      const runSync = async (): Promise<void> => {
        const s = must(await timed('skopeo', syncArgs), 'skopeo sync no-op');
        syncNoop.push(s.seconds);
        syncCpu.push(s.cpuSeconds);
      };
      if (run % 2 === 0) {
        await runOurs();
        await runSync();
      } else {
        await runSync();
        await runOurs();
      }
      loads.push(loadAverage());
      process.stdout.write(`  run ${run + 1} (load ${loads.at(-1)}): ours ${oursNoop.at(-1)!.toFixed(2)} s, skopeo sync ${syncNoop.at(-1)!.toFixed(2)} s\n`);
    }
    printTable(`no-op re-mirror of ${images} images${SPREAD ? ', one repository per component' : ''} (new process each run, start-up included)`, 's', [
      { name: 'skopeo sync no-op', samples: syncNoop, cpu: syncCpu },
      {
        name: 'ours mirror copy no-op',
        samples: oursNoop,
        cpu: oursCpu,
        anchor: 'skopeo sync no-op',
        note: `peak RSS ${Math.round(Math.max(...rss))} MB; per-round ratio ${stat(oursNoop.map((o, i) => syncNoop[i] / o))}; goal ≥ 2×`,
      },
    ]);
    process.stdout.write(`load average after each round: ${loads.join(' | ')}\n`);
  });
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
  process.exitCode = 1;
});
