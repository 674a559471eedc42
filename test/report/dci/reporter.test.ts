/**
 * The pipeline-facing adapter against the fake server: a full job lifecycle as the pipeline will drive it,
 * uploads that fall back to the spool while the server is away and are flushed at the end, agent components.
 */
import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDciReporter, DciCredentialsRejected, listPendingUploads, ocpReleaseFromComponents, startDciJob } from '../../../src/report/dci/index.js';
import { startFakeDciServer, type FakeDciServer } from '../../helpers/fake-dci-server.js';
import { clientFor } from './helpers.js';

let fake: FakeDciServer;
let dir: string;
beforeEach(async () => {
  fake = await startFakeDciServer();
  dir = await mkdtemp(join(tmpdir(), 'dci-reporter-'));
});
afterEach(async () => {
  await fake.close();
  await rm(dir, { recursive: true, force: true });
});

describe('startDciJob + reporter', () => {
  it('runs a whole job: new → pre-run → running → post-run → success, tags, junit, task output, components', async () => {
    const client = clientFor(fake);
    const started = await startDciJob({
      client,
      topic: 'OCP-4.16',
      components: ['ocp?tags:build:ga'],
      name: 'ocp-install',
      tags: ['agent:openshift', 'connected', 'install_type:ipi'],
      configuration: 'lab-a',
      spoolDir: join(dir, 'spool'),
    });
    const { job, reporter } = started;
    expect(started.components.map((c) => c.version)).toEqual(['4.16.3']);
    expect(started.uiUrl).toMatch(new RegExp(`/jobs/${job.id}/jobStates$`));
    expect(ocpReleaseFromComponents(started.components)).toEqual({
      version: '4.16.3',
      pullUrl: 'quay.io/openshift-release-dev/ocp-release:4.16.3-x86_64',
      digest: 'sha256:' + '3'.repeat(64),
      url: 'https://mirror.openshift.com/4.16.3',
      buildTag: 'ga',
      build: 'ga',
      tags: ['build:ga'],
      componentId: fake.ocpComponent.id,
    });

    await reporter.jobState('pre-run');
    await reporter.jobState('running');
    const out = await reporter.uploadFile('TASK [Install cluster]', Buffer.from('ok: [localhost]\n'), 'application/x-ansible-output');
    const catalog = await reporter.addComponent({ type: 'catalog', displayName: 'pruned-redhat-operators', version: 'v4.16' });
    await reporter.setKeyValue('workarounds', 0);
    const junitPath = join(dir, 'tests-e2e.xml');
    await writeFile(junitPath, '<testsuite name="e2e"><testcase name="a"/><testcase name="b"><failure/></testcase></testsuite>');
    await reporter.uploadFile('tests-e2e', junitPath, { jobLevel: true });
    await reporter.jobState('post-run');
    await reporter.jobState('success');
    const flush = await reporter.close();
    expect(flush).toEqual({ uploaded: 0, jobStates: 0, remaining: [], unreachable: false });

    expect(out.status).toBe('uploaded');
    expect(fake.jobStatesOf(job.id).map((s) => [s.status, s.comment])).toEqual([
      ['new', 'job scheduled'],
      ['pre-run', null],
      ['running', null],
      ['post-run', null],
      ['success', null],
    ]);
    const stored = fake.db.jobs.get(job.id);
    expect(stored).toMatchObject({ status: 'success', name: 'ocp-install', configuration: 'lab-a', tags: ['agent:openshift', 'connected', 'install_type:ipi'] });
    const files = fake.filesOf(job.id);
    const running = fake.jobStatesOf(job.id)[2];
    expect(files.find((f) => f.name === 'TASK [Install cluster]')).toMatchObject({ jobstate_id: running.id, mime: 'application/x-ansible-output' });
    expect(files.find((f) => f.name === 'tests-e2e')).toMatchObject({ jobstate_id: null, mime: 'application/junit' });
    expect(fake.db.results).toEqual([expect.objectContaining({ job_id: job.id, total: 2, success: 1, failures: 1 })]);
    expect(fake.db.attachments.filter((a) => a.job_id === job.id).map((a) => a.component_id).sort()).toEqual([fake.ocpComponent.id, catalog.id].sort());
    expect(catalog.team_id).toBe(fake.teamId);
    expect(fake.db.kv).toEqual([{ job_id: job.id, key: 'workarounds', value: 0 }]);
    expect(fake.requests.every((r) => !r.authError)).toBe(true);
    await client.close();
  });

  it('a failing install ends in failure with the failing task as the comment', async () => {
    const client = clientFor(fake);
    const { job, reporter } = await startDciJob({ client, topic: 'OCP-4.16', name: 'ocp-install', spoolDir: dir });
    await reporter.jobState('pre-run');
    await reporter.jobState('running');
    await reporter.jobState('failure', 'install: TASK [Wait for the cluster] failed: timeout');
    expect(fake.jobStatesOf(job.id).at(-1)).toMatchObject({ status: 'failure', comment: 'install: TASK [Wait for the cluster] failed: timeout' });
    expect(fake.db.jobs.get(job.id)?.status).toBe('failure');
    await reporter.jobState('killed', 'killed');
    expect(fake.db.jobs.get(job.id)?.status).toBe('killed');
  });

  it('a wrong secret fails before any job is created', async () => {
    const client = clientFor(fake, { secret: 'x'.repeat(64) });
    await expect(startDciJob({ client, topic: 'OCP-4.16', spoolDir: dir })).rejects.toBeInstanceOf(DciCredentialsRejected);
    expect(fake.db.jobs.size).toBe(0);
  });

  it('no component for the request is a clear error and no job', async () => {
    const client = clientFor(fake);
    await expect(startDciJob({ client, topic: 'OCP-4.16', components: ['ocp=4.99.0'], spoolDir: dir })).rejects.toThrow(/no DCI component matches 'ocp=4.99.0' in topic OCP-4.16/);
    expect(fake.db.jobs.size).toBe(0);
  });

  it('uploads made while the server is away are spooled (0600) and uploaded at the end', async () => {
    const client = clientFor(fake, { retry: { retries: 1, minDelayMs: 5, maxDelayMs: 10 } });
    const { job, reporter } = await startDciJob({ client, topic: 'OCP-4.16', spoolDir: join(dir, 'spool') });
    await reporter.jobState('running');
    await fake.goAway();
    const bytes = Buffer.from('apiVersion: v1\nkind: Config\n');
    const out = await reporter.uploadFile('kubeconfig', bytes, { mime: 'text/plain', jobLevel: true });
    expect(out.status).toBe('spooled');
    const pending = await listPendingUploads(join(dir, 'spool'), job.id);
    expect(pending).toHaveLength(1);
    expect(pending[0]).toMatchObject({ name: 'kubeconfig', mime: 'text/plain', jobId: job.id });
    expect((await stat(pending[0].dataPath)).mode & 0o777).toBe(0o600);
    expect((await stat(pending[0].metaPath)).mode & 0o777).toBe(0o600);
    // Still away at the end: the file stays, reported as remaining.
    const first = await reporter.flushPendingUploads();
    expect(first.uploaded).toBe(0);
    expect(first.remaining).toHaveLength(1);
    await fake.comeBack();
    const second = await reporter.close();
    expect(second).toEqual({ uploaded: 1, jobStates: 0, remaining: [], unreachable: false });
    expect(fake.filesOf(job.id).map((f) => [f.name, f.content.toString()])).toEqual([['kubeconfig', bytes.toString()]]);
    expect(await readdir(join(dir, 'spool', job.id))).toEqual([]);
  });

  it('a reporter for an existing job (pipeline mode) attaches task output to the latest state', async () => {
    const client = clientFor(fake);
    const job = await client.createJob({ topicId: fake.topic.id, components: [], name: 'n' });
    const reporter = createDciReporter({ client, jobId: job.id, spoolDir: dir });
    await reporter.jobState('pre-run');
    const r = await reporter.uploadFile('TASK [Pre-run]', Buffer.from('x'));
    expect(r.file?.jobstate_id).toBe(reporter.currentJobStateId);
    expect(reporter.states.map((s) => s.status)).toEqual(['pre-run']);
  });
});

