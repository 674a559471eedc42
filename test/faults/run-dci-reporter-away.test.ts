/**
 * Fault, one level below `run`: the DCI reporter the pipeline drives while the control server goes away and comes
 * back within the same run. Job states that cannot be posted are kept and posted in order before any later one;
 * while the server is away, reports do not each wait for a whole retry budget; when it answers again, what was kept
 * is sent once (no duplicates), every request correctly signed.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listPendingUploads, startDciJob } from '../../src/report/dci/index.js';
import { startFakeDciServer, type FakeDciServer } from '../helpers/fake-dci-server.js';
import { clientFor } from '../report/dci/helpers.js';

let fake: FakeDciServer;
let dir: string;
beforeEach(async () => {
  fake = await startFakeDciServer();
  dir = await mkdtemp(join(tmpdir(), 'dci-away-'));
});
afterEach(async () => {
  await fake.close();
  await rm(dir, { recursive: true, force: true });
});

async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const t0 = Date.now();
  const value = await fn();
  return { value, ms: Date.now() - t0 };
}

describe('fault: DCI reporter while the server is away and back in the same run', () => {
  it('keeps job states and uploads while away, sends them in order once it answers, nothing twice', async () => {
    // 3 retries of 100-200 ms: a full budget is ~0.5 s, a probe of a refused connection a few ms.
    const client = clientFor(fake, { retry: { retries: 3, minDelayMs: 100, maxDelayMs: 200 } });
    const spool = join(dir, 'spool');
    const { job, reporter } = await startDciJob({ client, topic: 'OCP-4.16', spoolDir: spool });
    expect(await reporter.reportJobState('pre-run')).toBe('posted');
    await reporter.uploadTaskOutput({ name: 'before', status: 'ok' }, 'before the outage\n');

    await fake.goAway();
    const first = await timed(() => reporter.reportJobState('running'));
    expect(first.value).toBe('kept');
    expect(reporter.serverAway).toBe(true);
    // Later reports while away: one quick probe each, not another retry budget.
    const second = await timed(() => reporter.uploadTaskOutput({ name: 'during', status: 'changed' }, 'during the outage\n'));
    expect(second.value.status).toBe('spooled');
    const third = await timed(() => reporter.reportJobState('post-run'));
    expect(third.value).toBe('kept');
    console.log(`dci reporter away: first report ${first.ms} ms (retry budget), later ones ${second.ms} ms / ${third.ms} ms (probe)`);
    expect(second.ms).toBeLessThan(first.ms);
    expect(third.ms).toBeLessThan(first.ms);
    const kept = await listPendingUploads(spool, job.id);
    expect(kept.map((e) => (e.kind === 'jobstate' ? `state ${e.status}` : e.name))).toEqual(['state running', 'TASK [during]', 'state post-run']);
    expect(fake.jobStatesOf(job.id).map((s) => s.status)).toEqual(['new', 'pre-run']);

    await fake.comeBack();
    // The next report finds the server back: what was kept goes first, in order, then this one.
    const after = await reporter.uploadTaskOutput({ name: 'after', status: 'ok' }, 'after the outage\n');
    expect(after.status).toBe('uploaded');
    expect(reporter.serverAway).toBe(false);
    expect(await reporter.reportJobState('success')).toBe('posted');
    expect(fake.jobStatesOf(job.id).map((s) => s.status)).toEqual(['new', 'pre-run', 'running', 'post-run', 'success']);
    const files = fake.filesOf(job.id).map((f) => f.name);
    expect(files.sort()).toEqual(['TASK [after]', 'TASK [before]', 'TASK [during]']);
    expect(await listPendingUploads(spool, job.id)).toEqual([]);
    const end = await reporter.close();
    expect(end).toEqual({ uploaded: 0, jobStates: 0, remaining: [], unreachable: false });
    expect(fake.requests.filter((r) => r.authError)).toEqual([]);
  });

  it('a job state stored by the server whose answer was lost as it went away is kept, and not posted twice from the spool', async () => {
    const client = clientFor(fake, { retry: { retries: 3, minDelayMs: 50, maxDelayMs: 100 } });
    const spool = join(dir, 'spool');
    const { job, reporter } = await startDciJob({ client, topic: 'OCP-4.16', spoolDir: spool });
    // The server is slow on this POST and goes away meanwhile: it still stores the row, the client sees a reset.
    fake.inject({ method: 'POST', path: '/jobstates', delayMs: 400 });
    const pending = reporter.reportJobState('running');
    await new Promise((r) => setTimeout(r, 150));
    await fake.goAway();
    expect(await pending).toBe('kept');
    await new Promise((r) => setTimeout(r, 400));
    expect(fake.jobStatesOf(job.id).map((s) => s.status)).toEqual(['new', 'running']);
    const kept = await listPendingUploads(spool, job.id);
    expect(kept).toMatchObject([{ kind: 'jobstate', status: 'running', maybeStored: true }]);
    await fake.comeBack();
    const flushed = await reporter.close();
    expect(flushed.remaining).toEqual([]);
    expect(fake.jobStatesOf(job.id).map((s) => s.status)).toEqual(['new', 'running']);
  });
});
