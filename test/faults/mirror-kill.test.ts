/**
 * kill -9 at seeded points of `dci-agent-ts mirror images` (a real process), then a rerun — 20 times. Each time:
 *  - right after the kill, every output file present (mapping.txt, the mirror sets, install-config-sources.yaml...)
 *    is whole: byte-identical to the output of an uninterrupted run (atomic writes; only dot-temp files may be left);
 *  - the rerun exits 0 and writes the same outputs;
 *  - every image of mapping.txt is on the lab registry with the source digest, every manifest and blob read back
 *    and hashed: 0 corrupt or missing.
 * The workload is small but has every kind of write: a 2-arch release index over 4 components sharing a base layer,
 * the operator images of a catalog and its pruned rebuild, 2 images with 1 MiB / 768 KiB layers (kills land inside
 * their uploads).
 * Where to kill is measured in the lab registry's requests, not in milliseconds (this machine's load changes how
 * long a run takes several-fold): a pass-through proxy in front of the lab registry sees each request, and the
 * process is SIGKILLed when the chosen one arrives — while it is in flight, often in the middle of a blob upload.
 * Most points are a fraction of the requests of one uninterrupted run, one in each equal slice of the run (a seeded place
 * inside each slice, so the whole copy is covered); fractions past 1 kill a few ms after the last request (while the
 * outputs are written). Every 5th point is the seeded n-th request of one kind instead: an index PUT, a manifest
 * PUT, a blob upload — kinds with few requests a fraction could miss. The seed is in the test names (replay with
 * DCI_FAULT_SEED=<seed>; DCI_FAULT_KILLS changes the count).
 * Speed without changing the property: the kill cases run on DCI_FAULT_LANES (default 2) independent lab
 * registries at once, all reading the one source registry; a lab registry is emptied between cases (restarted with
 * its storage removed), so every kill lands on a fresh mirror; and each run is a process started while the previous
 * one worked, from an esbuild bundle of the CLI (warm-cli.ts) whose outputs are checked equal to bin/dci-agent-ts's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, REPO_ROOT } from '../helpers/cli.js';
import { startRegistry, type TestRegistry } from '../helpers/registry.js';
import { startFaultProxy, type FaultProxy, type ProxyLogEntry } from '../helpers/fault-proxy.js';
import { ACCEPT, parseMapping, readBackMapping, readTree, seededRandom, startMirrorLab, wipeRegistry, type MirrorLab } from './helpers-mirror.js';
import { bundleWarmCli, startWarmCli, type WarmBundle, type WarmCli } from './warm-cli.js';

const SEED = Number(process.env.DCI_FAULT_SEED ?? Date.now() % 2 ** 31);
const KILLS = Number(process.env.DCI_FAULT_KILLS ?? 20);
const LANES = Math.max(1, Number(process.env.DCI_FAULT_LANES ?? 2));
const random = seededRandom(SEED);

type Kind = 'read' | 'blob-upload' | 'manifest-put' | 'index-put';
const TARGETED: Kind[] = ['index-put', 'manifest-put', 'blob-upload'];

interface KillPoint {
  /** `any`: a fraction of all requests (past 1: after the last one); else a fraction of that kind's requests. */
  kind: 'any' | Kind;
  at: number;
}

/** Kill points, drawn from the seed. */
const points: KillPoint[] = (() => {
  const targeted = Math.floor(KILLS / 5);
  const spread = KILLS - targeted;
  const out: KillPoint[] = [];
  let t = 0;
  let s = 0;
  for (let i = 0; i < KILLS; i++) {
    if (i % 5 === 4 && t < targeted) out.push({ kind: TARGETED[t++ % TARGETED.length], at: Number(random().toFixed(3)) });
    else out.push({ kind: 'any', at: Number((((s++ + random()) / spread) * 1.08).toFixed(3)) });
  }
  return out;
})();

