/**
 * playbooks/install.yml through the engine, with a real inventory: the install_cluster module reads the groups
 * and hostvars the engine exposes, writes the plan into the run record, and (apply) installs over ssh with the
 * fake installer; facts kubeconfig_path, dci_install_plan_dir and dci_summary_notes come back.
 */
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dump } from 'js-yaml';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadInventory } from '../../src/config/index.js';
import { SecretRegistry } from '../../src/core/secrets.js';
import type { AgentEvent } from '../../src/core/events.js';
import { runTaskFile } from '../../src/engine/index.js';
import { closeAllTransports } from '../../src/engine/transports/index.js';
import { createFakeInstaller, type FakeInstaller } from '../helpers/fake-openshift-install.js';
import { REPO_ROOT } from '../helpers/cli.js';
import { startSshd, type SshdHandle } from '../helpers/sshd.js';
import { PULL_SECRET } from './ipi/fixture.js';

let sshd: SshdHandle;
let fake: FakeInstaller;
const cleanups: Array<() => void> = [];
beforeAll(async () => {
  sshd = await startSshd();
  fake = createFakeInstaller({ version: '4.16.3' });
}, 30_000);
afterAll(async () => {
  await closeAllTransports();
  await sshd?.stop();
  fake?.cleanup();
});
afterEach(() => cleanups.splice(0).forEach((c) => c()));

async function runInstall(extra: Record<string, unknown>, checkMode = false) {
  const root = mkdtempSync(join(tmpdir(), 'install-pb-'));
  chmodSync(root, 0o777);
  cleanups.push(() => rmSync(root, { recursive: true, force: true }));
  const ps = join(root, 'pull-secret.json');
  writeFileSync(ps, JSON.stringify(PULL_SECRET), { mode: 0o600 });
  const node = (ip: string, mac: string) => ({ ipmi_address: ip, ipmi_user: 'root', ipmi_password: `pw-${ip}`, provision_mac: mac });
  const inventory = {
    all: {
      vars: {
        install_type: 'ipi',
        ocp_version: '4.16.3',
        cluster: 'lab',
        domain: 'example.lab',
        apivip: '10.0.0.40',
        ingressvip: '10.0.0.42',
        dir: join(root, 'clusterconfigs'),
        provision_cache_store: join(root, 'cache'),
        dci_pullsecret_file: ps,
        ...extra,
      },
      children: {
        provisioner: { hosts: { prov: { ...sshd.inventoryVars(), provisioner_extra_path: fake.binDir } } },
        masters: { hosts: { 'master-0': node('10.0.0.100', '52:54:00:00:00:01'), 'master-1': node('10.0.0.101', '52:54:00:00:00:02'), 'master-2': node('10.0.0.102', '52:54:00:00:00:03') } },
      },
    },
  };
  const invFile = join(root, 'hosts.yml');
  writeFileSync(invFile, dump(inventory));
  const inv = await loadInventory(invFile);
  const events: AgentEvent[] = [];
  const runDir = join(root, 'run');
  const secrets = new SecretRegistry();
  const result = await runTaskFile({
    file: join(REPO_ROOT, 'playbooks', 'install.yml'),
    inventory: inv.toEngineInventory(),
    playVars: { dci_run_dir: runDir, dci_cluster_configs_dir: join(root, 'configs') },
    secrets,
    runDir,
    checkMode,
    emit: (e) => events.push(e),
  });
  const facts = result.facts.localhost ?? {};
  const output = events.flatMap((e) => (e.type === 'task-output' ? [e.line] : e.type === 'task-end' && e.result?.msg ? [String(e.result.msg)] : []));
  return { result, facts, root, runDir, output };
}

describe('playbooks/install.yml', () => {
  it('dci_install_mode=plan renders the plan into the run record and runs nothing', async () => {
    const before = fake.calls().length;
    const r = await runInstall({ dci_install_mode: 'plan' });
    expect(r.result.ok, JSON.stringify(r.result.failures)).toBe(true);
    expect(r.facts.dci_install_plan_dir).toBe(join(r.runDir, 'install-plan'));
    expect(readFileSync(join(r.runDir, 'install-plan', 'plan.txt'), 'utf8')).toContain('openshift-install --dir');
    expect(readFileSync(join(r.runDir, 'install-plan', 'install-config.yaml'), 'utf8')).not.toContain('pw-10.0.0.100');
    expect(r.facts.dci_summary_notes).toEqual([`install: ipi plan rendered to ${join(r.runDir, 'install-plan')} (nothing run: dci_install_mode=plan)`]);
    expect(fake.calls().length).toBe(before);
  });

  it('a dir templated on ansible_user_dir (not gathered) means the login home', async () => {
    const r = await runInstall({ dci_install_mode: 'plan', dir: '{{ ansible_user_dir }}/clusterconfigs-{{ cluster }}' });
    expect(r.result.ok, JSON.stringify(r.result.failures)).toBe(true);
    expect(readFileSync(join(r.runDir, 'install-plan', 'plan.txt'), 'utf8')).toContain('# installer dir: ~/clusterconfigs-lab on prov');
  });

  it('--check behaves the same', async () => {
    const before = fake.calls().length;
    const r = await runInstall({}, true);
    expect(r.result.ok, JSON.stringify(r.result.failures)).toBe(true);
    expect(existsSync(join(r.runDir, 'install-plan', 'plan.txt'))).toBe(true);
    expect(String((r.facts.dci_summary_notes as string[])[0])).toMatch(/nothing run: --check/);
    expect(fake.calls().length).toBe(before);
  });

  it('apply: installs over ssh and sets kubeconfig_path', async () => {
    const r = await runInstall({});
    expect(r.result.ok, JSON.stringify(r.result.failures)).toBe(true);
    expect(r.facts.kubeconfig_path).toBe(join(r.root, 'configs', 'kubeconfig'));
    expect(statSync(String(r.facts.kubeconfig_path)).mode & 0o777).toBe(0o600);
    expect((r.facts.dci_summary_notes as string[])[0]).toMatch(/^install: ipi cluster lab\.example\.lab installed; kubeconfig at /);
    expect(r.output.join('\n')).toContain('INFO Install complete!');
  });

  it('missing host data fails the task with the host and the variable', async () => {
    const r = await runInstall({ apivip: '' });
    expect(r.result.ok).toBe(false);
    expect(r.result.failures[0].msg).toMatch(/apivip is required for an ipi install/);
  });
});
