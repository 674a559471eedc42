/**
 * ACM spoke (SNO through the assisted installer on an ACM hub), like redhatci.ocp acm_sno: every hub object in
 * creation order — Namespace, (disconnected: mirror ConfigMap + AgentServiceConfig mirrorRegistryRef), pull-secret
 * Secret, ClusterImageSet (release from the local mirror when disconnected), AgentClusterInstall,
 * ClusterDeployment, KlusterletAddonConfig, ManagedCluster, InfraEnv, BMC Secret, BareMetalHost — and the waits
 * between them. Pure: the BMC password stays out of the objects (a placeholder, filled in by run()).
 * Differences from the role, on purpose: the ClusterImageSet name is derived from the version (the role uses a
 * random name, which makes reruns pile up image sets); the hub's SSH key is an input, not read from a
 * MachineConfig.
 */
import { chooseMirrorSetKind, renderRegistriesConf, versionCapabilities, type MirrorEntry } from '../../manifests/index.js';
import type { InstallPlan, PlannedObject, PlannedStep, ProviderInput } from '../types.js';
import { pullSecretOf } from '../common/install-config.js';
import { mirrorSettings } from '../common/mirror.js';
import { badVar, flag, members, missingVar, seconds, text } from '../common/vars.js';
import { ocpVersion } from '../common/versions.js';

const WHY = 'for an acm install (SNO spoke on an ACM hub)';
export const BMC_PASSWORD_PLACEHOLDER = '<acm_bmc_pass>';
export const MCE_NAMESPACE = 'multicluster-engine';

/** A controller variable, else the same setting on the single masters host (ipmi_* names), else missing. */
function need(input: ProviderInput, name: string, hostKeys: string[], why = WHY): string {
  const v = text(input.vars, name);
  if (v !== undefined) return v;
  const node = members(input, 'masters')[0];
  const hv = node ? text(node.vars, name, ...hostKeys) : undefined;
  if (hv !== undefined) return hv;
  // With a masters host the user described the node there: name that host and its variable.
  if (node && hostKeys.length) throw missingVar(node.name, hostKeys[0], `${why} (or set ${name} for the spoke)`);
  throw missingVar(undefined, name, why);
}

function api(verb: 'apply' | 'create' | 'delete' | 'wait', o: PlannedObject, description: string): PlannedStep {
  return { kind: 'api', verb, object: `${o.kind} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name}`, description };
}

function mirrorEntries(block: Record<string, unknown>): MirrorEntry[] {
  const list = [block.imageDigestSources, block.imageContentSources].filter(Array.isArray).flat() as Array<{ source: string; mirrors?: string[] }>;
  return list.map((e) => ({ source: e.source, mirrors: e.mirrors ?? [] }));
}

