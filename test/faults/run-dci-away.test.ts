/**
 * Fault: the DCI control server goes away in the middle of `dci-agent-ts run` (the fake server in test/helpers,
 * which verifies every signature like the real one, closes its listener and drops its connections).
 * The run must finish with the pipeline's own exit code (not a DCI error); uploads that failed are kept in the run
 * record and retried; in the end the server holds every file and job state exactly once, all signed correctly.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startFakeDciServer, type FakeDciServer } from '../helpers/fake-dci-server.js';
import { makeLab, type Lab } from '../pipeline/lab-fixture.js';
import { dciLogFileKind, dciTaskFileName } from '../../src/report/dci/reporter.js';
import { dciFileHeaderName } from '../../src/report/dci/client.js';
import { runCli } from '../helpers/cli.js';
import { STACK_TRACE, onlyRunDir, readEvents, startCli, waitFor, type RecordedEvent, type RunningCli } from './helpers-run.js';

let dci: FakeDciServer | undefined;
let lab: Lab | undefined;
let running: RunningCli | undefined;

afterEach(async () => {
  running?.kill();
  running = undefined;
  await dci?.close();
  dci = undefined;
  if (lab) rmSync(lab.dir, { recursive: true, force: true });
  lab = undefined;
});

interface Outage {
  fake: FakeDciServer;
  lab: Lab;
  run: RunningCli;
  /** When the server went away. */
  awayAt: number;
  /** Let the hook go on past its wait (the server may still be away). */
  release(): void;
  /** Bring the server back, then let the hook go on; returns when the server was back. */
  comeBack(): Promise<number>;
}

/**
 * The set-up every case shares: a DCI lab whose `tests` hook signals, then waits; `run` started; the server sent
 * away when the hook signals (the run is then in the middle of its reports).
 */
async function runIntoOutage(timeoutMs: number): Promise<Outage> {
  const fake = (dci = await startFakeDciServer());
  const l = (lab = makeLab(`    dci_topic: OCP-4.16\n    dci_components_by_query: ['ocp?tags:build:ga']\n    dci_name: fault-job`, { ocpVersion: null }));
  l.writeHook(0, 'tests', OUTAGE_HOOK);
  const run = (running = startCli(['run', '--inventory', l.inventory, '--output', 'plain'], { env: { ...l.env, ...fake.credentialsEnv() }, timeoutMs }));
  await waitFor('the outage signal', () => existsSync(`${l.orderLog}.away-now`), 60_000);
  await fake.goAway();
  const awayAt = Date.now();
  const release = () => writeFileSync(`${l.orderLog}.back`, '');
  return {
    fake,
    lab: l,
    run,
    awayAt,
    release,
    async comeBack() {
      await fake.comeBack();
      const backAt = Date.now();
      release();
      return backAt;
    },
  };
}

/** The run ended by itself, with the pipeline's own exit code and no stack trace. */
function expectRunSucceeded(r: Awaited<RunningCli['done']>): void {
  expect(r.timedOut).toBe(false);
  expect(r.code).toBe(0);
  expect(r.stdout + r.stderr).not.toMatch(STACK_TRACE);
}

/**
 * A `tests` hook that signals the test (file `<order_log>.away-now`), produces output while the server is away,
 * waits for the test to say the server is back (file `<order_log>.back`), then runs a junit test case.
 */
const OUTAGE_HOOK = `- name: signal the outage
  shell: touch {{ order_log }}.away-now
- name: chatter while the server is away
  shell: "echo during-outage-1; sleep 0.3; echo during-outage-2"
- name: wait for the server to come back
  shell: "i=0; while [ ! -f {{ order_log }}.back ] && [ $i -lt 900 ]; do sleep 0.1; i=$((i+1)); done; test -f {{ order_log }}.back"
- name: test_after_the_outage
  command: "true"
- name: keep a report
  copy: { dest: "{{ job_logs.path }}/report.txt", content: "all fine\\n" }
`;

const UPLOADED_STATUSES: Record<string, string> = { ok: 'ok', changed: 'changed', failed: 'failed', rescued: 'rescued', ignored: 'failed', unreachable: 'unreachable' };

/** The files the run had to upload: each task's output (as the dci callback names them), junit, summary, job_logs. */
function expectedFileNames(events: RecordedEvent[], runDir: string): string[] {
  const names: string[] = [];
  for (const e of events) {
    if (e.type !== 'task-end') continue;
    const status = UPLOADED_STATUSES[String(e.status)];
    if (status) names.push(dciFileHeaderName(dciTaskFileName((e.task as { name: string }).name, status)));
  }
  for (const f of ['junit.xml', 'summary.json']) if (existsSync(join(runDir, f))) names.push(f);
  // The hooks' job_logs, as get-logs picks them (this hook's report.txt, the stages' job-facts.json).
  for (const f of readdirSync(join(runDir, 'job_logs'))) {
    const kind = dciLogFileKind(f);
    if (kind) names.push(kind.name);
  }
  expect(names).toContain('report.txt');
  return names.sort();
}

