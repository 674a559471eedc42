/**
 * Orchestration of the stage pipeline with the engine seam replaced by a recorder that reads each task file
 * (a hook or a built-in playbook) and fails when the file says so. The real engine runs these paths in
 * test/pipeline/pipeline-e2e.test.ts; this file pins the state machine precisely.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventBus, type AgentEvent } from '../../src/core/events.js';
import { SecretRegistry } from '../../src/core/secrets.js';
import { runPipeline, type RunFile } from '../../src/pipeline/run-pipeline.js';
import type { EngineInventory, RunTaskFileResult } from '../../src/engine/types.js';

let work: string;
beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), 'pipeline-'));
});
afterEach(() => rmSync(work, { recursive: true, force: true }));

function inventory(vars: Record<string, unknown>): EngineInventory {
  return { hosts: { localhost: { name: 'localhost', vars, groups: ['all', 'ungrouped'] } }, groups: { all: ['localhost'], ungrouped: ['localhost'] } };
}

/** A task file here is a tiny text: "ok", "fail: message" or "wait" (blocks until aborted). */
function writeFile(path: string, content: string): string {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, content);
  return path;
}

function recorder(calls: string[], onFacts?: (facts: Record<string, Record<string, unknown>>) => void): RunFile {
  return async (opts) => {
    const content = readFileSync(opts.file, 'utf8').trim();
    calls.push(opts.file.replace(work + '/', ''));
    onFacts?.(opts.facts ?? {});
    const key = `seen_${opts.file.replace(work + '/', '').replace(/[^a-z]+/g, '_')}`;
    const facts = { ...(opts.facts ?? {}), localhost: { ...(opts.facts?.localhost ?? {}), [key]: true } };
    const base: RunTaskFileResult = { ok: true, stats: {}, facts, failures: [], testCases: [] };
    if (content.startsWith('fail:')) return { ...base, ok: false, failures: [{ host: 'localhost', task: 'boom', file: opts.file, line: 3, msg: content.slice(5).trim() }] };
    if (content === 'wait') {
      await new Promise<void>((resolve) => opts.signal?.addEventListener('abort', () => resolve(), { once: true }));
      return { ...base, ok: false, failures: [{ host: 'localhost', task: 'wait', msg: 'aborted' }] };
    }
    if (content === 'test') return { ...base, testCases: [{ name: 'test_thing', host: 'localhost', status: 'passed', durationMs: 5 }] };
    return base;
  };
}

function setup(files: Record<string, string>) {
  for (const [rel, content] of Object.entries(files)) writeFile(join(work, rel), content);
}

async function run(vars: Record<string, unknown>, calls: string[], extra: Partial<Parameters<typeof runPipeline>[0]> = {}) {
  const bus = new EventBus();
  const events: AgentEvent[] = [];
  bus.on((e) => events.push(e));
  const result = await runPipeline({
    inventoryPath: join(work, 'lab.yml'),
    inventory: inventory({ cluster: 'lab1', dci_config_dirs: [join(work, 'a'), join(work, 'b')], ...vars }),
    extraVars: {},
    hooksDirs: [],
    selection: {},
    checkMode: false,
    bus,
    secrets: new SecretRegistry(),
    stateDir: join(work, 'state'),
    playbooksDir: join(work, 'playbooks'),
    runFile: recorder(calls),
    killSignal: new AbortController().signal,
    ...extra,
  });
  const states = events.filter((e) => e.type === 'job-state').map((e) => (e as { state: string }).state);
  return { result, events, states };
}

const ALL_PLAYBOOKS = Object.fromEntries(['pre-run', 'mirror-images', 'install', 'deploy-operators', 'post-run', 'success', 'failure', 'teardown'].map((s) => [`playbooks/${s}.yml`, 'ok']));

