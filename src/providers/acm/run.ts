/**
 * Run an acm plan against the hub: apply the planned objects in order (server-side apply, so a rerun converges),
 * wait where the plan says (InfraEnv ImageCreated, BareMetalHost provisioned, AgentClusterInstall Completed —
 * progress logged as it moves, Failed=True stops at once), then fetch the spoke's admin kubeconfig (and
 * kubeadmin password) Secrets into the cluster configs dir, mode 0600.
 */
import { join } from 'node:path';
import { InstallerError, KubernetesError } from '../../core/errors.js';
import { writeSecretFile } from '../../core/atomic-write.js';
import type { ClusterCredentials, InstallPlan, PlannedObject, ProviderContext } from '../types.js';
import { kubeconfigSecrets } from '../common/credentials.js';
import { BMC_PASSWORD_PLACEHOLDER } from './plan.js';

function fact<T>(plan: InstallPlan, name: string): T {
  return plan.facts[name] as T;
}

/** Where the hub kubeconfig is: the plan's hub_kubeconfig_path, else HUB_KUBECONFIG. */
export function hubKubeconfig(plan: InstallPlan): string {
  const p = (plan.facts.hub_kubeconfig as string | undefined) || process.env.HUB_KUBECONFIG;
  if (!p) {
    throw new InstallerError('missing-host-data', 'the inventory: hub_kubeconfig_path is required for an acm install (the ACM hub that creates the spoke)', {
      hint: 'set hub_kubeconfig_path=<path to the hub admin kubeconfig> or export HUB_KUBECONFIG',
    });
  }
  return p;
}

