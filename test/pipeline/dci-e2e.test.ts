/**
 * `dci-agent-ts run` reporting to a DCI control server (the fake in test/helpers, which checks every signature
 * like the real server): job, ordered job states, junit, task outputs, tags, components, the OCP version taken from
 * the DCI component, failure and kill states, and rejected credentials.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { BIN, runCli } from '../helpers/cli.js';
import { startFakeDciServer, type FakeDciServer } from '../helpers/fake-dci-server.js';
import { makeLab, recordingHook, type Lab } from './lab-fixture.js';

let dci: FakeDciServer;
let lab: Lab;
beforeEach(async () => {
  dci = await startFakeDciServer();
  lab = makeLab(`    dci_topic: OCP-4.16\n    dci_components_by_query: ['ocp?tags:build:ga']\n    dci_tags: [e2e, nightly-lab]\n    dci_name: e2e-job`, { ocpVersion: null });
});
afterEach(async () => {
  await dci.close();
  rmSync(lab.dir, { recursive: true, force: true });
});

const run = (env: Record<string, string> = dci.credentialsEnv()) =>
  runCli(['run', '--inventory', lab.inventory, '--output', 'plain'], { env: { ...lab.env, ...env }, timeoutMs: 90_000 });
const onlyJob = () => [...dci.db.jobs.values()][0];
const states = (jobId: string) => dci.jobStatesOf(jobId).map((s) => s.status);

describe('run with DCI reporting (e2e against the fake control server)', () => {
  it('creates the job, posts every state in order, uploads junit, task outputs and job_logs', async () => {
    lab.writeHook(0, 'pre-run', recordingHook('version={{ ocp_version }}'));
    lab.writeHook(0, 'tests', `- name: test_cluster_answers
  command: "true"
- name: keep a report
  copy: { dest: "{{ job_logs.path }}/report.txt", content: "all fine\\n" }
`);
    const r = await run();
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/DCI job [0-9a-f-]+: /);
    const job = onlyJob();
    expect(job.name).toBe('e2e-job');
    expect(states(job.id as string)).toEqual(['new', 'pre-run', 'running', 'post-run', 'success']);
    // The OCP version came from the topic's latest GA ocp component (the inventory does not set one).
    expect(readFileSync(lab.orderLog, 'utf8').trim()).toBe(`version=${dci.ocpComponent.version}`);
    const files = dci.filesOf(job.id as string);
    const junit = files.find((f) => f.name === 'junit.xml');
    expect(junit?.mime).toBe('application/junit');
    expect(Buffer.from(junit!.content).toString()).toContain('test_cluster_answers');
    expect(files.some((f) => f.name === 'report.txt')).toBe(true);
    expect(files.some((f) => String(f.name).includes('test_cluster_answers'))).toBe(true);
    expect(job.tags).toEqual(expect.arrayContaining(['e2e', 'nightly-lab']));
    expect(dci.db.attachments.some((a) => a.job_id === job.id && a.component_id === dci.ocpComponent.id) || (job.components as unknown[] | undefined)?.length).toBeTruthy();
    // The secret never reaches the server's stored files.
    for (const f of files) expect(f.content.toString()).not.toContain(dci.secret);
  });

  it('a failing install shows failure with the reason as the state comment', async () => {
    lab.writeHook(0, 'install', `- name: wait for the API\n  fail: msg="api.e2e.lab.example never answered"\n`);
    const r = await run();
    expect(r.code).toBe(1);
    const js = dci.jobStatesOf(onlyJob().id as string);
    expect(js.map((s) => s.status)).toEqual(['new', 'pre-run', 'running', 'failure']);
    expect(String(js[js.length - 1].comment)).toContain('api.e2e.lab.example never answered');
  });

  it('SIGTERM shows killed', async () => {
    lab.writeHook(0, 'install', `- name: long step\n  command: sleep 30\n`);
    const child = spawn(process.execPath, ['--', BIN, 'run', '--inventory', lab.inventory, '--output', 'plain'], { env: { ...process.env, ...lab.env, ...dci.credentialsEnv() } });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const deadline = Date.now() + 30_000;
    while (!out.includes('STAGE [install]') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 500));
    child.kill('SIGTERM');
    expect(await new Promise((resolve) => child.on('close', resolve))).toBe(130);
    expect(states(onlyJob().id as string)).toEqual(['new', 'pre-run', 'running', 'killed']);
  });

  it('a wrong secret fails in pre-run with one clear message, no stack trace, exit 2', async () => {
    const r = await run({ ...dci.credentialsEnv(), DCI_API_SECRET: 'x'.repeat(64) });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/DCI rejected the credentials/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stderr).not.toContain('x'.repeat(64));
    expect(dci.db.jobs.size).toBe(0);
    const list = await runCli(['runs', 'list', '--state-dir', lab.stateDir]);
    expect(list.stdout).toMatch(/\serror\s*$/m);
    expect(existsSync(lab.orderLog)).toBe(false);
  });
});
