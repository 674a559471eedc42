/**
 * A fake `openshift-install` / `openshift-baremetal-install` and a fake `oc` (for `oc adm release extract`),
 * written as node scripts into a temp bin dir that tests put on the provisioner's PATH.
 *
 * `oc adm release extract --command=NAME --to DIR IMAGE` checks the registry config is a pull secret and writes
 * the installer NAME into DIR. The installer validates install-config.yaml like the real one (apiVersion,
 * baseDomain, metadata.name, pullSecret; never imageContentSources and imageDigestSources together;
 * imageDigestSources only from 4.14; apiVIPs lists only from 4.12; baremetal hosts with BMC and boot MAC; the
 * plain openshift-install refuses platform baremetal before 4.16; platform none needs 1 control-plane replica
 * and 0 workers) and agent-config.yaml (AgentConfig v1beta1, rendezvousIP an IP in the machine network,
 * host MACs), consumes the files, writes auth/kubeconfig + auth/kubeadmin-password, prints realistic progress
 * (including the kubeadmin password line the real one prints, also into `<dir>/.openshift_install.log`), and exits with the real exit codes
 * (3 config, 5 bootstrap, 6 install).
 *
 * `coreos print-stream-json` prints the release's RHCOS stream metadata (the real format: architectures.x86_64
 * .artifacts.<qemu|openstack|metal>.formats.<qcow2.gz|iso>.disk {location, sha256, uncompressed-sha256}); the
 * images exist (small gzip files made here, real sha256s) and are served from `file://` by default or from
 * `rhcosBaseUrl`. bootstrapOSImage/clusterOSImage must be http(s) URLs with a `sha256` parameter (the real
 * validation); with `verifyOsImages`, `create cluster` downloads bootstrapOSImage like the real one does for the
 * bootstrap VM and checks the uncompressed sha256 (clusterOSImage: the sha256 of the file).
 *
 * A fake `virsh` (qemu:///system only) holds the provisioner's libvirt domains and pool volumes (`libvirt.json`):
 * list/destroy/undefine (--nvram needed for UEFI domains), pool-list, vol-list (the real table), vol-delete.
 *
 * A fake `ipmitool` sits next to `oc`: `-I lanplus -H h [-p port] -U user (-E with IPMI_PASSWORD | -P | -f) power
 * status|on|off`, one power state per BMC host (on by default), a wrong password or an unreachable BMC fails like
 * the real one; its calls go to `ipmi.log` (password never logged), not `calls.log`.
 *
 * Control files in the state dir: `extract-failures` (the next N `oc adm release extract` fail), `fail-at` (phase names, one a line: manifests, bootstrap, install, wait-for, wait-for-bootstrap,
 * image, agent-bootstrap, agent-install), `hang-at` (same, sleeps 30 s then fails, so a timeout test leaves nothing behind), `require-boot` (agent wait-for
 * bootstrap-complete fails unless `booted-iso` exists — the fake Redfish writes it). Every call is appended to
 * `calls.log` as JSON (tool, argv, cwd, OPENSHIFT_INSTALL_RELEASE_IMAGE_OVERRIDE).
 */
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface FakeInstallerOptions {
  /** The release version the fake tools report. */
  version: string;
  failAt?: string[];
  /** Make agent wait-for bootstrap-complete wait for the node to boot the ISO (`bootedMarker()` written). */
  requireBoot?: boolean;
  /** Where the RHCOS images are downloaded from (an HTTP server serving `rhcos.dir`); default `file://<rhcos.dir>`. */
  rhcosBaseUrl?: string;
  /** `create cluster` downloads bootstrapOSImage and checks its sha256 (the web server must serve it). */
  verifyOsImages?: boolean;
  /** The admin kubeconfig the installed cluster hands out (e.g. a fake API server's, for full-run tests);
   * default: a generated one naming https://api.<cluster>.<baseDomain>:6443. */
  kubeconfig?: string;
}

export interface FakeCall {
  tool: string;
  argv: string[];
  cwd: string;
  releaseOverride: string | null;
}

export interface FakeRhcosImage {
  file: string;
  sha256: string;
  /** sha256 of the gunzipped image (qcow2.gz images). */
  uncompressedSha256?: string;
}

export interface FakeLibvirt {
  domains: Array<{ name: string; state: 'running' | 'shut off'; nvram?: boolean }>;
  pools: Record<string, string[]>;
}

export interface FakeIpmiCall {
  host: string;
  port: string;
  user: string;
  command: string;
  /** How the password came: env (-E), arg (-P) or file (-f). */
  passwordFrom: string;
}

export interface FakeInstaller {
  /** Put this on the provisioner's PATH (holds `oc` and `ipmitool`). */
  binDir: string;
  stateDir: string;
  failAt(phases: string[]): void;
  hangAt(phases: string[]): void;
  calls(): FakeCall[];
  /** Where the fake Redfish records the boot (the installer reads it). */
  bootedMarker(): string;
  /** The provisioner's libvirt behind the fake `virsh` (bootstrap VMs and volumes left by earlier installs). */
  libvirt: {
    set(state: FakeLibvirt): void;
    get(): FakeLibvirt;
    calls(): string[][];
  };
  /** The next `n` `oc adm release extract` calls fail (connection refused). */
  failExtract(n: number): void;
  /** The release's RHCOS images (what `coreos print-stream-json` lists). */
  rhcos: { dir: string; images: Record<'qemu' | 'openstack' | 'metal-iso', FakeRhcosImage> };
  /** The fake BMCs behind `ipmitool`. */
  ipmi: {
    calls(): FakeIpmiCall[];
    power(host: string): 'on' | 'off';
    setPower(host: string, state: 'on' | 'off'): void;
    /** Only this password opens the BMC at `host` (default: any non-empty password). */
    setPassword(host: string, password: string): void;
    unreachable(host: string): void;
  };
  /** bootstrapOSImage/clusterOSImage downloads made by `create cluster` (verifyOsImages). */
  osImageDownloads(): Array<{ field: string; url: string }>;
  cleanup(): void;
}

