/**
 * IPI bare metal, planned like the redhatci `installer` role: on the provisioner host, get the installer binary
 * for the version (cached per version under a lock), write install-config.yaml (baremetal platform, VIPs, one
 * host per master/worker with its BMC and boot MAC), cache the RHCOS images when disconnected (rhcos-cache.ts),
 * `create manifests`, extra manifests, remove a bootstrap VM left by an earlier install (bootstrap-cleanup.ts),
 * power the nodes off through their BMCs (power-off.ts), `create cluster`
 * (streamed, with a timeout), `wait-for bootstrap-complete` (increase_bootstrap_timeout) and `wait-for
 * install-complete` (increase_install_timeout) when it fails, then the credentials.
 * Pure: every value comes from the ProviderInput.
 */
import { compareMinor } from '../../manifests/index.js';
import type { InstallPlan, PlannedFile, ProviderInput } from '../types.js';
import { bmcAddress } from '../common/bmc.js';
import { bootstrapCleanupStep } from '../common/bootstrap-cleanup.js';
import { chronyManifests } from '../common/chrony.js';
import { clusterIdentity, extraManifests, installConfig, NETWORK_CONFIG_VAR, pullSecretOf, yaml } from '../common/install-config.js';
import { clusterUrls, DEFAULT_INSTALL_TIMEOUT_S, installerFacts, provisionerExtraPath } from '../common/installer-facts.js';
import { cachedBinary, EXTRACT_TMP, lockedArgv } from '../common/lock.js';
import { mirrorSettings } from '../common/mirror.js';
import { powerOffPlan } from '../common/power-off.js';
import { rhcosCachePlan } from '../common/rhcos-cache.js';
import { cacheStore, join, workDir } from '../common/paths.js';
import { command } from '../common/steps.js';
import { badVar, count, flag, members, missingVar, provisionerHost, seconds, text, type HostEntry } from '../common/vars.js';
import { installerCommand, ocpVersion } from '../common/versions.js';
import { ipiNetwork, ipiProxy } from './network.js';

const WHY = 'for an ipi install';
/** The installer role's accepted root device hints (roothint_list). */
export const ROOT_HINTS = ['deviceName', 'hctl', 'model', 'vendor', 'serialNumber', 'minSizeGigabytes', 'wwn', 'wwnWithExtension', 'wwnVendorExtension', 'rotational'];

function rootDeviceHints(h: HostEntry): Record<string, unknown> | undefined {
  const hint = text(h.vars, 'root_device_hint');
  const value = text(h.vars, 'root_device_hint_value');
  if (hint) {
    if (!ROOT_HINTS.includes(hint)) throw badVar(h.name, 'root_device_hint', `"${hint}" is not a root device hint`, `use one of ${ROOT_HINTS.join(', ')}`);
    if (value === undefined) throw missingVar(h.name, 'root_device_hint_value', `when root_device_hint=${hint} is set`);
    if (hint === 'minSizeGigabytes') return { [hint]: Number(value) };
    if (hint === 'rotational') return { [hint]: /^(true|yes|1)$/i.test(value) };
    return { [hint]: value };
  }
  const disk = text(h.vars, 'installation_disk');
  return disk ? { deviceName: disk } : undefined;
}