function spooled(runDir: string): string[] {
  const spool = join(runDir, 'dci-spool');
  if (!existsSync(spool)) return [];
  return readdirSync(spool, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.json'));
}

/** Every stored file and job state once; every request signed correctly. */
function expectDelivered(fake: FakeDciServer, runDir: string): void {
  const job = [...fake.db.jobs.values()][0];
  expect(job).toBeDefined();
  const jobId = job.id;
  expect(fake.jobStatesOf(jobId).map((s) => s.status)).toEqual(['new', 'pre-run', 'running', 'post-run', 'success']);
  const files = fake.filesOf(jobId);
  const stored = files.map((f) => f.name).sort();
  expect(stored).toEqual(expectedFileNames(readEvents(runDir), runDir));
  // No duplicates: no two stored files with the same name, job state and bytes.
  const keys = files.map((f) => `${f.name}|${f.jobstate_id}|${f.content.toString('base64')}`);
  expect(new Set(keys).size).toBe(keys.length);
  const chatter = files.find((f) => f.name === dciTaskFileName('chatter while the server is away', 'changed'));
  expect(chatter?.content.toString()).toContain('during-outage-2');
  expect(files.find((f) => f.name === 'junit.xml')?.content.toString()).toContain('test_after_the_outage');
  // The server verified each request's signature; none was refused (a retry re-signs with a fresh date).
  expect(fake.requests.filter((r) => r.authError)).toEqual([]);
  expect(spooled(runDir)).toEqual([]);
}

/**
 * The task ended while the server was away (its upload had to be tried then) and its output reached the server
 * only after it came back: proof that the outage was real and the upload was retried, not lost.
 */
function expectUploadedAfterOutage(fake: FakeDciServer, runDir: string, task: string, awayAt: number, backAt: number): void {
  const end = readEvents(runDir).find((e) => e.type === 'task-end' && (e.task as { name: string }).name === task);
  const endedAt = Date.parse(String(end?.ts));
  expect(endedAt).toBeGreaterThanOrEqual(awayAt - 50);
  expect(endedAt).toBeLessThan(backAt);
  const file = [...fake.db.files].find((f) => f.name === dciTaskFileName(task, 'changed'));
  // The server's naive UTC timestamp.
  expect(Date.parse(String(file?.created_at).replace(/(\.\d{3})\d*$/, '$1') + 'Z')).toBeGreaterThanOrEqual(backAt - 50);
}

describe('fault: the DCI server goes away mid-run', () => {
  it('a short outage (server back while the client retries): the run succeeds, everything lands once', async () => {
    const o = await runIntoOutage(120_000);
    await new Promise((r) => setTimeout(r, 2500));
    const backAt = await o.comeBack();
    const r = await o.run.done;
    console.log(`dci short outage: 2.5 s away, run ended ${Date.now() - o.awayAt} ms after the outage began (whole run ${r.durationMs} ms)`);
    expectRunSucceeded(r);
    const runDir = onlyRunDir(o.lab.stateDir);
    expectDelivered(o.fake, runDir);
    expectUploadedAfterOutage(o.fake, runDir, 'chatter while the server is away', o.awayAt, backAt);
  }, 150_000);

  it('a long outage (beyond the retry budget): failed uploads are spooled in the run record and flushed at the end of the run', async () => {
    const o = await runIntoOutage(150_000);
    const runDir = onlyRunDir(o.lab.stateDir);
    // Stay away until the client gave up on an upload and kept it in the run record.
    await waitFor('an upload spooled in the run record', () => spooled(runDir).length > 0, 60_000);
    const spooledAfter = Date.now() - o.awayAt;
    const backAt = await o.comeBack();
    const r = await o.run.done;
    console.log(`dci long outage: first upload spooled ${spooledAfter} ms into the outage; run ended ${Date.now() - o.awayAt} ms after the outage began (whole run ${r.durationMs} ms)`);
    expectRunSucceeded(r);
    expectDelivered(o.fake, runDir);
    expectUploadedAfterOutage(o.fake, runDir, 'chatter while the server is away', o.awayAt, backAt);
  }, 180_000);

  it('server still away when the run ends: the run ends promptly with its own exit code, says what was kept; `dci flush` sends it once', async () => {
    const o = await runIntoOutage(150_000);
    o.release();
    const r = await o.run.done;
    const endedAfter = Date.now() - o.awayAt;
    console.log(`dci away until the end: run ended ${endedAfter} ms after the outage began (whole run ${r.durationMs} ms)`);
    expectRunSucceeded(r);
    // One retry budget (~8-16 s) finds the server away; later reports are kept after a quick probe each.
    expect(endedAfter).toBeLessThan(45_000);
    const runDir = onlyRunDir(o.lab.stateDir);
    expect(r.stderr).toMatch(/DCI: \d+ job state\(s\) and \d+ upload\(s\) could not be sent to http:\/\/127\.0\.0\.1:\d+ .*kept in .*dci-spool\. .*dci-agent-ts dci flush /);
    expect(r.stderr).toContain(runDir);
    expect(spooled(runDir).length).toBeGreaterThan(0);
    // The final states never reached the server yet.
    const jobId = [...o.fake.db.jobs.values()][0].id;
    expect(o.fake.jobStatesOf(jobId).map((s) => s.status)).not.toContain('success');

    await o.fake.comeBack();
    const env = { ...o.lab.env, ...o.fake.credentialsEnv() };
    const flushed = await runCli(['dci', 'flush', runDir], { env, timeoutMs: 60_000 });
    expect(flushed.stderr).toBe('');
    expect(flushed.code).toBe(0);
    expect(flushed.stdout).toMatch(/sent [1-9]\d* job state\(s\) and \d+ upload\(s\)/);
    expectDelivered(o.fake, runDir);
    // Flushing again sends nothing twice.
    const again = await runCli(['dci', 'flush', runDir], { env, timeoutMs: 60_000 });
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/nothing kept for DCI/);
    expectDelivered(o.fake, runDir);
  }, 180_000);
});
