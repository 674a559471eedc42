import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { startFakeK8sApi, type FakeK8sApi } from '../../helpers/fake-k8s-api.js';
import { startMcoController, startOlmController, type OlmControllerOptions } from '../../helpers/k8s-controllers.js';
import { makeContext, runModule } from '../helpers.js';

const CATALOGS: OlmControllerOptions['catalogs'] = {
  'cs-redhat-operators': [
    { name: 'sriov-network-operator', defaultChannel: 'stable', channels: [{ name: 'stable', currentCSV: 'sriov-network-operator.v4.16.0', installModes: ['OwnNamespace', 'SingleNamespace'] }] },
    { name: 'cluster-logging', defaultChannel: 'stable-6.0', channels: [{ name: 'stable-6.0', currentCSV: 'cluster-logging.v6.0.1' }, { name: 'stable-5.9', currentCSV: 'cluster-logging.v5.9.8' }] },
    { name: 'broken-operator', defaultChannel: 'stable', channels: [{ name: 'stable', currentCSV: 'broken-operator.v1.0.0' }] },
  ],
};

const MIRROR_FILES = {
  'imageDigestMirrorSet.yaml': 'apiVersion: config.openshift.io/v1\nkind: ImageDigestMirrorSet\nmetadata:\n  name: dci-operators\nspec:\n  imageDigestMirrors:\n  - source: registry.redhat.io/openshift4\n    mirrors:\n    - registry.lab:5000/openshift4\n',
  'catalogSource-cs-redhat-operators.yaml':
    'apiVersion: operators.coreos.com/v1alpha1\nkind: CatalogSource\nmetadata:\n  name: cs-redhat-operators\n  namespace: openshift-marketplace\nspec:\n  sourceType: grpc\n  image: registry.lab:5000/redhat/redhat-operator-index:v4.16\n  displayName: mirrored\n  publisher: dci\n',
};

const FAST = { poll_interval: 0.03, mcp_settle: 3, catalog_timeout: 10, installplan_timeout: 10, csv_timeout: 10 };