describe('runPipeline', () => {
  it('runs stages in order, hooks after each built-in playbook across two dirs, teardown hooks reversed', async () => {
    setup({
      ...ALL_PLAYBOOKS,
      'a/hooks/pre-run.yml': 'ok',
      'b/hooks/pre-run.yml': 'ok',
      'a/hooks/configure.yml': 'ok',
      'a/hooks/install.yml': 'ok',
      'b/hooks/tests.yml': 'ok',
      'a/hooks/teardown.yml': 'ok',
      'b/hooks/teardown.yml': 'ok',
      'b/hooks/success.yml': 'ok',
    });
    const calls: string[] = [];
    const { result, states } = await run({}, calls);
    expect(result.state).toBe('success');
    expect(result.exitCode).toBe(0);
    expect(calls).toEqual([
      'playbooks/pre-run.yml',
      'a/hooks/pre-run.yml',
      'b/hooks/pre-run.yml',
      'playbooks/mirror-images.yml',
      'a/hooks/configure.yml',
      'playbooks/install.yml',
      'a/hooks/install.yml',
      'playbooks/deploy-operators.yml',
      'b/hooks/tests.yml',
      'playbooks/post-run.yml',
      'b/hooks/success.yml',
      'playbooks/success.yml',
      'b/hooks/teardown.yml',
      'a/hooks/teardown.yml',
      'playbooks/teardown.yml',
    ]);
    expect(states).toEqual(['new', 'pre-run', 'running', 'post-run', 'success']);
    const summary = JSON.parse(readFileSync(join(result.runDir, 'summary.json'), 'utf8'));
    expect(summary.state).toBe('success');
    expect(summary.stages.map((s: { name: string }) => s.name)).toEqual(['pre-run', 'mirror-images', 'install', 'deploy-operators', 'post-run', 'success', 'teardown']);
  });

  it('custom-install hooks replace the built-in install playbook', async () => {
    setup({ ...ALL_PLAYBOOKS, 'b/hooks/custom-install.yml': 'ok' });
    const calls: string[] = [];
    await run({ dci_teardown_on_success: false }, calls);
    expect(calls).toContain('b/hooks/custom-install.yml');
    expect(calls).not.toContain('playbooks/install.yml');
    expect(calls).not.toContain('playbooks/teardown.yml');
  });

  it('a failure in pre-run ends in error, runs no failure hooks, skips teardown by default', async () => {
    setup({ ...ALL_PLAYBOOKS, 'a/hooks/pre-run.yml': 'fail: registry unreachable', 'a/hooks/failure.yml': 'ok', 'a/hooks/teardown.yml': 'ok' });
    const calls: string[] = [];
    const { result, states } = await run({}, calls);
    expect(result.state).toBe('error');
    expect(result.exitCode).toBe(1);
    expect(states).toEqual(['new', 'pre-run', 'error']);
    expect(calls).not.toContain('a/hooks/failure.yml');
    expect(calls).not.toContain('a/hooks/teardown.yml');
    expect(result.summary.failedTask).toMatchObject({ stage: 'pre-run', task: 'boom', line: 3, msg: 'registry unreachable' });
  });

  it('a failure in install ends in failure, runs failure hooks and, when asked, teardown', async () => {
    setup({ ...ALL_PLAYBOOKS, 'a/hooks/install.yml': 'fail: bootstrap timed out', 'a/hooks/failure.yml': 'ok', 'b/hooks/teardown.yml': 'ok' });
    const calls: string[] = [];
    const { result, states } = await run({ dci_teardown_on_failure: true }, calls);
    expect(result.state).toBe('failure');
    expect(states).toEqual(['new', 'pre-run', 'running', 'failure']);
    expect(calls.slice(-4)).toEqual(['a/hooks/failure.yml', 'playbooks/failure.yml', 'b/hooks/teardown.yml', 'playbooks/teardown.yml']);
    expect(calls).not.toContain('playbooks/deploy-operators.yml');
  });

  it('errors in success and teardown hooks are reported but keep the success state', async () => {
    setup({ ...ALL_PLAYBOOKS, 'a/hooks/success.yml': 'fail: flaky upload', 'a/hooks/teardown.yml': 'fail: cannot delete' });
    const calls: string[] = [];
    const { result, events } = await run({}, calls);
    expect(result.state).toBe('success');
    expect(result.exitCode).toBe(0);
    const warnings = events.filter((e) => e.type === 'warning').map((e) => (e as { msg: string }).msg);
    expect(warnings.some((w) => w.includes('flaky upload'))).toBe(true);
    expect(warnings.some((w) => w.includes('cannot delete'))).toBe(true);
  });

  it('a kill during install ends in killed after running teardown, exit 130', async () => {
    setup({ ...ALL_PLAYBOOKS, 'playbooks/install.yml': 'wait', 'a/hooks/teardown.yml': 'ok' });
    const calls: string[] = [];
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 100);
    const { result, states } = await run({}, calls, { killSignal: ac.signal });
    expect(result.state).toBe('killed');
    expect(result.exitCode).toBe(130);
    expect(states).toEqual(['new', 'pre-run', 'running', 'killed']);
    expect(calls.slice(-2)).toEqual(['a/hooks/teardown.yml', 'playbooks/teardown.yml']);
  });

  it('--start-at resumes from a stage with the facts saved by the previous run', async () => {
    setup({ ...ALL_PLAYBOOKS, 'playbooks/install.yml': 'fail: no BMC' });
    const first = await run({}, []);
    expect(first.result.state).toBe('failure');
    const saved = JSON.parse(readFileSync(join(first.result.runDir, 'facts.json'), 'utf8'));
    expect(saved.localhost.seen_playbooks_pre_run_yml).toBe(true);
    writeFileSync(join(work, 'playbooks/install.yml'), 'ok');
    const calls: string[] = [];
    let factsSeen: Record<string, Record<string, unknown>> = {};
    const second = await run({}, calls, { selection: { startAt: 'install' }, runFile: recorder(calls, (f) => (factsSeen = Object.keys(factsSeen).length ? factsSeen : f)) });
    expect(second.result.state).toBe('success');
    expect(calls[0]).toBe('playbooks/install.yml');
    expect(second.result.summary.resumedFrom).toBe(first.result.runId);
    for (const k of Object.keys(saved.localhost)) expect(factsSeen.localhost[k]).toEqual(saved.localhost[k]);
  });

  it('--stages and --skip-stage select main stages; an unknown stage is a usage error', async () => {
    setup(ALL_PLAYBOOKS);
    const calls: string[] = [];
    await run({ dci_teardown_on_success: false }, calls, { selection: { only: ['pre-run', 'install'], skip: ['install'] } });
    expect(calls).toEqual(['playbooks/pre-run.yml', 'playbooks/success.yml']);
    await expect(run({}, [], { selection: { only: ['instal'] } })).rejects.toThrow(/unknown stage "instal" \(known stages: pre-run, mirror-images/);
  });

  it('a second run of the same cluster exits with the lock error naming the holder', async () => {
    setup({ ...ALL_PLAYBOOKS, 'playbooks/pre-run.yml': 'wait' });
    const ac = new AbortController();
    const firstRun = run({}, [], { killSignal: ac.signal });
    await new Promise((r) => setTimeout(r, 50));
    await expect(run({}, [])).rejects.toMatchObject({ exitCode: 75, message: expect.stringMatching(new RegExp(`pid ${process.pid} .*started`)) });
    ac.abort();
    await firstRun;
    // The lock is released at the end of the first run: a new run goes through.
    writeFileSync(join(work, 'playbooks/pre-run.yml'), 'ok');
    const again = await run({}, []);
    expect(again.result.state).toBe('success');
  });

  it('takes over a stale lock whose process is gone, with a warning', async () => {
    setup(ALL_PLAYBOOKS);
    mkdirSync(join(work, 'state', 'locks'), { recursive: true });
    const { hostname } = await import('node:os');
    writeFileSync(join(work, 'state', 'locks', 'lab1.lock'), JSON.stringify({ pid: 999999, host: hostname(), startedAt: '2026-01-01T00:00:00Z', runId: 'old', cluster: 'lab1' }));
    const { result, events } = await run({}, []);
    expect(result.state).toBe('success');
    expect(events.some((e) => e.type === 'warning' && /stale lock of pid 999999/.test((e as { msg: string }).msg))).toBe(true);
    expect(existsSync(join(work, 'state', 'locks', 'lab1.lock'))).toBe(false);
  });

  it('writes junit.xml from test_* tasks and keeps job_logs in the run record', async () => {
    setup({ ...ALL_PLAYBOOKS, 'a/hooks/tests.yml': 'test' });
    const { result } = await run({}, []);
    const junit = readFileSync(join(result.runDir, 'junit.xml'), 'utf8');
    expect(junit).toContain('name="[localhost] test_thing"');
    expect(readdirSync(result.runDir)).toEqual(expect.arrayContaining(['events.jsonl', 'summary.json', 'job_logs', 'facts.json', 'junit.xml']));
  });
});