const PREFIX = 'k';
/** One package: its bundle is enough to kill inside the catalog's images and its pruned rebuild. */
const OPERATORS = ['tiny'];
const REPORT = 'mirror-report.json';

interface Lane {
  id: number;
  dest: TestRegistry;
  proxy: FaultProxy;
  inventory: string;
  /** The outputs of an uninterrupted run on this lane (mapping.txt names its registry). */
  reference: Map<string, Buffer>;
  /** Called by the lane's proxy on every request it receives. */
  onRequest?: (e: ProxyLogEntry) => void;
  /** The process the next run on this lane uses, started ahead. */
  spare?: WarmCli;
  own: boolean;
}

let lab: MirrorLab;
let dir: string;
let bundle: WarmBundle;
const lanes: Lane[] = [];
const idle: Lane[] = [];
const waiting: Array<(l: Lane) => void> = [];
/** Lab-registry requests of one uninterrupted run, in all and by kind. */
let fullRequests = 0;
const fullByKind: Record<Kind, number> = { read: 0, 'blob-upload': 0, 'manifest-put': 0, 'index-put': 0 };
/** `PUT /v2/<repo>/manifests/<ref>` paths that push an index (the manifests read back after the reference run). */
const indexPaths = new Set<string>();
const phases: Record<string, number> = {};
/** Time spent waiting for a pre-started process to be ready, and verifying + emptying a lab registry after a case. */
let waitedForReady = 0;
let checkAndWipeMs = 0;
/** The kind of request each kill landed on. */
const killedKinds: Record<string, number> = {};

function kindOf(e: ProxyLogEntry): Kind {
  if (e.method === 'PUT' && e.path.includes('/manifests/')) return indexPaths.has(e.path) ? 'index-put' : 'manifest-put';
  if (e.path.includes('/blobs/uploads/')) return 'blob-upload';
  return 'read';
}

function acquireLane(): Promise<Lane> {
  const l = idle.shift();
  return l ? Promise.resolve(l) : new Promise((resolve) => waiting.push(resolve));
}

function releaseLane(l: Lane): void {
  const next = waiting.shift();
  if (next) next(l);
  else idle.push(l);
}

interface MirrorProcess {
  signal: NodeJS.Signals | null;
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
  /** Lab-registry requests seen while it ran. */
  requests: ProxyLogEntry[];
  /** The request the kill was triggered by. */
  killedOn?: ProxyLogEntry;
}

interface Kill {
  kind: 'any' | Kind;
  /** The n-th request (of that kind). */
  nth: number;
  /** SIGKILL this many ms after that request instead of on it. */
  afterMs?: number;
}

/** Run `mirror images` on a lane in a pre-started process; with `kill`, SIGKILL it on the chosen request. */
async function runMirror(lane: Lane, out: string, kill?: Kill): Promise<MirrorProcess> {
  const proc = lane.spare ?? startWarmCli(bundle);
  lane.spare = startWarmCli(bundle);
  const w0 = Date.now();
  await proc.ready;
  const t0 = Date.now();
  waitedForReady += t0 - w0;
  const requests: ProxyLogEntry[] = [];
  let seen = 0;
  let killedOn: ProxyLogEntry | undefined;
  let timer: NodeJS.Timeout | undefined;
  lane.onRequest = (e) => {
    requests.push(e);
    if (!kill || killedOn || (kill.kind !== 'any' && kindOf(e) !== kill.kind) || ++seen !== kill.nth) return;
    killedOn = e;
    if (kill.afterMs === undefined) proc.child.kill('SIGKILL');
    else timer = setTimeout(() => proc.child.kill('SIGKILL'), kill.afterMs);
  };
  proc.go(['mirror', 'images', '--inventory', lane.inventory, '--out', out]);
  const { code, signal } = await proc.closed;
  clearTimeout(timer);
  lane.onRequest = undefined;
  return { code, signal, stdout: proc.output.stdout, stderr: proc.output.stderr, ms: Date.now() - t0, requests, killedOn };
}

