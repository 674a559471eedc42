/**
 * The install stage for install_type=acm through `dci-agent-ts play playbooks/install.yml`, then deploy-operators
 * with the kubeconfig it fetched (the fake hub doubles as the spoke: its controller hands out a kubeconfig for it).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runCli } from '../../helpers/cli.js';
import { startFakeK8sApi, type FakeK8sApi } from '../../helpers/fake-k8s-api.js';
import { startAssistedController, startOlmController } from '../../helpers/k8s-controllers.js';

describe('install.yml (acm) then deploy-operators.yml on the fake hub', () => {
  let api: FakeK8sApi;
  let stops: Array<() => void>;
  let dir: string;
  beforeAll(async () => {
    api = await startFakeK8sApi();
    stops = [
      startAssistedController(api, { delayMs: 40, spokeKubeconfig: await readFile(api.kubeconfigPath, 'utf8') }),
      startOlmController(api, { catalogs: { 'redhat-operators': [{ name: 'cluster-logging', defaultChannel: 'stable-6.0', channels: [{ name: 'stable-6.0', currentCSV: 'cluster-logging.v6.0.1' }] }] }, preexisting: ['redhat-operators'], delayMs: 30 }),
    ];
    dir = await mkdtemp(join(tmpdir(), 'dci-acm-e2e-'));
    await writeFile(join(dir, 'inv.yml'), 'all:\n  hosts:\n    localhost:\n      ansible_connection: local\n');
    await writeFile(join(dir, 'ps.json'), JSON.stringify({ auths: { 'quay.io': { auth: Buffer.from('u:quay-secret-456').toString('base64') } } }));
  });
  afterAll(async () => {
    stops.forEach((s) => s());
    await api.stop();
  });

  it('creates the spoke in order, fetches its kubeconfig (0600), and the operators install with it', async () => {
    const vars = {
      install_type: 'acm',
      ocp_version: '4.16.3',
      dci_run_dir: dir,
      dci_cluster_configs_dir: join(dir, 'clusterconfigs'),
      dci_pullsecret_file: join(dir, 'ps.json'),
      hub_kubeconfig_path: api.kubeconfigPath,
      acm_cluster_name: 'sno1',
      acm_base_domain: 'lab.example.com',
      acm_bmc_address: 'redfish-virtualmedia+https://10.0.0.5/redfish/v1/Systems/1',
      acm_boot_mac_address: '52:54:00:aa:bb:cc',
      acm_machine_cidr: '192.168.16.0/24',
      acm_bmc_user: 'root',
      acm_bmc_pass: 'bmc-very-secret',
      acm_poll_interval: 0.05,
      dci_disconnected: true,
      dci_local_registry: 'registry.lab:5000',
    };
    const install = await runCli(['play', resolve('playbooks/install.yml'), '-i', join(dir, 'inv.yml'), '-e', JSON.stringify(vars), '-o', 'plain']);
    expect(install.stderr).toBe('');
    expect(install.code).toBe(0);
    expect(install.stdout).toMatch(/infraenv: ISO ready[\s\S]*AgentClusterInstall sno1: adding-hosts 100%[\s\S]*kubeconfig written/);
    expect(install.stdout).not.toContain('bmc-very-secret');
    expect(api.writes()).toEqual([
      'apply Namespace sno1',
      'apply ConfigMap multicluster-engine/mirror-registry-sno1',
      'apply AgentServiceConfig agent',
      'apply Secret sno1/pullsecret-sno1',
      'apply ClusterImageSet img-4.16.3-dci',
      'apply AgentClusterInstall sno1/sno1',
      'apply ClusterDeployment sno1/sno1',
      'apply KlusterletAddonConfig sno1/sno1',
      'apply ManagedCluster sno1',
      'apply InfraEnv sno1/sno1-infra',
      'apply Secret sno1/bmh-sno1',
      'apply BareMetalHost sno1/sno1',
    ]);
    const kubeconfig = join(dir, 'clusterconfigs', 'kubeconfig');
    expect((await stat(kubeconfig)).mode & 0o777).toBe(0o600);
    const plan = await readFile(join(dir, 'install-plan', 'plan.txt'), 'utf8');
    expect(plan).toContain('wait InfraEnv sno1/sno1-infra: wait: condition ImageCreated=True');

    const ops = await runCli([
      'play',
      resolve('playbooks/deploy-operators.yml'),
      '-i',
      join(dir, 'inv.yml'),
      '-e',
      JSON.stringify({ kubeconfig_path: kubeconfig, dci_run_dir: dir, dci_operators: [{ name: 'cluster-logging', namespace: 'openshift-logging' }], dci_operators_poll_interval: 0.05 }),
      '-o',
      'plain',
    ]);
    expect(ops.stderr).toBe('');
    expect(ops.code).toBe(0);
    expect(ops.stdout).toContain('cluster-logging cluster-logging.v6.0.1 installed');
  });
});
