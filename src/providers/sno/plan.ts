/**
 * Single Node OpenShift through the agent-based installer: install-config.yaml (1 control-plane replica,
 * 0 workers, platform none, bootstrapInPlace disk like the redhatci `sno_installer` template) and
 * agent-config.yaml (rendezvous IP, the node's MAC and interface, root device hint), `agent create image` on
 * the provisioner, the ISO published under the cache web server, a Redfish virtual-media boot of the node,
 * then `agent wait-for bootstrap-complete` and `install-complete`. Pure.
 */
import { isIP } from 'node:net';
import type { InstallPlan, PlannedFile, ProviderInput } from '../types.js';
import { redfishEndpoint } from '../common/bmc.js';
import { clockServers } from '../common/chrony.js';
import { clusterIdentity, extraManifests, installConfig, pullSecretOf, yaml } from '../common/install-config.js';
import { clusterUrls, DEFAULT_INSTALL_TIMEOUT_S, installerFacts, provisionerExtraPath } from '../common/installer-facts.js';
import { cachedBinary, EXTRACT_TMP, lockedArgv } from '../common/lock.js';
import { mirrorSettings } from '../common/mirror.js';
import { cacheStore, join, workDir } from '../common/paths.js';
import { command, http } from '../common/steps.js';
import { badVar, flag, members, missingVar, provisionerHost, seconds, text } from '../common/vars.js';
import { ocpVersion } from '../common/versions.js';

const WHY = 'for an sno install';
export const ISO_NAME = 'agent.x86_64.iso';