/** The same run through bin/dci-agent-ts (what users start), on lane 0. */
function runBin(lane: Lane, out: string): Promise<MirrorProcess> {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const requests: ProxyLogEntry[] = [];
    const child = spawn(process.execPath, ['--', BIN, 'mirror', 'images', '--inventory', lane.inventory, '--out', out], { cwd: REPO_ROOT, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    lane.onRequest = (e) => requests.push(e);
    let stdout = '';
    let stderr = '';
    const guard = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(guard);
      lane.onRequest = undefined;
      resolve({ code, signal, stdout, stderr, ms: Date.now() - t0, requests });
    });
  });
}

/** Where the killed run was, from its last progress line. */
function phaseOf(stdout: string, signal: NodeJS.Signals | null): string {
  if (!signal) return 'finished before the kill';
  if (/^wrote /m.test(stdout)) return 'after writing outputs';
  if (/^building the pruned catalog/m.test(stdout)) return 'building the pruned catalog';
  if (/^(\w+: )?copying \d+ images/m.test(stdout)) return 'copying';
  if (/^reading the catalog/m.test(stdout)) return 'reading the catalog';
  if (/^reading the release/m.test(stdout)) return 'reading the release';
  return 'starting';
}

async function expectVerified(lane: Lane, out: string, ex = expect): Promise<void> {
  const lines = parseMapping(readFileSync(join(out, 'mapping.txt'), 'utf8'));
  const v = await readBackMapping(lines, { rebuilt: new Set(lab.catalog ? [lab.catalog.ref] : []), hostMap: { [lane.proxy.host]: lane.dest.host } });
  ex(v.problems).toEqual([]);
  ex(v.images).toBe(lines.length);
  ex(v.blobs).toBeGreaterThanOrEqual(lines.length);
}

/** Every non-temp file present is identical to the uninterrupted run's (the report only has to be whole JSON). */
function expectWholeOutputs(files: Map<string, Buffer>, reference: Map<string, Buffer>, ex = expect): void {
  for (const [name, bytes] of files) {
    const base = name.slice(name.lastIndexOf('/') + 1);
    if (base.startsWith('.') && base.endsWith('.tmp')) continue; // an atomic write's temp file, never read
    ex(reference.has(name), `${name} is an output of a complete run`).toBe(true);
    if (base === REPORT) {
      const report = JSON.parse(bytes.toString('utf8')) as { release?: { digest?: string } };
      ex(report.release?.digest).toBe(lab.release.releaseDigest);
    } else {
      ex(bytes.toString('utf8'), `${name} is whole`).toBe(reference.get(name)!.toString('utf8'));
    }
  }
}

/** A lane's outputs with its registry's address written as lane 0's (to compare lanes' bytes). */
function asLane0(files: Map<string, Buffer>, lane: Lane): Map<string, Buffer> {
  return new Map([...files].map(([n, b]) => [n, Buffer.from(b.toString('utf8').split(lane.proxy.host).join(lanes[0].proxy.host))]));
}

function hook(lane: Lane): void {
  const log = lane.proxy.log;
  const push = log.push.bind(log);
  log.push = (...entries: ProxyLogEntry[]) => {
    const n = push(...entries);
    for (const e of entries) lane.onRequest?.(e);
    // Nothing reads the log here: keep it from growing over the cases.
    log.length = 0;
    return n;
  };
}