export async function runAcm(plan: InstallPlan, ctx: ProviderContext): Promise<ClusterCredentials> {
  const k8s = await import('../../k8s/index.js');
  const name = fact<string>(plan, 'cluster');
  const interval = fact<number>(plan, 'poll_interval_ms') ?? 30_000;
  const password = fact<string>(plan, 'bmc_password');
  ctx.secrets.add(password);
  const log = (phase: string, line: string): void => ctx.log(`[install] ${phase}: ${line}`);
  const client = await k8s.K8sClient.fromKubeconfig(hubKubeconfig(plan));

  log('hub', `connected to ${client.server}`);
  if (!(await client.get({ apiVersion: 'agent-install.openshift.io/v1beta1', kind: 'AgentServiceConfig', name: 'agent' }))) {
    throw new InstallerError('hub-not-ready', `the hub ${client.server} has no AgentServiceConfig "agent": the assisted service is not set up`, {
      hint: 'configure the hub first (ACM installed, then acm_setup / an AgentServiceConfig named agent)',
    });
  }
  const nsRef = { apiVersion: 'v1', kind: 'Namespace', name };
  if (await client.get(nsRef)) {
    if (!fact<boolean>(plan, 'force_deploy')) {
      const cd = await client.get({ apiVersion: 'hive.openshift.io/v1', kind: 'ClusterDeployment', name, namespace: name });
      if ((cd?.spec as { installed?: boolean } | undefined)?.installed) {
        throw new InstallerError('spoke-exists', `the hub already has an installed spoke "${name}" (namespace ${name})`, {
          hint: 'set acm_force_deploy=true to delete and redeploy it, or choose another acm_cluster_name',
        });
      }
      log('hub', `namespace ${name} exists (previous attempt): converging it`);
    } else {
      log('hub', `acm_force_deploy: deleting namespace ${name}`);
      await client.delete({ apiVersion: 'cluster.open-cluster-management.io/v1', kind: 'ManagedCluster', name });
      await client.delete(nsRef);
      await client.waitGone(nsRef, { timeoutMs: 600_000, intervalMs: interval, signal: ctx.signal });
    }
  }

  const objects = plan.objects.map((o) => structuredClone(o) as PlannedObject);
  for (const o of objects) {
    const sd = o.stringData as Record<string, string> | undefined;
    if (o.kind === 'Secret' && sd?.password === BMC_PASSWORD_PLACEHOLDER) sd.password = password;
    if (o.kind === 'Secret') ctx.secrets.addDeep(o.stringData);
  }
  const find = (kind: string): PlannedObject | undefined => objects.find((o) => o.kind === kind);
  const ref = (o: PlannedObject) => k8s.refOf(o as never);
  const waitOpts = (timeoutMs: number) => ({ timeoutMs, intervalMs: interval, signal: ctx.signal });

  for (const o of objects) {
    const r = await client.apply(o as never);
    log(o.kind === 'ConfigMap' || o.kind === 'AgentServiceConfig' ? 'mirror' : 'objects', `${k8s.describeRef(ref(o))} ${r.created ? 'created' : r.changed ? 'updated' : 'unchanged'}`);
    if (o.kind === 'InfraEnv') {
      log('infraenv', `waiting for ${o.metadata.name} to build the discovery image`);
      const ie = await client.waitFor(ref(o), k8s.hasCondition('ImageCreated', 'True'), waitOpts(fact<number>(plan, 'infraenv_timeout_ms') ?? 600_000));
      log('infraenv', `ISO ready: ${String((ie.status as { isoDownloadURL?: string } | undefined)?.isoDownloadURL ?? '')}`);
    }
  }

  const total = fact<number>(plan, 'install_timeout_ms') ?? 5_400_000;
  const bmh = find('BareMetalHost');
  if (bmh) {
    log('baremetalhost', `waiting for ${name} to be provisioned (virtual media boot of the discovery ISO)`);
    await client.waitFor(ref(bmh), k8s.fieldEquals('status.provisioning.state', 'provisioned'), waitOpts(total));
  }
  const aci = find('AgentClusterInstall');
  if (aci) {
    let last = '';
    const done = k8s.predicate('condition Completed=True', (o) => {
      const st = o.status as { debugInfo?: { state?: string; stateInfo?: string }; progress?: { totalPercentage?: number } } | undefined;
      const now = `${st?.debugInfo?.state ?? 'pending'} ${st?.progress?.totalPercentage ?? 0}%`;
      if (now !== last) {
        last = now;
        log('install', `AgentClusterInstall ${name}: ${now}`);
      }
      const failed = k8s.findCondition(o, 'Failed');
      if (failed?.status === 'True') {
        throw new KubernetesError('acm-install-failed', `the spoke ${name} failed to install: ${failed.message ?? failed.reason ?? ''}${st?.debugInfo?.stateInfo ? ` (${st.debugInfo.stateInfo})` : ''}`, {
          hint: `oc -n ${name} get agentclusterinstall ${name} -o yaml on the hub, and the assisted-service logs`,
        });
      }
      return k8s.findCondition(o, 'Completed')?.status === 'True';
    });
    await client.waitFor(ref(aci), done, waitOpts(total));
  }

  log('credentials', `fetch ${name}/${name}-admin-kubeconfig into ${ctx.clusterConfigsDir}`);
  const kcSecret = await client.waitFor({ apiVersion: 'v1', kind: 'Secret', name: `${name}-admin-kubeconfig`, namespace: name }, k8s.predicate('data.kubeconfig set', (o) => typeof (o.data as Record<string, unknown> | undefined)?.kubeconfig === 'string'), waitOpts(150_000));
  const kubeconfig = Buffer.from(String((kcSecret.data as Record<string, string>).kubeconfig), 'base64').toString('utf8');
  const kubeconfigPath = join(ctx.clusterConfigsDir, 'kubeconfig');
  await writeSecretFile(kubeconfigPath, kubeconfig, ctx.secrets, kubeconfigSecrets(kubeconfig));
  const creds: ClusterCredentials = { kubeconfigPath, apiUrl: fact<string>(plan, 'api_url'), consoleUrl: fact<string>(plan, 'console_url') };
  const pw = await client.get({ apiVersion: 'v1', kind: 'Secret', name: `${name}-admin-password`, namespace: name });
  const pwData = (pw?.data as Record<string, string> | undefined)?.password;
  if (pwData) {
    const text = Buffer.from(pwData, 'base64').toString('utf8');
    creds.kubeadminPasswordPath = join(ctx.clusterConfigsDir, 'kubeadmin-password');
    await writeSecretFile(creds.kubeadminPasswordPath, text, ctx.secrets, [text]);
  }
  log('credentials', `kubeconfig written to ${kubeconfigPath}`);
  return creds;
}
