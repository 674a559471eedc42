/**
 * IPI end to end on a real sshd (the provisioner) with the fake installer and oc on its PATH: files written,
 * the installer extracted once per version under the lock, the release override passed when disconnected,
 * the installer log streamed, credentials fetched 0600; failures name the phase and wait-for is attempted.
 */
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ipiProvider } from '../../../src/providers/ipi/index.js';
import { createFakeInstaller, type FakeInstaller } from '../../helpers/fake-openshift-install.js';
import { load } from 'js-yaml';
import { SECRET_VALUES, sampleInput } from './fixture.js';
import { ipiLab, useIpiSshd, type IpiLab } from './lab.js';

const hooks = useIpiSshd();
const { cleanups } = hooks;

/** The shared IPI lab, with one extra manifest (customize_extramanifests_path) as every case here has. */
function lab(version: string, over: Record<string, unknown> = {}, fake?: FakeInstaller): IpiLab {
  return ipiLab(hooks.sshd(), cleanups, version, { dci_extra_manifests: [{ name: '99-extra-cm.yaml', content: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: extra\n  namespace: default\n' }], ...over }, fake);
}

const installerCalls = (f: FakeInstaller) => f.calls().map((c) => `${c.tool} ${c.argv.filter((a) => !a.startsWith('/') && a !== '--dir' && a !== '--log-level' && a !== 'debug').join(' ')}`);

describe('ipi over ssh with the fake installer', () => {
  it('4.16 disconnected: extract, manifests, extra manifests, create cluster streamed, credentials 0600', async () => {
    const l = lab('4.16.3');
    const plan = ipiProvider.plan(l.input);
    ipiProvider.validate(l.input);
    const creds = await ipiProvider.run(plan, l.ctx);

    expect(installerCalls(l.fake)).toEqual([
      'oc adm release extract --registry-config --command=openshift-install --to registry.lab:5000/ocp4/openshift4:4.16.3',
      'openshift-install coreos print-stream-json',
      'openshift-install create manifests',
      'openshift-install create cluster',
    ]);
    const calls = l.fake.calls();
    expect(calls[2].releaseOverride).toBe('registry.lab:5000/ocp4/openshift4:4.16.3');
    expect(calls[3].releaseOverride).toBe('registry.lab:5000/ocp4/openshift4:4.16.3');
    // Disconnected below 4.22: the bootstrap RHCOS image is cached in provision_cache_store and served by webserver_url.
    const qemu = l.fake.rhcos.images.qemu;
    expect(readFileSync(join(l.root, 'cache', qemu.file))).toEqual(readFileSync(join(l.fake.rhcos.dir, qemu.file)));
    // The installer consumed install-config.yaml; its state holds what we wrote.
    const state = JSON.parse(readFileSync(join(l.root, 'clusterconfigs', '.openshift_install_state.json'), 'utf8')) as { installConfig: Record<string, unknown> & { platform: { baremetal: Record<string, unknown> } } };
    expect(state.installConfig.platform.baremetal.bootstrapOSImage).toBe(`http://registry.lab:8080/${qemu.file}?sha256=${qemu.uncompressedSha256}`);
    expect(state.installConfig.platform.baremetal).not.toHaveProperty('clusterOSImage');
    // Every node powered off through IPMI (ipmitool on the provisioner, password from stdin into IPMI_PASSWORD).
    for (const ip of ['192.168.10.100', '192.168.10.101', '192.168.10.102', '192.168.10.110']) expect(l.fake.ipmi.power(ip)).toBe('off');
    expect(l.fake.ipmi.calls().map((c) => `${c.host} ${c.command} ${c.passwordFrom}`)).toEqual(
      ['192.168.10.100', '192.168.10.101', '192.168.10.102', '192.168.10.110'].flatMap((ip) => [`${ip} power status env`, `${ip} power off env`]),
    );
    expect(state.installConfig).toHaveProperty('imageDigestSources');
    expect(state.installConfig).not.toHaveProperty('imageContentSources');
    expect(existsSync(join(l.root, 'clusterconfigs', 'openshift', '99-extra-cm.yaml'))).toBe(true);
    expect(statSync(join(l.root, 'clusterconfigs', 'pull-secret.txt')).mode & 0o777).toBe(0o600);

    expect(creds.kubeconfigPath).toBe(join(l.configs, 'kubeconfig'));
    expect(statSync(creds.kubeconfigPath).mode & 0o777).toBe(0o600);
    expect(statSync(creds.kubeadminPasswordPath!).mode & 0o777).toBe(0o600);
    const password = readFileSync(creds.kubeadminPasswordPath!, 'utf8');
    expect(password).toBe(readFileSync(join(l.root, 'clusterconfigs', 'auth', 'kubeadmin-password'), 'utf8'));
    expect(readFileSync(creds.kubeconfigPath, 'utf8')).toContain('server: https://api.dcilab.example.lab:6443');
    expect(creds.apiUrl).toBe('https://api.dcilab.example.lab:6443');

    const log = l.logs.join('\n');
    expect(log).toContain('INFO Waiting up to 1h0m0s');
    expect(log).toContain('INFO Install complete!');
    expect(log).toContain('and password: "********"');
    expect(log).not.toContain(password);
    for (const s of SECRET_VALUES) expect(log).not.toContain(s);
    const phases = l.logs.filter((x) => x.startsWith('[install] ')).map((x) => x.split(':')[0].slice(10));
    expect([...new Set(phases)]).toEqual(['prepare', 'installer', 'rhcos', 'rhcos-check', 'install-config', 'manifests', 'extra-manifests', 'cleanup', 'poweroff', 'cluster', 'credentials', 'logs']);
    // The installer's own log is kept in the run record, the kubeadmin password redacted.
    const kept = join(l.root, 'install-logs', 'openshift_install.log');
    expect(statSync(kept).mode & 0o777).toBe(0o600);
    const keptText = readFileSync(kept, 'utf8');
    expect(keptText).toMatch(/level=info msg="Install complete!"/);
    expect(keptText).toContain('and password: \\"********\\"');
    expect(keptText).not.toContain(password);
    expect(readFileSync(join(l.root, 'clusterconfigs', '.openshift_install.log'), 'utf8')).toContain(password);
    // registry.lab does not exist here: the cache web server check warns, the install goes on.
    expect(log).toMatch(/\[install\] rhcos-check: warning: http:\/\/registry\.lab:8080\/rhcos-.*-qemu\.x86_64\.qcow2\.gz cannot be fetched from provisioner \(curl exit 6/);
    // The installer consumed install-config.yaml; the .bkup copy stays (0600: it holds the pull secret).
    expect(existsSync(join(l.root, 'clusterconfigs', 'install-config.yaml'))).toBe(false);
    expect(statSync(join(l.root, 'clusterconfigs', 'install-config.yaml.bkup')).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(l.root, 'clusterconfigs', 'install-config.yaml.bkup'), 'utf8')).toContain(`bootstrapOSImage: http://registry.lab:8080/${qemu.file}?sha256=`);
  });

  it('4.12: the baremetal installer, imageContentSources; the cache is reused by a second install', async () => {
    const fake = createFakeInstaller({ version: '4.12.30' });
    cleanups.push(() => fake.cleanup());
    const l = lab('4.12.30', {}, fake);
    await ipiProvider.run(ipiProvider.plan(l.input), l.ctx);
    const state = JSON.parse(readFileSync(join(l.root, 'clusterconfigs', '.openshift_install_state.json'), 'utf8')) as { installConfig: { platform: { baremetal: Record<string, unknown> } } };
    expect(state.installConfig).toHaveProperty('imageContentSources');
    expect(state.installConfig.platform.baremetal.apiVIPs).toEqual(['192.168.10.40']);
    expect(fake.calls().map((c) => c.tool)).toEqual(['oc', 'openshift-baremetal-install', 'openshift-baremetal-install', 'openshift-baremetal-install']);
    expect(l.logs.join('\n')).toMatch(/cached .*rhcos-.*-qemu\.x86_64\.qcow2\.gz \(sha256 [0-9a-f]{64}\)/);
    // Second install with the same cache: no second extract, the RHCOS image is reused (sha256 checked).
    const again = lab('4.12.30', { provision_cache_store: join(l.root, 'cache') }, fake);
    await ipiProvider.run(ipiProvider.plan(again.input), again.ctx);
    expect(fake.calls().filter((c) => c.tool === 'oc')).toHaveLength(1);
    expect(again.logs.join('\n')).toMatch(/reusing .*rhcos-.*-qemu\.x86_64\.qcow2\.gz/);
  });

  it('a bootstrap VM and volumes left by an earlier install are removed before create cluster; nothing else is', async () => {
    const l = lab('4.16.3');
    l.fake.libvirt.set({
      domains: [
        { name: 'dcilab-x7k2p-bootstrap', state: 'running', nvram: true },
        { name: 'registry-vm', state: 'running' },
      ],
      pools: { default: ['dcilab-x7k2p-bootstrap', 'dcilab-x7k2p-bootstrap.ign', 'registry-disk.qcow2'], 'dcilab-x7k2p-bootstrap': ['dcilab-x7k2p-bootstrap.ign', 'rhcos-cache.qcow2'] },
    });
    await ipiProvider.run(ipiProvider.plan(l.input), l.ctx);
    expect(l.fake.libvirt.get()).toEqual({
      domains: [{ name: 'registry-vm', state: 'running' }],
      pools: { default: ['registry-disk.qcow2'], 'dcilab-x7k2p-bootstrap': ['rhcos-cache.qcow2'] },
    });
    expect(l.logs.join('\n')).toContain('removing the bootstrap VM dcilab-x7k2p-bootstrap left by an earlier install');
    expect(l.fake.libvirt.calls().filter((c) => c[0] === 'undefine')).toEqual([['undefine', 'dcilab-x7k2p-bootstrap', '--nvram']]);
  });

  it('a cached installer cut short by a killed job does not run: it is extracted again, atomically', async () => {
    const l = lab('4.16.3');
    mkdirSync(join(l.root, 'cache', '4.16.3'), { recursive: true, mode: 0o777 });
    for (const d of ['cache', 'cache/4.16.3']) chmodSync(join(l.root, d), 0o777); // the provisioner user writes there
    writeFileSync(join(l.root, 'cache', '4.16.3', 'openshift-install'), '#!/bin/sh\n\x7fELF truncated', { mode: 0o777 });
    await ipiProvider.run(ipiProvider.plan(l.input), l.ctx);
    expect(l.fake.calls().filter((c) => c.tool === 'oc')).toHaveLength(1);
    expect(l.logs.join('\n')).toContain('the cached openshift-install does not run: extracting it again');
    expect(readdirSync(join(l.root, 'cache', '4.16.3')).filter((f) => f.startsWith('.extract.') && f !== '.extract.lock')).toEqual([]);
    expect(l.logs.join('\n')).toContain('INFO Install complete!');
  });

  it('clock_servers: chrony MachineConfigs for masters and workers land in openshift/ and are consumed by the installer', async () => {
    const l = lab('4.16.3', { clock_servers: ['ntp1.lab', '10.0.0.1'] });
    await ipiProvider.run(ipiProvider.plan(l.input), l.ctx);
    const mc = load(readFileSync(join(l.root, 'clusterconfigs', 'openshift', '98-worker-etc-chrony-conf.yaml'), 'utf8')) as { metadata: { labels: Record<string, string> }; spec: { config: { storage: { files: Array<{ path: string; overwrite: boolean; contents: { source: string } }> } } } };
    expect(mc.metadata.labels['machineconfiguration.openshift.io/role']).toBe('worker');
    const file = mc.spec.config.storage.files[0];
    expect(file).toMatchObject({ path: '/etc/chrony.conf', overwrite: true });
    expect(Buffer.from(file.contents.source.split('base64,')[1], 'base64').toString()).toMatch(/^server ntp1\.lab iburst\nserver 10\.0\.0\.1 iburst\n/);
    expect(existsSync(join(l.root, 'clusterconfigs', 'openshift', '98-master-etc-chrony-conf.yaml'))).toBe(true);
    expect(l.logs.join('\n')).toContain('INFO Consuming Openshift Manifests from target directory');
    expect(() => ipiProvider.plan(sampleInput({ clock_servers: 'ntp1.lab; rm -rf /' }))).toThrow(/the inventory: clock_servers holds "ntp1.lab;", which is not a host name or an IP/);
  });

  it('per-node nmstate network_config reaches the installer (4.16); a malformed one is refused by it', async () => {
    const net = (ip: string) => ({ interfaces: [{ name: 'eno1', type: 'ethernet', state: 'up', ipv4: { enabled: true, dhcp: false, address: [{ ip, 'prefix-length': 24 }] } }] });
    const l = lab('4.16.3');
    l.input.groups.masters.forEach((h, i) => (h.vars.network_config = net(`192.168.10.${20 + i}`)));
    await ipiProvider.run(ipiProvider.plan(l.input), l.ctx);
    const state = JSON.parse(readFileSync(join(l.root, 'clusterconfigs', '.openshift_install_state.json'), 'utf8')) as { installConfig: { platform: { baremetal: { hosts: Array<{ networkConfig?: unknown }> } } } };
    expect(state.installConfig.platform.baremetal.hosts.map((h) => h.networkConfig)).toEqual([net('192.168.10.20'), net('192.168.10.21'), net('192.168.10.22'), undefined]);
    const bad = lab('4.16.3');
    bad.input.groups.masters[0].vars.network_config = { interfaces: [{ type: 'ethernet' }] };
    const err = await ipiProvider.run(ipiProvider.plan(bad.input), bad.ctx).then(() => undefined, (e: Error) => e);
    expect(err?.message).toContain('platform.baremetal.hosts[0].networkConfig: Invalid value: "...": failed to validate network yaml for host master-0');
  });

  it('dual stack with dualstack_vips (4.16): the installer consumes the network lists, the VIP pairs and the IPv6 provisioning network', async () => {
    const l = lab('4.16.3', { ipv6_enabled: true, dualstack_baremetal: true, dualstack_vips: true, extcidrnet6: 'fd2e:6f44:5dd8:c956::/64', apivip6: 'fd2e:6f44:5dd8:c956::40', ingressvip6: 'fd2e:6f44:5dd8:c956::42', prov_dhcp_range: 'fd00:1101::a,fd00:1101::ff' });
    await ipiProvider.run(ipiProvider.plan(l.input), l.ctx);
    const ic = (JSON.parse(readFileSync(join(l.root, 'clusterconfigs', '.openshift_install_state.json'), 'utf8')) as { installConfig: { networking: Record<string, unknown>; platform: { baremetal: Record<string, unknown> } } }).installConfig;
    expect(ic.networking.machineNetwork).toEqual([{ cidr: '192.168.10.0/24' }, { cidr: 'fd2e:6f44:5dd8:c956::/64' }]);
    expect(ic.networking.serviceNetwork).toEqual(['172.30.0.0/16', 'fd03::/112']);
    expect(ic.platform.baremetal).toMatchObject({ apiVIPs: ['192.168.10.40', 'fd2e:6f44:5dd8:c956::40'], ingressVIPs: ['192.168.10.42', 'fd2e:6f44:5dd8:c956::42'], provisioningNetworkCIDR: 'fd00:1101::/64', provisioningDHCPRange: 'fd00:1101::a,fd00:1101::ff' });
    expect(l.logs.join('\n')).toContain('INFO Install complete!');
  });

  it('a registry that blinks: the extraction is retried (10 s apart) and the install goes on', async () => {
    const l = lab('4.16.3');
    l.fake.failExtract(1);
    await ipiProvider.run(ipiProvider.plan(l.input), l.ctx);
    expect(l.fake.calls().filter((c) => c.tool === 'oc')).toHaveLength(2);
    expect(l.logs.join('\n')).toMatch(/connection refused\n.*attempt 1\/9 failed; retrying in 10 s/);
  }, 40_000);

  it('two installs of the same version at once extract the installer once (flock on the cache)', async () => {
    const fake = createFakeInstaller({ version: '4.16.3' });
    cleanups.push(() => fake.cleanup());
    const a = lab('4.16.3', {}, fake);
    const b = lab('4.16.3', { provision_cache_store: join(a.root, 'cache') }, fake);
    await Promise.all([ipiProvider.run(ipiProvider.plan(a.input), a.ctx), ipiProvider.run(ipiProvider.plan(b.input), b.ctx)]);
    expect(fake.calls().filter((c) => c.tool === 'oc')).toHaveLength(1);
    expect(fake.calls().filter((c) => c.argv.includes('cluster'))).toHaveLength(2);
  });

  it('create cluster fails, wait-for fails too: a clear error naming the phase, wait-for attempted', async () => {
    const l = lab('4.16.3');
    l.fake.failAt(['install', 'wait-for']);
    const err = await ipiProvider.run(ipiProvider.plan(l.input), l.ctx).then(() => undefined, (e: Error) => e);
    expect(err?.message).toMatch(/install phase "cluster" on provisioner: create cluster .* failed \(exit 6\)/);
    expect(err?.message).toContain('FATAL failed to initialize the cluster');
    expect(err?.message).toMatch(/wait-for install-complete failed too \(exit 6\)/);
    expect(installerCalls(l.fake).slice(-2)).toEqual(['openshift-install create cluster', 'openshift-install wait-for install-complete']);
    expect(existsSync(join(l.configs, 'kubeconfig'))).toBe(false);
    expect(readFileSync(join(l.root, 'install-logs', 'openshift_install.log'), 'utf8')).toMatch(/level=fatal msg="failed to initialize the cluster: Cluster operators authentication, console are not available"/);
  });

  it('create cluster fails but the cluster finishes: wait-for succeeds and credentials are fetched', async () => {
    const l = lab('4.16.3');
    l.fake.failAt(['install']);
    const creds = await ipiProvider.run(ipiProvider.plan(l.input), l.ctx);
    expect(installerCalls(l.fake).slice(-1)).toEqual(['openshift-install wait-for install-complete']);
    expect(existsSync(creds.kubeconfigPath)).toBe(true);
    expect(l.logs.join('\n')).toMatch(/\[install\] wait-for: create cluster failed \(exit 6\); attempt 1\/1/);
  });

  it('bootstrap failed: increase_bootstrap_timeout retries wait-for bootstrap-complete, then install-complete (increase_install_timeout)', async () => {
    const l = lab('4.16.3', { increase_bootstrap_timeout: 2, increase_install_timeout: '2' });
    l.fake.failAt(['bootstrap']);
    const creds = await ipiProvider.run(ipiProvider.plan(l.input), l.ctx);
    expect(installerCalls(l.fake).slice(-3)).toEqual(['openshift-install create cluster', 'openshift-install wait-for bootstrap-complete', 'openshift-install wait-for install-complete']);
    expect(l.logs.join('\n')).toMatch(/\[install\] wait-for-bootstrap: create cluster failed \(exit 5\); attempt 1\/2 of wait-for bootstrap-complete/);
    expect(existsSync(creds.kubeconfigPath)).toBe(true);
  });

  it('bootstrap never completes: every wait-for bootstrap-complete attempt made, then a clear error; install-complete not tried', async () => {
    const l = lab('4.16.3', { increase_bootstrap_timeout: 2 });
    l.fake.failAt(['bootstrap', 'wait-for-bootstrap']);
    const err = await ipiProvider.run(ipiProvider.plan(l.input), l.ctx).then(() => undefined, (e: Error & { hint?: string }) => e);
    expect(installerCalls(l.fake).slice(-3)).toEqual(['openshift-install create cluster', 'openshift-install wait-for bootstrap-complete', 'openshift-install wait-for bootstrap-complete']);
    expect(err?.message).toMatch(/create cluster .* failed \(exit 5\)/);
    expect(err?.message).toMatch(/wait-for bootstrap-complete failed 2 times \(last exit 5\)/);
    expect(err?.hint).toMatch(/increase_bootstrap_timeout/);
  });

  it('create cluster times out (dci_install_timeout) then wait-for is tried', async () => {
    const l = lab('4.16.3', { dci_install_timeout: 3 });
    l.fake.hangAt(['bootstrap']);
    l.fake.failAt(['wait-for']);
    const started = Date.now();
    const err = await ipiProvider.run(ipiProvider.plan(l.input), l.ctx).then(() => undefined, (e: Error) => e);
    expect(Date.now() - started).toBeLessThan(25_000);
    expect(err?.message).toMatch(/create cluster .* timed out after 3 s/);
    expect(installerCalls(l.fake).slice(-1)).toEqual(['openshift-install wait-for install-complete']);
  });

  it('a bad install-config is refused by the installer with its own message (manifests phase)', async () => {
    const l = lab('4.16.3');
    const plan = ipiProvider.plan(l.input);
    // Hand-edit the planned file the way a broken template would: both mirror keys.
    const f = plan.files.find((x) => x.path === 'install-config.yaml')!;
    f.content += 'imageContentSources:\n  - source: quay.io/openshift-release-dev/ocp-release\n    mirrors: [registry.lab:5000/ocp4/openshift4]\n';
    const err = await ipiProvider.run(plan, l.ctx).then(() => undefined, (e: Error) => e);
    expect(err?.message).toMatch(/install phase "manifests".*failed \(exit 3\)/s);
    expect(err?.message).toContain('cannot set imageContentSources and imageDigestSources at the same time');
  });
});