const INSTALLER = String.raw`
'use strict';
const fs = require('fs');
const path = require('path');
const net = require('net');
const yaml = require(__YAML__);
const STATE = __STATE__;
const VERSION = __VERSION__;
const NAME = path.basename(process.argv[1]);
const argv = process.argv.slice(2);
fs.appendFileSync(path.join(STATE, 'calls.log'), JSON.stringify({ tool: NAME, argv, cwd: process.cwd(), releaseOverride: process.env.OPENSHIFT_INSTALL_RELEASE_IMAGE_OVERRIDE || null }) + '\n');
const lines = (f) => (fs.existsSync(path.join(STATE, f)) ? fs.readFileSync(path.join(STATE, f), 'utf8').split('\n').map((s) => s.trim()).filter(Boolean) : []);
const failAt = (p) => lines('fail-at').includes(p);
const minor = (() => { const m = /^v?(\d+)\.(\d+)/.exec(VERSION); return Number(m[1]) * 1000 + Number(m[2]); })();
const atLeast = (v) => { const [a, b] = v.split('.').map(Number); return minor >= a * 1000 + b; };
// Like the real one: every message, debug included, also goes to <dir>/.openshift_install.log (logfmt lines).
const logFile = (level, m) => { if (!argv.includes('--dir')) return; try { fs.appendFileSync(path.join(dir, '.openshift_install.log'), 'time="' + new Date().toISOString() + '" level=' + level + ' msg=' + JSON.stringify(m) + '\n'); } catch (e) { /* no dir yet */ } };
const info = (m) => { logFile('info', m); console.log('INFO ' + m); };
const debug = (m) => { logFile('debug', m); if (argv.includes('debug')) console.error('DEBUG ' + m); };
const fatal = (m, code) => { logFile('fatal', m); console.error('FATAL ' + m); process.exit(code || 3); };
async function hangIf(p) { if (lines('hang-at').includes(p)) { info('waiting (hang-at ' + p + ')'); await new Promise((r) => setTimeout(r, 30000)); fatal('gave up waiting (hang-at ' + p + ')', 1); } }

const di = argv.indexOf('--dir');
const dir = path.resolve(di >= 0 ? argv[di + 1] : '.');
const words = argv.filter((a, i) => !a.startsWith('--') && argv[i - 1] !== '--dir' && argv[i - 1] !== '--log-level');
const statePath = path.join(dir, '.openshift_install_state.json');

function loadYaml(file) {
  const p = path.join(dir, file);
  if (!fs.existsSync(p)) return undefined;
  try { return yaml.load(fs.readFileSync(p, 'utf8')); } catch (e) { fatal('failed to fetch ' + file + ': failed to unmarshal ' + file + ': ' + e.message.split('\n')[0]); }
}
const isMac = (m) => typeof m === 'string' && /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i.test(m);
function inCidr(ip, cidr) {
  const [base, bits] = cidr.split('/');
  if (!net.isIPv4(ip) || !net.isIPv4(base)) return true;
  const n = (s) => s.split('.').reduce((a, x) => a * 256 + Number(x), 0);
  const mask = bits === '0' ? 0 : (0xffffffff << (32 - Number(bits))) >>> 0;
  return ((n(ip) & mask) >>> 0) === ((n(base) & mask) >>> 0);
}

function validateInstallConfig(ic, agent) {
  const errs = [];
  if (!ic || typeof ic !== 'object') fatal('failed to fetch Install Config: install-config.yaml is empty');
  if (ic.apiVersion !== 'v1') errs.push('apiVersion: Invalid value: ' + JSON.stringify(ic.apiVersion) + ': install-config version must be "v1"');
  if (!ic.baseDomain) errs.push('baseDomain: Required value');
  if (!ic.metadata || !ic.metadata.name) errs.push('metadata.name: Required value: cluster name required');
  if (!ic.pullSecret) errs.push('pullSecret: Required value');
  else {
    try { const ps = JSON.parse(ic.pullSecret); if (!ps || typeof ps.auths !== 'object') errs.push('pullSecret: Invalid value: "<redacted>": auths required'); }
    catch (e) { errs.push('pullSecret: Invalid value: "<redacted>": ' + e.message); }
  }
  if (ic.imageContentSources && ic.imageDigestSources) errs.push('imageContentSources: Forbidden: cannot set imageContentSources and imageDigestSources at the same time');
  if (ic.imageDigestSources && !atLeast('4.14')) errs.push('error unmarshaling JSON: while decoding JSON: json: unknown field "imageDigestSources"');
  for (const key of ['imageContentSources', 'imageDigestSources']) {
    for (const [i, s] of (ic[key] || []).entries()) if (!s.source || !Array.isArray(s.mirrors) || s.mirrors.length === 0) errs.push(key + '[' + i + ']: Invalid value: source and mirrors required');
  }
  if (ic.additionalTrustBundle && !/-----BEGIN CERTIFICATE-----/.test(ic.additionalTrustBundle)) errs.push('additionalTrustBundle: Invalid value: "...": invalid block');
  const platform = ic.platform || {};
  const names = Object.keys(platform);
  if (names.length !== 1) errs.push('platform: Invalid value: must specify one platform');
  const cp = (ic.controlPlane && ic.controlPlane.replicas) || 0;
  const workers = ((ic.compute || []).find((c) => c.name === 'worker') || { replicas: 0 }).replicas;
  if (platform.baremetal) {
    if (NAME === 'openshift-install' && !atLeast('4.16')) errs.push('platform: Unsupported value: "baremetal": supported values: "aws", "azure", "gcp", "none", "openstack", "vsphere" (use openshift-baremetal-install before 4.16)');
    const b = platform.baremetal;
    for (const kind of ['api', 'ingress']) {
      const list = b[kind + 'VIPs'];
      const single = b[kind + 'VIP'];
      if (list !== undefined && !atLeast('4.12')) errs.push('error unmarshaling JSON: while decoding JSON: json: unknown field "' + kind + 'VIPs"');
      if (list === undefined && single === undefined) errs.push('platform.baremetal.' + kind + 'VIPs: Required value: must specify at least one VIP for the ' + kind.toUpperCase());
      if (list !== undefined && (!Array.isArray(list) || list.some((v) => !net.isIP(String(v))))) errs.push('platform.baremetal.' + kind + 'VIPs: Invalid value: ' + JSON.stringify(list) + ': must be a list of IPs');
      if (single !== undefined && !net.isIP(String(single))) errs.push('platform.baremetal.' + kind + 'VIP: Invalid value: ' + JSON.stringify(single) + ': "' + single + '" is not a valid IP');
      if (single !== undefined && atLeast('4.12')) console.error('WARNING platform.baremetal.' + kind + 'VIP is deprecated, use ' + kind + 'VIPs');
    }
    const hosts = b.hosts || [];
    let masters = 0;
    hosts.forEach((h, i) => {
      const p = 'platform.baremetal.hosts[' + i + ']';
      if (!h.name) errs.push(p + '.name: Required value');
      if (h.role === 'master') masters++;
      if (!h.bmc || !h.bmc.address) errs.push(p + '.bmc.address: Required value');
      else if (!/^(ipmi|redfish|redfish-virtualmedia|idrac-virtualmedia|idrac|irmc|ilo4|ilo5|ilo5-redfish|redfish-uefihttp)(\+https?)?:\/\//.test(h.bmc.address)) errs.push(p + '.bmc.address: Invalid value: ' + JSON.stringify(h.bmc.address) + ': unknown driver');
      if (!h.bmc || !h.bmc.username) errs.push(p + '.bmc.username: Required value');
      if (!h.bmc || !h.bmc.password) errs.push(p + '.bmc.password: Required value');
      if (h.networkConfig !== undefined) {
        if (!atLeast('4.10')) errs.push('error unmarshaling JSON: while decoding JSON: json: unknown field "networkConfig"');
        else if (!h.networkConfig || typeof h.networkConfig !== 'object' || Array.isArray(h.networkConfig)) errs.push(p + '.networkConfig: Invalid value: ' + JSON.stringify(h.networkConfig) + ': networkConfig must be an nmstate document');
        else if (h.networkConfig.interfaces !== undefined && (!Array.isArray(h.networkConfig.interfaces) || h.networkConfig.interfaces.some((i) => !i || !i.name))) errs.push(p + '.networkConfig: Invalid value: "...": failed to validate network yaml for host ' + h.name + ': interfaces must be a list of named interfaces');
      }
      if (!isMac(h.bootMACAddress)) errs.push(p + '.bootMACAddress: Invalid value: ' + JSON.stringify(h.bootMACAddress) + ': invalid MAC address');
    });
    const provNet = b.provisioningNetwork === undefined ? 'Managed' : b.provisioningNetwork;
    if (!['Managed', 'Unmanaged', 'Disabled'].includes(provNet)) errs.push('platform.baremetal.provisioningNetwork: Unsupported value: ' + JSON.stringify(provNet) + ': supported values: "Managed", "Unmanaged", "Disabled"');
    if (provNet === 'Disabled') {
      hosts.forEach((h, i) => { if (h.bmc && /^(ipmi|irmc|idrac|ilo4|ilo5)(\+https?)?:\/\//.test(String(h.bmc.address || ''))) errs.push('platform.baremetal.hosts[' + i + '].BMC.Address: Invalid value: "' + String(h.bmc.address).split(':')[0] + '://...": driver ' + String(h.bmc.address).split(':')[0] + ' requires provisioning network'); });
      if (b.provisioningNetworkCIDR) errs.push('platform.baremetal.provisioningNetworkCIDR: Invalid value: "' + b.provisioningNetworkCIDR + '": provisioning network is disabled');
    }
    for (const f of ['bootstrapExternalStaticIP', 'bootstrapExternalStaticGateway', 'bootstrapExternalStaticDNS']) {
      if (b[f] === undefined) continue;
      if (!atLeast(f === 'bootstrapExternalStaticDNS' ? '4.14' : '4.12')) errs.push('error unmarshaling JSON: while decoding JSON: json: unknown field "' + f + '"');
      else if (!net.isIP(String(b[f]))) errs.push('platform.baremetal.' + f + ': Invalid value: ' + JSON.stringify(b[f]) + ': not a valid IP');
    }
    for (const field of ['bootstrapOSImage', 'clusterOSImage']) {
      if (b[field] === undefined) continue;
      let u;
      try { u = new URL(String(b[field])); } catch (e) { errs.push('platform.baremetal.' + field + ': Invalid value: ' + JSON.stringify(b[field]) + ': invalid URI'); continue; }
      if (!/^https?:$/.test(u.protocol)) errs.push('platform.baremetal.' + field + ': Invalid value: ' + JSON.stringify(b[field]) + ': the URI must use http or https');
      const sha = u.searchParams.get('sha256');
      if (!sha) errs.push('platform.baremetal.' + field + ': Invalid value: ' + JSON.stringify(b[field]) + ': the URI provided: ' + b[field] + ' is missing the sha256 parameter');
      else if (!/^[0-9a-f]{64}$/.test(sha)) errs.push('platform.baremetal.' + field + ': Invalid value: ' + JSON.stringify(sha) + ': the sha256 parameter is not a sha256 digest');
    }
    if (masters < cp) errs.push('platform.baremetal.hosts: Required value: not enough hosts found (' + masters + ') to support all the configured ControlPlane replicas (' + cp + ')');
  }
  if (platform.none) {
    if (!agent) errs.push('platform: Invalid value: "none": use the agent installer (agent create image) for this test fake');
    if (cp !== 1 || workers !== 0) errs.push('ControlPlane.Replicas: Invalid value: ' + cp + ': ControlPlane.Replicas can only be set to 1 and Compute.Replicas to 0 for platform none with a single node');
  }
  if (errs.length) fatal('failed to fetch Install Config: failed to load asset "Install Config": invalid "install-config.yaml" file:\n' + errs.join('\n'), 3);
}

function validateAgentConfig(ac, ic) {
  const errs = [];
  if (!ac) fatal('failed to fetch Agent Config: agent-config.yaml is missing', 3);
  if (ac.apiVersion !== 'v1beta1' && ac.apiVersion !== 'v1alpha1') errs.push('apiVersion: Invalid value: ' + JSON.stringify(ac.apiVersion));
  if (ac.kind !== 'AgentConfig') errs.push('kind: Invalid value: ' + JSON.stringify(ac.kind));
  if (!ac.rendezvousIP) errs.push('rendezvousIP: Required value');
  else if (!net.isIP(String(ac.rendezvousIP))) errs.push('rendezvousIP: Invalid value: ' + JSON.stringify(ac.rendezvousIP) + ': not a valid IP');
  else for (const m of ((ic.networking || {}).machineNetwork || [])) if (!inCidr(String(ac.rendezvousIP), m.cidr)) errs.push('rendezvousIP: Invalid value: "' + ac.rendezvousIP + '": the rendezvousIP is not in the machine network ' + m.cidr);
  (ac.hosts || []).forEach((h, i) => (h.interfaces || []).forEach((itf, j) => { if (!isMac(itf.macAddress)) errs.push('Hosts[' + i + '].Interfaces[' + j + '].macAddress: Invalid value: ' + JSON.stringify(itf.macAddress)); }));
  if ((ac.hosts || []).length > ((ic.controlPlane || {}).replicas || 0) + ((ic.compute || [{}])[0].replicas || 0)) errs.push('Hosts: Too many: more hosts than replicas');
  if (errs.length) fatal('failed to fetch Agent Config: invalid Agent Config configuration:\n' + errs.join('\n'), 3);
}

function consume(file) { const p = path.join(dir, file); if (fs.existsSync(p)) fs.unlinkSync(p); }
function saveState(ic) { fs.writeFileSync(statePath, JSON.stringify({ version: VERSION, installConfig: ic })); }
function loadState() { if (!fs.existsSync(statePath)) fatal('failed to fetch Install Config: install-config.yaml not found in ' + dir, 3); return JSON.parse(fs.readFileSync(statePath, 'utf8')); }
function clusterOf(ic) { return { name: ic.metadata.name, api: 'https://api.' + ic.metadata.name + '.' + ic.baseDomain + ':6443', console: 'https://console-openshift-console.apps.' + ic.metadata.name + '.' + ic.baseDomain }; }
function writeAuth(ic) {
  const c = clusterOf(ic);
  fs.mkdirSync(path.join(dir, 'auth'), { recursive: true });
  const key = Buffer.from('fake-client-key-' + c.name + '-' + Date.now()).toString('base64');
  if (fs.existsSync(path.join(STATE, 'kubeconfig'))) fs.writeFileSync(path.join(dir, 'auth', 'kubeconfig'), fs.readFileSync(path.join(STATE, 'kubeconfig')), { mode: 0o600 });
  else fs.writeFileSync(path.join(dir, 'auth', 'kubeconfig'), 'apiVersion: v1\nkind: Config\nclusters:\n- cluster:\n    server: ' + c.api + '\n  name: ' + c.name + '\ncontexts:\n- context:\n    cluster: ' + c.name + '\n    user: admin\n  name: admin\ncurrent-context: admin\nusers:\n- name: admin\n  user:\n    client-certificate-data: Y2VydA==\n    client-key-data: ' + key + '\n', { mode: 0o600 });
  const pw = ['Fake', Math.random().toString(36).slice(2, 7), Math.random().toString(36).slice(2, 7), Math.random().toString(36).slice(2, 7)].join('-');
  fs.writeFileSync(path.join(dir, 'auth', 'kubeadmin-password'), pw, { mode: 0o600 });
}
function installComplete(ic) {
  const c = clusterOf(ic);
  info('Install complete!');
  info("To access the cluster as the system:admin user when using 'oc', run 'export KUBECONFIG=" + path.join(dir, 'auth', 'kubeconfig') + "'");
  info('Access the OpenShift web-console here: ' + c.console);
  info('Login to the console with user: "kubeadmin", and password: "' + fs.readFileSync(path.join(dir, 'auth', 'kubeadmin-password'), 'utf8') + '"');
}

async function verifyOsImages(ic) {
  if (!fs.existsSync(path.join(STATE, 'verify-os-images'))) return;
  const b = (ic.platform || {}).baremetal || {};
  for (const field of ['bootstrapOSImage', 'clusterOSImage']) {
    if (!b[field]) continue;
    const u = new URL(b[field]);
    const want = u.searchParams.get('sha256');
    info('Downloading the ' + (field === 'bootstrapOSImage' ? 'bootstrap VM' : 'cluster') + ' RHCOS image from ' + u.origin + u.pathname);
    let res;
    try { res = await fetch(u); } catch (e) { fatal('failed to fetch Cluster: failed to download ' + field + ' ' + u.origin + u.pathname + ': ' + e.message, 1); }
    if (!res.ok) fatal('failed to fetch Cluster: failed to download ' + field + ' ' + u.origin + u.pathname + ': HTTP ' + res.status, 1);
    let data = Buffer.from(await res.arrayBuffer());
    fs.appendFileSync(path.join(STATE, 'os-images.log'), JSON.stringify({ field, url: b[field] }) + '\n');
    // bootstrapOSImage carries the sha256 of the uncompressed image, clusterOSImage the one of the file.
    if (field === 'bootstrapOSImage' && u.pathname.endsWith('.gz')) data = require('zlib').gunzipSync(data);
    const got = require('crypto').createHash('sha256').update(data).digest('hex');
    if (got !== want) fatal('failed to fetch Cluster: ' + field + ' ' + u.origin + u.pathname + ': sha256 mismatch: expected ' + want + ', got ' + got, 1);
  }
}

async function main() {
  const cmd = words.join(' ');
  if (cmd === 'version') { console.log(NAME + ' ' + VERSION); return; }
  if (cmd === 'coreos print-stream-json') { process.stdout.write(fs.readFileSync(path.join(STATE, 'stream.json'), 'utf8')); return; }
  if (cmd === 'create manifests') {
    const ic = loadYaml('install-config.yaml');
    if (!ic) fatal('failed to fetch Master Machines: failed to load asset "Install Config": install-config.yaml not found in ' + dir, 3);
    info('Consuming Install Config from target directory');
    validateInstallConfig(ic, false);
    if (failAt('manifests')) fatal('failed to fetch Master Machines: failed to generate asset "Master Machines": injected failure (fail-at manifests)', 3);
    for (const d of ['manifests', 'openshift']) fs.mkdirSync(path.join(dir, d), { recursive: true });
    fs.writeFileSync(path.join(dir, 'manifests', 'cluster-config.yaml'), yaml.dump({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cluster-config-v1', namespace: 'kube-system' } }));
    fs.writeFileSync(path.join(dir, 'openshift', '99_openshift-cluster-api_master-machines-0.yaml'), yaml.dump({ apiVersion: 'machine.openshift.io/v1beta1', kind: 'Machine', metadata: { name: ic.metadata.name + '-master-0' } }));
    saveState(ic);
    consume('install-config.yaml');
    info('Manifests created in: ' + path.join(dir, 'manifests') + ' and ' + path.join(dir, 'openshift'));
    return;
  }
  if (cmd === 'create cluster') {
    let ic = loadYaml('install-config.yaml');
    if (ic) { info('Consuming Install Config from target directory'); validateInstallConfig(ic, false); saveState(ic); consume('install-config.yaml'); }
    else ic = loadState().installConfig;
    for (const d of ['openshift', 'manifests']) {
      const p = path.join(dir, d);
      if (!fs.existsSync(p)) continue;
      for (const f of fs.readdirSync(p)) {
        info('Consuming ' + (d === 'openshift' ? 'Openshift Manifests' : 'Common Manifests') + ' from target directory');
        try { yaml.loadAll(fs.readFileSync(path.join(p, f), 'utf8')); } catch (e) { fatal('failed to fetch Cluster: failed to load asset "' + d + '/' + f + '": ' + e.message.split('\n')[0], 3); }
      }
    }
    const c = clusterOf(ic);
    await verifyOsImages(ic);
    debug('OpenShift Installer ' + VERSION);
    debug('Built from commit 0000000fake');
    info('Creating infrastructure resources...');
    writeAuth(ic);
    info('Waiting up to 20m0s (until 10:57AM UTC) for the Kubernetes API at ' + c.api + '...');
    info('API v1.29.5+fake up');
    info('Waiting up to 1h0m0s (until 11:37AM UTC) for bootstrapping to complete...');
    await hangIf('bootstrap');
    if (failAt('bootstrap')) { console.error('ERROR Bootstrap failed to complete: timed out waiting for the condition'); console.error('ERROR Failed to wait for bootstrapping to complete. This error usually happens when there is a problem with control plane hosts that prevents the control plane operators from creating the control plane.'); fatal('Bootstrap failed to complete', 5); }
    info('Destroying the bootstrap resources...');
    info('Waiting up to 1h0m0s (until 12:38PM UTC) for the cluster at ' + c.api + ' to initialize...');
    await hangIf('install');
    if (failAt('install')) { console.error('ERROR Cluster operator authentication Degraded is True with OAuthServerRouteEndpointAccessibleController_SyncError'); fatal('failed to initialize the cluster: Cluster operators authentication, console are not available', 6); }
    installComplete(ic);
    return;
  }
  if (cmd === 'wait-for install-complete' || cmd === 'wait-for bootstrap-complete') {
    const ic = loadState().installConfig;
    if (!fs.existsSync(path.join(dir, 'auth', 'kubeconfig'))) fatal('loading kubeconfig: stat ' + path.join(dir, 'auth', 'kubeconfig') + ': no such file or directory', 3);
    info('Waiting up to 40m0s (until 1:18PM UTC) for the cluster at ' + clusterOf(ic).api + ' to initialize...');
    await hangIf('wait-for');
    if (cmd === 'wait-for bootstrap-complete' && failAt('wait-for-bootstrap')) fatal('Bootstrap failed to complete: timed out waiting for the condition', 5);
    if (failAt('wait-for')) fatal('failed to initialize the cluster: Cluster operator console is not available', 6);
    if (cmd === 'wait-for bootstrap-complete') { info('It is now safe to remove the bootstrap resources'); return; }
    installComplete(ic);
    return;
  }
  if (cmd === 'agent create image') {
    const ic = loadYaml('install-config.yaml');
    if (!ic) fatal('failed to fetch Agent Installer ISO: failed to load asset "Install Config": install-config.yaml not found in ' + dir, 3);
    validateInstallConfig(ic, true);
    const ac = loadYaml('agent-config.yaml');
    validateAgentConfig(ac, ic);
    info('Configuration has 1 master replicas and 0 worker replicas');
    info('The rendezvous host IP (node0 IP) is ' + ac.rendezvousIP);
    info('Extracting base ISO from release payload');
    if (failAt('image')) fatal('failed to write asset (Agent Installer ISO) to disk: injected failure (fail-at image)', 1);
    fs.writeFileSync(path.join(dir, 'agent.x86_64.iso'), 'FAKE-AGENT-ISO cluster=' + ic.metadata.name + ' version=' + VERSION + ' rendezvous=' + ac.rendezvousIP + '\n');
    writeAuth(ic);
    saveState(ic);
    fs.writeFileSync(path.join(dir, '.agent-config.json'), JSON.stringify(ac));
    consume('install-config.yaml');
    consume('agent-config.yaml');
    info('Generated ISO at ' + path.join(dir, 'agent.x86_64.iso'));
    return;
  }
  if (cmd === 'agent wait-for bootstrap-complete' || cmd === 'agent wait-for install-complete') {
    const ic = loadState().installConfig;
    const ac = JSON.parse(fs.readFileSync(path.join(dir, '.agent-config.json'), 'utf8'));
    if (cmd.endsWith('bootstrap-complete')) {
      info('Waiting for cluster install to initialize. Sleeping for 30 seconds');
      if (fs.existsSync(path.join(STATE, 'require-boot')) && !fs.existsSync(path.join(STATE, 'booted-iso'))) fatal('Node ' + ac.rendezvousIP + ' has not booted the agent ISO: cannot reach the rendezvous host (agent-based installer service at ' + ac.rendezvousIP + ':8090)', 5);
      await hangIf('agent-bootstrap');
      if (failAt('agent-bootstrap')) fatal('Bootstrap failed to complete: cluster has hosts in error', 5);
      info('Host ' + ac.hosts[0].hostname + ': updated status from discovering to known (Host is ready to be installed)');
      info('Cluster installation in progress');
      info('Bootstrap configMaps is created. Waiting for bootstrap to complete');
      info('Bootstrap is complete');
      info('cluster bootstrap is complete');
      return;
    }
    await hangIf('agent-install');
    if (failAt('agent-install')) fatal('failed to wait for install-complete: cluster operators are not available', 6);
    info('Cluster is installed');
    installComplete(ic);
    return;
  }
  fatal('unknown command "' + cmd + '" for "' + NAME + '"', 1);
}
main().catch((e) => fatal(e.stack || String(e), 1));
`;