beforeAll(async () => {
  const t0 = Date.now();
  dir = mkdtempSync(join(tmpdir(), 'faults-mirror-kill-'));
  const labP = startMirrorLab({ dir, destProxy: true, components: 4, multiArch: true, catalog: true, extraSizes: [1 << 20, 768 << 10] });
  const extra = Array.from({ length: LANES - 1 }, async () => {
    const dest = await startRegistry();
    try {
      return { dest, proxy: await startFaultProxy(dest.url) };
    } catch (e) {
      await dest.stop();
      throw e;
    }
  });
  const [labR, bundleR, ...extraR] = await Promise.allSettled([labP, bundleWarmCli(), ...extra]);
  if (labR.status === 'fulfilled') {
    lab = labR.value;
    lanes.push({ id: 0, dest: lab.dest, proxy: lab.destProxy!, own: false, inventory: '', reference: new Map() });
  }
  if (bundleR.status === 'fulfilled') bundle = bundleR.value;
  for (const [i, r] of extraR.entries()) if (r.status === 'fulfilled') lanes.push({ id: i + 1, ...r.value, own: true, inventory: '', reference: new Map() });
  const failed = [labR, bundleR, ...extraR].find((r) => r.status === 'rejected');
  if (failed) throw (failed as PromiseRejectedResult).reason;
  for (const lane of lanes) {
    hook(lane);
    lane.inventory = await lab.inventory(`lab-${lane.id}.yml`, { prefix: PREFIX, dest: { host: lane.proxy.host, direct: lane.dest.host }, operators: OPERATORS });
    lane.spare = startWarmCli(bundle);
  }

  // bin/dci-agent-ts once (it also warms the registries): the bundled processes must write the same bytes.
  const first = lanes[0];
  const binOut = join(dir, 'bin-run');
  const bin = await runBin(first, binOut);
  if (bin.code !== 0) throw new Error(`the bin/dci-agent-ts mirror failed (${bin.code}): ${bin.stderr}`);
  console.log(`kill -9 suite: bin/dci-agent-ts run ${bin.ms} ms, ${bin.requests.length} lab-registry requests`);
  await expectVerified(first, binOut);
  const binTree = await readTree(binOut);
  await wipeRegistry(first.dest);

  // One uninterrupted run per lane, at once: its outputs are the lane's reference; request counts scale the kills.
  const refs = await Promise.all(lanes.map((l) => runMirror(l, join(dir, `reference-${l.id}`))));
  for (const [i, r] of refs.entries()) {
    const lane = lanes[i];
    if (r.code !== 0) throw new Error(`the reference mirror on lane ${lane.id} failed (${r.code}): ${r.stderr}`);
    console.log(`kill -9 suite: lane ${lane.id} reference run ${r.ms} ms, ${r.requests.length} lab-registry requests`);
    const out = join(dir, `reference-${lane.id}`);
    await expectVerified(lane, out);
    lane.reference = await readTree(out);
    expect([...lane.reference.keys()].sort()).toEqual([...binTree.keys()].sort());
    expectWholeOutputs(asLane0(lane.reference, lane), binTree);
  }
  fullRequests = Math.min(...refs.map((r) => r.requests.length));
  // Which manifest PUTs push an index: read back what lane 0's reference run pushed.
  for (const e of refs[0].requests) {
    if (e.method !== 'PUT' || !e.path.includes('/manifests/')) continue;
    const res = await fetch(`http://${first.dest.host}${e.path}`, { headers: { accept: ACCEPT } });
    const m = (await res.json()) as { manifests?: unknown[] };
    if (Array.isArray(m.manifests)) indexPaths.add(e.path);
  }
  for (const e of refs[0].requests) fullByKind[kindOf(e)]++;
  await Promise.all(lanes.map((l) => wipeRegistry(l.dest)));
  idle.push(...lanes);
  console.log(`kill -9 suite: seed ${SEED}, ${KILLS} kills on ${LANES} lanes over ${fullRequests} requests ${JSON.stringify(fullByKind)}; set up in ${Date.now() - t0} ms`);
}, 120_000);

