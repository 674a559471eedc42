/**
 * The fake DCI server refuses what the real one refuses (dci-api.md §1.4, §1.5, §3): if it were lenient, the
 * client tests above would prove nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeSignature, formatDciTimestamp, signRequest } from '../../../src/report/dci/index.js';
import { startFakeDciServer, type FakeDciServer } from '../../helpers/fake-dci-server.js';

let fake: FakeDciServer;
beforeAll(async () => {
  fake = await startFakeDciServer();
});
afterAll(async () => {
  await fake.close();
});

async function call(method: string, path: string, init: { body?: Buffer | string; headers?: Record<string, string>; sign?: boolean; signBody?: Buffer | string } = {}) {
  const url = `${fake.url}${path}`;
  const signed = init.sign === false ? {} : signRequest({ method, url, body: init.signBody ?? init.body ?? '', clientId: fake.clientId, secret: fake.secret });
  const res = await fetch(url, { method, body: init.body, headers: { 'Content-Type': 'application/json', ...signed, ...init.headers } });
  const text = await res.text();
  let json: { message?: string; payload?: Record<string, unknown> } = {};
  try {
    json = JSON.parse(text) as typeof json;
  } catch {
    // HTML error pages
  }
  return { status: res.status, json, text };
}

describe('fake DCI server authentication', () => {
  it('answers the health check without auth', async () => {
    expect((await call('GET', '/api/v1/', { sign: false })).json).toMatchObject({ message: 'Distributed CI.' });
  });

  it('refuses missing or unknown Authorization with 401', async () => {
    expect(await call('GET', '/api/v1/identity', { sign: false })).toMatchObject({ status: 401, json: { message: 'Authorization header missing' } });
    expect(await call('GET', '/api/v1/identity', { sign: false, headers: { Authorization: 'Token abc' } })).toMatchObject({ status: 401, json: { message: 'Authorization scheme Token unknown' } });
  });

  it('a comma without its space in Authorization is an uncaught server error (500 HTML); a short credential is 400', async () => {
    const h = signRequest({ method: 'GET', url: `${fake.url}/api/v1/identity`, clientId: fake.clientId, secret: fake.secret });
    const squashed = await call('GET', '/api/v1/identity', { sign: false, headers: { ...h, Authorization: h.Authorization.replace(/, /g, ',') } });
    expect(squashed.status).toBe(500);
    expect(squashed.text).toContain('<html>');
    const short = await call('GET', '/api/v1/identity', { sign: false, headers: { ...h, Authorization: h.Authorization.replace(/Credential=remoteci\//, 'Credential=') } });
    expect(short).toMatchObject({ status: 400, json: { message: 'HmacMechanism failed: bad or incomplete headers.' } });
  });

  it('a multipart or form upload fails the signature (the server hashes an empty body)', async () => {
    const r = await call('POST', '/api/v1/files', { body: 'hello', headers: { 'Content-Type': 'multipart/form-data; boundary=x', 'DCI-NAME': 'f', 'DCI-JOB-ID': fake.topic.id } });
    expect(r).toMatchObject({ status: 400, json: { message: 'HmacMechanism failed: signature is invalid' } });
  });

  it('a repeated query key is verified with its first value, so a client signing the last one is refused', async () => {
    const url = `${fake.url}/api/v1/topics?where=name:x&where=name:OCP-4.16`;
    const ts = formatDciTimestamp(new Date());
    const sig = computeSignature({ method: 'GET', path: '/api/v1/topics', query: { where: 'name:OCP-4.16' }, headers: { host: `127.0.0.1:${fake.port}`, 'x-dci-date': ts }, signedHeaders: 'host;x-dci-date', body: '', accessKey: fake.clientId, secretKey: fake.secret, timestamp: ts });
    const res = await fetch(url, { headers: { Authorization: sig.authorization, 'X-DCI-Date': ts } });
    expect(res.status).toBe(400);
  });

  it('accepts AWS4-HMAC-SHA256 with X-Amz-Date (Postman compatibility)', async () => {
    const ts = formatDciTimestamp(new Date());
    const sig = computeSignature({ algorithm: 'AWS4-HMAC-SHA256', requestType: 'aws4_request', method: 'GET', path: '/api/v1/identity', query: {}, headers: { host: `127.0.0.1:${fake.port}`, 'x-amz-date': ts }, signedHeaders: 'host;x-amz-date', body: '', accessKey: fake.clientId, secretKey: fake.secret, timestamp: ts });
    const res = await fetch(`${fake.url}/api/v1/identity`, { headers: { Authorization: sig.authorization, 'X-Amz-Date': ts } });
    expect(res.status).toBe(200);
  });
});

describe('fake DCI server validation', () => {
  it('closed list parameters: unknown → 400, limit without offset → 400, bad where key → 400', async () => {
    expect((await call('GET', '/api/v1/topics?foo=1')).status).toBe(400);
    expect((await call('GET', '/api/v1/topics?limit=1')).json).toMatchObject({ message: 'Request malformed' });
    expect((await call('GET', '/api/v1/topics?where=nope:1')).json.payload).toHaveProperty('Valid where keys');
    expect((await call('GET', '/api/v1/topics?where=id')).json.payload).toMatchObject({ error: "where: 'id' is not a 'key value csv'" });
  });

  it('jobstates: unknown status → 400, unknown key → 400, unknown job → 404', async () => {
    const job = await call('POST', '/api/v1/jobs', { body: JSON.stringify({ topic_id: fake.topic.id, components: [] }) });
    expect(job.status).toBe(201);
    expect(job.json).not.toHaveProperty('job.components');
    const id = (job.json as unknown as { job: { id: string } }).job.id;
    expect((await call('POST', '/api/v1/jobstates', { body: JSON.stringify({ status: 'done', job_id: id }) })).status).toBe(400);
    expect((await call('POST', '/api/v1/jobstates', { body: JSON.stringify({ status: 'new', job_id: id, extra: 1 }) })).status).toBe(400);
    expect((await call('POST', '/api/v1/jobstates', { body: JSON.stringify({ status: 'new', job_id: '00000000-0000-4000-8000-000000000000' }) })).status).toBe(404);
    // JSON must be sent as application/json.
    expect((await call('POST', '/api/v1/jobstates', { body: JSON.stringify({ status: 'new', job_id: id }), headers: { 'Content-Type': 'text/plain' } })).status).toBe(400);
  });

  it('files: DCI-NAME and a job or jobstate id are required', async () => {
    expect(await call('POST', '/api/v1/files', { body: 'x', headers: { 'Content-Type': 'text/plain' } })).toMatchObject({ status: 400, json: { message: 'HTTP header DCI-NAME must be specified' } });
    expect((await call('POST', '/api/v1/files', { body: 'x', headers: { 'Content-Type': 'text/plain', 'DCI-NAME': 'a' } })).status).toBe(400);
  });

  it('components: a remoteci must send its own team, and exactly one of name/display_name', async () => {
    const base = { type: 'rpm', topic_id: fake.topic.id };
    expect((await call('POST', '/api/v1/components', { body: JSON.stringify({ ...base, display_name: 'a' }) })).status).toBe(401);
    expect((await call('POST', '/api/v1/components', { body: JSON.stringify({ ...base, name: 'a', display_name: 'a', team_id: fake.teamId }) })).status).toBe(400);
    expect((await call('POST', '/api/v1/components', { body: JSON.stringify({ ...base, display_name: 'a', team_id: fake.teamId }) })).status).toBe(201);
  });
});

describe('fake DCI server: schedule, pipelines, detach', () => {
  it('schedules with the newest team-less ocp component and echoes nulls; pipelines group jobs; detach answers 201 empty', async () => {
    const sched = await call('POST', '/api/v1/jobs/schedule', { body: JSON.stringify({ topic_id: fake.topic.id, name: 'n' }) });
    expect(sched.status).toBe(201);
    const job = (sched.json as unknown as { job: { id: string; comment: null; name: string } }).job;
    expect(job).toMatchObject({ comment: null, name: 'n' });
    // Newest by created_at among the seeded ocp components is the last one added (the candidate).
    expect(fake.db.attachments.filter((a) => a.job_id === job.id)).toHaveLength(1);
    const pipeline = await call('POST', '/api/v1/pipelines', { body: JSON.stringify({ name: 'p', team_id: fake.teamId }) });
    expect(pipeline.status).toBe(201);
    const cid = fake.db.attachments.find((a) => a.job_id === job.id)?.component_id;
    const detach = await call('DELETE', `/api/v1/jobs/${job.id}/components/${cid}`);
    expect(detach).toMatchObject({ status: 201, text: '' });
    expect(fake.db.attachments.filter((a) => a.job_id === job.id)).toHaveLength(0);
  });
});
