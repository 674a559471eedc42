/**
 * kill -9 at random points of `dci-agent-ts mirror images` (a real process), then a rerun — ≥ 20 times. Each time:
 *  - right after the kill, every output file present (mapping.txt, the mirror sets, install-config-sources.yaml...)
 *    is whole: byte-identical to the output of an uninterrupted run (atomic writes; only dot-temp files may be left);
 *  - the rerun exits 0 and writes the same outputs;
 *  - every image of mapping.txt is on the lab registry with the source digest, every manifest and blob read back
 *    and hashed: 0 corrupt or missing.
 * Where to kill is measured in the lab registry's requests, not in milliseconds (this machine's load changes how
 * long a run takes several-fold): a pass-through proxy in front of the lab registry counts them, and the process is
 * SIGKILLed when the k-th request arrives — while that request is in flight, often in the middle of a blob upload.
 * k is a fraction of the requests of one uninterrupted run, drawn from a seeded PRNG; fractions past 1 kill a few ms
 * after the last request (while the outputs are written). The seed is in the test names (replay with
 * DCI_FAULT_SEED=<seed>; DCI_FAULT_KILLS changes the count). The lab registry is emptied between iterations
 * (restarted on its own port with its storage removed), so every kill lands on a fresh mirror.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, REPO_ROOT } from '../helpers/cli.js';
import type { ProxyLogEntry } from '../helpers/fault-proxy.js';
import { parseMapping, readBackMapping, readTree, seededRandom, startMirrorLab, wipeRegistry, type MirrorLab } from './helpers-mirror.js';

const SEED = Number(process.env.DCI_FAULT_SEED ?? Date.now() % 2 ** 31);
const KILLS = Number(process.env.DCI_FAULT_KILLS ?? 20);
const random = seededRandom(SEED);
/** Kill points: fractions of the lab-registry requests of one full run (past 1: while the outputs are written). */
const points = Array.from({ length: KILLS }, () => Number((random() * 1.08).toFixed(3)));

let lab: MirrorLab;
let dir: string;
let inventory: string;
/** Lab-registry requests of one uninterrupted run. */
let fullRequests = 0;
let reference: Map<string, Buffer>;
const phases: Record<string, number> = {};
/** Called by the lab registry's proxy on every request it receives. */
let onRequest: (() => void) | undefined;

const PREFIX = 'k';
const REPORT = 'mirror-report.json';

function mirrorArgs(out: string): string[] {
  return ['mirror', 'images', '--inventory', inventory, '--out', out];
}

interface MirrorProcess {
  signal: NodeJS.Signals | null;
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
  /** Lab-registry requests seen while it ran. */
  requests: number;
}

/**
 * Run `mirror images`; with `kill`, SIGKILL it when the lab registry receives its `atRequest`-th request, or (when
 * `afterMs` is given too) that many ms after it.
 */