describe('finalize and task output', () => {
  async function running(states: Array<'pre-run' | 'running'>) {
    const client = clientFor(fake);
    const { job, reporter } = await startDciJob({ client, topic: 'OCP-4.16', spoolDir: dir });
    for (const s of states) await reporter.jobState(s);
    return { job, reporter };
  }

  it('an unfinished job ends as failure after running, error before, killed when interrupted; a final job is left alone', async () => {
    const a = await running(['pre-run', 'running']);
    expect(await a.reporter.finalize()).toBe('failure');
    expect(fake.jobStatesOf(a.job.id).at(-1)).toMatchObject({ status: 'failure', comment: 'failure' });
    const b = await running(['pre-run']);
    expect(await b.reporter.finalize()).toBe('error');
    const c = await running(['pre-run', 'running']);
    expect(await c.reporter.finalize({ interrupted: true })).toBe('killed');
    expect(fake.db.jobs.get(c.job.id)?.status).toBe('killed');
    const before = fake.jobStatesOf(c.job.id).length;
    expect(await c.reporter.finalize({ interrupted: true })).toBe('killed');
    expect(fake.jobStatesOf(c.job.id)).toHaveLength(before);
  });

  it('task outputs are named like the dci callback and attached to the current state', async () => {
    const { job, reporter } = await running(['pre-run', 'running']);
    await reporter.uploadTaskOutput({ name: 'Install cluster', status: 'failed' }, 'fatal: boom\n');
    await reporter.uploadTaskOutput({ name: 'x'.repeat(400), status: 'ok' }, 'ok\n');
    const files = fake.filesOf(job.id);
    expect(files[0]).toMatchObject({ name: 'failed/TASK [Install cluster]', mime: 'application/x-ansible-output', jobstate_id: reporter.currentJobStateId });
    expect(files[1].name).toHaveLength(255);
    expect(files[1].name).toMatch(/^TASK \[x+\.\.\.x+\]$/);
  });
});