const OC = String.raw`
'use strict';
const fs = require('fs');
const path = require('path');
const STATE = __STATE__;
const argv = process.argv.slice(2);
fs.appendFileSync(path.join(STATE, 'calls.log'), JSON.stringify({ tool: 'oc', argv, cwd: process.cwd(), releaseOverride: process.env.OPENSHIFT_INSTALL_RELEASE_IMAGE_OVERRIDE || null }) + '\n');
const die = (m) => { console.error('error: ' + m); process.exit(1); };
if (argv.slice(0, 3).join(' ') !== 'adm release extract') die('this fake oc only knows "oc adm release extract"');
let registryConfig, command, to, image;
for (let i = 3; i < argv.length; i++) {
  const a = argv[i];
  if (a === '--registry-config' || a === '-a') registryConfig = argv[++i];
  else if (a.startsWith('--registry-config=')) registryConfig = a.split('=')[1];
  else if (a.startsWith('--command=')) command = a.slice(10);
  else if (a === '--to') to = argv[++i];
  else if (a.startsWith('--to=')) to = a.slice(5);
  else if (a.startsWith('--')) die('unknown flag: ' + a);
  else image = a;
}
if (!image) die('you must specify a release image');
if (!/^[a-z0-9.-]+(:[0-9]+)?\/[^\s]+(:[\w.-]+|@sha256:[0-9a-f]{64})$/.test(image)) die('"' + image + '" is not a valid image reference');
if (registryConfig) {
  let ps;
  try { ps = JSON.parse(fs.readFileSync(registryConfig, 'utf8')); } catch (e) { die('unable to load --registry-config ' + registryConfig + ': ' + e.message); }
  if (!ps || typeof ps.auths !== 'object') die('--registry-config ' + registryConfig + ' has no "auths"');
}
// extract-failures: the next N extractions fail like a registry that blinks.
const failures = path.join(STATE, 'extract-failures');
if (fs.existsSync(failures)) {
  const n = Number(fs.readFileSync(failures, 'utf8').trim() || '0');
  if (n > 0) { fs.writeFileSync(failures, String(n - 1)); die('unable to read image ' + image + ': Get "https://' + image.split('/')[0] + '/v2/": dial tcp: connect: connection refused'); }
}
if (command !== 'openshift-install' && command !== 'openshift-baremetal-install') die('the release image does not contain a command "' + command + '"');
if (!to) die('--to is required');
fs.mkdirSync(to, { recursive: true });
fs.copyFileSync(path.join(STATE, 'installer.js'), path.join(to, command));
fs.chmodSync(path.join(to, command), 0o755);
console.log('Extracted release payload from digest sha256:' + '0'.repeat(64) + ' created at 2026-11-01T00:00:00Z');
`;

