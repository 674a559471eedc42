/** The engine over a real sshd: tasks reuse one connection; a host with an unknown key is refused clearly. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startSshd, type SshdHandle } from '../../helpers/sshd.js';
import { run, scratch } from './fixtures.js';
import type { EngineInventory } from '../../../src/engine/types.js';

let sshd: SshdHandle;
beforeAll(async () => {
  sshd = await startSshd();
});
afterAll(async () => {
  await sshd?.stop();
});

function inventory(vars: Record<string, unknown>): EngineInventory {
  return { hosts: { remote: { name: 'remote', vars, groups: ['all'] } }, groups: { all: ['remote'] } };
}

describe('engine over ssh', () => {
  it('runs commands as the remote user, with environment, loops and registered results', async () => {
    const dir = scratch({
      'pb.yml': [
        '- hosts: remote',
        '  tasks:',
        '    - command: id -un',
        '      register: who',
        '    - shell: echo "$GREETING {{ item }}"',
        '      environment: {GREETING: hello}',
        '      loop: [a, b]',
        '      register: out',
        '    - debug: msg="{{ who.stdout }} {{ out.results | map(attribute=\'stdout\') | list }}"',
        '',
      ].join('\n'),
    });
    const r = await run(join(dir, 'pb.yml'), { inventory: inventory(sshd.inventoryVars()) });
    expect(r.result.failures).toEqual([]);
    expect(r.debugs).toEqual([`${sshd.user} ['hello a', 'hello b']`]);
  });

  it('refuses an unknown host key: the host is unreachable with a message naming the key problem', async () => {
    const dir = scratch({ 'pb.yml': '- hosts: remote\n  tasks:\n    - name: never runs\n      command: "true"\n', known_hosts: '' });
    const empty = join(dir, 'known_hosts');
    writeFileSync(empty, '');
    const vars = { ...sshd.inventoryVars(), ansible_ssh_common_args: `-o UserKnownHostsFile=${empty} -o StrictHostKeyChecking=yes`, ansible_ssh_known_hosts_file: empty };
    const r = await run(join(dir, 'pb.yml'), { inventory: inventory(vars) });
    expect(r.result.ok).toBe(false);
    expect(r.statuses['never runs']).toBe('unreachable');
    expect(r.result.stats.remote.unreachable).toBe(1);
    expect(r.result.failures[0].msg).toMatch(/host key/i);
    expect(r.result.failures[0]).toMatchObject({ task: 'never runs', line: 3 });
  });

  it('become/become_user run the command as another user (sudo), inherited from the block', async () => {
    const dir = scratch({
      'tasks.yml': '- block:\n    - command: id -un\n      register: as_other\n  become: true\n  become_user: ' + sshd.user + '\n- command: id -un\n  register: as_me\n- debug: msg="{{ as_other.stdout }} {{ as_me.stdout }}"\n',
    });
    const r = await run(join(dir, 'tasks.yml'));
    expect(r.result.failures).toEqual([]);
    expect(r.debugs).toEqual([`${sshd.user} root`]);
  });
});
