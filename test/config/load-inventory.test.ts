import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InventoryError } from '../../src/core/errors.js';
import { explainVar, hostVars, loadInventory, parseExtraVars, resolveInventorySettings } from '../../src/config/index.js';
import { writeTree, type TempTree } from './fixtures.js';

describe('loadInventory', () => {
  let tree: TempTree;
  beforeAll(async () => {
    tree = await writeTree({
      'lab.ini': `[all:vars]
install_type=ipi
cluster=c1
domain=lab
[masters]
m[0:2] ipmi_address=10.0.0.1 ipmi_user=root ipmi_password=secret-pw provision_mac=52:54:00:00:00:01
[workers]
w0 ipmi_address=10.0.0.9 ipmi_user=root ipmi_password=pw2 provision_mac=52:54:00:00:00:09
[nodes:children]
masters
workers
[nodes:vars]
ntp=pool.lab
`,
      'group_vars/masters.yml': '# masters\nrole: master\nntp: ntp.masters\n',
      'warn.yml': 'all:\n  hostz:\n    a:\n  children:\n    g:\n      hosts: {h1: }\n',
    });
  });
  afterAll(() => tree.cleanup());

  it('builds groups, members and the engine view', async () => {
    const inv = await loadInventory(tree.path('lab.ini'));
    expect(inv.sources).toEqual([{ file: expect.stringMatching(/lab\.ini$/) as unknown as string, format: 'ini' }]);
    expect(inv.hosts.m1.groups).toEqual(['all', 'nodes', 'masters']);
    expect(inv.groups.nodes).toMatchObject({ children: ['masters', 'workers'], depth: 1 });
    expect(inv.groups.masters.depth).toBe(2);
    const engine = inv.toEngineInventory(await parseExtraVars(['ntp=from-cli']));
    expect(engine.groups.nodes).toEqual(['m0', 'm1', 'm2', 'w0']);
    expect(engine.groups.all).toEqual(['m0', 'm1', 'm2', 'w0']);
    expect(engine.hosts.m2.vars).toMatchObject({ role: 'master', ntp: 'from-cli', ipmi_user: 'root' });
    expect(engine.hosts.localhost.vars).toMatchObject({ ansible_connection: 'local', cluster: 'c1' });
  });

  it('layers group_vars over inventory group vars and explains it', async () => {
    const inv = await loadInventory(tree.path('lab.ini'));
    expect(hostVars(inv, 'm0').ntp).toBe('ntp.masters');
    expect(hostVars(inv, 'w0').ntp).toBe('pool.lab');
    const e = explainVar(inv, 'm0', 'ntp');
    expect(e).toMatchObject({ value: 'ntp.masters', level: 'group_vars', line: 3 });
    expect(e.file).toMatch(/group_vars\/masters\.yml$/);
    expect(e.overridden).toMatchObject([{ value: 'pool.lab', level: 'inventory-group', label: 'group "nodes" in the inventory', line: 13 }]);
  });

  it('resolves the whole inventory settings with per-node BMC data', async () => {
    const inv = await loadInventory(tree.path('lab.ini'));
    const r = resolveInventorySettings(inv);
    expect(r.controller).toBe('localhost');
    expect(r.nodes.map((n) => [n.name, n.role])).toEqual([
      ['m0', 'master'],
      ['m1', 'master'],
      ['m2', 'master'],
      ['w0', 'worker'],
    ]);
    const bad = await parseExtraVars(['{"ipmi_password": null}']);
    expect(() => resolveInventorySettings(inv, bad)).toThrow('host "m0": ipmi_password is required for an ipi install');
  });

  it('keeps Ansible warnings for skipped keys', async () => {
    const inv = await loadInventory(tree.path('warn.yml'));
    expect(inv.warnings).toEqual([expect.stringMatching(/warn\.yml:2: skipping unexpected key "hostz" in group "all"/) as unknown as string]);
    expect(Object.keys(inv.hosts)).toEqual(['h1']);
  });

  it('suggests the nearest host name', async () => {
    const inv = await loadInventory(tree.path('lab.ini'));
    expect(() => hostVars(inv, 'mm0')).toThrow(InventoryError);
    expect(() => hostVars(inv, 'm3')).toThrow(/host "m3" is not in the inventory/);
  });
});

describe('loadRunConfig', () => {
  it('gives settings, nodes and the engine inventory, and registers secrets for redaction', async () => {
    const { loadRunConfig } = await import('../../src/config/index.js');
    const { SecretRegistry } = await import('../../src/core/secrets.js');
    const tree = await writeTree({
      'lab.yml': 'all:\n  vars: {install_type: acm, local_registry_host: reg, local_registry_port: "5000", local_registry_password: hunter22}\n  hosts: {jumphost: {ansible_connection: local}}\n',
    });
    try {
      const secrets = new SecretRegistry();
      const rc = await loadRunConfig(tree.path('lab.yml'), ['dci_disconnected=yes'], secrets);
      expect(rc.settings).toMatchObject({ installType: 'acm', disconnected: true, dciLocalRegistry: 'reg:5000' });
      expect(rc.controller).toBe('jumphost');
      expect(rc.engineInventory.hosts.jumphost.vars).toMatchObject({ dci_disconnected: 'yes', local_registry_port: '5000' });
      expect(secrets.redact('login with hunter22')).toBe('login with ********');
    } finally {
      await tree.cleanup();
    }
  });
});