describe('deploy_operators on the fake API with OLM and MCO controllers', () => {
  let api: FakeK8sApi;
  let stops: Array<() => void>;
  let runDir: string;
  let dirs: string[];
  beforeEach(async () => {
    api = await startFakeK8sApi();
    stops = [startOlmController(api, { catalogs: CATALOGS, failingCsvs: ['broken-operator.v1.0.0'], delayMs: 40 }), startMcoController(api, { delayMs: 50, updateMs: 200 })];
    runDir = await mkdtemp(join(tmpdir(), 'dci-ops-'));
    dirs = [runDir];
  });
  afterEach(async () => {
    stops.forEach((s) => s());
    await api.stop();
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  });
  const ctx = (over: Parameters<typeof makeContext>[0] = {}) => makeContext({ vars: { kubeconfig_path: api.kubeconfigPath }, runDir, ...over });
  const mirrorDir = async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dci-sets-'));
    dirs.push(dir);
    for (const [n, c] of Object.entries(MIRROR_FILES)) await writeFile(join(dir, n), c);
    return dir;
  };

  it('applies mirror sets, waits for the pools, then installs with Manual approval, OwnNamespace vs AllNamespaces', async () => {
    const res = await runModule(
      'deploy_operators',
      {
        ...FAST,
        mirror_sets_dir: await mirrorDir(),
        operators: [
          { name: 'sriov-network-operator', namespace: 'openshift-sriov-network-operator', catalog_source: 'cs-redhat-operators' },
          { name: 'cluster-logging', namespace: 'openshift-logging', channel: 'stable-6.0', catalog_source: 'cs-redhat-operators', ns_labels: { 'openshift.io/cluster-monitoring': 'true' } },
        ],
      },
      ctx(),
    );
    expect(res.msg).toBeUndefined();
    expect(res).toMatchObject({ failed: false, changed: true, mirror: { mirror_sets_changed: true, pools_waited: true } });
    // The pools were updated by the time operators started (the MCO had rolled the new config).
    const lastPoolUpdate = api.calls.map((c, i) => (c.controller && c.kind === 'MachineConfigPool' ? i : -1)).reduce((a, b) => Math.max(a, b));
    const firstOperatorWrite = api.calls.findIndex((c) => !c.controller && c.kind === 'Namespace' && c.verb === 'apply');
    expect(lastPoolUpdate).toBeGreaterThan(0);
    expect(firstOperatorWrite).toBeGreaterThan(lastPoolUpdate);
    expect(api.writes().slice(0, 2)).toEqual(['apply ImageDigestMirrorSet dci-operators', 'apply CatalogSource openshift-marketplace/cs-redhat-operators']);
    expect(api.writes()).toEqual(
      expect.arrayContaining([
        'apply Namespace openshift-sriov-network-operator',
        'apply OperatorGroup openshift-sriov-network-operator/sriov-network-operator',
        'apply Subscription openshift-sriov-network-operator/sriov-network-operator',
        'patch InstallPlan openshift-sriov-network-operator/install-00001',
      ]),
    );
    const w = api.writes();
    expect(w.indexOf('apply Namespace openshift-sriov-network-operator')).toBeLessThan(w.indexOf('apply OperatorGroup openshift-sriov-network-operator/sriov-network-operator'));
    expect(w.indexOf('apply OperatorGroup openshift-sriov-network-operator/sriov-network-operator')).toBeLessThan(w.indexOf('apply Subscription openshift-sriov-network-operator/sriov-network-operator'));
    expect(api.get('OperatorGroup', 'sriov-network-operator', 'openshift-sriov-network-operator')?.spec).toEqual({ targetNamespaces: ['openshift-sriov-network-operator'] });
    expect(api.get('OperatorGroup', 'cluster-logging', 'openshift-logging')?.spec).toEqual({});
    expect(api.get('Namespace', 'openshift-logging')?.metadata.labels).toMatchObject({ 'openshift.io/cluster-monitoring': 'true', 'pod-security.kubernetes.io/enforce': 'privileged' });
    expect(api.get('InstallPlan', 'install-00001', 'openshift-sriov-network-operator')?.spec).toMatchObject({ approved: true, approval: 'Manual' });
    expect(api.get('ClusterServiceVersion', 'cluster-logging.v6.0.1', 'openshift-logging')?.status).toMatchObject({ phase: 'Succeeded' });
    expect(api.get('Subscription', 'cluster-logging', 'openshift-logging')?.spec).toMatchObject({ installPlanApproval: 'Manual', channel: 'stable-6.0', startingCSV: 'cluster-logging.v6.0.1' });
    const outcomes = res.operators as Array<{ name: string; installMode: string; approvedInstallPlans: string[] }>;
    expect(outcomes.map((o) => [o.name, o.installMode, o.approvedInstallPlans.length])).toEqual([
      ['sriov-network-operator', 'OwnNamespace', 1],
      ['cluster-logging', 'AllNamespaces', 1],
    ]);

    // Second run: nothing changes, the mirror sets did not change so the pools are not waited for.
    const again = await runModule('deploy_operators', { ...FAST, mirror_sets_dir: await mirrorDir(), operators: [{ name: 'cluster-logging', namespace: 'openshift-logging', catalog_source: 'cs-redhat-operators' }] }, ctx());
    expect(again).toMatchObject({ failed: false, changed: false, mirror: { mirror_sets_changed: false, pools_waited: false } });
  });

  it('reacts to the controllers through watches, not poll ticks: a 30 s poll interval still finishes in seconds', async () => {
    const t0 = Date.now();
    const res = await runModule(
      'deploy_operators',
      {
        ...FAST,
        poll_interval: 30,
        mirror_sets_dir: await mirrorDir(),
        // Manual approval: the InstallPlan appears after the Subscription; the MachineConfigPools roll after the IDMS.
        operators: [{ name: 'sriov-network-operator', namespace: 'openshift-sriov-network-operator', catalog_source: 'cs-redhat-operators', install_approval: 'Manual' }],
      },
      ctx(),
    );
    expect(res.msg).toBeUndefined();
    expect(res).toMatchObject({ failed: false, mirror: { pools_waited: true } });
    expect(api.writes()).toContain('patch InstallPlan openshift-sriov-network-operator/install-00001');
    expect(Date.now() - t0).toBeLessThan(15_000);
    expect(api.calls.some((c) => c.verb === 'watch' && c.kind === 'MachineConfigPool')).toBe(true);
    expect(api.calls.some((c) => c.verb === 'watch' && c.kind === 'InstallPlan')).toBe(true);
  });

  it('starting_csv subscribes Automatic, then puts the Subscription back to the requested Manual approval', async () => {
    api.put({ apiVersion: 'operators.coreos.com/v1alpha1', kind: 'CatalogSource', metadata: { name: 'cs-redhat-operators', namespace: 'openshift-marketplace' }, spec: { sourceType: 'grpc', image: 'x' } });
    const res = await runModule('deploy_operators', { ...FAST, operators: [{ name: 'cluster-logging', namespace: 'openshift-logging', channel: 'stable-5.9', starting_csv: 'cluster-logging.v5.9.8', catalog_source: 'cs-redhat-operators' }] }, ctx());
    expect(res.failed).toBe(false);
    expect((res.operators as Array<{ approvedInstallPlans: string[]; csv: string }>)[0]).toMatchObject({ approvedInstallPlans: [], csv: 'cluster-logging.v5.9.8' });
    expect(api.calls.filter((c) => !c.controller && c.kind === 'Subscription' && c.verb === 'apply').length).toBe(2);
    expect(api.get('Subscription', 'cluster-logging', 'openshift-logging')?.spec).toMatchObject({ installPlanApproval: 'Manual', startingCSV: 'cluster-logging.v5.9.8' });
    expect(api.get('ClusterServiceVersion', 'cluster-logging.v5.9.8', 'openshift-logging')?.status).toMatchObject({ phase: 'Succeeded' });
  });

  it('a failing CSV fails the task naming the operator and step, with the OLM state dumped (0600) into the run record', async () => {
    const res = await runModule('deploy_operators', { ...FAST, mirror_sets_dir: await mirrorDir(), operators: [{ name: 'broken-operator', namespace: 'broken', catalog_source: 'cs-redhat-operators' }] }, ctx());
    expect(res.failed).toBe(true);
    const file = join(runDir, 'operators', 'broken-operator-state.yaml');
    expect(res.msg).toContain('operator broken-operator: waiting for the CSV failed: CSV broken-operator.v1.0.0 failed: InstallComponentFailed');
    expect(res.msg).toContain(`state saved in ${file}`);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const dump = load(await readFile(file, 'utf8')) as { catalogSource: { status: unknown }; subscriptions: unknown[]; installPlans: Array<{ spec: { approved: boolean } }>; clusterServiceVersions: Array<{ status: { phase: string } }> };
    expect(dump.catalogSource.status).toMatchObject({ connectionState: { lastObservedState: 'READY' } });
    expect(dump.subscriptions).toHaveLength(1);
    expect(dump.installPlans[0].spec.approved).toBe(true);
    expect(dump.clusterServiceVersions[0].status.phase).toBe('Failed');
  });

  it('an operator group spec the CSV cannot use fails with OLM\'s reason and a hint', async () => {
    const res = await runModule(
      'deploy_operators',
      { ...FAST, mirror_sets_dir: await mirrorDir(), operators: [{ name: 'sriov-network-operator', namespace: 'sriov', catalog_source: 'cs-redhat-operators', operator_group_spec: {} }] },
      ctx(),
    );
    expect(res.failed).toBe(true);
    expect(res.msg).toMatch(/UnsupportedOperatorGroup: AllNamespaces InstallModeType not supported.*set operator_group_spec/);
  });

  it('a catalog that never gets READY times out with its last state; a missing package is skipped when skippable', async () => {
    stops.push(startOlmController(api, { catalogs: {}, brokenCatalogs: ['dead-catalog'], delayMs: 20 }));
    const dead = await runModule('deploy_operators', { ...FAST, catalog_timeout: 0.5, operators: [{ name: 'x', namespace: 'x', catalog_source: 'dead-catalog' }] }, ctx());
    expect(dead.failed).toBe(true);
    expect(dead.msg).toMatch(/operator x: waiting for the catalog failed: timed out after \d+s waiting for CatalogSource openshift-marketplace\/dead-catalog to reach status.connectionState.lastObservedState=READY; last state: (it does not exist|no status yet)/);
    await runModule('k8s', { definition: MIRROR_FILES['catalogSource-cs-redhat-operators.yaml'] }, ctx());
    const skipped = await runModule('deploy_operators', { ...FAST, catalog_timeout: 1, operators: [{ name: 'not-in-catalog', namespace: 'nic', catalog_source: 'cs-redhat-operators', skippable: true }] }, ctx());
    expect(skipped.failed).toBe(false);
    expect((skipped.operators as Array<{ skipped?: string }>)[0].skipped).toMatch(/package not-in-catalog is not served by catalog openshift-marketplace\/cs-redhat-operators/);
    expect(api.get('Subscription', 'not-in-catalog', 'nic')).toBeUndefined();
  });

  it('does nothing without operators; plan and check mode render files without any API call; bad entries fail before any write', async () => {
    const before = api.calls.length;
    expect(await runModule('deploy_operators', { operators: [] }, ctx())).toMatchObject({ failed: false, changed: false });
    const ops = [{ name: 'cluster-logging', namespace: 'openshift-logging', catalog_source: 'cs-redhat-operators' }];
    const planned = await runModule('deploy_operators', { operators: ops, mode: 'plan', mirror_sets_dir: await mirrorDir() }, ctx());
    expect(planned).toMatchObject({ failed: false, changed: false });
    const planDir = join(runDir, 'operators', 'plan');
    expect((await readdir(planDir)).sort()).toEqual(['01-cluster-logging.yaml', 'plan.txt']);
    const plan = await readFile(join(planDir, 'plan.txt'), 'utf8');
    expect(plan).toMatch(/1\. apply ImageDigestMirrorSet dci-operators.*\n2\. apply CatalogSource/);
    expect(plan).toContain('approve the InstallPlan for the CSV in openshift-logging');
    const checked = await runModule('deploy_operators', { operators: ops }, ctx({ checkMode: true }));
    expect(checked.failed).toBe(false);
    expect(api.calls.length).toBe(before);
    const bad = await runModule('deploy_operators', { ...FAST, operators: [...ops, { namespace: 'x' }] }, ctx());
    expect(bad).toMatchObject({ failed: true, msg: expect.stringContaining('dci_operators[1] has no name') });
    const noNs = await runModule('deploy_operators', { ...FAST, operators: [{ name: 'ptp-operator' }] }, ctx());
    expect(noNs).toMatchObject({ failed: true, msg: expect.stringContaining('dci_operators[0] (ptp-operator) has no namespace (set namespace, e.g. namespace: openshift-ptp)') });
    expect(api.calls.length).toBe(before);
  });

  it('validate_install: false subscribes and approves without waiting for the CSV', async () => {
    const res = await runModule('deploy_operators', { ...FAST, csv_timeout: 0.01, mirror_sets_dir: await mirrorDir(), operators: [{ name: 'broken-operator', namespace: 'broken2', catalog_source: 'cs-redhat-operators', validate_install: false }] }, ctx());
    expect(res.failed).toBe(false);
    expect((res.operators as Array<{ approvedInstallPlans: string[] }>)[0].approvedInstallPlans).toHaveLength(1);
  });
});
