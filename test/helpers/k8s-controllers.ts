/**
 * Test helper: scripted controllers for the fake Kubernetes API (./fake-k8s-api.ts). They react to objects the
 * agent writes and move status the way the real operators do, after short delays:
 *  - OLM: CatalogSource → READY and its PackageManifests; Subscription → InstallPlan (waits for
 *    `spec.approved: true` when Manual) → CSV Installing → Succeeded, or Failed when the OperatorGroup asks for an
 *    install mode the CSV does not support (UnsupportedOperatorGroup, like OLM) or the test says so.
 *  - MCO: MachineConfigPools master/worker go Updating → Updated after a mirror set (IDMS/ITMS/ICSP) changes.
 *  - Assisted/ACM: InfraEnv ImageCreated + isoDownloadURL, BareMetalHost provisioned, AgentClusterInstall
 *    conditions through to Completed, then the spoke's admin kubeconfig and password Secrets.
 */
import type { FakeK8sApi, KObj } from './fake-k8s-api.js';

export type InstallModeType = 'OwnNamespace' | 'SingleNamespace' | 'MultiNamespace' | 'AllNamespaces';

export interface FakePackage {
  name: string;
  defaultChannel: string;
  channels: Array<{ name: string; currentCSV: string; installModes?: InstallModeType[] }>;
}

export interface OlmControllerOptions {
  /** Catalog name → packages it serves (namespace openshift-marketplace). */
  catalogs: Record<string, FakePackage[]>;
  /** Catalogs that exist from the start (already READY), like redhat-operators on a connected cluster. */
  preexisting?: string[];
  /** CSVs that go Failed (reason InstallComponentFailed) instead of Succeeded. */
  failingCsvs?: string[];
  /** Catalogs that never become READY. */
  brokenCatalogs?: string[];
  delayMs?: number;
}

const later = (ms: number, fn: () => void): void => {
  setTimeout(fn, ms);
};

function csvModes(opts: OlmControllerOptions, csv: string): InstallModeType[] {
  for (const pkgs of Object.values(opts.catalogs)) {
    for (const p of pkgs) for (const c of p.channels) if (c.currentCSV === csv || csv.startsWith(`${p.name}.`)) return c.installModes ?? ['OwnNamespace', 'SingleNamespace', 'MultiNamespace', 'AllNamespaces'];
  }
  return ['OwnNamespace', 'SingleNamespace', 'MultiNamespace', 'AllNamespaces'];
}

function findPackage(opts: OlmControllerOptions, catalog: string, name: string): FakePackage | undefined {
  return opts.catalogs[catalog]?.find((p) => p.name === name);
}

function packageManifest(catalog: string, ns: string, p: FakePackage): KObj {
  const all: InstallModeType[] = ['OwnNamespace', 'SingleNamespace', 'MultiNamespace', 'AllNamespaces'];
  return {
    apiVersion: 'packages.operators.coreos.com/v1',
    kind: 'PackageManifest',
    metadata: { name: p.name, namespace: ns, labels: { catalog, 'catalog-namespace': ns } },
    status: {
      catalogSource: catalog,
      catalogSourceNamespace: ns,
      packageName: p.name,
      defaultChannel: p.defaultChannel,
      channels: p.channels.map((c) => ({
        name: c.name,
        currentCSV: c.currentCSV,
        // Same order as real PackageManifests; the agent must look up by type, not by index.
        currentCSVDesc: { installModes: all.map((type) => ({ type, supported: (c.installModes ?? all).includes(type) })) },
      })),
    },
  };
}

