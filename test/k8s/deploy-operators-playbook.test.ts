/** playbooks/deploy-operators.yml through `dci-agent-ts play`, against the fake API with the OLM controller. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { startFakeK8sApi, type FakeK8sApi } from '../helpers/fake-k8s-api.js';
import { startOlmController } from '../helpers/k8s-controllers.js';

const PLAYBOOK = resolve('playbooks/deploy-operators.yml');

describe('playbooks/deploy-operators.yml', () => {
  let api: FakeK8sApi;
  let stop: () => void;
  let dir: string;
  beforeAll(async () => {
    api = await startFakeK8sApi();
    stop = startOlmController(api, {
      catalogs: { 'redhat-operators': [{ name: 'cluster-logging', defaultChannel: 'stable-6.0', channels: [{ name: 'stable-6.0', currentCSV: 'cluster-logging.v6.0.1' }] }] },
      preexisting: ['redhat-operators'],
      delayMs: 30,
    });
    dir = await mkdtemp(join(tmpdir(), 'dci-ops-play-'));
    await writeFile(join(dir, 'inv.yml'), 'all:\n  hosts:\n    localhost:\n      ansible_connection: local\n');
  });
  afterAll(async () => {
    stop();
    await api.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const vars = (operators: unknown[], extra: Record<string, unknown> = {}) =>
    JSON.stringify({ kubeconfig_path: api.kubeconfigPath, dci_run_dir: dir, dci_operators: operators, dci_operators_poll_interval: 0.05, ...extra });

  it('installs the listed operators and reports them', async () => {
    const r = await runCli(['play', PLAYBOOK, '-i', join(dir, 'inv.yml'), '-e', vars([{ name: 'cluster-logging', namespace: 'openshift-logging' }]), '-o', 'plain']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('cluster-logging cluster-logging.v6.0.1 installed');
    expect(api.get('ClusterServiceVersion', 'cluster-logging.v6.0.1', 'openshift-logging')?.status).toMatchObject({ phase: 'Succeeded' });
  });

  it('is a clean no-op without operators, and plan mode only writes the plan', async () => {
    const before = api.calls.length;
    const none = await runCli(['play', PLAYBOOK, '-i', join(dir, 'inv.yml'), '-e', vars([]), '-o', 'plain']);
    expect(none.code).toBe(0);
    expect(none.stdout).toContain('no operators requested');
    const plan = await runCli(['play', PLAYBOOK, '-i', join(dir, 'inv.yml'), '-e', vars([{ name: 'sriov-network-operator', namespace: 'openshift-sriov-network-operator' }], { dci_install_mode: 'plan' }), '-o', 'plain']);
    expect(plan.stderr).toBe('');
    expect(plan.code).toBe(0);
    expect(await readdir(join(dir, 'operators', 'plan'))).toEqual(['01-sriov-network-operator.yaml', 'plan.txt']);
    expect(api.calls.length).toBe(before);
  });
});
