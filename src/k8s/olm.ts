/**
 * OLM operator installation (the olm_operator role, ported): catalog READY → namespace → PackageManifest lookup →
 * OperatorGroup → Subscription → InstallPlan approval (Manual) → CSV Succeeded. On failure the catalog,
 * subscription, install plans and CSVs are dumped to a file so the run record shows where it stuck.
 * Differences from the role, on purpose: the AllNamespaces install mode is looked up by type (the role reads
 * index 3), and an OperatorGroup that already exists in the namespace is reused (a second one breaks OLM).
 */
import { KubernetesError } from '../core/errors.js';
import type { K8sClient } from './client.js';
import { fieldEquals, hasPhase, predicate } from './conditions.js';
import type { K8sObject } from './types.js';

export interface OperatorRequest {
  name: string;
  namespace: string;
  channel?: string;
  catalogSource: string;
  catalogNamespace: string;
  startingCsv?: string;
  installApproval: 'Manual' | 'Automatic';
  operatorGroupName: string;
  operatorGroupSpec?: Record<string, unknown>;
  subscriptionName: string;
  nsLabels: Record<string, string>;
  skippable: boolean;
  /** Wait for the CSV to succeed (the role's validate_install, default true). */
  validateInstall: boolean;
}

const OLM = 'operators.coreos.com/v1alpha1';

/** Normalise one `dci_operators` entry; errors name the entry and the field. */
export function normalizeOperator(raw: unknown, index: number): OperatorRequest {
  const where = `dci_operators[${index}]`;
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new KubernetesError('operator-entry', `${where} is not a mapping`, { hint: 'each entry needs at least name (and usually namespace, channel, catalog_source)' });
  }
  const r = raw as Record<string, unknown>;
  const s = (k: string): string | undefined => (r[k] === undefined || r[k] === null || r[k] === '' ? undefined : String(r[k]));
  const name = s('name');
  if (!name) throw new KubernetesError('operator-entry', `${where} has no name`, { hint: 'set name to the package name, e.g. name: sriov-network-operator' });
  const approval = s('install_approval') ?? 'Manual';
  if (approval !== 'Manual' && approval !== 'Automatic') {
    throw new KubernetesError('operator-entry', `${where} (${name}): install_approval must be Manual or Automatic, got ${approval}`, { hint: 'use install_approval: Manual' });
  }
  const labels = r.ns_labels;
  if (labels !== undefined && (typeof labels !== 'object' || labels === null || Array.isArray(labels))) {
    throw new KubernetesError('operator-entry', `${where} (${name}): ns_labels must be a mapping`, { hint: 'e.g. ns_labels: {openshift.io/cluster-monitoring: "true"}' });
  }
  const ogSpec = r.operator_group_spec;
  if (ogSpec !== undefined && (typeof ogSpec !== 'object' || ogSpec === null || Array.isArray(ogSpec))) {
    throw new KubernetesError('operator-entry', `${where} (${name}): operator_group_spec must be a mapping`, { hint: 'e.g. operator_group_spec: {targetNamespaces: [my-ns]}' });
  }
  const skippable = r.skippable ?? r.olm_operator_skippable;
  const namespace = s('namespace');
  if (!namespace) throw new KubernetesError('operator-entry', `${where} (${name}) has no namespace`, { hint: `set namespace, e.g. namespace: openshift-${name.replace(/-operator$/, '')}` });
  const validate = r.validate_install;
  return {
    name,
    namespace,
    channel: s('channel'),
    catalogSource: s('catalog_source') ?? s('source') ?? 'redhat-operators',
    catalogNamespace: s('catalog_source_namespace') ?? s('source_ns') ?? 'openshift-marketplace',
    startingCsv: s('starting_csv'),
    installApproval: approval,
    operatorGroupName: s('operator_group_name') ?? name,
    operatorGroupSpec: ogSpec as Record<string, unknown> | undefined,
    subscriptionName: s('subscription_name') ?? name,
    nsLabels: Object.fromEntries(Object.entries((labels as Record<string, unknown>) ?? {}).map(([k, v]) => [k, String(v)])),
    skippable: skippable === true || skippable === 'true' || skippable === 'yes',
    validateInstall: !(validate === false || validate === 'false' || validate === 'no'),
  };
}

