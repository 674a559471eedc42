/**
 * Fault: the disk holding the state dir fills up while `dci-agent-ts run` writes its run record. The state dir is a
 * small tmpfs (we run as root); a hook fills it with `dd` in the middle of the install stage, the way another
 * process would. Expected: one clear error naming the path and "no space left", a non-zero exit code, no stack
 * trace; summary.json is never half-written (its last complete version or absent, no temp files left as if
 * complete), and `runs list` / `runs show` still work on what is there. Also: a disk already full at start.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { makeLab, recordingHook, type Lab } from '../pipeline/lab-fixture.js';
import { STACK_TRACE, onlyRunDir, startCli, type RunningCli } from './helpers-run.js';
import { canMountTmpfs, mountTmpfs, type Tmpfs } from './helpers-tmpfs.js';

const tmpfsCheck = await canMountTmpfs(mkdtempSync(join(tmpdir(), 'tmpfs-probe-')));
const cannotMount = tmpfsCheck.ok ? undefined : tmpfsCheck.reason;
if (cannotMount) console.log(`run-disk-full: skipped: ${cannotMount}`);

const mounted: Tmpfs[] = [];
let lab: Lab | undefined;
let running: RunningCli | undefined;

/** A lab whose state dir is a tmpfs of `sizeKiB` (unmounted in afterEach/afterAll, even on failure). */
async function labOnTmpfs(sizeKiB: number): Promise<Lab> {
  const l = makeLab();
  const m = await mountTmpfs(l.stateDir, sizeKiB, { mode: '0755' });
  if ('error' in m) throw new Error(m.error);
  mounted.push(m);
  return l;
}

async function unmountAll(): Promise<void> {
  // Lazily (umount -l): a child that still holds a file does not keep the mount alive past the test.
  while (mounted.length) await mounted.pop()!.unmount();
}

afterEach(async () => {
  running?.kill();
  running = undefined;
  await unmountAll();
  if (lab) rmSync(lab.dir, { recursive: true, force: true });
  lab = undefined;
});
afterAll(() => unmountAll());

/** Fill the file system of `dir`: dd until ENOSPC, then tiny files until creating one fails (the last blocks). */
function fillDisk(dir: string, bs = '4k'): void {
  try {
    execFileSync('dd', ['if=/dev/zero', `of=${join(dir, 'filler')}`, `bs=${bs}`], { stdio: 'pipe' });
  } catch {
    // dd ends with ENOSPC: that is the point.
  }
  for (let i = 0; i < 10_000; i++) {
    try {
      writeFileSync(join(dir, `f${i}`), 'x');
    } catch {
      break;
    }
  }
  // The premise of the test: nothing more fits.
  expect(() => writeFileSync(join(dir, 'probe'), Buffer.alloc(8192))).toThrow(/ENOSPC/);
}

interface Summary {
  runId: string;
  state: string;
  stages: Array<{ name: string; status: string }>;
}

/** Every summary.json under the state dir parses as a whole summary; no temp file of an atomic write is left. */
function expectNoHalfWrittenSummary(runDir: string): Summary | undefined {
  const leftovers = readdirSync(runDir).filter((f) => f.endsWith('.tmp'));
  expect(leftovers).toEqual([]);
  const path = join(runDir, 'summary.json');
  if (!existsSync(path)) return undefined;
  const summary = JSON.parse(readFileSync(path, 'utf8')) as Summary;
  expect(summary.runId).toBe(basename(runDir));
  expect(Array.isArray(summary.stages)).toBe(true);
  return summary;
}