export function snoPlan(input: ProviderInput): InstallPlan {
  const vars = input.vars;
  const version = ocpVersion(vars);
  const id = clusterIdentity(vars, WHY);
  const masters = members(input, 'masters');
  if (masters.length !== 1) {
    if (masters.length === 0) throw missingVar(undefined, '[masters]', `${WHY}: the one node of the cluster`, 'add a masters group with the node, its BMC (ipmi_address, ipmi_user, ipmi_password), baremetal_mac and installation_disk');
    throw badVar(undefined, '[masters]', `has ${masters.length} hosts (${masters.map((m) => m.name).join(', ')}); Single Node OpenShift has exactly one`, 'keep one host in masters, or use install_type=ipi');
  }
  if (text(vars, 'sno_install_type') === 'virtual') {
    throw badVar(undefined, 'sno_install_type', 'virtual (a libvirt VM made by the installer role) is not supported by dci-agent-ts yet', 'boot the VM through a Redfish BMC emulator (sushy-tools: vendor=kvm, kvm_uuid=...) with sno_install_type=baremetal');
  }
  const node = masters[0];
  const nodeName = text(node.vars, 'name') ?? node.name;
  const mac = text(node.vars, 'baremetal_mac');
  if (!mac) throw missingVar(node.name, 'baremetal_mac', WHY, `add baremetal_mac=<MAC of the node's NIC on the machine network> to ${node.name}`);
  if (!/^[0-9a-f]{2}([:-][0-9a-f]{2}){5}$/i.test(mac)) throw badVar(node.name, 'baremetal_mac', `${JSON.stringify(mac)} is not a MAC address`, 'write it like 52:54:00:aa:bb:cc (quoted in YAML)');
  const rendezvous = text(node.vars, 'rendezvous_ip', 'sno_extnet_ip', 'ansible_host');
  if (!rendezvous) throw missingVar(node.name, 'ansible_host', `${WHY} (the node's IP, agent-config rendezvousIP)`, `add ansible_host=<node IP> (or rendezvous_ip=...) to ${node.name}`);
  if (!isIP(rendezvous)) throw badVar(node.name, 'ansible_host', `${JSON.stringify(rendezvous)} is not an IP address; rendezvousIP must be the node's IP`, `set rendezvous_ip=<node IP> on ${node.name}`);
  const username = text(node.vars, 'ipmi_user', 'bmc_user');
  if (!username) throw missingVar(node.name, 'ipmi_user', WHY);
  const password = text(node.vars, 'ipmi_password', 'bmc_password');
  if (!password) throw missingVar(node.name, 'ipmi_password', WHY);
  const bmc = redfishEndpoint(node, input.groups, vars);
  const webserver = text(vars, 'webserver_url');
  if (!webserver) throw missingVar(undefined, 'webserver_url', `${WHY} (the BMC downloads the agent ISO from the cache web server)`, 'set webserver_url=http://<cache host>:8080 (serving provision_cache_store)');
  const disk = text(node.vars, 'installation_disk') ?? '/dev/sda';

  const mirror = mirrorSettings(input, version);
  const doc = installConfig(
    id,
    vars,
    {
      compute: [{ name: 'worker', replicas: 0, architecture: 'amd64', hyperthreading: 'Enabled' }],
      controlPlane: { name: 'master', replicas: 1, architecture: 'amd64', hyperthreading: 'Enabled' },
      platform: { none: {} },
      bootstrapInPlace: { installationDisk: disk },
      publish: 'External',
    },
    mirror,
  );
  const agentConfig: Record<string, unknown> = {
    apiVersion: 'v1beta1',
    kind: 'AgentConfig',
    metadata: { name: id.cluster },
    rendezvousIP: rendezvous,
    hosts: [
      {
        hostname: nodeName,
        role: 'master',
        interfaces: [{ name: text(node.vars, 'baremetal_nic', 'pub_nic') ?? text(vars, 'baremetal_nic', 'pub_nic') ?? 'eno1', macAddress: mac.toLowerCase() }],
        rootDeviceHints: { deviceName: disk },
      },
    ],
  };
  const ntp = text(node.vars, 'ntp_server') ?? text(vars, 'ntp_server');
  // clock_servers (the ipi chrony MachineConfigs) means the same for the single node: its NTP sources.
  const ntpSources = ntp ? [ntp] : clockServers(vars);
  if (ntpSources.length) agentConfig.additionalNTPSources = ntpSources;

  const prov = provisionerHost(input).name;
  const dir = workDir(vars);
  const store = cacheStore(vars);
  const cache = join(store, version);
  const bin = join(cache, 'openshift-install');
  const isoDir = join(store, id.cluster);
  const isoUrl = `${webserver.replace(/\/+$/, '')}/${id.cluster}/${ISO_NAME}`;
  const timeoutMs = seconds(vars, 'dci_install_timeout', DEFAULT_INSTALL_TIMEOUT_S);
  const ps = pullSecretOf(vars);
  const files: PlannedFile[] = [
    { path: 'pull-secret.txt', content: JSON.stringify(ps.secret) + '\n', secret: true },
    { path: 'install-config.yaml', content: yaml(doc), secret: true },
    { path: 'agent-config.yaml', content: yaml(agentConfig) },
    ...extraManifests(vars).map((m) => ({ path: `openshift/${m.name}`, content: m.content })),
  ];
  const extract = ['oc', 'adm', 'release', 'extract', '--registry-config', join(dir, 'pull-secret.txt'), '--command=openshift-install', '--to', EXTRACT_TMP, mirror.releaseImage];
  const sys = bmc.systemPath ?? '/redfish/v1/Systems/<the only member>';
  const steps = [
    command(prov, 'prepare', `empty the installer dir ${dir}`, ['rm', '-rf', dir]),
    command(prov, 'prepare', `create ${dir}, the installer cache ${cache} and the ISO dir ${isoDir}`, ['mkdir', '-p', join(dir, 'openshift'), cache, isoDir]),
    command(prov, 'installer', `extract openshift-install for ${version} from ${mirror.releaseImage} into the cache (once per version, under a lock)`, lockedArgv(join(cache, '.extract.lock'), cachedBinary(bin, extract)), 30 * 60_000),
    command(prov, 'image', 'agent create image from install-config.yaml and agent-config.yaml', [bin, '--dir', dir, '--log-level', 'debug', 'agent', 'create', 'image'], 60 * 60_000),
    command(prov, 'publish', `serve the ISO from the cache web server as ${isoUrl}`, ['install', '-m', '0644', join(dir, ISO_NAME), join(isoDir, ISO_NAME)]),
    http('GET', isoUrl, 'check', 'the cache web server serves the ISO (HTTP 404 stops here; unreachable from the controller: a warning)'),
    http('GET', `${bmc.baseUrl}${sys}`, 'boot', `read the system of ${node.name} (power state, managers, virtual media)`),
    http('POST', `${bmc.baseUrl}<CD virtual media>/Actions/VirtualMedia.EjectMedia`, 'boot', 'eject the media already inserted (only if any)'),
    http('POST', `${bmc.baseUrl}<CD virtual media>/Actions/VirtualMedia.InsertMedia`, 'boot', `InsertMedia ${isoUrl}`),
    http('PATCH', `${bmc.baseUrl}${sys}`, 'boot', 'one-time boot override: BootSourceOverrideTarget Cd, Enabled Once'),
    http('POST', `${bmc.baseUrl}${sys}/Actions/ComputerSystem.Reset`, 'boot', 'ForceRestart (On when powered off)'),
    command(prov, 'bootstrap', 'agent wait-for bootstrap-complete (log streamed)', [bin, '--dir', dir, 'agent', 'wait-for', 'bootstrap-complete', '--log-level', 'debug'], timeoutMs),
    command(prov, 'install', 'agent wait-for install-complete (log streamed; retried per dci_install_retries)', [bin, '--dir', dir, 'agent', 'wait-for', 'install-complete', '--log-level', 'debug'], timeoutMs),
  ];
  return {
    installType: 'sno',
    workDir: dir,
    files,
    objects: [],
    steps,
    facts: {
      ...installerFacts({ version, id, provisioner: prov, command: 'openshift-install', path: bin, mirror, pullSecret: ps }),
      wait_for_retries: Number(text(vars, 'dci_install_retries') ?? 1),
      extra_path: provisionerExtraPath(input),
      node: node.name,
      iso_url: isoUrl,
      provision_cache_store: store,
      bmc_base_url: bmc.baseUrl,
      ...(bmc.systemPath ? { bmc_system_path: bmc.systemPath } : {}),
      bmc_verify_tls: bmc.verifyTls,
      bmc_username: username,
      bmc_password: password,
      ...clusterUrls(id),
      disconnected: flag(vars, 'dci_disconnected', false),
    },
  };
}