/** Start the OLM controller; returns a stop function. */
export function startOlmController(api: FakeK8sApi, opts: OlmControllerOptions): () => void {
  const delay = opts.delayMs ?? 60;
  let plans = 0;
  const markReady = (name: string, ns: string): void => {
    if (opts.brokenCatalogs?.includes(name)) {
      api.setStatus('CatalogSource', name, ns, { connectionState: { lastObservedState: 'TRANSIENT_FAILURE' } });
      return;
    }
    for (const p of opts.catalogs[name] ?? []) api.put(packageManifest(name, ns, p));
    api.setStatus('CatalogSource', name, ns, { connectionState: { lastObservedState: 'READY', address: `${name}.${ns}.svc:50051` } });
  };
  for (const name of opts.preexisting ?? []) {
    api.put({ apiVersion: 'operators.coreos.com/v1alpha1', kind: 'CatalogSource', metadata: { name, namespace: 'openshift-marketplace' }, spec: { sourceType: 'grpc', image: `registry.redhat.io/redhat/${name}-index:v4.16` } });
    markReady(name, 'openshift-marketplace');
  }
  const installCsv = (plan: KObj): void => {
    const ns = plan.metadata.namespace ?? '';
    const csvName = ((plan.spec as { clusterServiceVersionNames: string[] }).clusterServiceVersionNames ?? [])[0];
    api.setStatus('InstallPlan', plan.metadata.name, ns, { phase: 'Installing' });
    api.put({ apiVersion: 'operators.coreos.com/v1alpha1', kind: 'ClusterServiceVersion', metadata: { name: csvName, namespace: ns }, spec: { installModes: csvModes(opts, csvName).map((type) => ({ type, supported: true })) }, status: { phase: 'Pending' } });
    later(delay, () => {
      const groups = api.list('OperatorGroup', ns);
      const modes = csvModes(opts, csvName);
      let failure: { reason: string; message: string } | undefined;
      if (groups.length !== 1) failure = { reason: groups.length ? 'TooManyOperatorGroups' : 'NoOperatorGroup', message: `csv in namespace with ${groups.length} operatorgroups` };
      else {
        const targets = (groups[0].spec as { targetNamespaces?: string[] } | undefined)?.targetNamespaces;
        const wantsAll = !targets || targets.length === 0;
        const ok = wantsAll ? modes.includes('AllNamespaces') : targets.length === 1 && targets[0] === ns ? modes.includes('OwnNamespace') : modes.includes('MultiNamespace');
        if (!ok) failure = { reason: 'UnsupportedOperatorGroup', message: `${wantsAll ? 'AllNamespaces' : 'OwnNamespace'} InstallModeType not supported, cannot configure to watch ${wantsAll ? 'all namespaces' : ns}` };
      }
      if (!failure && opts.failingCsvs?.includes(csvName)) failure = { reason: 'InstallComponentFailed', message: 'install strategy failed: deployment not ready' };
      if (failure) {
        api.setStatus('ClusterServiceVersion', csvName, ns, { phase: 'Failed', ...failure });
        api.setStatus('InstallPlan', plan.metadata.name, ns, { phase: 'Failed' });
        return;
      }
      api.setStatus('ClusterServiceVersion', csvName, ns, { phase: 'Installing', reason: 'InstallWaiting' });
      later(delay, () => {
        api.setStatus('ClusterServiceVersion', csvName, ns, { phase: 'Succeeded', reason: 'InstallSucceeded' });
        api.setStatus('InstallPlan', plan.metadata.name, ns, { phase: 'Complete' });
        for (const sub of api.list('Subscription', ns)) {
          if ((sub.status as { installPlanRef?: { name: string } } | undefined)?.installPlanRef?.name === plan.metadata.name) {
            api.setStatus('Subscription', sub.metadata.name, ns, { installedCSV: csvName, currentCSV: csvName, state: 'AtLatestKnown' });
          }
        }
      });
    });
  };
  const off = api.onChange((type, obj) => {
    if (type === 'DELETED') return;
    const ns = obj.metadata.namespace ?? '';
    if (obj.kind === 'CatalogSource' && type === 'ADDED') later(delay, () => markReady(obj.metadata.name, ns));
    if (obj.kind === 'Subscription' && type === 'ADDED') {
      later(delay, () => {
        const spec = obj.spec as { name: string; source: string; channel?: string; startingCSV?: string; installPlanApproval?: string };
        const pkg = findPackage(opts, spec.source, spec.name);
        if (!pkg) {
          api.setStatus('Subscription', obj.metadata.name, ns, { conditions: [{ type: 'ResolutionFailed', status: 'True', reason: 'ConstraintsNotSatisfiable', message: `no operators found in package ${spec.name} in the catalog referenced by subscription ${obj.metadata.name}` }] });
          return;
        }
        const channel = pkg.channels.find((c) => c.name === (spec.channel ?? pkg.defaultChannel));
        const csv = spec.startingCSV || channel?.currentCSV || `${spec.name}.v0.0.0`;
        const name = `install-${String(++plans).padStart(5, '0')}`;
        const automatic = (spec.installPlanApproval ?? 'Automatic') === 'Automatic';
        api.put({
          apiVersion: 'operators.coreos.com/v1alpha1',
          kind: 'InstallPlan',
          metadata: { name, namespace: ns },
          spec: { approval: automatic ? 'Automatic' : 'Manual', approved: automatic, clusterServiceVersionNames: [csv], generation: 1 },
          status: { phase: automatic ? 'Installing' : 'RequiresApproval' },
        });
        api.setStatus('Subscription', obj.metadata.name, ns, { installPlanRef: { name, namespace: ns }, currentCSV: csv, state: automatic ? 'UpgradePending' : 'UpgradePending' });
        if (automatic) later(delay, () => installCsv(api.get('InstallPlan', name, ns) as KObj));
      });
    }
    if (obj.kind === 'InstallPlan' && type === 'MODIFIED') {
      const spec = obj.spec as { approved?: boolean; approval?: string };
      const phase = (obj.status as { phase?: string } | undefined)?.phase;
      if (spec.approval === 'Manual' && spec.approved === true && phase === 'RequiresApproval') {
        api.setStatus('InstallPlan', obj.metadata.name, ns, { phase: 'Installing' });
        later(delay, () => installCsv(api.get('InstallPlan', obj.metadata.name, ns) as KObj));
      }
    }
  });
  return off;
}