afterAll(async () => {
  console.log(`kill -9 suite (seed ${SEED}): killed while ${JSON.stringify(phases)}, on ${JSON.stringify(killedKinds)}; waited ${waitedForReady} ms for ready processes, ${checkAndWipeMs} ms checking and emptying lab registries`);
  for (const l of lanes) {
    l.onRequest = undefined;
    l.spare?.child.kill('SIGKILL');
    await l.spare?.closed;
  }
  await Promise.all(
    lanes
      .filter((l) => l.own)
      .map(async (l) => {
        await l.proxy.close();
        await l.dest.stop();
      }),
  );
  await lab?.close();
  await bundle?.remove();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function describePoint(p: KillPoint): string {
  return p.kind === 'any' ? `${p.at} of the lab-registry requests` : `${p.at} of the ${p.kind} requests`;
}

describe(`kill -9 during mirror images, then rerun (seed ${SEED})`, () => {
  it('the reference run wrote the outputs a lab needs, and pushed an index', () => {
    expect([...lanes[0].reference.keys()]).toEqual(expect.arrayContaining(['mapping.txt', 'idms-release-0.yaml', 'install-config-sources.yaml', REPORT]));
    expect(fullByKind['index-put']).toBeGreaterThan(0);
  });

  for (const [n, point] of points.entries()) {
    const i = n + 1;
    it.concurrent(`#${i}: SIGKILL at ${describePoint(point)}, rerun exits 0, 0 corrupt or missing blobs`, async ({ expect }) => {
      const lane = await acquireLane();
      try {
        const out = join(dir, `out-${i}`);
        const kill: Kill =
          point.kind !== 'any'
            ? { kind: point.kind, nth: Math.floor(point.at * fullByKind[point.kind]) + 1 }
            : point.at < 1
              ? { kind: 'any', nth: Math.floor(point.at * fullRequests) + 1 }
              : { kind: 'any', nth: fullRequests, afterMs: Math.round((point.at - 1) * 500) };
        const killed = await runMirror(lane, out, kill);
        const phase = phaseOf(killed.stdout, killed.signal);
        phases[phase] = (phases[phase] ?? 0) + 1;
        const on = killed.killedOn && kill.afterMs === undefined ? kindOf(killed.killedOn) : 'none';
        if (killed.signal) killedKinds[on] = (killedKinds[on] ?? 0) + 1;
        if (killed.signal === null) expect(killed.code, `a run that ended before the kill succeeded: ${killed.stderr}`).toBe(0);
        // What the killed run left must not pretend to be complete.
        if (existsSync(out)) expectWholeOutputs(await readTree(out), lane.reference, expect);

        const rerun = await runMirror(lane, out);
        const where = `${kill.kind === 'any' ? 'request' : kill.kind} ${kill.nth}/${kill.kind === 'any' ? fullRequests : fullByKind[kill.kind]}${kill.afterMs !== undefined ? ` + ${kill.afterMs} ms` : ''}`;
        console.log(`#${i} (lane ${lane.id}): SIGKILL at ${where} (${phase}, on ${killed.killedOn ? `${killed.killedOn.method} ${killed.killedOn.path.slice(0, 60)}` : 'nothing'}, ${killed.ms} ms); rerun ${rerun.ms} ms, ${rerun.requests.length} requests, exit ${rerun.code}`);
        expect(rerun.stderr, `rerun after a kill at ${where} (${phase})`).toBe('');
        expect(rerun.code).toBe(0);
        const c0 = Date.now();
        const after = await readTree(out);
        for (const name of lane.reference.keys()) expect(after.has(name), `${name} written by the rerun`).toBe(true);
        expectWholeOutputs(after, lane.reference, expect);
        await expectVerified(lane, out, expect);
        checkAndWipeMs += Date.now() - c0;
      } finally {
        const w0 = Date.now();
        await wipeRegistry(lane.dest);
        checkAndWipeMs += Date.now() - w0;
        releaseLane(lane);
      }
    }, 120_000);
  }
});

describe('where the kills landed', () => {
  // A short replay (DCI_FAULT_KILLS < 15) has fewer targeted points than kinds.
  it.skipIf(KILLS < 15)('inside blob uploads, manifest PUTs and index PUTs', () => {
    expect(Object.keys(killedKinds)).toEqual(expect.arrayContaining(['blob-upload', 'manifest-put', 'index-put']));
  });
});
