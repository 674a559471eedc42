/**
 * `dci-agent-ts play -i INVENTORY` sets inventory_file/inventory_dir as `ansible-playbook -i INVENTORY` does
 * (the oracle, same playbook, same working directory): the absolute path of the file that listed the host
 * (a relative -i is made absolute, a symlink is kept), its own file in a directory inventory, and nothing for the
 * implicit localhost.
 */
import { describe, expect, it } from 'vitest';
import { symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { runAnsiblePlaybook } from '../helpers/ansible.js';
import { scratch } from './executor/fixtures.js';

const PLAYBOOK = [
  '- hosts: all,localhost',
  '  gather_facts: false',
  '  tasks:',
  '    - debug:',
  `        msg: "M:{{ inventory_hostname }}|{{ inventory_file | default('UNDEF') }}|{{ inventory_dir | default('UNDEF') }}"`,
  '',
].join('\n');

/** host → "file|dir" as each tool printed it. */
function seen(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of text.matchAll(/M:([^|"\s]+)\|([^|"\s]+)\|([^"\s]+)/g)) out[m[1]] = `${m[2]}|${m[3]}`;
  return out;
}

async function both(dir: string, inventory: string): Promise<{ ours: Record<string, string>; theirs: Record<string, string> }> {
  const playbook = join(dir, 'pb.yml');
  const theirs = await runAnsiblePlaybook(playbook, { inventory, cwd: dir, timeoutMs: 60_000 });
  expect(theirs.code, theirs.stdout + theirs.stderr).toBe(0);
  const r = await runCli(['play', playbook, '-i', inventory, '-o', 'plain'], { cwd: dir });
  expect(r.code, r.stderr).toBe(0);
  return { ours: seen(r.stdout), theirs: seen(theirs.records.map((x) => JSON.stringify(x.result.msg)).join('\n')) };
}

describe('dci-agent-ts play: inventory_file and inventory_dir', () => {
  it('a YAML file given relative through a symlink, and an INI file', async () => {
    const dir = scratch({ 'pb.yml': PLAYBOOK, 'real.yml': 'all:\n  hosts:\n    web1: {ansible_connection: local}\n', 'hosts.ini': 'db1 ansible_connection=local\n' });
    symlinkSync(join(dir, 'real.yml'), join(dir, 'link.yml'));
    const yaml = await both(dir, './link.yml');
    expect(yaml.ours).toEqual(yaml.theirs);
    expect(yaml.ours.web1).toBe(`${dir}/link.yml|${dir}`);
    expect(yaml.ours.localhost).toBe('UNDEF|UNDEF');
    const ini = await both(dir, join(dir, 'hosts.ini'));
    expect(ini.ours).toEqual(ini.theirs);
    expect(ini.ours.db1).toBe(`${dir}/hosts.ini|${dir}`);
  }, 120_000);

  it('a directory inventory: each host gets the file that listed it', async () => {
    const dir = scratch({
      'pb.yml': PLAYBOOK,
      'inv/hosts.yml': 'all:\n  hosts:\n    a: {ansible_connection: local}\n',
      'inv/sub/more.yml': 'all:\n  hosts:\n    b: {ansible_connection: local}\n',
    });
    const r = await both(dir, 'inv');
    expect(r.ours).toEqual(r.theirs);
    expect(r.ours.a).toBe(`${dir}/inv/hosts.yml|${dir}/inv`);
    expect(r.ours.b).toBe(`${dir}/inv/sub/more.yml|${dir}/inv/sub`);
  }, 120_000);
});