/** MCO: master/worker pools; after a mirror-set change they go Updating then Updated. */
export function startMcoController(api: FakeK8sApi, opts: { delayMs?: number; updateMs?: number } = {}): () => void {
  const updated = [
    { type: 'Updated', status: 'True' },
    { type: 'Updating', status: 'False' },
    { type: 'Degraded', status: 'False' },
  ];
  for (const name of ['master', 'worker']) {
    api.put({ apiVersion: 'machineconfiguration.openshift.io/v1', kind: 'MachineConfigPool', metadata: { name }, spec: {}, status: { conditions: updated, machineCount: 1, updatedMachineCount: 1, configuration: { name: `rendered-${name}-0` } } });
  }
  let renders = 0;
  return api.onChange((type, obj) => {
    if (!['ImageDigestMirrorSet', 'ImageTagMirrorSet', 'ImageContentSourcePolicy'].includes(obj.kind)) return;
    const n = ++renders;
    later(opts.delayMs ?? 50, () => {
      for (const pool of ['master', 'worker']) {
        api.setStatus('MachineConfigPool', pool, undefined, {
          conditions: [
            { type: 'Updated', status: 'False' },
            { type: 'Updating', status: 'True' },
            { type: 'Degraded', status: 'False' },
          ],
          updatedMachineCount: 0,
        });
      }
      later(opts.updateMs ?? 300, () => {
        for (const pool of ['master', 'worker']) api.setStatus('MachineConfigPool', pool, undefined, { conditions: updated, updatedMachineCount: 1, configuration: { name: `rendered-${pool}-${n}` } });
      });
    });
    void type;
  });
}

export interface AssistedControllerOptions {
  delayMs?: number;
  /** AgentClusterInstall stops at this state with Failed=True. */
  failAt?: 'installing';
  /** Spoke kubeconfig text the controller stores in <name>-admin-kubeconfig. */
  spokeKubeconfig?: string;
}