export function namespaceObject(op: OperatorRequest): K8sObject {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name: op.namespace,
      labels: {
        ...op.nsLabels,
        'pod-security.kubernetes.io/enforce': 'privileged',
        'pod-security.kubernetes.io/enforce-version': 'latest',
        'security.openshift.io/scc.podSecurityLabelSync': 'false',
      },
    },
  };
}

/** targetNamespaces omitted = AllNamespaces; `[ns]` = OwnNamespace. */
export function operatorGroupObject(op: OperatorRequest, allNamespaces: boolean): K8sObject {
  return {
    apiVersion: 'operators.coreos.com/v1',
    kind: 'OperatorGroup',
    metadata: { name: op.operatorGroupName, namespace: op.namespace },
    spec: op.operatorGroupSpec ?? (allNamespaces ? {} : { targetNamespaces: [op.namespace] }),
  };
}

export function subscriptionObject(op: OperatorRequest, channel: string | undefined, csv: string | undefined, approval: 'Manual' | 'Automatic'): K8sObject {
  return {
    apiVersion: OLM,
    kind: 'Subscription',
    metadata: { name: op.subscriptionName, namespace: op.namespace },
    spec: {
      name: op.name,
      source: op.catalogSource,
      sourceNamespace: op.catalogNamespace,
      ...(channel ? { channel } : {}),
      ...(csv ? { startingCSV: csv } : {}),
      installPlanApproval: approval,
      config: { resources: {} },
    },
  };
}

/** The approval the Subscription is created with: Automatic when a starting CSV pins the version (like the role). */
export function initialApproval(op: OperatorRequest): 'Manual' | 'Automatic' {
  return op.startingCsv ? 'Automatic' : op.installApproval;
}

export interface OperatorTimeouts {
  catalogMs: number;
  packageMs: number;
  installPlanMs: number;
  csvMs: number;
  intervalMs: number;
}

export const DEFAULT_OPERATOR_TIMEOUTS: OperatorTimeouts = {
  catalogMs: 600_000,
  packageMs: 60_000,
  installPlanMs: 1_200_000,
  csvMs: 900_000,
  intervalMs: 5_000,
};

export interface OperatorOutcome {
  name: string;
  namespace: string;
  skipped?: string;
  csv?: string;
  channel?: string;
  installMode?: 'AllNamespaces' | 'OwnNamespace' | 'custom';
  approvedInstallPlans: string[];
  changed: boolean;
}

interface PackageChannel {
  name: string;
  currentCSV?: string;
  currentCSVDesc?: { installModes?: Array<{ type: string; supported: boolean }> };
}

/** A failure with the step it happened at, so the dump and the message say where. */
export class OperatorStepError extends KubernetesError {
  constructor(
    readonly step: string,
    cause: Error & { hint?: string },
    operator: string,
  ) {
    super('operator-failed', `operator ${operator}: ${step} failed: ${cause.message}`, { hint: cause.hint, cause });
  }
}