export function acmPlan(input: ProviderInput): InstallPlan {
  const vars = input.vars;
  const version = ocpVersion(vars);
  const name = text(vars, 'acm_cluster_name', 'cluster') ?? (() => { throw missingVar(undefined, 'acm_cluster_name', WHY); })();
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name) || name.length > 54) {
    throw badVar(undefined, 'acm_cluster_name', `${JSON.stringify(name)} is not a valid cluster name (it becomes a namespace)`, 'use lowercase letters, digits and dashes, at most 54 characters');
  }
  const baseDomain = text(vars, 'acm_base_domain', 'domain') ?? (() => { throw missingVar(undefined, 'acm_base_domain', WHY); })();
  const bmcAddress = need(input, 'acm_bmc_address', ['bmc_address']);
  if (!/^[a-z0-9+-]+:\/\//.test(bmcAddress)) {
    throw badVar(undefined, 'acm_bmc_address', `${JSON.stringify(bmcAddress)} is not a metal3 BMC URL`, 'e.g. acm_bmc_address=redfish-virtualmedia+https://10.0.0.5/redfish/v1/Systems/1');
  }
  const bootMac = need(input, 'acm_boot_mac_address', ['baremetal_mac']);
  if (!/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i.test(bootMac)) throw badVar(undefined, 'acm_boot_mac_address', `${JSON.stringify(bootMac)} is not a MAC address`, 'write it like 52:54:00:aa:bb:cc');
  const machineCidr = need(input, 'acm_machine_cidr', ['extcidrnet']);
  if (!/^[0-9a-f.:]+\/\d{1,3}$/i.test(machineCidr)) throw badVar(undefined, 'acm_machine_cidr', `${JSON.stringify(machineCidr)} is not a CIDR`, 'e.g. acm_machine_cidr=192.168.16.0/24');
  const bmcUser = need(input, 'acm_bmc_user', ['ipmi_user', 'bmc_user']);
  const bmcPass = need(input, 'acm_bmc_pass', ['ipmi_password', 'bmc_password']);
  const location = text(vars, 'acm_cluster_location') ?? 'unknown';
  const sshKey = text(vars, 'acm_ssh_public_key', 'ssh_public_key');
  const clusterNet = text(vars, 'acm_cluster_network_cidr') ?? '10.128.0.0/14';
  const hostPrefix = Number(text(vars, 'acm_cluster_network_host_prefix') ?? 23);
  const serviceNet = text(vars, 'acm_service_network_cidr') ?? '172.30.0.0/16';
  const hubKubeconfig = text(vars, 'hub_kubeconfig_path');

  const mirror = mirrorSettings(input, version);
  const { secret, missing } = pullSecretOf(vars);
  const imageSet = `img-${version.replace(/[^0-9a-z.-]/gi, '-').toLowerCase()}-dci`;
  const infraEnv = `${name}-infra`;

  const objects: PlannedObject[] = [];
  const steps: PlannedStep[] = [];
  const add = (o: PlannedObject, description: string): void => {
    objects.push(o);
    steps.push(api('apply', o, description));
  };

  add(
    {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name, labels: { 'security.openshift.io/scc.podSecurityLabelSync': 'false', 'pod-security.kubernetes.io/enforce': 'baseline', 'pod-security.kubernetes.io/enforce-version': 'latest' } },
    },
    'namespace: the spoke namespace on the hub',
  );

  let registriesConf: string | undefined;
  if (mirror.disconnected) {
    const kind = chooseMirrorSetKind(version).kind;
    const entries = mirrorEntries(mirror.fragment as Record<string, unknown>);
    // The hub's assisted service writes this file onto the spoke as is: it must be in the spoke version's style.
    const style = versionCapabilities(version).icspRegistriesConfStyle === 'mirror-by-digest-only' ? 'legacy' : 'current';
    registriesConf =
      input.mirror?.registriesConf ?? text(vars, 'dci_mirror_registries_conf') ?? renderRegistriesConf(kind === 'icsp' ? { icsp: [entries], style } : { idms: [entries], style });
    const ca = mirror.fragment.additionalTrustBundle;
    const cm = `mirror-registry-${name}`;
    add(
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: cm, namespace: MCE_NAMESPACE, labels: { app: 'assisted-service' } }, data: { 'registries.conf': registriesConf, ...(ca ? { 'ca-bundle.crt': ca } : {}) } },
      `mirror: registries.conf (from ${kind === 'icsp' ? 'ICSP' : 'IDMS'} mirrors, ${style} style) and CA for the assisted service`,
    );
    add({ apiVersion: 'agent-install.openshift.io/v1beta1', kind: 'AgentServiceConfig', metadata: { name: 'agent' }, spec: { mirrorRegistryRef: { name: cm } } }, 'mirror: point the AgentServiceConfig at the mirror ConfigMap');
  }

  add(
    { apiVersion: 'v1', kind: 'Secret', metadata: { name: `pullsecret-${name}`, namespace: name }, type: 'kubernetes.io/dockerconfigjson', stringData: { '.dockerconfigjson': JSON.stringify(secret) } },
    'pull secret for the spoke',
  );
  add(
    { apiVersion: 'hive.openshift.io/v1', kind: 'ClusterImageSet', metadata: { name: imageSet, labels: { channel: 'stable', visible: 'true' } }, spec: { releaseImage: mirror.releaseImage } },
    `release image ${mirror.disconnected ? 'from the local mirror' : '(upstream)'}`,
  );
  add(
    {
      apiVersion: 'extensions.hive.openshift.io/v1beta1',
      kind: 'AgentClusterInstall',
      metadata: { name, namespace: name },
      spec: {
        clusterDeploymentRef: { name },
        imageSetRef: { name: imageSet },
        networking: { clusterNetwork: [{ cidr: clusterNet, hostPrefix }], machineNetwork: [{ cidr: machineCidr }], serviceNetwork: [serviceNet] },
        provisionRequirements: { controlPlaneAgents: 1, workerAgents: 0 },
        ...(sshKey ? { sshPublicKey: sshKey } : {}),
      },
    },
    'single control-plane agent, no workers',
  );
  add(
    {
      apiVersion: 'hive.openshift.io/v1',
      kind: 'ClusterDeployment',
      metadata: { name, namespace: name },
      spec: {
        clusterName: name,
        baseDomain,
        controlPlaneConfig: { servingCertificates: {} },
        installed: false,
        clusterInstallRef: { group: 'extensions.hive.openshift.io', kind: 'AgentClusterInstall', name, version: 'v1beta1' },
        platform: { agentBareMetal: { agentSelector: { matchLabels: { 'cluster-name': name } } } },
        pullSecretRef: { name: `pullsecret-${name}` },
      },
    },
    'cluster deployment',
  );
  add(
    {
      apiVersion: 'agent.open-cluster-management.io/v1',
      kind: 'KlusterletAddonConfig',
      metadata: { name, namespace: name },
      spec: {
        clusterName: name,
        clusterNamespace: name,
        clusterLabels: { cloud: 'auto-detect', vendor: 'auto-detect' },
        applicationManager: { enabled: false },
        certPolicyController: { enabled: false },
        iamPolicyController: { enabled: false },
        policyController: { enabled: false },
        searchCollector: { enabled: false },
      },
    },
    'klusterlet add-ons (all disabled)',
  );
  add({ apiVersion: 'cluster.open-cluster-management.io/v1', kind: 'ManagedCluster', metadata: { name }, spec: { hubAcceptsClient: true } }, 'register the spoke with the hub');
  const infra: PlannedObject = {
    apiVersion: 'agent-install.openshift.io/v1beta1',
    kind: 'InfraEnv',
    metadata: { name: infraEnv, namespace: name, labels: { 'agentclusterinstalls.extensions.hive.openshift.io/location': location, networkType: 'dhcp' } },
    spec: {
      clusterRef: { name, namespace: name },
      agentLabels: { 'agentclusterinstalls.extensions.hive.openshift.io/location': location },
      cpuArchitecture: 'x86_64',
      ipxeScriptType: 'DiscoveryImageAlways',
      nmStateConfigLabelSelector: { matchLabels: { 'infraenvs.agent-install.openshift.io': name } },
      pullSecretRef: { name: `pullsecret-${name}` },
      ...(sshKey ? { sshAuthorizedKey: sshKey } : {}),
    },
  };
  add(infra, 'discovery image environment');
  steps.push(api('wait', infra, 'wait: condition ImageCreated=True (discovery ISO built)'));
  add(
    { apiVersion: 'v1', kind: 'Secret', metadata: { name: `bmh-${name}`, namespace: name }, type: 'Opaque', stringData: { username: bmcUser, password: BMC_PASSWORD_PLACEHOLDER } },
    'BMC credentials (password filled in at run time)',
  );
  const bmh: PlannedObject = {
    apiVersion: 'metal3.io/v1alpha1',
    kind: 'BareMetalHost',
    metadata: {
      name,
      namespace: name,
      annotations: { 'inspect.metal3.io': 'disabled', 'bmac.agent-install.openshift.io/hostname': name, 'bmac.agent-install.openshift.io/role': 'master' },
      labels: { 'infraenvs.agent-install.openshift.io': infraEnv },
    },
    spec: {
      automatedCleaningMode: 'disabled',
      bmc: { address: bmcAddress, credentialsName: `bmh-${name}`, disableCertificateVerification: flag(vars, 'acm_bmc_disable_certificate_verification', true) },
      bootMACAddress: bootMac,
      online: true,
    },
  };
  add(bmh, 'the node: boots the discovery ISO through its BMC (virtual media)');
  steps.push(api('wait', bmh, 'wait: status.provisioning.state=provisioned'));
  const aci = objects.find((o) => o.kind === 'AgentClusterInstall') as PlannedObject;
  steps.push(api('wait', aci, 'wait: condition Completed=True (install progress followed, Failed=True stops it)'));
  steps.push({ kind: 'api', verb: 'wait', object: `Secret ${name}/${name}-admin-kubeconfig`, description: `credentials: fetch the spoke admin kubeconfig into the cluster configs dir (0600)` });

  return {
    installType: 'acm',
    workDir: `acm/${name}`,
    files: registriesConf ? [{ path: 'registries.conf', content: registriesConf }] : [],
    objects,
    steps,
    facts: {
      cluster: name,
      base_domain: baseDomain,
      ocp_version: version,
      hub_kubeconfig: hubKubeconfig,
      release_image: mirror.releaseImage,
      mirror_origin: mirror.disconnected ? mirror.origin : undefined,
      mirror_key: mirror.fragment.imageDigestSources ? 'imageDigestSources' : mirror.fragment.imageContentSources ? 'imageContentSources' : undefined,
      disconnected: mirror.disconnected,
      api_url: `https://api.${name}.${baseDomain}:6443`,
      console_url: `https://console-openshift-console.apps.${name}.${baseDomain}`,
      pull_secret_missing: missing,
      bmc_password: bmcPass,
      install_timeout_ms: seconds(vars, 'acm_install_timeout', 5400),
      infraenv_timeout_ms: seconds(vars, 'acm_infraenv_timeout', 600),
      poll_interval_ms: seconds(vars, 'acm_poll_interval', 30),
      force_deploy: flag(vars, 'acm_force_deploy', false),
    },
  };
}