describe('runPipeline: install prerequisites checked before the first stage', () => {
  // A disconnected IPI lab on 4.16 without webserver_url: the bootstrap VM image could not be served.
  const noWebserver = { install_type: 'ipi', ocp_version: '4.16.3', dci_disconnected: true, dci_local_registry: 'registry.lab:5000' };

  it('a disconnected ipi without webserver_url is refused before anything runs or is recorded (exit 2, names the variable)', async () => {
    setup(ALL_PLAYBOOKS);
    const calls: string[] = [];
    const err = (await run(noWebserver, calls).then(() => undefined, (e: unknown) => e)) as { code?: string; exitCode?: number; message?: string; hint?: string } | undefined;
    expect(err).toMatchObject({ code: 'missing-webserver-url', exitCode: 2 });
    expect(err?.message).toMatch(/^the inventory: webserver_url is required for an ipi install with dci_disconnected on OpenShift 4\.16\.3/);
    expect(err?.hint).toMatch(/set webserver_url=http:\/\/<cache host>:<port>/);
    expect(calls).toEqual([]);
    expect(existsSync(join(work, 'state'))).toBe(false);
  });

  it('not checked when the install stage does not run as built in: --stages without install, a custom-install hook', async () => {
    setup(ALL_PLAYBOOKS);
    const calls: string[] = [];
    expect((await run(noWebserver, calls, { selection: { only: ['pre-run', 'mirror-images'] } })).result.state).toBe('success');
    expect(calls).toEqual(['playbooks/pre-run.yml', 'playbooks/mirror-images.yml', 'playbooks/success.yml', 'playbooks/teardown.yml']);
    setup({ 'a/hooks/custom-install.yml': 'ok' });
    const withHook: string[] = [];
    expect((await run(noWebserver, withHook)).result.state).toBe('success');
    expect(withHook).toContain('a/hooks/custom-install.yml');
    expect(withHook).not.toContain('playbooks/install.yml');
  });

  it('a version given by the DCI job is checked when the job starts: the job ends in error, pre-run names why, no stage ran', async () => {
    setup(ALL_PLAYBOOKS);
    const calls: string[] = [];
    const { ocp_version: _unset, ...withoutVersion } = noWebserver;
    const events: AgentEvent[] = [];
    const bus = new EventBus();
    bus.on((e) => events.push(e));
    const err = (await run(withoutVersion, calls, { bus, onRunStart: async () => ({ ocp_version: '4.14.2', dci_job_id: 'job-1' }) }).then(() => undefined, (e: unknown) => e)) as { code?: string; message?: string } | undefined;
    expect(err?.code).toBe('missing-webserver-url');
    expect(err?.message).toMatch(/OpenShift 4\.14\.2/);
    expect(calls).toEqual([]);
    expect(events.filter((e) => e.type === 'job-state').map((e) => (e as { state: string }).state)).toEqual(['new', 'error']);
    expect(events.find((e) => e.type === 'stage-end')).toMatchObject({ stage: 'pre-run', status: 'failed', msg: expect.stringMatching(/webserver_url is required/) });
  });
});
