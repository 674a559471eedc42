/**
 * enable_virtualmedia (install-config-virtualmedia.j2): no provisioning network, virtual-media BMC drivers, the
 * static bootstrap address fields by version; run on the real sshd with Redfish BMCs the fake installer accepts.
 */
import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { ipiProvider } from '../../../src/providers/ipi/index.js';
import { startFakeRedfish } from '../../helpers/fake-redfish.js';
import { sampleInput } from './fixture.js';
import { ipiLab, useIpiSshd } from './lab.js';

const hooks = useIpiSshd();
const { cleanups, stops } = hooks;

type Baremetal = Record<string, unknown> & { hosts: Array<{ bmc: { address: string } }> };
const baremetalOf = (over: Record<string, unknown>, hostVars: Record<string, unknown> = {}): Baremetal => {
  const input = sampleInput(over);
  for (const h of [...input.groups.masters, ...input.groups.workers]) Object.assign(h.vars, hostVars);
  const ic = load(ipiProvider.plan(input).files.find((f) => f.path === 'install-config.yaml')!.content) as { platform: { baremetal: Baremetal } };
  return ic.platform.baremetal;
};

describe('ipi with enable_virtualmedia', () => {
  it('provisioningNetwork Disabled, no provisioning bridge/NIC/CIDR, virtual-media drivers per vendor', () => {
    const b = baremetalOf({ enable_virtualmedia: true, prov_network: '172.22.0.0/24' });
    expect(b.provisioningNetwork).toBe('Disabled');
    for (const k of ['provisioningBridge', 'provisioningNetworkInterface', 'provisioningNetworkCIDR']) expect(b).not.toHaveProperty(k);
    expect(b.hosts[0].bmc.address).toBe('redfish-virtualmedia://192.168.10.100');
    expect(baremetalOf({ enable_virtualmedia: true }, { vendor: 'dell' }).hosts[0].bmc.address).toBe('idrac-virtualmedia://192.168.10.100/redfish/v1/Systems/System.Embedded.1');
    expect(baremetalOf({}).provisioningBridge).toBe('provisioning');
  });

  it('static bootstrap address: IP and gateway from 4.12, DNS too from 4.14, each named when missing', () => {
    const vm = { enable_virtualmedia: true, static_bootstrap_extnet: true, bootstrapExternalStaticIP: '192.168.10.9', bootstrapExternalStaticGateway: '192.168.10.1', bootstrapExternalStaticDNS: '192.168.10.2' };
    expect(baremetalOf({ ...vm, ocp_version: '4.16.3' })).toMatchObject({ bootstrapExternalStaticIP: '192.168.10.9', bootstrapExternalStaticGateway: '192.168.10.1', bootstrapExternalStaticDNS: '192.168.10.2' });
    const b413 = baremetalOf({ ...vm, ocp_version: '4.13.10' });
    expect(b413.bootstrapExternalStaticIP).toBe('192.168.10.9');
    expect(b413).not.toHaveProperty('bootstrapExternalStaticDNS');
    expect(baremetalOf({ ...vm, ocp_version: '4.11.50' })).not.toHaveProperty('bootstrapExternalStaticIP');
    expect(() => ipiProvider.plan(sampleInput({ ...vm, bootstrapExternalStaticDNS: undefined }))).toThrow(/the inventory: bootstrapExternalStaticDNS is required for an ipi install with enable_virtualmedia and static_bootstrap_extnet on 4\.16\.3/);
  });

  it('runs on the fake installer with Redfish virtual-media BMCs (powered off through them first)', async () => {
    const l = ipiLab(hooks.sshd(), cleanups, '4.16.3', { enable_virtualmedia: true });
    const bmcs = [];
    for (const h of [...l.input.groups.masters, ...l.input.groups.workers]) {
      const b = await startFakeRedfish({ username: 'root', password: String(h.vars.ipmi_password) });
      stops.push(b.stop);
      bmcs.push(b);
      h.vars.ipmi_address = `redfish-virtualmedia+http://${b.host}/redfish/v1/Systems/1`;
    }
    await ipiProvider.run(ipiProvider.plan(l.input), l.ctx);
    expect(bmcs.map((b) => b.state.powerState)).toEqual(['Off', 'Off', 'Off', 'Off']);
    expect(l.fake.ipmi.calls()).toEqual([]);
    expect(l.logs.join('\n')).toContain('INFO Install complete!');
  });

  it('an ipmi:// address with virtual media is refused by the installer (it needs the provisioning network)', async () => {
    const l = ipiLab(hooks.sshd(), cleanups, '4.16.3', { enable_virtualmedia: true });
    l.input.groups.masters[0].vars.ipmi_address = 'ipmi://192.168.10.100:623';
    const err = await ipiProvider.run(ipiProvider.plan(l.input), l.ctx).then(() => undefined, (e: Error) => e);
    expect(err?.message).toMatch(/install phase "manifests".*failed \(exit 3\)/s);
    expect(err?.message).toContain('hosts[0].BMC.Address: Invalid value: "ipmi://...": driver ipmi requires provisioning network');
  });
});
