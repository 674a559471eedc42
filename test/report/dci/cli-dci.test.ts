/** `dci-agent-ts dci whoami | job show | sign` as a user runs them (child process), against the fake server. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/cli.js';
import { startFakeDciServer, type FakeDciServer } from '../../helpers/fake-dci-server.js';
import { clientFor } from './helpers.js';

let fake: FakeDciServer;
let dir: string;
beforeAll(async () => {
  fake = await startFakeDciServer();
  dir = await mkdtemp(join(tmpdir(), 'dci-cli-'));
});
afterAll(async () => {
  await fake.close();
  await rm(dir, { recursive: true, force: true });
});

const env = (secret = fake.secret) => ({ ...fake.credentialsEnv(), DCI_API_SECRET: secret });
const NO_DCI = { DCI_CLIENT_ID: '', DCI_API_SECRET: '', DCI_CS_URL: '' };

describe('dci whoami', () => {
  it('prints the identity and team when the credentials are accepted', async () => {
    const r = await runCli(['dci', 'whoami'], { env: env() });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`${fake.clientId} at ${fake.url}: credentials accepted`);
    expect(r.stdout).toContain(`team fake-team (${fake.teamId}) active`);
  });

  it('reads --env-file', async () => {
    const f = join(dir, 'dcirc.sh');
    await writeFile(f, `export DCI_CLIENT_ID=${fake.clientId}\nexport DCI_API_SECRET=${fake.secret}\nexport DCI_CS_URL=${fake.url}\n`);
    const r = await runCli(['dci', 'whoami', '--json', '--env-file', f], { env: NO_DCI });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ client_id: fake.clientId, server: fake.url, teams: [{ id: fake.teamId }] });
  });

  it('a wrong secret: exit 2, one clear message with what to check, no stack trace, no secret', async () => {
    const wrong = 'Q'.repeat(64);
    const r = await runCli(['dci', 'whoami'], { env: env(wrong) });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^error: DCI rejected the credentials \(HmacMechanism failed: signature is invalid\) for remoteci\/[0-9a-f-]+ at http:\/\/127\.0\.0\.1:\d+, read from environment\n {2}hint: check DCI_CLIENT_ID and DCI_API_SECRET/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stderr).not.toContain(wrong);
  });

  it('no credentials at all: exit 2 telling how to provide them', async () => {
    const r = await runCli(['dci', 'whoami'], { env: NO_DCI });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('error: no DCI credentials: DCI_CLIENT_ID and DCI_API_SECRET are not set');
    expect(r.stderr).toContain('--env-file');
  });
});

describe('dci job show', () => {
  it('summarises a job: status, states, components, tags', async () => {
    const client = clientFor(fake);
    const job = await client.createJob({ topicId: fake.topic.id, components: [String(fake.ocpComponent.id)], name: 'ocp-install' });
    await client.postJobState(job.id, 'new', 'job scheduled');
    await client.postJobState(job.id, 'pre-run');
    await client.addJobTags(job.id, ['debug']);
    await client.close();
    const r = await runCli(['dci', 'job', 'show', job.id], { env: env() });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`job ${job.id} ocp-install [pre-run] topic OCP-4.16`);
    expect(r.stdout).toMatch(/new: job scheduled\n.* pre-run\n/);
    expect(r.stdout).toContain('component ocp 4.16.3');
    expect(r.stdout).toContain('tags: debug');
    const j = await runCli(['dci', 'job', 'show', job.id, '--json'], { env: env() });
    expect(JSON.parse(j.stdout)).toMatchObject({ id: job.id, status: 'pre-run', jobstates: [{ status: 'new' }, { status: 'pre-run' }] });
  });

  it('an id that is not a uuid is a usage error; an unknown job is a 404 message', async () => {
    const bad = await runCli(['dci', 'job', 'show', 'nope'], { env: env() });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("error: 'nope' is not a DCI job id");
    const missing = await runCli(['dci', 'job', 'show', '00000000-0000-4000-8000-000000000000'], { env: env() });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('HTTP 404 job not found');
  });
});

describe('dci sign', () => {
  const V11 = { DCI_CLIENT_ID: 'remoteci/5bb5c0ed-78f6-4e99-aa02-918c4677a97f', DCI_API_SECRET: '9i9U20riVIBhTeCcXzhyqcVJHHIbWY4veo2Bfdn14NgvCaKw2JJYTm0tIHpGyk8w', DCI_CS_URL: 'https://api.distributed-ci.io' };

  it('prints the headers of upstream vector 11 (host with port) as one JSON object', async () => {
    const r = await runCli(['dci', 'sign', '--method', 'GET', '--url', 'http://127.0.0.1:5000/api/v1/jobs', '--date', '20240919T132539Z'], { env: V11 });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      Authorization:
        'DCI2-HMAC-SHA256 Credential=remoteci/5bb5c0ed-78f6-4e99-aa02-918c4677a97f/20240919/BHS3/api/dci2_request, SignedHeaders=host;x-dci-date, Signature=1aab37f92f59ecf2d6667889c72ad273c2a43581ba20b8b9103bb3c62a6d68b1',
      'X-DCI-Date': '20240919T132539Z',
    });
  });

  it('hashes --body-file and resolves a path against DCI_CS_URL (locally generated jobstate vector)', async () => {
    const f = join(dir, 'body.json');
    await writeFile(f, '{"status": "pre-run", "job_id": "3b8f5b1e-6a0e-4a41-9a55-0d0c1f8d1f6e"}');
    const r = await runCli(['dci', 'sign', '--method', 'post', '--url', '/api/v1/jobstates', '--body-file', f, '--date', '20240919T132539Z'], { env: V11 });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).Authorization).toMatch(/Signature=55b402a29d18868c2f5050a7179a4218129a47b6ddce53559937263f571e30db$/);
  });

  it('the printed headers work against the server (as with curl)', async () => {
    const r = await runCli(['dci', 'sign', '--method', 'GET', '--url', `${fake.url}/api/v1/topics?where=name:OCP-4.16`], { env: env() });
    expect(r.code).toBe(0);
    const res = await fetch(`${fake.url}/api/v1/topics?where=name:OCP-4.16`, { headers: JSON.parse(r.stdout) as Record<string, string> });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { topics: Array<{ id: string }> }).topics[0].id).toBe(fake.topic.id);
  });

  it('bad --date, empty query value, unreadable body file: exit 2 with the reason', async () => {
    const date = await runCli(['dci', 'sign', '--method', 'GET', '--url', '/api/v1/identity', '--date', '2024-09-19'], { env: V11 });
    expect(date.code).toBe(2);
    expect(date.stderr).toContain('--date 2024-09-19 is not a UTC timestamp YYYYMMDDTHHMMSSZ');
    const empty = await runCli(['dci', 'sign', '--method', 'GET', '--url', '/api/v1/jobs?where='], { env: V11 });
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain("query parameter 'where' has an empty value");
    const body = await runCli(['dci', 'sign', '--method', 'POST', '--url', '/api/v1/files', '--body-file', join(dir, 'nope')], { env: V11 });
    expect(body.code).toBe(2);
    expect(body.stderr).toContain('ENOENT');
  });
});
