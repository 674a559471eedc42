/**
 * Nodes powered off through their BMCs before `create cluster`, on the real sshd with the fake installer and
 * fake BMCs: Redfish nodes from the controller (fake Redfish), IPMI nodes with ipmitool on the provisioner (the
 * fake ipmitool), `poweroff=false` left alone; a BMC that refuses stops the install before create cluster.
 */
import { describe, expect, it } from 'vitest';
import { ipiProvider } from '../../../src/providers/ipi/index.js';
import { renderPlanText } from '../../../src/providers/index.js';
import { SecretRegistry } from '../../../src/core/secrets.js';
import { startFakeRedfish, type FakeRedfish } from '../../helpers/fake-redfish.js';
import { sampleInput } from './fixture.js';
import { ipiLab, useIpiSshd } from './lab.js';

const hooks = useIpiSshd();
const { cleanups, stops } = hooks;

async function redfishBmc(name: string, powerState: 'On' | 'Off'): Promise<FakeRedfish> {
  const b = await startFakeRedfish({ username: 'root', password: `calvin-${name}`, powerState });
  stops.push(b.stop);
  return b;
}

const redfishAddress = (b: FakeRedfish) => `redfish+http://${b.host}/redfish/v1/Systems/1`;

describe('ipi power off before create cluster', () => {
  it('Redfish and IPMI nodes are off before create cluster; poweroff=false is left alone; passwords never shown', async () => {
    const m0 = await redfishBmc('master-0', 'On');
    const m1 = await redfishBmc('master-1', 'Off');
    const l = ipiLab(hooks.sshd(), cleanups, '4.16.3');
    l.input.groups.masters[0].vars.ipmi_address = redfishAddress(m0);
    l.input.groups.masters[1].vars.ipmi_address = redfishAddress(m1);
    l.input.groups.workers[0].vars.poweroff = 'false';
    let offWhenCreated: unknown[] = [];
    const plan = ipiProvider.plan(l.input);
    await ipiProvider.run(plan, {
      ...l.ctx,
      log: (line) => {
        // The moment create cluster starts, every node that should be off is off.
        if (line.startsWith('[install] cluster:')) offWhenCreated = [m0.state.powerState, m1.state.powerState, l.fake.ipmi.power('192.168.10.102')];
        l.logs.push(line);
      },
    });
    expect(offWhenCreated).toEqual(['Off', 'Off', 'off']);
    expect(m0.calls.filter((c) => c.method === 'POST').map((c) => c.body?.ResetType)).toEqual(['GracefulShutdown']);
    expect(m1.calls.filter((c) => c.method === 'POST')).toEqual([]);
    expect(l.fake.ipmi.calls().map((c) => `${c.host}:${c.port} ${c.user} ${c.command} ${c.passwordFrom}`)).toEqual(['192.168.10.102:623 root power status env', '192.168.10.102:623 root power off env']);
    expect(l.fake.ipmi.power('192.168.10.110')).toBe('on');
    const log = l.logs.join('\n');
    expect(log).toMatch(/master-1 is already off/);
    for (const pw of ['calvin-master-0', 'calvin-master-1', 'calvin-master-2']) expect(log).not.toContain(pw);
    const txt = renderPlanText(plan, new SecretRegistry());
    expect(txt).toContain('# not powered off (poweroff=false): worker-0');
    expect(txt).toMatch(/\[http\] POST http:\/\/127\.0\.0\.1:\d+\/redfish\/v1\/Systems\/1\/Actions\/ComputerSystem\.Reset: poweroff: power off master-0 through Redfish/);
    expect(txt).not.toContain('calvin-');
  });

  it('an IPMI BMC that refuses the password: the node is named, create cluster never runs, the password is not shown', async () => {
    const l = ipiLab(hooks.sshd(), cleanups, '4.16.3');
    l.fake.ipmi.setPassword('192.168.10.101', 'the-real-one');
    const err = await ipiProvider.run(ipiProvider.plan(l.input), l.ctx).then(() => undefined, (e: Error) => e);
    expect(err?.message).toMatch(/install phase "poweroff" on provisioner: power off master-1 through IPMI 192\.168\.10\.101:623 .* failed \(exit 1\):\nError: Unable to establish IPMI v2 \/ RMCP\+ session/);
    expect(err?.message).not.toContain('calvin-master-1');
    expect((err as Error & { hint?: string }).hint).toBe('check ipmi_address, ipmi_user and ipmi_password of master-1 (ipmitool -I lanplus from provisioner), or set poweroff=false on it');
    expect(l.fake.ipmi.power('192.168.10.100')).toBe('off');
    expect(l.fake.calls().some((c) => c.argv.includes('cluster'))).toBe(false);
  });

  it('no ipmitool on the provisioner: the hint says to install it or set poweroff=false', async () => {
    const l = ipiLab(hooks.sshd(), cleanups, '4.16.3');
    const plan = ipiProvider.plan(l.input);
    // A PATH without the fake ipmitool (and no real one on this machine).
    for (const s of plan.steps) if (s.kind === 'command' && s.description.startsWith('poweroff:')) s.argv = ['sh', '-c', s.argv[2].replaceAll('ipmitool ', 'ipmitool-missing ')];
    const err = await ipiProvider.run(plan, l.ctx).then(() => undefined, (e: Error & { hint?: string }) => e);
    expect(err?.message).toMatch(/install phase "poweroff" on provisioner: power off master-0 .* failed \(exit 127\)/);
    expect(err?.hint).toBe('ipmitool is not installed on provisioner: install it there (the original\'s node_prep does), or set poweroff=false on master-0');
  });

  it('a Redfish BMC that is unreachable: the node and what to check', async () => {
    const l = ipiLab(hooks.sshd(), cleanups, '4.16.3');
    l.input.groups.masters[2].vars.ipmi_address = 'redfish+http://127.0.0.1:9/redfish/v1/Systems/1';
    const err = await ipiProvider.run(ipiProvider.plan(l.input), l.ctx).then(() => undefined, (e: Error & { hint?: string }) => e);
    expect(err?.message).toMatch(/host "master-2": the BMC at http:\/\/127\.0\.0\.1:9 did not answer GET \/redfish\/v1\/Systems\/1/);
    expect(l.fake.calls().some((c) => c.argv.includes('cluster'))).toBe(false);
  });
});