/** Assisted service / hive / metal3 on an ACM hub. */
export function startAssistedController(api: FakeK8sApi, opts: AssistedControllerOptions = {}): () => void {
  const d = opts.delayMs ?? 60;
  // What acm_setup leaves on a hub: the multicluster-engine namespace and the AgentServiceConfig.
  api.put({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'multicluster-engine' } });
  api.put({
    apiVersion: 'agent-install.openshift.io/v1beta1',
    kind: 'AgentServiceConfig',
    metadata: { name: 'agent' },
    spec: { databaseStorage: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '40Gi' } } }, filesystemStorage: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '50Gi' } } } },
  });
  const progressAci = (name: string, ns: string): void => {
    const steps: Array<{ state: string; pct: number; conds: Array<{ type: string; status: string; reason: string }> }> = [
      { state: 'preparing-for-installation', pct: 10, conds: [{ type: 'RequirementsMet', status: 'True', reason: 'ClusterAlreadyInstalling' }, { type: 'Completed', status: 'False', reason: 'InstallationInProgress' }] },
      { state: 'installing', pct: 50, conds: [{ type: 'Completed', status: 'False', reason: 'InstallationInProgress' }] },
      { state: 'adding-hosts', pct: 100, conds: [{ type: 'Completed', status: 'True', reason: 'InstallationCompleted' }, { type: 'Failed', status: 'False', reason: 'InstallationNotFailed' }] },
    ];
    const run = (i: number): void => {
      const step = steps[i];
      if (opts.failAt === step.state) {
        api.setStatus('AgentClusterInstall', name, ns, { debugInfo: { state: 'error', stateInfo: 'Host sno: installation failed: writing image to disk' }, conditions: [{ type: 'Failed', status: 'True', reason: 'InstallationFailed', message: 'The installation failed: writing image to disk' }, { type: 'Completed', status: 'False', reason: 'InstallationFailed' }] });
        return;
      }
      const aci = api.get('AgentClusterInstall', name, ns);
      const existing = ((aci?.status as { conditions?: Array<{ type: string }> } | undefined)?.conditions ?? []).filter((c) => !step.conds.some((s) => s.type === c.type));
      api.setStatus('AgentClusterInstall', name, ns, { debugInfo: { state: step.state }, progress: { totalPercentage: step.pct }, conditions: [...existing, ...step.conds] });
      if (i + 1 < steps.length) later(d, () => run(i + 1));
      else {
        const kc = opts.spokeKubeconfig ?? `apiVersion: v1\nkind: Config\nclusters:\n- name: ${name}\n  cluster: {server: 'https://api.${name}.example.com:6443'}\n`;
        api.put({ apiVersion: 'v1', kind: 'Secret', metadata: { name: `${name}-admin-kubeconfig`, namespace: ns }, type: 'Opaque', data: { kubeconfig: Buffer.from(kc).toString('base64') } });
        api.put({ apiVersion: 'v1', kind: 'Secret', metadata: { name: `${name}-admin-password`, namespace: ns }, type: 'Opaque', data: { username: Buffer.from('kubeadmin').toString('base64'), password: Buffer.from('spoke-kubeadmin-pass').toString('base64') } });
        const cd = api.get('ClusterDeployment', name, ns);
        if (cd) api.put({ ...cd, spec: { ...(cd.spec as object), installed: true } });
      }
    };
    run(0);
  };
  return api.onChange((type, obj) => {
    if (type !== 'ADDED') return;
    const ns = obj.metadata.namespace ?? '';
    if (obj.kind === 'InfraEnv') {
      later(d, () =>
        api.setStatus('InfraEnv', obj.metadata.name, ns, {
          conditions: [{ type: 'ImageCreated', status: 'True', reason: 'ImageCreated', message: 'Image has been created' }],
          isoDownloadURL: `https://assisted-image-service.multicluster-engine.svc/images/${obj.metadata.name}?type=minimal-iso`,
          createdTime: new Date().toISOString(),
        }),
      );
    }
    if (obj.kind === 'BareMetalHost') {
      later(d, () => {
        api.setStatus('BareMetalHost', obj.metadata.name, ns, { provisioning: { state: 'provisioned' }, operationalStatus: 'OK' });
        const aci = api.list('AgentClusterInstall', ns)[0];
        if (aci) later(d, () => progressAci(aci.metadata.name, ns));
      });
    }
  });
}
