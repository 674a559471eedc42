/** What the IPI plan puts in install-config.yaml and which commands it runs, per OpenShift version. */
import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { ipiProvider } from '../../../src/providers/ipi/index.js';
import type { InstallPlan } from '../../../src/providers/types.js';
import { sampleInput } from './fixture.js';

type Doc = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- parsed YAML, checked field by field

function installConfig(plan: InstallPlan): Doc {
  const f = plan.files.find((x) => x.path === 'install-config.yaml');
  expect(f?.secret).toBe(true);
  return load(f!.content) as Doc;
}

const argvOf = (plan: InstallPlan) => plan.steps.flatMap((s) => (s.kind === 'command' ? [s.argv.join(' ')] : []));

describe('ipi plan', () => {
  it('4.12: imageContentSources, apiVIPs lists, openshift-baremetal-install', () => {
    const plan = ipiProvider.plan(sampleInput({ ocp_version: '4.12.30' }));
    const ic = installConfig(plan);
    expect(ic.imageContentSources.map((s: Doc) => s.source)).toContain('quay.io/openshift-release-dev/ocp-release');
    expect(ic.imageContentSources[0].mirrors).toEqual(['registry.lab:5000/ocp4/openshift4']);
    expect(ic).not.toHaveProperty('imageDigestSources');
    expect(ic.platform.baremetal.apiVIPs).toEqual(['192.168.10.40']);
    expect(ic.platform.baremetal.ingressVIPs).toEqual(['192.168.10.42']);
    expect(ic.platform.baremetal).not.toHaveProperty('apiVIP');
    expect(argvOf(plan).join('\n')).toContain('--command=openshift-baremetal-install');
    expect(plan.facts.installer_path).toBe('/opt/cache/4.12.30/openshift-baremetal-install');
  });

  it('4.11: the singular apiVIP/ingressVIP', () => {
    const ic = installConfig(ipiProvider.plan(sampleInput({ ocp_version: '4.11.0' })));
    expect(ic.platform.baremetal.apiVIP).toBe('192.168.10.40');
    expect(ic.platform.baremetal.ingressVIP).toBe('192.168.10.42');
    expect(ic.platform.baremetal).not.toHaveProperty('apiVIPs');
  });

  it('4.16: imageDigestSources only, openshift-install, the release override when disconnected', () => {
    const plan = ipiProvider.plan(sampleInput({ ocp_version: '4.16.3' }));
    const ic = installConfig(plan);
    expect(ic.imageDigestSources.length).toBe(3);
    expect(ic).not.toHaveProperty('imageContentSources');
    expect(argvOf(plan).join('\n')).toContain('--command=openshift-install ');
    expect(plan.facts.release_image_override).toBe('registry.lab:5000/ocp4/openshift4:4.16.3');
  });

  it('4.14.0-rc.2 counts as 4.14 (imageDigestSources), 4.15 still uses the baremetal installer', () => {
    expect(installConfig(ipiProvider.plan(sampleInput({ ocp_version: '4.14.0-rc.2' })))).toHaveProperty('imageDigestSources');
    expect(ipiProvider.plan(sampleInput({ ocp_version: '4.15.9' })).facts.installer_command).toBe('openshift-baremetal-install');
  });

  it('takes the mirror stage output and re-keys it for the version, never both keys', () => {
    const input = sampleInput({ ocp_version: '4.16.1' });
    input.mirror = {
      installConfigSources: { imageContentSources: [{ source: 'quay.io/openshift-release-dev/ocp-release', mirrors: ['mirror.lab/ocp/release'] }] },
      additionalTrustBundle: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----',
      releaseImage: 'mirror.lab/ocp/release@sha256:' + 'a'.repeat(64),
    };
    const plan = ipiProvider.plan(input);
    const ic = installConfig(plan);
    expect(ic.imageDigestSources).toEqual([{ mirrors: ['mirror.lab/ocp/release'], source: 'quay.io/openshift-release-dev/ocp-release' }]);
    expect(ic).not.toHaveProperty('imageContentSources');
    expect(ic.additionalTrustBundle).toContain('BEGIN CERTIFICATE');
    expect(plan.facts.release_image_override).toBe('mirror.lab/ocp/release@sha256:' + 'a'.repeat(64));
    expect(argvOf(plan).join('\n')).toContain('mirror.lab/ocp/release@sha256:');
  });

  it('connected: no mirror block and no release override; the upstream release image', () => {
    const plan = ipiProvider.plan(sampleInput({ dci_disconnected: false }));
    const ic = installConfig(plan);
    expect(ic).not.toHaveProperty('imageDigestSources');
    expect(ic).not.toHaveProperty('imageContentSources');
    expect(plan.facts).not.toHaveProperty('release_image_override');
    expect(plan.facts.release_image).toBe('quay.io/openshift-release-dev/ocp-release:4.16.3-x86_64');
  });

  it('hosts: BMC, credentials, boot MAC, root device hints, pull secret and SSH key', () => {
    const input = sampleInput();
    input.groups.masters[0].vars.root_device_hint = 'serialNumber';
    input.groups.masters[0].vars.root_device_hint_value = 'S3EVNX0K';
    input.groups.workers[0].vars.installation_disk = '/dev/sdb';
    const ic = installConfig(ipiProvider.plan(input));
    const hosts = ic.platform.baremetal.hosts as Doc[];
    expect(hosts.map((h) => `${h.name}/${h.role}`)).toEqual(['master-0/master', 'master-1/master', 'master-2/master', 'worker-0/worker']);
    expect(hosts[0]).toMatchObject({ bmc: { address: 'ipmi://192.168.10.100:623', username: 'root', password: 'calvin-master-0' }, bootMACAddress: 'ec:f4:bb:da:0c:58', rootDeviceHints: { serialNumber: 'S3EVNX0K' } });
    expect(hosts[3].rootDeviceHints).toEqual({ deviceName: '/dev/sdb' });
    expect(ic.controlPlane).toMatchObject({ name: 'master', replicas: 3 });
    expect(ic.compute[0]).toMatchObject({ name: 'worker', replicas: 1 });
    expect(JSON.parse(ic.pullSecret).auths['registry.lab:5000']).toBeDefined();
    expect(ic.sshKey).toMatch(/^ssh-ed25519 /);
    expect(ic.networking.machineNetwork).toEqual([{ cidr: '192.168.10.0/24' }]);
  });

  it('runs the commands in the role order: extract (locked, cached) → RHCOS cache → manifests → bootstrap cleanup → power off → create cluster → wait-for', () => {
    const plan = ipiProvider.plan(sampleInput({ dci_install_timeout: 600 }));
    const phases = plan.steps.map((s) => s.description.split(':')[0]);
    expect(phases).toEqual(['prepare', 'prepare', 'installer', 'rhcos', 'rhcos', 'rhcos-check', 'manifests', 'cleanup', 'poweroff', 'poweroff', 'poweroff', 'poweroff', 'cluster', 'wait-for']);
    const extract = plan.steps[2];
    expect(extract.kind === 'command' && extract.argv.slice(0, 4)).toEqual(['flock', '-w', '1800', '/opt/cache/4.16.3/.extract.lock']);
    const create = plan.steps[12];
    expect(create.kind === 'command' && create.timeoutMs).toBe(600_000);
    expect(create.kind === 'command' && create.argv).toEqual(['/opt/cache/4.16.3/openshift-install', '--dir', '/home/kni/clusterconfigs', '--log-level', 'debug', 'create', 'cluster']);
  });

  it('defaults the install timeout to 3 hours', () => {
    const plan = ipiProvider.plan(sampleInput());
    expect(plan.steps.find((s) => s.description.startsWith('cluster:'))).toMatchObject({ timeoutMs: 3 * 3600 * 1000 });
  });

  it('extra manifests go to openshift/', () => {
    const plan = ipiProvider.plan(sampleInput({ dci_extra_manifests: [{ name: '99-chrony.yaml', content: 'kind: MachineConfig\n' }] }));
    expect(plan.files.map((f) => f.path)).toContain('openshift/99-chrony.yaml');
  });

  it.each([
    [{ apivip: undefined }, /the inventory: apivip is required/],
    [{ ingressvip: undefined }, /ingressvip is required/],
    [{ ocp_version: undefined }, /ocp_version is required/],
    [{ ocp_version: 'latest' }, /ocp_version "latest" is not an OpenShift version/],
    [{ cluster: undefined }, /cluster is required/],
    [{ increase_install_timeout: 'twice' }, /the inventory: increase_install_timeout must be a number of attempts, got "twice"/],
    [{ dci_install_timeout: 'soon' }, /dci_install_timeout must be a number of seconds/],
    [{ local_registry_host: undefined, local_registry_port: undefined }, /local_registry_host is required for a disconnected install/],
  ])('bad controller data %# → %s', (over, re) => {
    expect(() => ipiProvider.plan(sampleInput(over))).toThrow(re);
  });

  it.each([
    ['ipmi_password', /host "master-1": ipmi_password is required for an ipi install/],
    ['ipmi_user', /host "master-1": ipmi_user is required/],
    ['ipmi_address', /host "master-1": ipmi_address is required/],
  ])('missing %s names the host', (variable, re) => {
    const input = sampleInput();
    delete input.groups.masters[1].vars[variable];
    expect(() => ipiProvider.plan(input)).toThrow(re);
  });

  it('a bad MAC names the host and the variable', () => {
    const input = sampleInput();
    input.groups.workers[0].vars.provision_mac = '52:54:00';
    expect(() => ipiProvider.plan(input)).toThrow(/host "worker-0": provision_mac "52:54:00" is not a MAC address/);
  });

  it('validate (before a run) wants a pull secret; plan alone does not', () => {
    const input = sampleInput({ dci_pull_secret_text: undefined });
    expect(installConfig(ipiProvider.plan(input)).pullSecret).toBe('{"auths":{}}');
    expect(() => ipiProvider.validate(input)).toThrow(/no pull secret/);
  });
});