describe('power-off plan', () => {
  const targets = (over: (i: ReturnType<typeof sampleInput>) => void) => {
    const input = sampleInput();
    over(input);
    return ipiProvider.plan(input).steps.filter((s) => s.description.startsWith('poweroff:')).map((s) => (s.kind === 'http' ? `redfish ${s.url}` : s.description.replace(/^poweroff: power off (\S+) through IPMI (\S+) .*/, 'ipmi $1 $2')));
  };

  it('vendors and address forms: kvm/dell/hpe by Redfish (sushy on 8082), ipmi:// ports, iRMC by IPMI', () => {
    expect(
      targets((i) => {
        Object.assign(i.groups.masters[0].vars, { vendor: 'kvm', kvm_uuid: 'uuid-0', ipmi_address: '10.0.0.5' });
        Object.assign(i.groups.masters[1].vars, { vendor: 'dell', ipmi_address: '10.0.0.6' });
        Object.assign(i.groups.masters[2].vars, { ipmi_address: 'ipmi://10.0.0.7:6230' });
        Object.assign(i.groups.workers[0].vars, { vendor: 'irmc', ipmi_address: '10.0.0.8' });
      }),
    ).toEqual([
      'redfish https://10.0.0.5:8082/redfish/v1/Systems/uuid-0/Actions/ComputerSystem.Reset',
      'redfish https://10.0.0.6/redfish/v1/Systems/System.Embedded.1/Actions/ComputerSystem.Reset',
      'ipmi master-2 10.0.0.7:6230',
      'ipmi worker-0 10.0.0.8:623',
    ]);
  });

  it('the IPMI password is never in the command (stdin → IPMI_PASSWORD, ipmitool -E)', () => {
    const plan = ipiProvider.plan(sampleInput());
    const cmds = plan.steps.filter((s) => s.kind === 'command' && s.description.startsWith('poweroff:'));
    expect(cmds).toHaveLength(4);
    for (const c of cmds) {
      const argv = c.kind === 'command' ? c.argv.join(' ') : '';
      expect(argv).toContain('-E -L ADMINISTRATOR');
      expect(argv).not.toMatch(/calvin-/);
    }
  });
});