const VIRSH = String.raw`
'use strict';
const fs = require('fs');
const path = require('path');
const STATE = __STATE__;
const file = path.join(STATE, 'libvirt.json');
const db = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : { domains: [], pools: { default: [] } };
let argv = process.argv.slice(2);
const die = (m) => { console.error('error: ' + m); process.exit(1); };
if (argv[0] === '-c') { if (argv[1] !== 'qemu:///system') die('failed to connect to the hypervisor ' + argv[1] + ': permission denied'); argv = argv.slice(2); }
fs.appendFileSync(path.join(STATE, 'virsh.log'), JSON.stringify(argv) + '\n');
const save = () => fs.writeFileSync(file, JSON.stringify(db));
const dom = (n) => db.domains.find((d) => d.name === n) || die("failed to get domain '" + n + "'");
const [cmd, ...rest] = argv;
if (cmd === 'list' && rest.includes('--all') && rest.includes('--name')) { for (const d of db.domains) console.log(d.name); console.log(''); }
else if (cmd === 'destroy') { const d = dom(rest[0]); if (d.state !== 'running') die("Failed to destroy domain '" + d.name + "'\nerror: Requested operation is not valid: domain is not running"); d.state = 'shut off'; save(); console.log("Domain '" + d.name + "' destroyed"); }
else if (cmd === 'undefine') { const d = dom(rest[0]); if (d.state === 'running') die('cannot undefine a running domain'); if (d.nvram && !rest.includes('--nvram')) die("Failed to undefine domain '" + d.name + "'\nerror: Requested operation is not valid: cannot undefine domain with nvram"); db.domains = db.domains.filter((x) => x !== d); save(); console.log("Domain '" + d.name + "' has been undefined"); }
else if (cmd === 'pool-list' && rest.includes('--name')) { for (const p of Object.keys(db.pools)) console.log(p); console.log(''); }
else if (cmd === 'vol-list') {
  const p = rest.find((a) => !a.startsWith('--'));
  if (!db.pools[p]) die("failed to get pool '" + p + "'");
  console.log(' Name' + ' '.repeat(30) + 'Path');
  console.log('-'.repeat(60));
  for (const v of db.pools[p]) console.log(' ' + v + ' '.repeat(Math.max(1, 34 - v.length)) + '/var/lib/libvirt/' + (p === 'default' ? 'images' : 'openshift-images/' + p) + '/' + v);
  console.log('');
}
else if (cmd === 'vol-delete') {
  const i = rest.indexOf('--pool'); const p = rest[i + 1]; const v = rest.filter((a, j) => j !== i && j !== i + 1)[0];
  if (!db.pools[p] || !db.pools[p].includes(v)) die("failed to get vol '" + v + "'");
  db.pools[p] = db.pools[p].filter((x) => x !== v); save(); console.log('Vol ' + v + ' deleted');
}
else die('unknown command: ' + argv.join(' '));
`;

