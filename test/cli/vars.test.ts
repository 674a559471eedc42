/**
 * `dci-agent-ts vars` through the real CLI: --explain names file:line and precedence level; --output json is one
 * object equal to the real `ansible-inventory --host` (with --show-secrets); secrets are ******** otherwise.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { load } from 'js-yaml';
import { runCli, REPO_ROOT } from '../helpers/cli.js';
import { ansibleInventory, writeTree, type TempTree } from '../config/fixtures.js';

describe.concurrent('dci-agent-ts vars', () => {
  it('--explain names the file, line and precedence level, and what the value overrode', async () => {
    const r = await runCli(['vars', '--inventory', 'inventories/examples/ipi.ini', '--host', 'master-0', '--explain', 'ipmi_user']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      [
        'ipmi_user = "admin"   (host master-0)',
        '  from:  inventories/examples/ipi.ini:42 (host "master-0" in the inventory)',
        '  level: inventory file: host vars (precedence 5 of 10, higher wins)',
        '  overrode:',
        '    "root" from inventories/examples/ipi.ini:49 (group "masters" in the inventory) — inventory file: group vars',
        '',
      ].join('\n'),
    );
  });

  it('--explain follows group_vars files and extra vars', async () => {
    const r = await runCli(['vars', '-i', 'inventories/examples/ipi.ini', '--host', 'worker-0', '--explain', 'ipmi_user', '-e', 'ipmi_user=operator']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('ipmi_user = "operator"   (host worker-0)\n  from:  extra vars (-e)\n  level: extra vars (-e) (precedence 10 of 10, higher wins)');
    expect(r.stdout).toContain('    "admin" from inventories/examples/group_vars/workers.yml:4 (group_vars for "workers") — group_vars/<group> next to the inventory');
  });

  it('--explain of a password shows ********', async () => {
    const r = await runCli(['vars', '-i', 'inventories/examples/ipi.ini', '--host', 'master-1', '--explain', 'ipmi_password']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('ipmi_password = "********"   (host master-1)');
    expect(r.stdout).not.toContain('calvin');
  });

  it('--output json prints exactly one object, secrets redacted', async () => {
    const r = await runCli(['vars', '-i', 'inventories/examples/ipi.ini', '--host', 'master-1', '--output', 'json']);
    expect(r.code).toBe(0);
    const v = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(v).toMatchObject({ ipmi_password: '********', ipmi_user: 'root', local_registry_port: 5000, dci_disconnected: true, role: 'master' });
    expect(r.stdout).not.toContain('calvin');
  });

  it('default YAML output is the merged variables, secrets redacted', async () => {
    const r = await runCli(['vars', '-i', 'inventories/examples/acm.yml', '--host', 'jumphost']);
    expect(r.code).toBe(0);
    const v = load(r.stdout) as Record<string, unknown>;
    expect(v).toMatchObject({ install_type: 'acm', acm_bmc_pass: '********', ansible_connection: 'local' });
    expect(r.stdout).not.toContain('calvin-spoke');
  });

  describe('--output json --show-secrets equals ansible-inventory --host', () => {
    let tree: TempTree;
    beforeAll(async () => {
      tree = await writeTree({ 'extra.yml': 'from_file: 1\nipmi_user: from-extra\n' });
    });
    afterAll(() => tree.cleanup());

    it.each([
      ['inventories/examples/ipi.ini', 'master-0', []],
      ['inventories/examples/ipi.ini', 'worker-1', []],
      ['inventories/examples/sno.yml', 'sno-0', []],
      ['inventories/examples/acm.yml', 'jumphost', ['-e', 'install_type=acm', '-e', 'dci_disconnected=true']],
    ])('%s --host %s %j', async (inventory, host, extra) => {
      const args = [...extra, '-e', `@${tree.path('extra.yml')}`];
      const ours = await runCli(['vars', '-i', inventory, '--host', host, '--output', 'json', '--show-secrets', ...args]);
      expect(ours.code).toBe(0);
      const theirs = await ansibleInventory(['-i', `${REPO_ROOT}/${inventory}`, '--host', host, ...args], REPO_ROOT);
      expect(JSON.parse(ours.stdout)).toEqual(theirs);
    });
  });

  it('--explain --output json gives the same facts as data', async () => {
    const r = await runCli(['vars', '-i', 'inventories/examples/ipi.ini', '--host', 'worker-1', '--explain', 'role', '--output', 'json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      host: 'worker-1',
      name: 'role',
      value: 'worker',
      level: 'group_vars',
      level_title: 'group_vars/<group> next to the inventory',
      source: 'group_vars for "workers"',
      file: 'inventories/examples/group_vars/workers.yml',
      line: 2,
      overridden: [],
    });
  });

  it('answers for the implicit localhost (group "all" variables, local connection)', async () => {
    const r = await runCli(['vars', '-i', 'inventories/examples/sno.yml', '--host', 'localhost', '--output', 'json']);
    expect(r.code).toBe(0);
    const v = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(v).toMatchObject({ ansible_connection: 'local', install_type: 'sno', cluster: 'sno1' });
    expect(v.ipmi_address).toBeUndefined();
  });

  it('refuses an unknown host or output format with exit 2', async () => {
    const h = await runCli(['vars', '-i', 'inventories/examples/ipi.ini', '--host', 'master-9']);
    expect(h.code).toBe(2);
    expect(h.stderr).toContain('error: host "master-9" is not in the inventory inventories/examples/ipi.ini\n  hint: did you mean "master-0", "master-1", "master-2"?');
    const o = await runCli(['vars', '-i', 'inventories/examples/ipi.ini', '--host', 'master-0', '--output', 'xml']);
    expect(o.code).toBe(2);
    expect(o.stderr).toContain('error: --output must be yaml or json, not "xml"');
  });

  it('has --help with examples', async () => {
    const r = await runCli(['vars', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('dci-agent-ts vars -i inventories/examples/ipi.ini --host master-0 --explain ipmi_user');
  });
});