function hostEntry(h: HostEntry, role: 'master' | 'worker', input: ProviderInput, version: string): Record<string, unknown> {
  const bmc = bmcAddress(h, input.groups, input.vars);
  const username = text(h.vars, 'ipmi_user', 'bmc_user');
  if (!username) throw missingVar(h.name, 'ipmi_user', WHY);
  const password = text(h.vars, 'ipmi_password', 'bmc_password');
  if (!password) throw missingVar(h.name, 'ipmi_password', WHY);
  const mac = text(h.vars, 'provision_mac');
  if (!mac) throw missingVar(h.name, 'provision_mac', WHY, `add provision_mac=<MAC of the NIC on the provisioning network> to the host line of ${h.name}`);
  if (!/^[0-9a-f]{2}([:-][0-9a-f]{2}){5}$/i.test(mac)) throw badVar(h.name, 'provision_mac', `${JSON.stringify(mac)} is not a MAC address`, 'write it like 52:54:00:aa:bb:cc (quoted in YAML)');
  const entry: Record<string, unknown> = {
    name: text(h.vars, 'name') ?? h.name,
    role,
    bmc: { address: bmc.address, username, password, ...(bmc.disableCertificateVerification !== undefined ? { disableCertificateVerification: bmc.disableCertificateVerification } : {}) },
    bootMACAddress: mac.toLowerCase(),
  };
  if (text(h.vars, 'bootmode') === 'legacy') entry.bootMode = 'legacy';
  const hints = rootDeviceHints(h);
  if (hints) entry.rootDeviceHints = hints;
  // nmstate networkConfig from 4.10 (the role's *_network_config_template, rendered when gathering).
  const net = h.vars[NETWORK_CONFIG_VAR] ?? h.vars.network_config;
  if (net !== undefined && net !== null && net !== '' && compareMinor(version, '4.10') >= 0) {
    if (typeof net !== 'object' || Array.isArray(net)) throw badVar(h.name, 'network_config', 'must be an nmstate mapping (interfaces:, dns-resolver:, routes:)', 'give it as YAML, or set master_network_config_template / worker_network_config_template');
    entry.networkConfig = net;
  }
  return entry;
}