const IPMITOOL = String.raw`
'use strict';
const fs = require('fs');
const path = require('path');
const STATE = __STATE__;
const argv = process.argv.slice(2);
const die = (m, code) => { console.error(m); process.exit(code || 1); };
let iface, host, port = '623', user, password, passwordFrom, level;
const rest = [];
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  if (a === '-I') iface = argv[++i];
  else if (a === '-H') host = argv[++i];
  else if (a === '-p') port = argv[++i];
  else if (a === '-U') user = argv[++i];
  else if (a === '-P') { password = argv[++i]; passwordFrom = 'arg'; }
  else if (a === '-f') { try { password = fs.readFileSync(argv[++i], 'utf8').split('\n')[0]; passwordFrom = 'file'; } catch (e) { die('Unable to read password from file ' + argv[i]); } }
  else if (a === '-E') { password = process.env.IPMI_PASSWORD; passwordFrom = 'env'; if (!password) die('Unable to read password from environment'); }
  else if (a === '-L') level = argv[++i];
  else if (a === '-R' || a === '-N') { const n = argv[++i]; if (!/^[0-9]+$/.test(n || '')) die('Invalid parameter given or out of range for ' + a); }
  else if (a.startsWith('-')) die('ipmitool: invalid option -- ' + a.replace(/^-+/, ''));
  else rest.push(a);
}
if (level && !['CALLBACK', 'USER', 'OPERATOR', 'ADMINISTRATOR'].includes(level)) die('Invalid privilege level ' + level);
if (!host) die('No hostname specified!');
if (iface !== 'lanplus' && iface !== 'lan') die('Invalid interface: ' + iface);
if (!password) die('Unable to establish IPMI v2 / RMCP+ session (no password)');
const safe = host.replace(/[^A-Za-z0-9.:-]/g, '_');
const dirp = path.join(STATE, 'ipmi');
fs.mkdirSync(dirp, { recursive: true });
const cmd = rest.join(' ');
fs.appendFileSync(path.join(STATE, 'ipmi.log'), JSON.stringify({ host, port, user, command: cmd, passwordFrom }) + '\n');
if (fs.existsSync(path.join(dirp, safe + '.unreachable'))) die('Error: Unable to establish IPMI v2 / RMCP+ session', 1);
const pwFile = path.join(dirp, safe + '.password');
if (fs.existsSync(pwFile) && fs.readFileSync(pwFile, 'utf8') !== password) die('Error: Unable to establish IPMI v2 / RMCP+ session', 1);
const stateFile = path.join(dirp, safe + '.power');
const power = fs.existsSync(stateFile) ? fs.readFileSync(stateFile, 'utf8').trim() : 'on';
if (cmd === 'power status') console.log('Chassis Power is ' + power);
else if (cmd === 'power off') { fs.writeFileSync(stateFile, 'off'); console.log('Chassis Power Control: Down/Off'); }
else if (cmd === 'power on') { fs.writeFileSync(stateFile, 'on'); console.log('Chassis Power Control: Up/On'); }
else die('Invalid command: ' + cmd);
`;