describe('spool flush after an ambiguous failure', () => {
  it('a spooled upload that may have been stored is not sent twice; one refused outright is sent', async () => {
    const { spoolUpload, flushPendingUploads } = await import('../../../src/report/dci/index.js');
    const first = clientFor(fake);
    const job = await first.createJob({ topicId: fake.topic.id, components: [], name: 'n' });
    // The earlier process stored the file but never saw the answer, then spooled it.
    await first.uploadFile({ jobId: job.id, name: 'ansible.log', mime: 'text/plain', data: Buffer.from('log\n') });
    const spool = join(dir, 'spool');
    await spoolUpload(spool, { jobId: job.id, name: 'ansible.log', mime: 'text/plain', error: 'HTTP 502', maybeStored: true, spooledAt: new Date().toISOString() }, Buffer.from('log\n'));
    await spoolUpload(spool, { jobId: job.id, name: 'junit', mime: 'application/junit', error: 'ECONNREFUSED', maybeStored: false, spooledAt: new Date().toISOString() }, Buffer.from('<testsuite/>'));
    const result = await flushPendingUploads(clientFor(fake), spool);
    expect(result).toEqual({ uploaded: 2, jobStates: 0, remaining: [], unreachable: false });
    expect(fake.filesOf(job.id).map((f) => f.name).sort()).toEqual(['ansible.log', 'junit']);
  });

  it('a POST whose every answer is lost still ends with exactly one row', async () => {
    const client = clientFor(fake, { retry: { retries: 2, minDelayMs: 5, maxDelayMs: 10 } });
    const job = await client.createJob({ topicId: fake.topic.id, components: [], name: 'n' });
    fake.inject({ method: 'POST', path: '/jobstates', status: 502, afterCommit: true, times: 10 });
    const st = await client.postJobState(job.id, 'running');
    expect(fake.jobStatesOf(job.id).map((s) => s.id)).toEqual([st.id]);
  });
});

describe('uploadLogDir (get-logs)', () => {
  it('uploads junit, text, json, gz of the logs directory as job-level files and skips the rest', async () => {
    const { job, reporter } = await startDciJob({ client: clientFor(fake), topic: 'OCP-4.16', spoolDir: join(dir, 'spool') });
    const logs = join(dir, 'job_logs');
    const { mkdir } = await import('node:fs/promises');
    await mkdir(join(logs, 'sub'), { recursive: true });
    await writeFile(join(logs, 'tests-cnf.xml'), '<testsuite><testcase name="a"/></testsuite>');
    await writeFile(join(logs, 'install.log'), 'log');
    await writeFile(join(logs, 'must-gather.tar.gz'), Buffer.from([0x1f, 0x8b, 0]));
    await writeFile(join(logs, 'dci-extra.hw.json'), '{}');
    await writeFile(join(logs, 'core'), 'binary');
    const out = await reporter.uploadLogDir(logs);
    expect(out.map((o) => o.status)).toEqual(['uploaded', 'uploaded', 'uploaded', 'uploaded']);
    expect(fake.filesOf(job.id).map((f) => [f.name, f.mime, f.jobstate_id])).toEqual([
      ['dci-extra.hw.json', 'application/json', null],
      ['install.log', 'text/plain', null],
      ['must-gather.tar.gz', 'application/x-gzip', null],
      ['tests-cnf', 'application/junit', null],
    ]);
    expect(fake.db.results).toEqual([expect.objectContaining({ name: 'tests-cnf', total: 1 })]);
    expect(await reporter.uploadLogDir(join(dir, 'absent'))).toEqual([]);
  });
});