export function ipiPlan(input: ProviderInput): InstallPlan {
  const vars = input.vars;
  const version = ocpVersion(vars);
  const id = clusterIdentity(vars, WHY);
  const masters = members(input, 'masters');
  if (masters.length === 0) throw missingVar(undefined, '[masters]', `${WHY}: list the control-plane nodes`, 'add a masters group with each node and its ipmi_address, ipmi_user, ipmi_password and provision_mac');
  const workers = members(input, 'workers');
  const virtualMedia = flag(vars, 'enable_virtualmedia', false);
  const net = ipiNetwork(vars, version, virtualMedia);

  const hosts = [...masters.map((h) => hostEntry(h, 'master', input, version)), ...workers.map((h) => hostEntry(h, 'worker', input, version))];
  const baremetal: Record<string, unknown> = { ...net.vips };
  const external = text(vars, 'baremetal_bridge') ?? 'baremetal';
  if (virtualMedia) {
    // install-config-virtualmedia.j2: no provisioning network; the nodes boot the RHCOS ISO through their BMCs.
    baremetal.provisioningNetwork = 'Disabled';
    if (external !== 'baremetal') baremetal.externalBridge = external;
    if (flag(vars, 'static_bootstrap_extnet', false) && compareMinor(version, '4.12') >= 0) {
      const need = ['bootstrapExternalStaticIP', 'bootstrapExternalStaticGateway', ...(compareMinor(version, '4.14') >= 0 ? ['bootstrapExternalStaticDNS'] : [])];
      for (const n of need) {
        const v = text(vars, n);
        if (!v) throw missingVar(undefined, n, `${WHY} with enable_virtualmedia and static_bootstrap_extnet on ${version}`, `set ${n}=<the bootstrap VM's ${n.replace('bootstrapExternalStatic', '').toLowerCase()} on the baremetal network>`);
        baremetal[n] = v;
      }
    }
  } else {
    baremetal.provisioningBridge = text(vars, 'provisioning_bridge') ?? 'provisioning';
    if (external !== 'baremetal') baremetal.externalBridge = external;
    const provNic = text(vars, 'masters_prov_nic', 'prov_nic');
    if (provNic) baremetal.provisioningNetworkInterface = provNic;
    Object.assign(baremetal, net.provisioning);
  }
  const prov = provisionerHost(input).name;
  const store = cacheStore(vars);
  const cache = join(store, version);
  const cmd = installerCommand(version);
  const bin = join(cache, cmd);
  const rhcos = rhcosCachePlan(input, version, bin, store, WHY);
  Object.assign(baremetal, rhcos.baremetal);
  baremetal.hosts = hosts;

  const mirror = mirrorSettings(input, version);
  const doc = installConfig(
    id,
    vars,
    {
      // Replace the shared networking (and proxy: the role adds the provisioning network to noProxy) in place.
      networking: net.networking,
      ...ipiProxy(vars, net.provisioningSubnet),
      compute: [{ name: 'worker', replicas: workers.length, platform: { baremetal: {} } }],
      controlPlane: { name: 'master', replicas: masters.length, platform: { baremetal: {} } },
      platform: { baremetal },
    },
    mirror,
  );

  const dir = workDir(vars);
  const powerOff = powerOffPlan(input, [...masters, ...workers], prov, `${WHY} (the nodes are powered off before create cluster)`);
  const timeoutMs = seconds(vars, 'dci_install_timeout', DEFAULT_INSTALL_TIMEOUT_S);
  // The installer role's knobs: after a failed create cluster, retry wait-for bootstrap-complete then
  // install-complete that many times (dci_install_retries is the port's older name for the second).
  const bootstrapRetries = count(vars, 0, 'increase_bootstrap_timeout');
  const installRetries = Math.max(1, count(vars, 1, 'increase_install_timeout', 'dci_install_retries'));
  const ps = pullSecretOf(vars);
  const files: PlannedFile[] = [
    { path: 'pull-secret.txt', content: JSON.stringify(ps.secret) + '\n', secret: true },
    { path: 'install-config.yaml', content: yaml(doc), secret: true },
    ...extraManifests(vars).map((m) => ({ path: `openshift/${m.name}`, content: m.content })),
    ...chronyManifests(vars).map((m) => ({ path: `openshift/${m.name}`, content: m.content })),
  ];
  const extract = ['oc', 'adm', 'release', 'extract', '--registry-config', join(dir, 'pull-secret.txt'), `--command=${cmd}`, '--to', EXTRACT_TMP, mirror.releaseImage];
  const steps = [
    command(prov, 'prepare', `empty the installer dir ${dir}`, ['rm', '-rf', dir]),
    command(prov, 'prepare', `create ${dir} and the installer cache ${cache}`, ['mkdir', '-p', join(dir, 'openshift'), cache]),
    command(prov, 'installer', `extract ${cmd} for ${version} from ${mirror.releaseImage} into the cache (once per version, under a lock)`, lockedArgv(join(cache, '.extract.lock'), cachedBinary(bin, extract)), 30 * 60_000),
    ...rhcos.steps,
    command(prov, 'manifests', 'create manifests from install-config.yaml', [bin, '--dir', dir, 'create', 'manifests'], 30 * 60_000),
    bootstrapCleanupStep(prov),
    ...powerOff.steps,
    command(prov, 'cluster', `create cluster (timeout ${Math.round(timeoutMs / 1000)} s, log streamed)`, [bin, '--dir', dir, '--log-level', 'debug', 'create', 'cluster'], timeoutMs),
    ...(bootstrapRetries > 0 ? [command(prov, 'wait-for-bootstrap', `only if create cluster failed: wait-for bootstrap-complete (up to ${bootstrapRetries} attempts, increase_bootstrap_timeout)`, [bin, '--dir', dir, '--log-level', 'debug', 'wait-for', 'bootstrap-complete'], timeoutMs)] : []),
    command(prov, 'wait-for', `only if create cluster failed: wait-for install-complete (up to ${installRetries} attempt${installRetries === 1 ? '' : 's'})`, [bin, '--dir', dir, 'wait-for', 'install-complete'], timeoutMs),
  ];
  return {
    installType: 'ipi',
    workDir: dir,
    files,
    objects: [],
    steps,
    facts: {
      ...installerFacts({ version, id, provisioner: prov, command: cmd, path: bin, mirror, pullSecret: ps }),
      wait_for_retries: installRetries,
      wait_for_bootstrap_retries: bootstrapRetries,
      extra_path: provisionerExtraPath(input),
      ...clusterUrls(id),
      disconnected: flag(vars, 'dci_disconnected', false),
      rhcos_cached_images: rhcos.images,
      ...(rhcos.webserver ? { rhcos_cache_webserver: rhcos.webserver } : {}),
      power_off: powerOff.nodes,
      poweroff_skipped: powerOff.skipped,
    },
  };
}
