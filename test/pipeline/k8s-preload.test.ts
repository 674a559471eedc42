/**
 * The pipeline starts loading the Kubernetes client library in the background when the run will talk to a
 * cluster (deploy-operators; the install of an ACM spoke), and not when it will not: --check, dci_install_mode=plan,
 * or stages that never reach a cluster, nor for a deploy-operators with nothing to deploy. Hooks of the selected stages
 * that use a Kubernetes module count too (test/pipeline/k8s-preload-hooks.test.ts runs that through the CLI). The
 * library module is replaced by a spy that records the preloads.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { EventBus } from '../../src/core/events.js';
import { SecretRegistry } from '../../src/core/secrets.js';
import { runPipeline, type PipelineOptions } from '../../src/pipeline/run-pipeline.js';

const preloads = vi.hoisted(() => ({ count: 0, reasons: [] as string[] }));
vi.mock('../../src/k8s/client.js', () => ({
  preloadKubernetesClient: (reason?: string) => {
    preloads.count++;
    preloads.reasons.push(reason ?? '');
  },
}));

let work: string;
beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), 'preload-'));
  mkdirSync(join(work, 'playbooks'));
  for (const s of ['pre-run', 'mirror-images', 'install', 'deploy-operators', 'post-run', 'success', 'failure', 'teardown']) writeFileSync(join(work, 'playbooks', `${s}.yml`), 'ok');
  preloads.count = 0;
  preloads.reasons = [];
});
afterEach(() => rmSync(work, { recursive: true, force: true }));

async function run(vars: Record<string, unknown>, extra: Partial<PipelineOptions> = {}): Promise<{ preloads: number; stages: string[] }> {
  const stages: string[] = [];
  const r = await runPipeline({
    inventoryPath: join(work, 'lab.yml'),
    inventory: { hosts: { localhost: { name: 'localhost', vars: { cluster: 'lab1', ...vars }, groups: ['all'] } }, groups: { all: ['localhost'] } },
    extraVars: {},
    hooksDirs: [],
    selection: {},
    checkMode: false,
    bus: new EventBus(),
    secrets: new SecretRegistry(),
    stateDir: join(work, 'state'),
    playbooksDir: join(work, 'playbooks'),
    runFile: async (o) => {
      stages.push(String(o.playVars?.dci_stage));
      return { ok: true, stats: {}, facts: o.facts ?? {}, failures: [], testCases: [] };
    },
    killSignal: new AbortController().signal,
    ...extra,
  });
  expect(r.state).toBe('success');
  // The preload is fire and forget: let its dynamic import settle.
  await new Promise((res) => setTimeout(res, 50));
  return { preloads: preloads.count, stages };
}

describe('Kubernetes client preload in the pipeline', () => {
  it('a run that reaches deploy-operators preloads once', async () => {
    const r = await run({});
    expect(r.stages).toContain('deploy-operators');
    expect(r.preloads).toBe(1);
  });

  it('an ACM install (the hub) preloads even without deploy-operators', async () => {
    expect((await run({ install_type: 'acm' }, { selection: { only: ['install'] } })).preloads).toBe(1);
  });

  it('no preload for --check, dci_install_mode=plan, or stages that never reach a cluster', async () => {
    expect((await run({}, { checkMode: true })).preloads).toBe(0);
    expect((await run({ dci_install_mode: 'plan' })).preloads).toBe(0);
    const r = await run({}, { selection: { only: ['pre-run', 'mirror-images', 'install', 'post-run'] } });
    expect(r.stages).toEqual(['pre-run', 'mirror-images', 'install', 'post-run', 'success', 'teardown']);
    expect(r.preloads).toBe(0);
  });

  it('deploy-operators alone preloads only with operators to install or mirror sets to apply', async () => {
    const only = { selection: { only: ['deploy-operators'] } };
    expect((await run({}, only)).preloads).toBe(0);
    expect((await run({ dci_operators: [] }, only)).preloads).toBe(0);
    expect((await run({ dci_operators: [{ name: 'sriov-network-operator' }] }, only)).preloads).toBe(1);
    // The count adds up over the runs of one test.
    expect((await run({ dci_operators: '{{ my_operators }}' }, only)).preloads).toBe(2);
    expect((await run({ dci_mirror_sets_dir: '/srv/mirror-sets' }, only)).preloads).toBe(3);
  });

  it('a hook of a selected stage that uses k8s_info preloads, naming the hook; the same hook in an unselected stage does not', async () => {
    mkdirSync(join(work, 'config', 'hooks'), { recursive: true });
    const hook = join(work, 'config', 'hooks', 'post-run.yml');
    writeFileSync(hook, '- name: check the nodes\n  kubernetes.core.k8s_info:\n    kind: Node\n');
    const vars = { dci_config_dirs: [join(work, 'config')] };
    const r = await run(vars, { selection: { only: ['post-run'] } });
    expect(r.preloads).toBe(1);
    expect(preloads.reasons).toEqual([`hook ${hook} uses kubernetes.core.k8s_info`]);
    expect((await run(vars, { selection: { only: ['pre-run'] } })).preloads).toBe(1); // still 1 (counts add up): not again
    expect((await run(vars, { selection: { only: ['post-run'] }, checkMode: true })).preloads).toBe(1);
  });
});