export async function installOperator(
  client: K8sClient,
  op: OperatorRequest,
  opts: { timeouts: OperatorTimeouts; log: (line: string) => void; signal?: AbortSignal },
): Promise<OperatorOutcome> {
  const t = opts.timeouts;
  const out: OperatorOutcome = { name: op.name, namespace: op.namespace, approvedInstallPlans: [], changed: false };
  const step = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (e) {
      throw new OperatorStepError(name, e as Error, op.name);
    }
  };
  const wait = { intervalMs: t.intervalMs, signal: opts.signal };

  opts.log(`${op.name}: waiting for CatalogSource ${op.catalogNamespace}/${op.catalogSource} to be READY`);
  await step('waiting for the catalog', () =>
    client.waitFor(
      { apiVersion: OLM, kind: 'CatalogSource', name: op.catalogSource, namespace: op.catalogNamespace },
      fieldEquals('status.connectionState.lastObservedState', 'READY'),
      { ...wait, timeoutMs: t.catalogMs },
    ),
  );

  out.changed = (await step('creating the namespace', () => client.apply(namespaceObject(op)))).changed || out.changed;

  const pkgs = await step('looking up the package', async () => {
    const deadline = Date.now() + t.packageMs;
    const sel = {
      namespace: op.catalogNamespace,
      labelSelector: `catalog=${op.catalogSource},catalog-namespace=${op.catalogNamespace}`,
      fieldSelector: `metadata.name=${op.name}`,
    };
    for (;;) {
      const { items: found, resourceVersion } = await client.listVersioned('packages.operators.coreos.com/v1', 'PackageManifest', sel);
      if (found.length > 0 || Date.now() >= deadline) return found;
      await client.nextChange('packages.operators.coreos.com/v1', 'PackageManifest', { ...sel, resourceVersion }, deadline - Date.now(), wait);
    }
  });
  if (pkgs.length !== 1) {
    const msg = `package ${op.name} is ${pkgs.length ? 'ambiguous' : 'not served'} by catalog ${op.catalogNamespace}/${op.catalogSource} (${pkgs.length} PackageManifests)`;
    if (op.skippable) {
      opts.log(`${op.name}: ${msg}; skipped (skippable)`);
      return { ...out, skipped: msg };
    }
    throw new OperatorStepError('looking up the package', new KubernetesError('operator-package', msg, { hint: 'check the name and that the catalog was mirrored with this package' }), op.name);
  }
  const status = (pkgs[0].status ?? {}) as { defaultChannel?: string; channels?: PackageChannel[] };
  const channelName = op.channel ?? status.defaultChannel;
  const channel = status.channels?.find((c) => c.name === channelName);
  if (!channel && op.channel) {
    throw new OperatorStepError(
      'resolving the channel',
      new KubernetesError('operator-channel', `channel ${op.channel} does not exist (channels: ${(status.channels ?? []).map((c) => c.name).join(', ') || 'none'})`, { hint: 'fix channel in dci_operators' }),
      op.name,
    );
  }
  const csv = op.startingCsv ?? channel?.currentCSV;
  if (!csv) throw new OperatorStepError('resolving the CSV', new KubernetesError('operator-csv', `no starting_csv given and channel ${channelName} has no currentCSV`, { hint: 'set starting_csv' }), op.name);
  out.csv = csv;
  out.channel = channelName;
  const allNs = channel?.currentCSVDesc?.installModes?.some((m) => m.type === 'AllNamespaces' && m.supported) ?? false;
  out.installMode = op.operatorGroupSpec ? 'custom' : allNs ? 'AllNamespaces' : 'OwnNamespace';

  const groups = await client.list('operators.coreos.com/v1', 'OperatorGroup', { namespace: op.namespace });
  const other = groups.find((g) => g.metadata.name !== op.operatorGroupName);
  if (other) opts.log(`${op.name}: reusing OperatorGroup ${op.namespace}/${other.metadata.name} (one per namespace)`);
  else {
    opts.log(`${op.name}: OperatorGroup ${op.operatorGroupName} (${out.installMode})`);
    out.changed = (await step('creating the OperatorGroup', () => client.apply(operatorGroupObject(op, allNs)))).changed || out.changed;
  }

  const approval = initialApproval(op);
  opts.log(`${op.name}: Subscription ${op.subscriptionName} channel ${channelName ?? '(default)'} csv ${csv} approval ${approval}`);
  out.changed = (await step('creating the Subscription', () => client.apply(subscriptionObject(op, channelName, csv, approval)))).changed || out.changed;

  if (approval === 'Manual') {
    await step('approving the InstallPlan', async () => {
      const deadline = Date.now() + t.installPlanMs;
      for (;;) {
        const listed = await client.listVersioned(OLM, 'InstallPlan', { namespace: op.namespace });
        const plans = listed.items.filter((p) =>
          ((p.spec as { clusterServiceVersionNames?: string[] } | undefined)?.clusterServiceVersionNames ?? []).includes(csv),
        );
        if (plans.length) {
          for (const p of plans) {
            if ((p.spec as { approved?: boolean }).approved) continue;
            await client.mergePatch({ apiVersion: OLM, kind: 'InstallPlan', name: p.metadata.name, namespace: op.namespace }, { spec: { approved: true } });
            out.approvedInstallPlans.push(p.metadata.name);
            out.changed = true;
            opts.log(`${op.name}: approved InstallPlan ${p.metadata.name}`);
          }
          return;
        }
        if (Date.now() >= deadline) {
          throw new KubernetesError('k8s-timeout', `timed out after ${Math.round(t.installPlanMs / 1000)}s waiting for an InstallPlan in ${op.namespace} for ${csv}`, {
            hint: 'look at the Subscription conditions (ResolutionFailed?) in the state dump',
          });
        }
        // Watch the namespace's InstallPlans: OLM creates ours seconds after the Subscription, well within a poll tick.
        await client.nextChange(OLM, 'InstallPlan', { namespace: op.namespace, resourceVersion: listed.resourceVersion }, deadline - Date.now(), wait);
      }
    });
  }

  if (!op.validateInstall) {
    opts.log(`${op.name}: validate_install is false: not waiting for CSV ${csv}`);
    return out;
  }
  opts.log(`${op.name}: waiting for CSV ${op.namespace}/${csv} to succeed`);
  const failedFast = predicate('status.phase=Succeeded', (o) => {
    const phase = (o.status as { phase?: string } | undefined)?.phase;
    if (phase === 'Failed') {
      const st = o.status as { reason?: string; message?: string };
      throw new KubernetesError('operator-csv-failed', `CSV ${csv} failed: ${st.reason ?? ''}${st.message ? `: ${st.message}` : ''}`, {
        hint: st.reason === 'UnsupportedOperatorGroup' ? 'set operator_group_spec to an install mode the operator supports' : 'see the state dump and the operator pod logs',
      });
    }
    return hasPhase('Succeeded')(o) || phase === 'Present';
  });
  await step('waiting for the CSV', () =>
    client.waitFor({ apiVersion: OLM, kind: 'ClusterServiceVersion', name: csv, namespace: op.namespace }, failedFast, { ...wait, timeoutMs: t.csvMs }),
  );
  if (approval !== op.installApproval) {
    // starting_csv pinned the version with Automatic approval; go back to what the user asked (no surprise upgrades).
    await step('restoring the approval mode', () => client.apply(subscriptionObject(op, channelName, csv, op.installApproval)));
  }
  opts.log(`${op.name}: ${csv} Succeeded`);
  return out;
}

/** What was on the cluster for this operator, for the run record. */
export async function collectOperatorState(client: K8sClient, op: OperatorRequest): Promise<Record<string, unknown>> {
  const safe = async <T>(fn: () => Promise<T>): Promise<T | { error: string }> => {
    try {
      return await fn();
    } catch (e) {
      return { error: (e as Error).message };
    }
  };
  return {
    operator: op,
    catalogSource: await safe(() => client.get({ apiVersion: OLM, kind: 'CatalogSource', name: op.catalogSource, namespace: op.catalogNamespace })),
    subscriptions: await safe(() => client.list(OLM, 'Subscription', { namespace: op.namespace })),
    installPlans: await safe(() => client.list(OLM, 'InstallPlan', { namespace: op.namespace })),
    clusterServiceVersions: await safe(() => client.list(OLM, 'ClusterServiceVersion', { namespace: op.namespace })),
    operatorGroups: await safe(() => client.list('operators.coreos.com/v1', 'OperatorGroup', { namespace: op.namespace })),
  };
}
