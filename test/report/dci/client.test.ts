/**
 * The DCI client against the fake control server: every request is signature-checked by the fake exactly as the
 * real server does, so a passing call proves the signing on the wire (host with port, query, body hash).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DciCredentialsRejected, DciHttpError, signRequest } from '../../../src/report/dci/index.js';
import { SecretRegistry } from '../../../src/core/secrets.js';
import { startFakeDciServer, type FakeDciServer } from '../../helpers/fake-dci-server.js';
import { clientFor, steppingClock } from './helpers.js';

let fake: FakeDciServer;
beforeEach(async () => {
  fake = await startFakeDciServer();
});
afterEach(async () => {
  await fake.close();
});

describe('identity and credentials', () => {
  it('whoami returns the remoteci identity and its team; every request was verified', async () => {
    const client = clientFor(fake);
    const id = await client.whoami();
    expect(id.id).toBe(fake.clientId.split('/')[1]);
    expect(Object.keys(id.teams)).toEqual([fake.teamId]);
    expect(fake.requests.every((r) => !r.authError && r.status === 200)).toBe(true);
    expect(fake.requests[0].headers['x-dci-date']).toMatch(/^\d{8}T\d{6}Z$/);
    await client.close();
  });

  it('a wrong secret gives one clear "DCI rejected the credentials" error naming what to check, without the secret', async () => {
    const secrets = new SecretRegistry();
    const wrong = 'W'.repeat(64);
    const client = clientFor(fake, { secret: wrong, secrets });
    const err = await client.whoami().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DciCredentialsRejected);
    const e = err as DciCredentialsRejected;
    expect(e.message).toMatch(/^DCI rejected the credentials \(HmacMechanism failed: signature is invalid\)/);
    expect(e.message).toContain(fake.clientId);
    expect(e.hint).toMatch(/DCI_CLIENT_ID and DCI_API_SECRET/);
    expect(e.exitCode).toBe(2);
    expect(`${e.message} ${e.hint}`).not.toContain(wrong);
    expect(secrets.has(wrong)).toBe(true);
    // Not retried: a rejected signature is not transient.
    expect(fake.requests).toHaveLength(1);
  });

  it('an inactive remoteci is rejected (401 identity does not exists.)', async () => {
    fake.setIdentityActive(false);
    const err = (await clientFor(fake).whoami().catch((e: unknown) => e)) as DciCredentialsRejected;
    expect(err).toBeInstanceOf(DciCredentialsRejected);
    expect(err.status).toBe(401);
    expect(err.message).toContain('identity does not exists.');
  });

  it('a clock 20 minutes off is rejected as expired with a hint about the clock', async () => {
    const client = clientFor(fake, { now: () => new Date(Date.now() - 20 * 60 * 1000) });
    const err = (await client.whoami().catch((e: unknown) => e)) as DciCredentialsRejected;
    expect(err).toBeInstanceOf(DciCredentialsRejected);
    expect(err.message).toContain('signature is expired');
    expect(err.hint).toMatch(/clock/);
    // 14 minutes off is still inside the ±15 min window.
    await expect(clientFor(fake, { now: () => new Date(Date.now() + 14 * 60 * 1000) }).whoami()).resolves.toMatchObject({ id: expect.any(String) });
  });
});

describe('topics and components', () => {
  it('finds the topic by name and the newest matching ocp component', async () => {
    const client = clientFor(fake);
    const topic = await client.getTopicByName('OCP-4.16');
    expect(topic.id).toBe(fake.topic.id);
    await expect(client.getTopicByName('OCP-9.99')).rejects.toThrow(/DCI topic 'OCP-9.99' not found/);
    // Newest released overall is the candidate; build:ga selects the newest GA; a version pins one.
    expect((await client.latestComponent(topic.id, { type: 'ocp' }))?.version).toBe('4.16.4-rc.0');
    expect((await client.latestComponent(topic.id, { type: 'ocp', tags: ['build:ga'] }))?.version).toBe('4.16.3');
    expect((await client.latestComponent(topic.id, { type: 'ocp', version: '4.16.2' }))?.version).toBe('4.16.2');
    expect((await client.latestComponent(topic.id, { type: 'ocp', name: '4.16.3' }))?.id).toBe(fake.ocpComponent.id);
    // build:candidate also accepts more mature builds (ga), newest first.
    expect((await client.latestComponent(topic.id, { type: 'ocp', tags: ['build:candidate'], version: '4.16*' }))?.version).toBe('4.16.4-rc.0');
    expect(await client.latestComponent(topic.id, { type: 'ocp', version: '4.17.0' })).toBeUndefined();
    // The query was sent as a signed, canonicalised parameter the fake accepted.
    expect(fake.requests.filter((r) => r.path.endsWith('/components')).every((r) => r.status === 200 && r.query.includes('query='))).toBe(true);
  });

  it('a component the agent creates twice is found again on 409, not duplicated', async () => {
    const client = clientFor(fake);
    const spec = { topicId: fake.topic.id, teamId: fake.teamId, type: 'catalog', displayName: 'pruned-redhat-operators', version: 'v4.16-abc123', data: { image: 'reg/catalog@sha256:abc' } };
    const a = await client.createComponent(spec);
    const b = await client.createComponent(spec);
    expect(b.id).toBe(a.id);
    expect(fake.db.components.filter((c) => c.type === 'catalog')).toHaveLength(1);
    expect(fake.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/components')).map((r) => r.status)).toEqual([201, 409]);
  });
});

describe('jobs, job states, files', () => {
  async function newJob() {
    const client = clientFor(fake);
    const job = await client.createJob({ topicId: fake.topic.id, components: [String(fake.ocpComponent.id)], name: 'ocp-install', comment: 'nightly', configuration: 'lab-a', url: 'https://ci.example.com/run/1' });
    return { client, job };
  }

  it('creates a job with the requested fields and components', async () => {
    const { client, job } = await newJob();
    const prev = await client.createJob({ topicId: fake.topic.id, components: [], name: 'retry', previousJobId: job.id, tags: ['fallback'] });
    const stored = fake.db.jobs.get(job.id);
    expect(stored).toMatchObject({ name: 'ocp-install', comment: 'nightly', configuration: 'lab-a', url: 'https://ci.example.com/run/1', status: 'new', topic_id: fake.topic.id });
    expect(fake.db.attachments.filter((a) => a.job_id === job.id).map((a) => a.component_id)).toEqual([fake.ocpComponent.id]);
    expect(fake.db.jobs.get(prev.id)).toMatchObject({ previous_job_id: job.id, tags: ['fallback'] });
    const { job: full } = await client.getJob(job.id);
    expect(full.components?.map((c) => c.version)).toEqual(['4.16.3']);
  });

  it('posts job states in order; an early failure is stored as error by the server', async () => {
    const { client, job } = await newJob();
    for (const s of ['new', 'pre-run', 'running', 'post-run', 'success'] as const) await client.postJobState(job.id, s, s === 'new' ? 'job scheduled' : undefined);
    expect(fake.jobStatesOf(job.id).map((s) => s.status)).toEqual(['new', 'pre-run', 'running', 'post-run', 'success']);
    expect(fake.db.jobs.get(job.id)?.status).toBe('success');
    const { job: other } = await newJob();
    await client.postJobState(other.id, 'pre-run');
    const rec = await client.postJobState(other.id, 'failure', 'TASK [Configure jumphost] failed');
    expect(rec.status).toBe('error');
    expect(fake.db.jobs.get(other.id)?.status).toBe('failure');
  });

  it('uploads raw bytes with DCI-* headers (never multipart); junit is parsed by the server', async () => {
    const { client, job } = await newJob();
    const state = await client.postJobState(job.id, 'running');
    const log = Buffer.from('line 1\nline 2 \u00e9\n');
    const f1 = await client.uploadFile({ jobId: job.id, jobstateId: state.id, name: 'TASK [Install cluster]', mime: 'application/x-ansible-output', data: log });
    const junit = '<?xml version="1.0"?><testsuites><testsuite name="s"><testcase name="a" classname="c" time="1.5"/><testcase name="b" classname="c"><failure message="x"/></testcase><testcase name="c" classname="c"><skipped/></testcase></testsuite></testsuites>';
    await client.uploadFile({ jobId: job.id, name: 'tests-e2e', mime: 'application/junit', data: Buffer.from(junit) });
    const files = fake.filesOf(job.id);
    expect(files).toHaveLength(2);
    expect(files[0].content.equals(log)).toBe(true);
    expect(files[0].requestHeaders).toMatchObject({ 'dci-name': 'TASK [Install cluster]', 'dci-mime': 'application/x-ansible-output', 'dci-job-id': job.id, 'dci-jobstate-id': state.id, 'content-type': 'application/x-ansible-output' });
    expect(files[1].requestHeaders['dci-jobstate-id']).toBeUndefined();
    expect(files[1].mime).toBe('application/junit');
    expect(f1.id).toBe(files[0].id);
    const { job: full } = await client.getJob(job.id);
    expect(full.results?.[0]).toMatchObject({ name: 'tests-e2e', total: 3, success: 1, failures: 1, skips: 1 });
    // job.files holds only job-level files (the junit), as the real server.
    expect(full.files?.map((f) => f.name)).toEqual(['tests-e2e']);
    expect(Object.values(files[0].requestHeaders).some((v) => v.startsWith('multipart/'))).toBe(false);
  });

  it('adds tags with If-Match read-modify-write and keeps existing ones', async () => {
    const { client, job } = await newJob();
    await client.addJobTags(job.id, ['agent:openshift', 'connected']);
    const tags = await client.addJobTags(job.id, ['connected', 'install', 'install_type:ipi']);
    expect(tags).toEqual(['agent:openshift', 'connected', 'install', 'install_type:ipi']);
    const puts = fake.requests.filter((r) => r.method === 'PUT');
    expect(puts).toHaveLength(2);
    expect(puts.every((r) => typeof r.headers['if-match'] === 'string' && r.headers['if-match'].length === 32)).toBe(true);
  });

  it('the server enforces If-Match: missing → 412, stale → 404; the tag helper survives a concurrent change', async () => {
    const { client, job } = await newJob();
    const { etag } = await client.getJob(job.id);
    const missing = await client.http.send({ method: 'PUT', path: `/jobs/${job.id}`, json: { tags: ['x'] }, retry: 'idempotent' }).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(DciHttpError);
    expect((missing as DciHttpError).status).toBe(412);
    await client.postJobState(job.id, 'pre-run'); // rotates the etag
    const stale = await client.http.send({ method: 'PUT', path: `/jobs/${job.id}`, json: { tags: ['x'] }, headers: { 'If-Match': String(etag) }, retry: 'idempotent' }).catch((e: unknown) => e);
    expect((stale as DciHttpError).status).toBe(404);
    expect((stale as DciHttpError).message).toContain('job not found');
    // A PUT whose response is lost is replayed with the old etag (404): the helper re-reads and finds its tag.
    fake.inject({ method: 'PUT', path: `/jobs/${job.id}`, status: 502, afterCommit: true });
    await expect(client.addJobTags(job.id, ['debug'])).resolves.toEqual(['debug']);
    expect(fake.requests.filter((r) => r.method === 'PUT').map((r) => r.status)).toEqual([412, 404, 502, 404]);
  });

  it('key/values: set once, unchanged value is not re-posted, a new value replaces the old one', async () => {
    const { client, job } = await newJob();
    await client.setJobKeyValue(job.id, 'workarounds', 2);
    await client.setJobKeyValue(job.id, 'workarounds', 2);
    await client.setJobKeyValue(job.id, 'workarounds', 3);
    expect(fake.db.kv.filter((k) => k.job_id === job.id)).toEqual([{ job_id: job.id, key: 'workarounds', value: 3 }]);
  });

  it('attaching a component twice is not an error (409 = already attached)', async () => {
    const { client, job } = await newJob();
    const extra = fake.addComponent({ type: 'rpm', name: 'kernel-5.14' });
    await client.attachComponent(job.id, extra.id);
    await client.attachComponent(job.id, extra.id);
    expect(fake.db.attachments.filter((a) => a.component_id === extra.id)).toHaveLength(1);
  });
});

describe('retries', () => {
  it('retries a GET on 503 and re-signs every attempt', async () => {
    const client = clientFor(fake, { now: steppingClock() });
    fake.inject({ method: 'GET', path: '/identity', status: 503, times: 2 });
    await client.whoami();
    const attempts = fake.requests.filter((r) => r.path === '/api/v1/identity');
    expect(attempts.map((r) => r.status)).toEqual([503, 503, 200]);
    const dates = attempts.map((r) => r.headers['x-dci-date']);
    expect(new Set(dates).size).toBe(3);
    expect(new Set(attempts.map((r) => r.headers.authorization)).size).toBe(3);
    expect(attempts.every((r) => !r.authError)).toBe(true);
  });

  it('gives up after the retry budget with the HTTP status in the message', async () => {
    const client = clientFor(fake);
    fake.inject({ method: 'GET', path: '/identity', status: 503, times: 10 });
    await expect(client.whoami()).rejects.toThrow(/GET \/api\/v1\/identity failed: HTTP 503/);
    expect(fake.requests).toHaveLength(4);
  });

  it('honours Retry-After on 429', async () => {
    const waits: number[] = [];
    const client = clientFor(fake, { sleep: async (ms) => void waits.push(ms), retry: { retries: 3, minDelayMs: 5, maxDelayMs: 60_000 } });
    fake.inject({ method: 'GET', path: '/identity', status: 429, retryAfter: 2 });
    await client.whoami();
    expect(waits).toEqual([2000]);
  });

  it('a slow response past the timeout is retried', async () => {
    const client = clientFor(fake, { timeoutMs: 300 });
    fake.inject({ method: 'GET', path: '/identity', delayMs: 1500 });
    await client.whoami();
    expect(fake.requests.filter((r) => r.path === '/api/v1/identity').length).toBe(2);
  });

  it('a jobstate/file/job whose response was lost is not created twice', async () => {
    const client = clientFor(fake);
    fake.inject({ method: 'POST', path: '/jobs', status: 503, afterCommit: true });
    const job = await client.createJob({ topicId: fake.topic.id, components: [], name: 'lost-response' });
    expect([...fake.db.jobs.values()].filter((j) => j.name === 'lost-response')).toHaveLength(1);
    expect(fake.db.jobs.has(job.id)).toBe(true);

    fake.inject({ method: 'POST', path: '/jobstates', status: 502, afterCommit: true });
    const st = await client.postJobState(job.id, 'running', 'go');
    expect(fake.jobStatesOf(job.id).map((s) => s.id)).toEqual([st.id]);

    fake.inject({ method: 'POST', path: '/files', status: 500, afterCommit: true });
    await client.uploadFile({ jobId: job.id, jobstateId: st.id, name: 'TASK [x]', mime: 'text/plain', data: Buffer.from('out') });
    expect(fake.filesOf(job.id)).toHaveLength(1);

    // The same name uploaded again legitimately is a second file, even after a recovery.
    fake.inject({ method: 'POST', path: '/files', status: 503 });
    await client.uploadFile({ jobId: job.id, jobstateId: st.id, name: 'TASK [x]', mime: 'text/plain', data: Buffer.from('out') });
    expect(fake.filesOf(job.id)).toHaveLength(2);
  });

  it('a POST refused before processing is sent again', async () => {
    const client = clientFor(fake);
    const job = await client.createJob({ topicId: fake.topic.id, components: [], name: 'x' });
    fake.inject({ method: 'POST', path: '/jobstates', status: 503, times: 2 });
    await client.postJobState(job.id, 'pre-run');
    expect(fake.jobStatesOf(job.id).map((s) => s.status)).toEqual(['pre-run']);
  });

  it('connection refused is retried; retry notices never carry the secret', async () => {
    const lines: string[] = [];
    const secrets = new SecretRegistry();
    const client = clientFor(fake, { log: (l) => lines.push(l), secrets, retry: { retries: 6, minDelayMs: 50, maxDelayMs: 100 } });
    await fake.goAway();
    const p = client.whoami();
    await new Promise((r) => setTimeout(r, 120));
    await fake.comeBack();
    await expect(p).resolves.toMatchObject({ id: expect.any(String) });
    expect(lines.some((l) => /ECONNREFUSED, retrying/.test(l))).toBe(true);
    expect(lines.join('\n')).not.toContain(fake.secret);
  });
});

describe('query rules', () => {
  it('never signs an empty or repeated query parameter', () => {
    const base = { method: 'GET', clientId: 'remoteci/x', secret: 's' };
    expect(() => signRequest({ ...base, url: 'http://h/api/v1/jobs?where=' })).toThrow(/'where' has an empty value/);
    expect(() => signRequest({ ...base, url: 'http://h/api/v1/jobs?where=a:1&where=b:2' })).toThrow(/'where' is repeated/);
    expect(() => signRequest({ ...base, url: 'http://h/api/v1/jobs?where=a:1&limit=1&offset=0' })).not.toThrow();
  });

  it('the client drops empty parameters instead of sending them', () => {
    const client = clientFor(fake);
    const url = client.http.buildUrl('/jobs', { where: '', sort: '-created_at', limit: undefined });
    expect(url.search).toBe('?sort=-created_at');
  });

  it('the fake, like the server, rejects a request that carries a blank parameter the client did not sign', async () => {
    const client = clientFor(fake);
    const url = `${fake.url}/api/v1/identity?where=`;
    const signed = signRequest({ method: 'GET', url: `${fake.url}/api/v1/identity`, clientId: fake.clientId, secret: fake.secret });
    const res = await fetch(url, { headers: { ...signed } });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toBe('HmacMechanism failed: signature is invalid');
    await client.close();
  });
});