/** The release's RHCOS images (small gzip files with real digests) and the stream metadata listing them. */
function makeRhcos(dir: string, version: string, baseUrl: string): { images: FakeInstaller['rhcos']['images']; stream: unknown } {
  const m = /^v?(\d+)\.(\d+)/.exec(version);
  const build = `${m ? `${m[1]}${m[2]}` : '416'}.94.202611010000-0`;
  const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
  const images = {} as FakeInstaller['rhcos']['images'];
  const disk = (key: 'qemu' | 'openstack' | 'metal-iso', file: string, raw: Buffer, gz: boolean): Record<string, string> => {
    const data = gz ? gzipSync(raw) : raw;
    writeFileSync(join(dir, file), data, { mode: 0o644 });
    images[key] = { file, sha256: sha(data), ...(gz ? { uncompressedSha256: sha(raw) } : {}) };
    return { location: `${baseUrl.replace(/\/+$/, '')}/${file}`, sha256: sha(data), ...(gz ? { 'uncompressed-sha256': sha(raw) } : {}) };
  };
  const body = (what: string): Buffer => Buffer.from(`QFI\xfb fake RHCOS ${build} ${what}\n`.repeat(2000));
  const qemu = disk('qemu', `rhcos-${build}-qemu.x86_64.qcow2.gz`, body('qemu'), true);
  const openstack = disk('openstack', `rhcos-${build}-openstack.x86_64.qcow2.gz`, body('openstack'), true);
  const iso = disk('metal-iso', `rhcos-${build}-live.x86_64.iso`, body('live iso'), false);
  const art = 'https://rhcos.mirror.openshift.com/art/storage/prod/streams/fake/builds/' + build + '/x86_64/';
  const stream = {
    stream: `rhcos-${m ? `${m[1]}.${m[2]}` : '4.16'}`,
    metadata: { 'last-modified': '2026-11-01T00:00:00Z', generator: 'fake-openshift-install' },
    architectures: {
      x86_64: {
        artifacts: {
          metal: {
            release: build,
            formats: {
              iso: { disk: iso },
              pxe: {
                kernel: { location: `${art}rhcos-${build}-live-kernel-x86_64`, sha256: '1'.repeat(64) },
                initramfs: { location: `${art}rhcos-${build}-live-initramfs.x86_64.img`, sha256: '2'.repeat(64) },
                rootfs: { location: `${art}rhcos-${build}-live-rootfs.x86_64.img`, sha256: '3'.repeat(64) },
              },
            },
          },
          openstack: { release: build, formats: { 'qcow2.gz': { disk: openstack } } },
          qemu: { release: build, formats: { 'qcow2.gz': { disk: qemu } } },
        },
      },
    },
  };
  return { images, stream };
}

