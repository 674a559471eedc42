/**
 * SNO end to end: agent image built by the fake installer on a real sshd provisioner, the ISO served by a cache
 * web server, the node booted through the fake Redfish BMC (InsertMedia → one-time Cd boot → reset), and only
 * then the agent wait-for commands (the fake installer refuses bootstrap-complete until the node booted the ISO).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { snoProvider } from '../../../src/providers/sno/index.js';
import { serveDir, useProvisionerSshd } from '../common/lab.js';
import { snoLab, type SnoServicesOptions } from './lab.js';

const hooks = useProvisionerSshd();
const { cleanups } = hooks;

const lab = (opts: Omit<SnoServicesOptions, 'version' | 'cacheDir' | 'bmcPassword'> & { bmcPassword?: string } = {}) => snoLab(hooks.sshd(), cleanups, opts);

describe('sno over ssh with the fake installer and a fake Redfish BMC', () => {
  it('a cache web server that does not serve provision_cache_store: a clear error before the BMC is touched', async () => {
    const l = await lab();
    const empty = mkdtempSync(join(tmpdir(), 'sno-wrong-root-'));
    const wrong = await serveDir(empty);
    cleanups.push(() => rmSync(empty, { recursive: true, force: true }), wrong.stop);
    l.input.vars.webserver_url = wrong.url;
    const err = await snoProvider.run(snoProvider.plan(l.input), l.ctx).then(() => undefined, (e: Error & { hint?: string }) => e);
    expect(err?.message).toBe(`the cache web server answers HTTP 404 for ${wrong.url}/sno1/agent.x86_64.iso: the BMC of sno-0 cannot download it`);
    expect(err?.hint).toContain(`webserver_url must serve the directory provision_cache_store (${join(l.root, 'cache')})`);
    expect(l.bmc.calls).toEqual([]);
  });

  it('a cache web server the controller cannot reach: a warning, the BMC decides', async () => {
    const l = await lab();
    const plan = snoProvider.plan(l.input);
    // The controller cannot reach the published URL, the BMC (the fake, on this host) still can: rewrite only the check.
    const check = plan.steps.find((s) => s.description.startsWith('check:'));
    expect(check).toMatchObject({ kind: 'http', url: `${l.web.url}/sno1/agent.x86_64.iso` });
    plan.facts.iso_url = String(plan.facts.iso_url).replace(l.web.url, 'http://127.0.0.1:9');
    const err = await snoProvider.run(plan, l.ctx).then(() => undefined, (e: Error) => e);
    expect(l.logs.join('\n')).toMatch(/\[install\] check: warning: http:\/\/127\.0\.0\.1:9\/sno1\/agent\.x86_64\.iso cannot be fetched from the controller/);
    // The BMC was asked anyway, and refused the unreachable image with its own message.
    expect(err?.message).toMatch(/InsertMedia failed \(HTTP 400\): unable to mount http:\/\/127\.0\.0\.1:9/);
  });

  it('builds the ISO, boots it through virtual media, waits, fetches the credentials', async () => {
    const l = await lab({ inserted: 'http://old.lab/previous.iso' });
    const creds = await snoProvider.run(snoProvider.plan(l.input), l.ctx);

    const changes = l.bmc.calls.filter((c) => c.method !== 'GET').map((c) => `${c.method} ${c.path.replace(/^.*\/(Actions\/)?/, '')} ${c.status}`);
    expect(changes).toEqual(['POST VirtualMedia.EjectMedia 204', 'POST VirtualMedia.InsertMedia 204', 'PATCH 1 204', 'POST ComputerSystem.Reset 204']);
    const insert = l.bmc.calls.find((c) => c.path.endsWith('InsertMedia'))!;
    expect(insert.body).toEqual({ Image: `${l.web.url}/sno1/agent.x86_64.iso`, Inserted: true, WriteProtected: true });
    expect(l.bmc.calls.find((c) => c.method === 'PATCH')!.body).toEqual({ Boot: { BootSourceOverrideTarget: 'Cd', BootSourceOverrideEnabled: 'Once' } });
    expect(l.bmc.calls.find((c) => c.path.endsWith('Reset'))!.body).toEqual({ ResetType: 'ForceRestart' });
    expect(l.bmc.state.booted).toBe(`${l.web.url}/sno1/agent.x86_64.iso`);
    // The served ISO is the one the installer built.
    expect(readFileSync(join(l.root, 'cache', 'sno1', 'agent.x86_64.iso'), 'utf8')).toMatch(/^FAKE-AGENT-ISO cluster=sno1 version=4.16.3 rendezvous=192.168.16.20/);
    // The installer's log is kept in the run record (0600), the kubeadmin password redacted.
    const kept = readFileSync(join(l.root, 'install-logs', 'openshift_install.log'), 'utf8');
    expect(kept).toMatch(/level=info msg="Cluster is installed"/);
    expect(kept).not.toContain(readFileSync(creds.kubeadminPasswordPath!, 'utf8'));

    const tools = l.fake.calls().map((c) => `${c.tool} ${c.argv.filter((a) => !a.startsWith('/') && !['--dir', '--log-level', 'debug'].includes(a)).join(' ')}`);
    expect(tools.map((t) => t.split(' ').slice(0, 4).join(' '))).toEqual([
      'oc adm release extract',
      'openshift-install agent create image',
      'openshift-install agent wait-for bootstrap-complete',
      'openshift-install agent wait-for install-complete',
    ]);
    expect(l.fake.calls().slice(1).every((c) => c.releaseOverride === 'reg.lab:5000/ocp-4.16/4.16.3:4.16.3')).toBe(true);

    expect(statSync(creds.kubeconfigPath).mode & 0o777).toBe(0o600);
    expect(statSync(creds.kubeadminPasswordPath!).mode & 0o777).toBe(0o600);
    const log = l.logs.join('\n');
    expect(log).toContain('INFO Bootstrap is complete');
    expect(log).toContain('INFO Install complete!');
    expect(log).not.toContain(readFileSync(creds.kubeadminPasswordPath!, 'utf8'));
    expect(log).not.toContain('calvin-sno');
  });

  it('powers the node on (not ForceRestart) when it is off', async () => {
    const l = await lab({ powerState: 'Off' });
    await snoProvider.run(snoProvider.plan(l.input), l.ctx);
    expect(l.bmc.calls.find((c) => c.path.endsWith('Reset'))!.body).toEqual({ ResetType: 'On' });
    expect(l.bmc.calls.some((c) => c.path.endsWith('EjectMedia'))).toBe(false);
  });

  it('wrong BMC password: a clear error naming the host and ipmi_password, no wait-for', async () => {
    const l = await lab({ bmcPassword: 'wrong-pass' });
    const err = await snoProvider.run(snoProvider.plan(l.input), l.ctx).then(() => undefined, (e: Error & { hint?: string }) => e);
    expect(err?.message).toMatch(/host "sno-0": the BMC refused the credentials \(HTTP 401/);
    expect((err as { hint?: string }).hint).toMatch(/ipmi_user and ipmi_password of sno-0/);
    expect(l.fake.calls().some((c) => c.argv.includes('wait-for'))).toBe(false);
    expect(l.bmc.state.booted).toBeNull();
  });

  it('a node that never boots the ISO fails bootstrap-complete with the installer message', async () => {
    const l = await lab({ bootIgnored: true });
    const err = await snoProvider.run(snoProvider.plan(l.input), l.ctx).then(() => undefined, (e: Error) => e);
    expect(err?.message).toMatch(/install phase "bootstrap" on provisioner: agent wait-for bootstrap-complete .* failed \(exit 5\)/);
    expect(err?.message).toContain('has not booted the agent ISO');
  });

  it('install-complete failure names the phase and the installer message', async () => {
    const l = await lab();
    l.fake.failAt(['agent-install']);
    const err = await snoProvider.run(snoProvider.plan(l.input), l.ctx).then(() => undefined, (e: Error) => e);
    expect(err?.message).toMatch(/install phase "install" on provisioner: agent wait-for install-complete .* failed \(exit 6\)/);
    expect(err?.message).toContain('FATAL failed to wait for install-complete');
    expect(existsSync(join(l.configs, 'kubeconfig'))).toBe(false);
  });
});