function runMirror(out: string, kill?: { atRequest: number; afterMs?: number }): Promise<MirrorProcess> {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    let requests = 0;
    let timer: NodeJS.Timeout | undefined;
    const child: ChildProcess = spawn(process.execPath, ['--', BIN, ...mirrorArgs(out)], { cwd: REPO_ROOT, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    // Set before the child can reach the registry (spawn returns before it runs any code).
    onRequest = () => {
      requests++;
      if (!kill || requests !== kill.atRequest) return;
      if (kill.afterMs === undefined) child.kill('SIGKILL');
      else timer = setTimeout(() => child.kill('SIGKILL'), kill.afterMs);
    };
    let stdout = '';
    let stderr = '';
    // Whatever happens to the test, the child does not outlive it.
    const guard = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const done = (): void => {
      clearTimeout(timer);
      clearTimeout(guard);
      onRequest = undefined;
    };
    child.on('error', (e) => {
      done();
      reject(e);
    });
    child.on('close', (code, signal) => {
      done();
      resolve({ signal, code, stdout, stderr, ms: Date.now() - t0, requests });
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

async function expectVerified(out: string): Promise<void> {
  const lines = parseMapping(readFileSync(join(out, 'mapping.txt'), 'utf8'));
  const v = await readBackMapping(lines, { rebuilt: new Set(lab.catalog ? [lab.catalog.ref] : []), hostMap: { [lab.destHost]: lab.dest.host } });
  expect(v.problems).toEqual([]);
  expect(v.images).toBe(lines.length);
  expect(v.blobs).toBeGreaterThanOrEqual(lines.length);
}

/** Every non-temp file present is identical to the uninterrupted run's (the report only has to be whole JSON). */
function expectWholeOutputs(files: Map<string, Buffer>): void {
  for (const [name, bytes] of files) {
    const base = name.slice(name.lastIndexOf('/') + 1);
    if (base.startsWith('.') && base.endsWith('.tmp')) continue; // an atomic write's temp file, never read
    expect(reference.has(name), `${name} is an output of a complete run`).toBe(true);
    if (base === REPORT) {
      const report = JSON.parse(bytes.toString('utf8')) as { release?: { digest?: string } };
      expect(report.release?.digest).toBe(lab.release.releaseDigest);
    } else {
      expect(bytes.toString('utf8'), `${name} is whole`).toBe(reference.get(name)!.toString('utf8'));
    }
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'faults-mirror-kill-'));
  lab = await startMirrorLab({ dir, destProxy: true, components: 6, catalog: true, extraSizes: [1 << 20, 768 << 10] });
  const log = lab.destProxy!.log;
  const push = log.push.bind(log);
  log.push = (...entries: ProxyLogEntry[]) => {
    const n = push(...entries);
    onRequest?.();
    return n;
  };
  inventory = await lab.inventory('lab.yml', { prefix: PREFIX });
  // Two uninterrupted runs: they must write the same bytes (same inventory, same lab registry address), and their
  // request counts scale the kill points.
  const counts: number[] = [];
  for (const name of ['warm-up', 'reference']) {
    const out = join(dir, name);
    const r = await runMirror(out);
    if (r.code !== 0) throw new Error(`the ${name} mirror failed (${r.code}): ${r.stderr}`);
    console.log(`kill -9 suite: ${name} run ${r.ms} ms, ${r.requests} lab-registry requests`);
    await expectVerified(out);
    counts.push(r.requests);
    if (reference) expectWholeOutputs(await readTree(out));
    reference = await readTree(out);
    await wipeRegistry(lab.dest);
  }
  fullRequests = Math.min(...counts);
  console.log(`kill -9 suite: seed ${SEED}, ${KILLS} kills over ${fullRequests} requests`);
}, 120_000);

afterAll(async () => {
  console.log(`kill -9 suite (seed ${SEED}): killed while ${JSON.stringify(phases)}`);
  onRequest = undefined;
  await lab?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe(`kill -9 during mirror images, then rerun (seed ${SEED})`, () => {
  it('the reference run wrote the outputs a lab needs', () => {
    expect([...reference.keys()]).toEqual(expect.arrayContaining(['mapping.txt', 'idms-release-0.yaml', 'install-config-sources.yaml', REPORT]));
  });

  it.each(points.map((p, i) => [i + 1, p] as const))('#%i: SIGKILL at %f of the lab-registry requests, rerun exits 0, 0 corrupt or missing blobs', async (i, point) => {
    const out = join(dir, `out-${i}`);
    const kill = point < 1 ? { atRequest: Math.floor(point * fullRequests) + 1 } : { atRequest: fullRequests, afterMs: Math.round((point - 1) * 500) };
    const killed = await runMirror(out, kill);
    const phase = phaseOf(killed.stdout, killed.signal);
    phases[phase] = (phases[phase] ?? 0) + 1;
    if (killed.signal === null) expect(killed.code, `a run that ended before the kill succeeded: ${killed.stderr}`).toBe(0);
    // What the killed run left must not pretend to be complete.
    if (existsSync(out)) expectWholeOutputs(await readTree(out));

    const rerun = await runMirror(out);
    const where = `request ${kill.atRequest}/${fullRequests}${kill.afterMs !== undefined ? ` + ${kill.afterMs} ms` : ''}`;
    console.log(`#${i}: SIGKILL at ${where} (${phase}, ${killed.ms} ms); rerun ${rerun.ms} ms, ${rerun.requests} requests, exit ${rerun.code}`);
    expect(rerun.stderr, `rerun after a kill at ${where} (${phase})`).toBe('');
    expect(rerun.code).toBe(0);
    const after = await readTree(out);
    for (const name of reference.keys()) expect(after.has(name), `${name} written by the rerun`).toBe(true);
    expectWholeOutputs(after);
    await expectVerified(out);
    await wipeRegistry(lab.dest);
  }, 60_000);
});
