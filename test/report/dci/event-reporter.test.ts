/** The EventBus adapter: pipeline/engine events become ordered DCI job states and callback-style task files. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventBus, type TaskRef } from '../../../src/core/events.js';
import { SecretRegistry } from '../../../src/core/secrets.js';
import { createDciEventReporter, startDciJob } from '../../../src/report/dci/index.js';
import { startFakeDciServer, type FakeDciServer } from '../../helpers/fake-dci-server.js';
import { clientFor } from './helpers.js';

let fake: FakeDciServer;
let dir: string;
beforeEach(async () => {
  fake = await startFakeDciServer();
  dir = await mkdtemp(join(tmpdir(), 'dci-events-'));
});
afterEach(async () => {
  await fake.close();
  await rm(dir, { recursive: true, force: true });
});

describe('createDciEventReporter', () => {
  it('maps job-state and task events in order; outputs are redacted; failed tasks get the failed/ prefix', async () => {
    const secrets = new SecretRegistry();
    secrets.add('hunter2-password');
    const { job, reporter } = await startDciJob({ client: clientFor(fake), topic: 'OCP-4.16', spoolDir: dir });
    const bus = new EventBus();
    const events = createDciEventReporter(reporter, { secrets });
    bus.on((e) => events.on(e));
    const task = (name: string, id: string): TaskRef => ({ name, id, host: 'jumphost' });
    bus.emit({ type: 'job-state', state: 'pre-run' });
    bus.emit({ type: 'task-start', task: task('Check the jumphost', 't1'), module: 'command' });
    bus.emit({ type: 'task-output', task: task('Check the jumphost', 't1'), stream: 'stdout', line: 'login with hunter2-password' });
    bus.emit({ type: 'task-end', task: task('Check the jumphost', 't1'), module: 'command', status: 'ok', durationMs: 5 });
    bus.emit({ type: 'job-state', state: 'running' });
    bus.emit({ type: 'task-start', task: task('Install', 't2'), module: 'install_cluster' });
    bus.emit({ type: 'task-end', task: task('Install', 't2'), module: 'install_cluster', status: 'failed', durationMs: 5, msg: 'bootstrap timed out' });
    bus.emit({ type: 'task-end', task: task('Skipped one', 't3'), module: 'debug', status: 'skipped', durationMs: 0 });
    bus.emit({ type: 'job-state', state: 'failure', comment: 'install: TASK [Install] failed' });
    expect(await events.finish()).toEqual({ uploaded: 0, jobStates: 0, remaining: [], unreachable: false });
    expect(events.errors).toEqual([]);

    const states = fake.jobStatesOf(job.id);
    expect(states.map((s) => s.status)).toEqual(['new', 'pre-run', 'running', 'failure']);
    expect(states[3].comment).toBe('install: TASK [Install] failed');
    const files = fake.filesOf(job.id);
    expect(files.map((f) => [f.name, f.jobstate_id])).toEqual([
      ['TASK [Check the jumphost]', states[1].id],
      ['failed/TASK [Install]', states[2].id],
    ]);
    expect(files[0].content.toString()).toBe('jumphost: ok\nlogin with ********\n');
    expect(files[1].content.toString()).toContain('bootstrap timed out');
  });
});