export function createFakeInstaller(o: FakeInstallerOptions): FakeInstaller {
  const root = mkdtempSync(join(tmpdir(), 'dci-fake-installer-'));
  const binDir = join(root, 'bin');
  const stateDir = join(root, 'state');
  const yamlPath = createRequire(import.meta.url).resolve('js-yaml');
  // The provisioner user (the sshd test user) runs these: readable scripts, a state dir it can write.
  chmodSync(root, 0o755);
  mkdirSync(binDir, { mode: 0o755 });
  mkdirSync(stateDir);
  chmodSync(stateDir, 0o777);
  const head = `#!${process.execPath}\n`;
  const sub = (s: string) => s.replace('__YAML__', JSON.stringify(yamlPath)).replace('__STATE__', JSON.stringify(stateDir)).replace('__VERSION__', JSON.stringify(o.version));
  writeFileSync(join(stateDir, 'installer.js'), head + sub(INSTALLER), { mode: 0o755 });
  writeFileSync(join(binDir, 'oc'), head + sub(OC), { mode: 0o755 });
  chmodSync(join(binDir, 'oc'), 0o755);
  writeFileSync(join(binDir, 'ipmitool'), head + sub(IPMITOOL), { mode: 0o755 });
  writeFileSync(join(binDir, 'virsh'), head + sub(VIRSH), { mode: 0o755 });
  chmodSync(join(binDir, 'virsh'), 0o755);
  chmodSync(join(binDir, 'ipmitool'), 0o755);
  const rhcosDir = join(root, 'rhcos');
  mkdirSync(rhcosDir, { mode: 0o755 });
  const rhcos = makeRhcos(rhcosDir, o.version, o.rhcosBaseUrl ?? `file://${rhcosDir}`);
  writeFileSync(join(stateDir, 'stream.json'), JSON.stringify(rhcos.stream, null, 2) + '\n', { mode: 0o644 });
  if (o.verifyOsImages) writeFileSync(join(stateDir, 'verify-os-images'), 'yes\n', { mode: 0o644 });
  const ipmiDir = join(stateDir, 'ipmi');
  mkdirSync(ipmiDir, { mode: 0o777 });
  chmodSync(ipmiDir, 0o777);
  const ipmiFile = (host: string, ext: string): string => join(ipmiDir, `${host.replace(/[^A-Za-z0-9.:-]/g, '_')}.${ext}`);
  const writeShared = (file: string, content: string): void => {
    writeFileSync(file, content, { mode: 0o666 });
    chmodSync(file, 0o666);
  };
  const jsonLines = <T>(file: string): T[] => (existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as T) : []);
  chmodSync(join(stateDir, 'installer.js'), 0o755);
  const writeList = (file: string, phases: string[]): void => {
    writeFileSync(join(stateDir, file), phases.join('\n') + '\n', { mode: 0o666 });
    chmodSync(join(stateDir, file), 0o666);
  };
  if (o.failAt) writeList('fail-at', o.failAt);
  if (o.requireBoot) writeList('require-boot', ['yes']);
  if (o.kubeconfig !== undefined) writeFileSync(join(stateDir, 'kubeconfig'), o.kubeconfig, { mode: 0o644 });
  return {
    binDir,
    stateDir,
    failAt: (p) => writeList('fail-at', p),
    hangAt: (p) => writeList('hang-at', p),
    calls: () => {
      const f = join(stateDir, 'calls.log');
      return existsSync(f) ? readFileSync(f, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as FakeCall) : [];
    },
    bootedMarker: () => join(stateDir, 'booted-iso'),
    libvirt: {
      set: (state) => writeShared(join(stateDir, 'libvirt.json'), JSON.stringify(state)),
      get: () => (existsSync(join(stateDir, 'libvirt.json')) ? (JSON.parse(readFileSync(join(stateDir, 'libvirt.json'), 'utf8')) as FakeLibvirt) : { domains: [], pools: { default: [] } }),
      calls: () => jsonLines<string[]>(join(stateDir, 'virsh.log')),
    },
    failExtract: (n) => writeShared(join(stateDir, 'extract-failures'), String(n)),
    rhcos: { dir: rhcosDir, images: rhcos.images },
    ipmi: {
      calls: () => jsonLines<FakeIpmiCall>(join(stateDir, 'ipmi.log')),
      power: (host) => (existsSync(ipmiFile(host, 'power')) ? (readFileSync(ipmiFile(host, 'power'), 'utf8').trim() as 'on' | 'off') : 'on'),
      setPower: (host, state) => writeShared(ipmiFile(host, 'power'), state),
      setPassword: (host, password) => writeShared(ipmiFile(host, 'password'), password),
      unreachable: (host) => writeShared(ipmiFile(host, 'unreachable'), 'yes'),
    },
    osImageDownloads: () => jsonLines<{ field: string; url: string }>(join(stateDir, 'os-images.log')),
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
}

