/**
 * The parts of install-config.yaml every provider shares (redhatci `installer`/`sno_installer` templates):
 * cluster identity, networking, pull secret (compact JSON string like the templates write), SSH key, proxy,
 * and the disconnected block. Providers add `platform`, `compute` and `controlPlane`.
 */
import { dump } from 'js-yaml';
import { parsePullSecret, pullSecretValues, type PullSecret } from '../pull-secret.js';
import { InstallerError } from '../../core/errors.js';
import type { ProviderInput } from '../types.js';
import type { MirrorSettings } from './mirror.js';
import { missingVar, text } from './vars.js';

/** Variables the gathering step fills with file contents (see gather.ts), so plan() stays pure. */
export const PULL_SECRET_VAR = 'dci_pull_secret_text';
export const SSH_KEY_VAR = 'dci_ssh_public_key';
export const EXTRA_MANIFESTS_VAR = 'dci_extra_manifests';
/** Host variable holding a node's rendered nmstate network config (gather.ts; or `network_config` given as is). */
export const NETWORK_CONFIG_VAR = 'dci_network_config';

export interface ClusterIdentity {
  cluster: string;
  baseDomain: string;
}

export function clusterIdentity(vars: Record<string, unknown>, why: string): ClusterIdentity {
  const cluster = text(vars, 'cluster', 'cluster_name');
  if (!cluster) throw missingVar(undefined, 'cluster', why);
  const baseDomain = text(vars, 'domain', 'base_dns_domain');
  if (!baseDomain) throw missingVar(undefined, 'domain', why);
  return { cluster, baseDomain };
}

/** The pull secret the installer gets; `{"auths":{}}` (flagged) when none was gathered (plan without a lab). */
export function pullSecretOf(vars: Record<string, unknown>): { secret: PullSecret; missing: boolean } {
  const raw = vars[PULL_SECRET_VAR];
  if (raw === undefined || raw === null || raw === '') return { secret: { auths: {} }, missing: true };
  try {
    return { secret: parsePullSecret({ origin: 'the pull secret (dci_pullsecret_file)', value: raw }), missing: false };
  } catch (e) {
    throw new InstallerError('bad-pull-secret', (e as Error).message, { hint: 'check the file dci_pullsecret_file / pullsecret_file points at', cause: e });
  }
}

/** Every string that must not appear in the run record: pull-secret credentials and BMC passwords. */
export function inputSecrets(input: ProviderInput): string[] {
  const out: string[] = [];
  const { secret } = pullSecretOf(input.vars);
  out.push(...pullSecretValues(secret));
  for (const hosts of Object.values(input.groups)) {
    for (const h of hosts) {
      for (const k of ['ipmi_password', 'bmc_password']) {
        const v = text(h.vars, k);
        if (v) out.push(v);
      }
    }
  }
  return [...new Set(out)];
}

export function networking(vars: Record<string, unknown>): Record<string, unknown> {
  const net: Record<string, unknown> = { networkType: text(vars, 'network_type') ?? 'OVNKubernetes' };
  const cidr = text(vars, 'extcidrnet');
  if (cidr) net.machineNetwork = [{ cidr }];
  net.clusterNetwork = [{ cidr: text(vars, 'cluster_network_cidr') ?? '10.128.0.0/14', hostPrefix: 23 }];
  net.serviceNetwork = [text(vars, 'service_network_cidr') ?? '172.30.0.0/16'];
  return net;
}

export function proxy(vars: Record<string, unknown>): Record<string, unknown> | undefined {
  const httpProxy = text(vars, 'http_proxy');
  const httpsProxy = text(vars, 'https_proxy');
  if (!httpProxy && !httpsProxy) return undefined;
  const p: Record<string, unknown> = {};
  if (httpProxy) p.httpProxy = httpProxy;
  if (httpsProxy) p.httpsProxy = httpsProxy;
  const noProxy = text(vars, 'no_proxy_list', 'no_proxy');
  if (noProxy) p.noProxy = noProxy;
  return p;
}

/** Top-level document: identity, networking, then the provider's parts, then secrets and mirrors (template order). */
export function installConfig(id: ClusterIdentity, vars: Record<string, unknown>, parts: Record<string, unknown>, mirror: MirrorSettings): Record<string, unknown> {
  const doc: Record<string, unknown> = {
    apiVersion: 'v1',
    baseDomain: id.baseDomain,
    metadata: { name: id.cluster },
  };
  const p = proxy(vars);
  if (p) doc.proxy = p;
  doc.networking = networking(vars);
  if (text(vars, 'fips_enabled') && /^(true|yes|1|on)$/i.test(text(vars, 'fips_enabled')!)) doc.fips = true;
  Object.assign(doc, parts);
  doc.pullSecret = JSON.stringify(pullSecretOf(vars).secret);
  const key = text(vars, SSH_KEY_VAR);
  if (key) doc.sshKey = key.trim();
  Object.assign(doc, mirror.fragment);
  return doc;
}

export function yaml(doc: unknown): string {
  return dump(doc, { noRefs: true, lineWidth: -1 });
}

export interface ExtraManifest {
  name: string;
  content: string;
}

/** Extra manifests gathered from `customize_extramanifests_path` (name → YAML text). */
export function extraManifests(vars: Record<string, unknown>): ExtraManifest[] {
  const v = vars[EXTRA_MANIFESTS_VAR];
  if (!Array.isArray(v)) return [];
  return v.filter((m): m is ExtraManifest => Boolean(m) && typeof (m as ExtraManifest).name === 'string' && typeof (m as ExtraManifest).content === 'string');
}

/** A run needs a real pull secret; a plan without one only shows `{"auths":{}}`. */
export function pullSecretMissing(installType: string): InstallerError {
  return new InstallerError('missing-pull-secret', `the inventory: no pull secret for the ${installType} install (dci_pullsecret_file, pullsecret_file and openshift_secret are all unset or empty)`, {
    hint: 'run the pre-run stage (it merges the pull secrets into dci_pullsecret_file) or set pullsecret_file=<path to a pull secret JSON>',
  });
}
