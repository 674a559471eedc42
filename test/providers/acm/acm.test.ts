import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeK8sApi, type FakeK8sApi } from '../../helpers/fake-k8s-api.js';
import { startAssistedController } from '../../helpers/k8s-controllers.js';
import { acmProvider } from '../../../src/providers/acm/index.js';
import { getProvider } from '../../../src/providers/index.js';
import { SecretRegistry } from '../../../src/core/secrets.js';
import type { ProviderContext, ProviderInput } from '../../../src/providers/types.js';

const PULL = JSON.stringify({ auths: { 'registry.lab:5000': { auth: Buffer.from('dci:mirror-pass-123').toString('base64') }, 'quay.io': { auth: Buffer.from('u:quay-secret-456').toString('base64') } } });

function input(version: string, extra: Record<string, unknown> = {}): ProviderInput {
  return {
    vars: {
      ocp_version: version,
      acm_cluster_name: 'sno1',
      acm_base_domain: 'lab.example.com',
      acm_bmc_address: 'redfish-virtualmedia+https://10.0.0.5/redfish/v1/Systems/1',
      acm_boot_mac_address: '52:54:00:aa:bb:cc',
      acm_machine_cidr: '192.168.16.0/24',
      acm_bmc_user: 'root',
      acm_bmc_pass: 'bmc-very-secret',
      acm_poll_interval: 0.03,
      acm_infraenv_timeout: 10,
      acm_install_timeout: 10,
      dci_pull_secret_text: PULL,
      dci_disconnected: true,
      dci_local_registry: 'registry.lab:5000',
      ...extra,
    },
    groups: {},
  };
}

const ORDER_412 = [
  'apply Namespace sno1',
  'apply ConfigMap multicluster-engine/mirror-registry-sno1',
  'apply AgentServiceConfig agent',
  'apply Secret sno1/pullsecret-sno1',
  'apply ClusterImageSet img-4.12.45-dci',
  'apply AgentClusterInstall sno1/sno1',
  'apply ClusterDeployment sno1/sno1',
  'apply KlusterletAddonConfig sno1/sno1',
  'apply ManagedCluster sno1',
  'apply InfraEnv sno1/sno1-infra',
  'apply Secret sno1/bmh-sno1',
  'apply BareMetalHost sno1/sno1',
];

