/**
 * Memory benchmark: one image with a single large layer (default 1 GiB of incompressible bytes, generated on the
 * fly, stored uncompressed so nothing shrinks it) in registry A, copied by each tool as a new process, measuring
 * peak RSS (GNU time %M) and wall time:
 *   - registry A → fresh registry B: ours `dci-agent-ts mirror copy` vs `skopeo copy`;
 *   - registry A → OCI layout on disk (the "mirror to disk" half): ours `--to oci:DIR` vs `skopeo copy oci:DIR`.
 * The point: our RSS must not grow with the layer size (streamed, hashed on the fly; goal < 150 MB).
 *
 *   npm run bench -- memory [--runs 5] [--mib 1024] [--quick]     (--quick: 256 MiB, 1 run)
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { pushLayout, writeOciLayout } from '../test/helpers/oci-images.js';
import { cliArgs, loadAverage, machine, must, printTable, timed, withRegistryBench, type RegistryBench, type Timed } from './lib.js';

const a = cliArgs();
const QUICK = a.flag('quick');
const RUNS = a.num('runs', QUICK ? 1 : 5);
const MIB = a.num('mib', QUICK ? 256 : 1024);
const SKOPEO_FLAGS = ['--all', '--preserve-digests', '--src-tls-verify=false', '--dest-tls-verify=false'];

/** Options of the large-layer case (also run by `bench mirror` after its 60 images). */
export interface BigLayerOptions {
  mib: number;
  runs: number;
  /** Also copy to an OCI layout on disk (ours `--to oci:DIR` vs `skopeo copy oci:DIR`). */
  oci: boolean;
}

/** One image with a single large incompressible layer in a fresh registry A, copied by each tool `runs` times. */
export async function bigLayerBench({ work, cli, fresh }: RegistryBench, o: BigLayerOptions): Promise<void> {
  process.stdout.write(`generating one image with a single ${o.mib} MiB layer ...\n`);
  const big = await writeOciLayout(join(work, 'big'), { seed: 'bench-memory', gzipLevel: 0, images: [{ tag: 'big', layers: [{ size: o.mib * 2 ** 20 }] }] });
  const src = await fresh();
  await pushLayout(big.dir, { host: src.host, repository: 'bench/big', plainHttp: true });
  await rm(big.dir, { recursive: true, force: true });
  const from = `docker://${src.host}/bench/big:big`;

  const r: Record<'oursReg' | 'skReg' | 'oursOci' | 'skOci', Timed[]> = { oursReg: [], skReg: [], oursOci: [], skOci: [] };
  const mb = (t: Timed | undefined): string => `${t?.seconds.toFixed(1)} s/${Math.round((t?.maxRssKb ?? 0) / 1024)} MB`;
  for (let run = 0; run < o.runs; run++) {
    const b = await fresh();
    r.oursReg.push(must(await timed(process.execPath, [cli.bin, 'mirror', 'copy', '--from', from, '--to', `docker://${b.host}/mirror/big:big`, '--plain-http', src.host, '--plain-http', b.host]), 'ours → registry'));
    await b.stop();
    const c = await fresh();
    r.skReg.push(must(await timed('skopeo', ['copy', '-q', ...SKOPEO_FLAGS, from, `docker://${c.host}/mirror/big:big`]), 'skopeo → registry'));
    await c.stop();
    let line = `  run ${run + 1} (load ${loadAverage()}): ours→reg ${mb(r.oursReg.at(-1))}, skopeo→reg ${mb(r.skReg.at(-1))}`;
    if (o.oci) {
      const d1 = join(work, `ours-oci-${run}`);
      r.oursOci.push(must(await timed(process.execPath, [cli.bin, 'mirror', 'copy', '--from', from, '--to', `oci:${d1}:big`, '--plain-http', src.host]), 'ours → oci'));
      await rm(d1, { recursive: true, force: true });
      const d2 = join(work, `sk-oci-${run}`);
      r.skOci.push(must(await timed('skopeo', ['copy', '-q', '--all', '--preserve-digests', '--src-tls-verify=false', from, `oci:${d2}:big`]), 'skopeo → oci'));
      await rm(d2, { recursive: true, force: true });
      line += `, ours→oci ${mb(r.oursOci.at(-1))}, skopeo→oci ${mb(r.skOci.at(-1))}`;
    }
    process.stdout.write(`${line}\n`);
  }
  const rss = (ts: Timed[]): number[] => ts.map((t) => t.maxRssKb / 1024);
  const sec = (ts: Timed[]): number[] => ts.map((t) => t.seconds);
  const cpu = (ts: Timed[]): number[] => ts.map((t) => t.cpuSeconds);
  printTable(`peak RSS copying one ${o.mib} MiB layer (ratio > 1: ours uses less)`, 'MB', [
    { name: 'skopeo → registry', samples: rss(r.skReg) },
    { name: 'ours → registry', samples: rss(r.oursReg), anchor: 'skopeo → registry', note: 'goal < 150 MB' },
    ...(o.oci
      ? [
          { name: 'skopeo → oci layout', samples: rss(r.skOci) },
          { name: 'ours → oci layout', samples: rss(r.oursOci), anchor: 'skopeo → oci layout', note: 'goal < 150 MB' },
        ]
      : []),
  ], 0);
  printTable(`wall time copying one ${o.mib} MiB layer (ratio > 1: ours is faster)`, 's', [
    { name: 'skopeo → registry', samples: sec(r.skReg), cpu: cpu(r.skReg) },
    { name: 'ours → registry', samples: sec(r.oursReg), cpu: cpu(r.oursReg), anchor: 'skopeo → registry' },
    ...(o.oci
      ? [
          { name: 'skopeo → oci layout', samples: sec(r.skOci), cpu: cpu(r.skOci) },
          { name: 'ours → oci layout', samples: sec(r.oursOci), cpu: cpu(r.oursOci), anchor: 'skopeo → oci layout' },
        ]
      : []),
  ]);
}

async function main(): Promise<void> {
  await withRegistryBench('memory', async (b) => {
    process.stdout.write(`machine: ${machine()}\nload average at start: ${loadAverage()}\n`);
    await bigLayerBench(b, { mib: MIB, runs: RUNS, oci: true });
  });
}

// Run only as the bench itself, not when `bench mirror` imports bigLayerBench.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((e: unknown) => {
    process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
    process.exitCode = 1;
  });
}
