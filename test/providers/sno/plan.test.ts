/** What the SNO (agent-based) plan renders: install-config, agent-config, and the boot/wait sequence. */
import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { snoProvider } from '../../../src/providers/sno/index.js';
import { installPrerequisiteError } from '../../../src/providers/prerequisites.js';
import type { InstallPlan } from '../../../src/providers/types.js';
import { sampleInput } from './fixture.js';

type Doc = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- parsed YAML, checked field by field

const file = (plan: InstallPlan, path: string): Doc => load(plan.files.find((f) => f.path === path)!.content) as Doc;

describe('sno plan', () => {
  it('install-config: 1 control-plane replica, 0 workers, platform none, installation disk', () => {
    const ic = file(snoProvider.plan(sampleInput()), 'install-config.yaml');
    expect(ic.controlPlane).toMatchObject({ name: 'master', replicas: 1 });
    expect(ic.compute).toEqual([{ name: 'worker', replicas: 0, architecture: 'amd64', hyperthreading: 'Enabled' }]);
    expect(ic.platform).toEqual({ none: {} });
    expect(ic.bootstrapInPlace).toEqual({ installationDisk: '/dev/nvme0n1' });
    expect(ic).not.toHaveProperty('imageDigestSources');
  });

  it('agent-config NTP sources: ntp_server, else clock_servers', () => {
    expect(file(snoProvider.plan(sampleInput({ clock_servers: 'ntp1.lab, 10.0.0.1' })), 'agent-config.yaml').additionalNTPSources).toEqual(['ntp1.lab', '10.0.0.1']);
    expect(file(snoProvider.plan(sampleInput({ clock_servers: ['ntp1.lab'], ntp_server: 'ntp0.lab' })), 'agent-config.yaml').additionalNTPSources).toEqual(['ntp0.lab']);
    expect(file(snoProvider.plan(sampleInput()), 'agent-config.yaml')).not.toHaveProperty('additionalNTPSources');
  });

  it('agent-config: rendezvousIP, the node MAC and interface, root device hint', () => {
    const ac = file(snoProvider.plan(sampleInput({}, { baremetal_nic: 'ens1f0' })), 'agent-config.yaml');
    expect(ac).toMatchObject({ apiVersion: 'v1beta1', kind: 'AgentConfig', metadata: { name: 'sno1' }, rendezvousIP: '192.168.16.20' });
    expect(ac.hosts).toEqual([{ hostname: 'sno-0', role: 'master', interfaces: [{ name: 'ens1f0', macAddress: 'b8:ce:f6:56:48:aa' }], rootDeviceHints: { deviceName: '/dev/nvme0n1' } }]);
  });

  it('disconnected 4.12: imageContentSources; 4.16: imageDigestSources; always openshift-install', () => {
    const p12 = snoProvider.plan(sampleInput({ ocp_version: '4.12.40', dci_disconnected: true, dci_local_registry: 'reg.lab:5000' }));
    expect(file(p12, 'install-config.yaml').imageContentSources[0].mirrors).toEqual(['reg.lab:5000/ocp-4.12/4.12.40']);
    expect(p12.facts.installer_command).toBe('openshift-install');
    const p16 = snoProvider.plan(sampleInput({ ocp_version: '4.16.3', dci_disconnected: true, dci_local_registry: 'reg.lab:5000' }));
    expect(file(p16, 'install-config.yaml')).toHaveProperty('imageDigestSources');
    expect(file(p16, 'install-config.yaml')).not.toHaveProperty('imageContentSources');
  });

  it('orders: create image → publish → served check → Redfish insert, boot override, reset → wait-for bootstrap → install', () => {
    const plan = snoProvider.plan(sampleInput());
    expect(plan.steps.map((s) => s.description.split(':')[0])).toEqual(['prepare', 'prepare', 'installer', 'image', 'publish', 'check', 'boot', 'boot', 'boot', 'boot', 'boot', 'bootstrap', 'install']);
    const http = plan.steps.filter((s) => s.kind === 'http' && !s.description.startsWith('check:')).map((s) => (s.kind === 'http' ? `${s.method} ${s.url}` : ''));
    expect(http[2]).toMatch(/^POST https:\/\/192\.168\.16\.200.*VirtualMedia\.InsertMedia$/);
    expect(http[3]).toMatch(/^PATCH /);
    expect(http[4]).toMatch(/ComputerSystem\.Reset$/);
    expect(plan.facts.iso_url).toBe('http://192.168.16.10:8080/sno1/agent.x86_64.iso');
  });

  it.each([
    [{ ansible_host: undefined }, /host "sno-0": ansible_host is required for an sno install/],
    [{ ansible_host: 'sno-0.lab' }, /host "sno-0": ansible_host "sno-0.lab" is not an IP address/],
    [{ ipmi_password: undefined }, /host "sno-0": ipmi_password is required/],
    [{ baremetal_mac: '123' }, /host "sno-0": baremetal_mac "123" is not a MAC address/],
  ])('bad node data %# → %s', (node, re) => {
    expect(() => snoProvider.plan(sampleInput({}, node))).toThrow(re);
  });

  it('refuses the libvirt (virtual) flavour with a way out', () => {
    expect(() => snoProvider.plan(sampleInput({ sno_install_type: 'virtual' }))).toThrow(/sno_install_type virtual .* not supported/);
  });

  it('defaults the installation disk to /dev/sda like the role', () => {
    const ic = file(snoProvider.plan(sampleInput({}, { installation_disk: undefined })), 'install-config.yaml');
    expect(ic.bootstrapInPlace).toEqual({ installationDisk: '/dev/sda' });
  });

  it('needs exactly one master and a webserver_url', () => {
    const two = sampleInput();
    two.groups.masters.push({ name: 'sno-1', vars: {} });
    expect(() => snoProvider.plan(two)).toThrow(/\[masters\] has 2 hosts \(sno-0, sno-1\)/);
    expect(() => snoProvider.plan(sampleInput({ webserver_url: undefined }))).toThrow(/webserver_url is required/);
  });

  it('disconnected without webserver_url: refused before the first stage too (the original asserts it); connected left to the plan', () => {
    const vars = sampleInput({ webserver_url: undefined }).vars;
    const err = installPrerequisiteError({ ...vars, dci_disconnected: true });
    expect(err).toMatchObject({ code: 'missing-webserver-url', exitCode: 2, message: 'the inventory: webserver_url is required for an sno install with dci_disconnected: the BMC downloads the agent ISO from the cache web server' });
    expect(installPrerequisiteError(vars)).toBeUndefined();
    expect(installPrerequisiteError({ ...vars, dci_disconnected: true, webserver_url: 'http://cache.lab:8080' })).toBeUndefined();
  });
});