describe.skipIf(Boolean(cannotMount))('fault: disk full while writing the run record', () => {
  it('the disk fills up mid-run: one clear error naming the path and "no space left", exit 1, summary intact, runs list/show work', async () => {
    lab = await labOnTmpfs(1024);
    // Another process fills the disk (dd ends with ENOSPC, the shell goes on), then the hook keeps talking.
    lab.writeHook(0, 'install', `- name: fill the disk
  shell: "dd if=/dev/zero of={{ dci_run_dir }}/../../filler bs=4k 2>/dev/null || true"
- name: talk after the disk is full
  shell: "for i in $(seq 1 200); do echo line $i of a chatty command; done"
- name: never reached
  shell: echo after >> {{ order_log }}
`);
    lab.writeHook(0, 'failure', recordingHook('failure-hook'));
    running = startCli(['run', '--inventory', lab.inventory, '--output', 'plain'], { env: lab.env, timeoutMs: 60_000 });
    const r = await running.done;
    console.log(`disk full mid-run: exit ${r.code} after ${r.durationMs} ms`);
    expect(r.timedOut).toBe(false);
    expect(r.code).not.toBe(0);
    expect(r.stderr).not.toMatch(STACK_TRACE);
    expect(r.stdout).not.toMatch(STACK_TRACE);
    expect(r.stderr).not.toMatch(/internal error/);
    const runDir = onlyRunDir(lab.stateDir);
    // One clear error: the path that could not be written and why.
    const errorLines = r.stderr.split('\n').filter((l) => /cannot write the run record/.test(l));
    expect(errorLines).toHaveLength(1);
    expect(errorLines[0]).toMatch(new RegExp(`${runDir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/\\S+: no space left on device \\(ENOSPC\\)`));
    // The run stopped at the failure: the task after the one that hit the full disk never ran; failure hooks did.
    expect(readFileSync(lab.orderLog, 'utf8').trim()).toBe('failure-hook');

    const summary = expectNoHalfWrittenSummary(runDir);
    // Its last complete version: written before the disk filled, so it still says the run is in install.
    expect(summary?.state).toBe('running');
    expect(summary?.stages.map((s) => s.name)).toContain('install');

    // Make room, as the user would, and read the record back.
    rmSync(join(lab.stateDir, 'filler'), { force: true });
    const list = await runCli(['runs', 'list'], { env: lab.env, timeoutMs: 30_000 });
    expect(list.code).toBe(0);
    expect(list.stdout).toContain(basename(runDir));
    const show = await runCli(['runs', 'show', basename(runDir)], { env: lab.env, timeoutMs: 30_000 });
    expect(show.code).toBe(0);
    expect(show.stdout).toContain(basename(runDir));
    expect(show.stderr).not.toMatch(STACK_TRACE);
  }, 90_000);

  it('runs list/show still work while the disk is full', async () => {
    lab = await labOnTmpfs(1024);
    const first = await runCli(['run', '--inventory', lab.inventory, '--output', 'plain'], { env: lab.env, timeoutMs: 60_000 });
    expect(first.code).toBe(0);
    const runId = basename(onlyRunDir(lab.stateDir));
    fillDisk(lab.stateDir);
    const list = await runCli(['runs', 'list'], { env: lab.env, timeoutMs: 30_000 });
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(new RegExp(`${runId}.*success`));
    const show = await runCli(['runs', 'show', runId], { env: lab.env, timeoutMs: 30_000 });
    expect(show.code).toBe(0);
    expect(show.stdout).toMatch(/success/);
  }, 90_000);

  it('a disk already full at start: one clear error naming the path, non-zero exit, no stack trace, no half record', async () => {
    lab = await labOnTmpfs(256);
    fillDisk(lab.stateDir, '1k');
    const r = await runCli(['run', '--inventory', lab.inventory, '--output', 'plain'], { env: lab.env, timeoutMs: 60_000 });
    console.log(`disk full at start: exit ${r.code}`);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/cannot write the run record: \/\S+: no space left on device \(ENOSPC\)/);
    expect(r.stderr).not.toMatch(STACK_TRACE);
    expect(r.stderr).not.toMatch(/internal error/);
    const runs = join(lab.stateDir, 'runs');
    for (const d of existsSync(runs) ? readdirSync(runs) : []) expectNoHalfWrittenSummary(join(runs, d));
    const list = await runCli(['runs', 'list'], { env: lab.env, timeoutMs: 30_000 });
    expect(list.code).toBe(0);
    expect(list.stderr).not.toMatch(STACK_TRACE);
  }, 90_000);
});
