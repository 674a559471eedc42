/**
 * What the installer-binary providers (ipi, sno) share beyond install-config.yaml: the install timeout default,
 * the provisioner's extra PATH, and the facts they hand to later stages (plan.txt, the run record, deploy stages).
 * Each provider adds its own facts between these, so the order of plan.txt stays the providers' own.
 */
import type { PullSecret } from '../pull-secret.js';
import type { ProviderInput } from '../types.js';
import type { ClusterIdentity } from './install-config.js';
import type { MirrorSettings } from './mirror.js';
import { provisionerHost } from './vars.js';

/** `dci_install_timeout` when unset: the installer role's 3 hours. */
export const DEFAULT_INSTALL_TIMEOUT_S = 3 * 3600;

/** Extra PATH entries for commands on the provisioner (`provisioner_extra_path`: a dir or a list). */
export function provisionerExtraPath(input: ProviderInput): string[] {
  const v = provisionerHost(input).vars.provisioner_extra_path ?? input.vars.provisioner_extra_path;
  if (typeof v === 'string' && v !== '') return v.split(':');
  if (Array.isArray(v)) return v.map(String);
  return [];
}

export interface InstallerFactsInput {
  version: string;
  id: ClusterIdentity;
  /** the provisioner host's name */
  provisioner: string;
  /** installer binary name (openshift-install, openshift-baremetal-install) and its cached path */
  command: string;
  path: string;
  mirror: MirrorSettings;
  pullSecret: { secret: PullSecret; missing: boolean };
}

/** The first facts of an installer plan: version, cluster, provisioner, installer, release and mirror block. */
export function installerFacts(f: InstallerFactsInput): Record<string, unknown> {
  return {
    ocp_version: f.version,
    cluster: f.id.cluster,
    base_domain: f.id.baseDomain,
    provisioner: f.provisioner,
    installer_command: f.command,
    installer_path: f.path,
    release_image: f.mirror.releaseImage,
    ...(f.mirror.releaseOverride ? { release_image_override: f.mirror.releaseOverride } : {}),
    mirror_origin: f.mirror.origin,
    mirror_key: f.mirror.fragment.imageDigestSources ? 'imageDigestSources' : f.mirror.fragment.imageContentSources ? 'imageContentSources' : 'none',
    pull_secret_missing: f.pullSecret.missing,
  };
}

/** The cluster's API and console URLs (api_url, console_url facts). */
export function clusterUrls(id: ClusterIdentity): { api_url: string; console_url: string } {
  return {
    api_url: `https://api.${id.cluster}.${id.baseDomain}:6443`,
    console_url: `https://console-openshift-console.apps.${id.cluster}.${id.baseDomain}`,
  };
}