describe('acm provider on the fake hub', () => {
  let api: FakeK8sApi;
  let stop: () => void;
  let dir: string;
  let logs: string[];
  let secrets: SecretRegistry;
  beforeEach(async () => {
    api = await startFakeK8sApi();
    stop = () => undefined;
    dir = await mkdtemp(join(tmpdir(), 'dci-acm-'));
    logs = [];
    secrets = new SecretRegistry();
  });
  afterEach(async () => {
    stop();
    await api.stop();
    await rm(dir, { recursive: true, force: true });
  });
  const ctx = (): ProviderContext => ({
    transport: async () => {
      throw new Error('acm needs no transport');
    },
    emit: () => undefined,
    log: (l) => logs.push(l),
    signal: new AbortController().signal,
    secrets,
    runDir: dir,
    clusterConfigsDir: join(dir, 'clusterconfigs'),
  });

  it('is registered and its plan is pure: every object, the password kept out of them', () => {
    expect(getProvider('acm')).toBe(acmProvider);
    const plan = acmProvider.plan(input('4.16.3', { hub_kubeconfig_path: '/nowhere' }));
    expect(plan.objects.map((o) => `apply ${o.kind} ${o.metadata.namespace ? o.metadata.namespace + '/' : ''}${o.metadata.name}`)).toEqual(ORDER_412.map((l) => l.replace('4.12.45', '4.16.3')));
    expect(JSON.stringify(plan.objects)).not.toContain('bmc-very-secret');
    expect(plan.steps.filter((s) => s.kind === 'api' && s.verb === 'wait').map((s) => (s as { object: string }).object)).toEqual([
      'InfraEnv sno1/sno1-infra',
      'BareMetalHost sno1/sno1',
      'AgentClusterInstall sno1/sno1',
      'Secret sno1/sno1-admin-kubeconfig',
    ]);
  });

  it('names the missing variable', () => {
    const vars = input('4.16.3').vars;
    delete vars.acm_bmc_address;
    expect(() => acmProvider.validate({ vars, groups: {} })).toThrow(/the inventory: acm_bmc_address is required for an acm install/);
    expect(() => acmProvider.validate(input('4.16.3', { acm_boot_mac_address: 'nope' }))).toThrow(/acm_boot_mac_address "nope" is not a MAC address/);
    expect(() => acmProvider.validate(input('4.16.3', { dci_pull_secret_text: '' }))).toThrow(/no pull secret for the acm install/);
  });

  for (const [version, style] of [
    ['4.12.45', 'ICSP'],
    ['4.16.3', 'IDMS'],
  ] as const) {
    it(`${version} disconnected: creates the objects in order, waits for ImageCreated, follows the install, fetches the kubeconfig 0600 (${style} registries.conf)`, async () => {
      stop = startAssistedController(api, { delayMs: 40, spokeKubeconfig: 'apiVersion: v1\nkind: Config\nusers:\n- name: admin\n  user:\n    client-key-data: c3Bva2Uta2V5LXNlY3JldA==\n' });
      const plan = acmProvider.plan(input(version, { hub_kubeconfig_path: api.kubeconfigPath }));
      const creds = await acmProvider.run(plan, ctx());
      expect(api.writes()).toEqual(ORDER_412.map((l) => l.replace('4.12.45', version)));
      // The BMC secret came after the discovery image was ready.
      const imageReady = api.calls.findIndex((c) => c.controller && c.kind === 'InfraEnv');
      const bmcSecret = api.calls.findIndex((c) => !c.controller && c.kind === 'Secret' && c.name === 'bmh-sno1');
      expect(imageReady).toBeGreaterThan(-1);
      expect(bmcSecret).toBeGreaterThan(imageReady);
      expect(api.get('Secret', 'bmh-sno1', 'sno1')?.data).toEqual({ username: Buffer.from('root').toString('base64'), password: Buffer.from('bmc-very-secret').toString('base64') });
      expect(api.get('ClusterImageSet', `img-${version}-dci`)?.spec).toEqual({ releaseImage: `registry.lab:5000/ocp-${version.split('.').slice(0, 2).join('.')}/${version}:${version}` });
      const conf = String((api.get('ConfigMap', 'mirror-registry-sno1', 'multicluster-engine')?.data as Record<string, string>)['registries.conf']);
      expect(conf).toContain('location = "registry.lab:5000/ocp-');
      expect(conf).toContain('location = "quay.io/openshift-release-dev/ocp-release"');
      // 4.12 nodes only understand the legacy entry-level flag; 4.13+ use per-mirror pull-from-mirror.
      if (style === 'ICSP') {
        expect(conf).toContain('mirror-by-digest-only = true');
        expect(conf).not.toContain('pull-from-mirror');
      } else {
        expect(conf).not.toContain('mirror-by-digest-only');
        expect(conf).toContain('pull-from-mirror = "digest-only"');
      }
      expect(api.get('AgentServiceConfig', 'agent')?.spec).toMatchObject({ mirrorRegistryRef: { name: 'mirror-registry-sno1' }, databaseStorage: { resources: { requests: { storage: '40Gi' } } } });
      expect(creds.kubeconfigPath).toBe(join(dir, 'clusterconfigs', 'kubeconfig'));
      expect((await stat(creds.kubeconfigPath)).mode & 0o777).toBe(0o600);
      expect(await readFile(creds.kubeconfigPath, 'utf8')).toContain('client-key-data: c3Bva2Uta2V5LXNlY3JldA==');
      expect(await readFile(String(creds.kubeadminPasswordPath), 'utf8')).toBe('spoke-kubeadmin-pass');
      expect(secrets.redact('key c3Bva2Uta2V5LXNlY3JldA== pass bmc-very-secret')).not.toMatch(/c3Bva2Uta2V5|bmc-very-secret/);
      expect(logs.join('\n')).toMatch(/AgentClusterInstall sno1: installing 50%[\s\S]*adding-hosts 100%/);
    });
  }

  it('stops at once when the AgentClusterInstall reports Failed, and refuses an installed spoke without acm_force_deploy', async () => {
    stop = startAssistedController(api, { delayMs: 30, failAt: 'installing' });
    const plan = acmProvider.plan(input('4.16.3', { hub_kubeconfig_path: api.kubeconfigPath, acm_install_timeout: 30 }));
    const t0 = Date.now();
    await expect(acmProvider.run(plan, ctx())).rejects.toThrow(/the spoke sno1 failed to install: The installation failed: writing image to disk \(Host sno: installation failed/);
    expect(Date.now() - t0).toBeLessThan(15_000);
    api.setStatus('ClusterDeployment', 'sno1', 'sno1', {});
    const cd = api.get('ClusterDeployment', 'sno1', 'sno1');
    api.put({ ...cd!, spec: { ...(cd!.spec as object), installed: true } });
    await expect(acmProvider.run(plan, ctx())).rejects.toThrow(/the hub already has an installed spoke "sno1"/);
  });

  it('acm_force_deploy deletes the installed spoke (ManagedCluster, namespace) and deploys it again', async () => {
    stop = startAssistedController(api, { delayMs: 30 });
    await acmProvider.run(acmProvider.plan(input('4.16.3', { hub_kubeconfig_path: api.kubeconfigPath })), ctx());
    expect(api.get('ClusterDeployment', 'sno1', 'sno1')?.spec).toMatchObject({ installed: true });
    const firstRun = api.writes().length;
    await acmProvider.run(acmProvider.plan(input('4.16.3', { hub_kubeconfig_path: api.kubeconfigPath, acm_force_deploy: true })), ctx());
    const second = api.writes().slice(firstRun);
    expect(second.slice(0, 3)).toEqual(['delete ManagedCluster sno1', 'delete Namespace sno1', 'apply Namespace sno1']);
    expect(second).toContain('apply BareMetalHost sno1/sno1');
    expect(api.get('ClusterDeployment', 'sno1', 'sno1')?.spec).toMatchObject({ installed: true });
  });

  it('refuses a hub without the assisted service', async () => {
    await expect(acmProvider.run(acmProvider.plan(input('4.16.3', { hub_kubeconfig_path: api.kubeconfigPath })), ctx())).rejects.toThrow(/has no AgentServiceConfig "agent"/);
    expect(api.writes()).toEqual([]);
  });

  it('asks for the hub kubeconfig when neither hub_kubeconfig_path nor HUB_KUBECONFIG is set', async () => {
    const saved = process.env.HUB_KUBECONFIG;
    delete process.env.HUB_KUBECONFIG;
    try {
      await expect(acmProvider.run(acmProvider.plan(input('4.16.3')), ctx())).rejects.toThrow(/hub_kubeconfig_path is required for an acm install/);
    } finally {
      if (saved !== undefined) process.env.HUB_KUBECONFIG = saved;
    }
  });
});
