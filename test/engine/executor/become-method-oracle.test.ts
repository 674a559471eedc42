/**
 * `become_method` / `ansible_become_method` and the sudo plugin's legacy `ansible_sudo_user` / `ansible_sudo`,
 * with ansible-core 2.14 as the oracle, locally as root.
 *
 * Method: the variable (any layer, when not empty) beats the keyword (play, block, task). Where ansible-playbook
 * runs another method than sudo (here su, which works for root without a password: the task runs as the become
 * user without SUDO_USER), our engine must fail the task naming the method instead of silently running sudo;
 * where ansible-playbook runs sudo, we run sudo too (same user, SUDO_USER=root). An unknown method fails both.
 *
 * User: the sudo plugin reads ansible_become_user then ansible_sudo_user (the last one set wins) before the
 * become_user keyword; a null variable counts as unset. ansible_sudo (the old boolean) is read by nothing.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { runAnsiblePlaybook, type AnsibleRecord } from '../../helpers/ansible.js';
import { runOurs } from '../run-ours.js';
import { ensureUser } from '../../helpers/sshd.js';
import { scratch } from './fixtures.js';
import type { Record_ } from '../differential.js';

/** A become user with a login shell: su (in ansible-playbook) runs the command through it. */
const OTHER = 'dcitest';
const LOCAL = { ansible_connection: 'local', ansible_python_interpreter: '/usr/bin/python3' };
const INVENTORY = {
  all: {
    hosts: {
      plain: LOCAL,
      hv_su: { ...LOCAL, ansible_become_method: 'su' },
      hv_sudo_user: { ...LOCAL, ansible_sudo_user: 'bin' },
      hv_both_users: { ...LOCAL, ansible_become_user: 'daemon', ansible_sudo_user: 'bin' },
      hv_sudo: { ...LOCAL, ansible_sudo: true, ansible_sudo_user: 'bin' },
    },
  },
};

/** Who the task runs as, and whether sudo ran it. */
const PROBE = 'shell: echo "$(id -un) ${SUDO_USER:-nosudo}"';

function task(name: string, lines: string[] = [], block?: string[]): string {
  const t = [`- name: ${JSON.stringify(name)}`, `  ${PROBE}`, '  ignore_errors: true', ...lines.map((l) => `  ${l}`)];
  if (!block) return t.map((l) => `    ${l}`).join('\n');
  return ['- block:', ...t.map((l) => `    ${l}`), ...block.map((l) => `  ${l}`)].map((l) => `    ${l}`).join('\n');
}

const PLAYBOOK = `- name: methods
  hosts: plain,hv_su
  gather_facts: false
  become_user: ${OTHER}
  vars: {m: sudo}
  tasks:
${[
  task('become', ['become: true']),
  task('become_method su', ['become: true', 'become_method: su']),
  task('become_method su, task vars method sudo', ['become: true', 'become_method: su', 'vars: {ansible_become_method: sudo}']),
  task('become_method su, task vars method empty', ['become: true', 'become_method: su', 'vars: {ansible_become_method: ""}']),
  task('become_method templated sudo', ['become: true', 'become_method: "{{ m }}"']),
  task('become_method ansible.builtin.sudo', ['become: true', 'become_method: ansible.builtin.sudo']),
  task('block become_method su', ['become: true'], ['become_method: su']),
  task('become_method nosuch', ['become: true', 'become_method: nosuch']),
  task('no become, become_method su', ['become_method: su']),
].join('\n')}
- name: play become_method su
  hosts: plain
  gather_facts: false
  become: true
  become_user: ${OTHER}
  become_method: su
  tasks:
${[task('play keyword'), task('task become_method sudo', ['become_method: sudo'])].join('\n')}
- name: sudo users
  hosts: plain,hv_sudo_user,hv_both_users,hv_sudo
  gather_facts: false
  become_user: ${OTHER}
  tasks:
${[
  task('no become'),
  task('become', ['become: true']),
  task('become, task vars sudo_user null', ['become: true', 'vars: {ansible_sudo_user: null}']),
  task('become, task vars become_user daemon', ['become: true', 'vars: {ansible_become_user: daemon}']),
].join('\n')}
`;

// scratch() removes the dir after the file's tests.
const dir = scratch({ 'pb.yml': PLAYBOOK, 'inventory.json': JSON.stringify(INVENTORY) });
const playbook = join(dir, 'pb.yml');
const inventory = join(dir, 'inventory.json');
beforeAll(() => ensureUser(OTHER));

/**
 * `play / task / host → outcome`, sorted (hosts finish in any order). ansible-playbook's su run (a non-root user
 * without SUDO_USER) and its unknown-plugin error read `refused <method>`; so does our refusal, whose whole
 * message is checked below.
 */
function table(records: Array<AnsibleRecord | Record_>): string[] {
  return records
    .map((r) => {
      const msg = String(r.result.msg);
      const out = String(r.result.stdout ?? '');
      let seen: string;
      if (r.status === 'ok' || r.status === 'changed') seen = /^(?!root )\S+ nosudo$/.test(out) ? 'refused su' : out;
      else {
        const m = /could not find matching plugin: '([^']+)'|^become method '([^']+)'/.exec(msg);
        seen = m ? `refused ${m[1] ?? m[2]}` : `${r.status}: ${msg}`;
      }
      return `${r.play} / ${r.task} / ${r.host} → ${seen}`;
    })
    .sort();
}

describe('become_method and the sudo plugin variables: ansible-core is the oracle', () => {
  it('sudo where ansible-playbook uses sudo (same user), a clear refusal where it uses another method', async () => {
    const [theirs, ours] = await Promise.all([runAnsiblePlaybook(playbook, { inventory, timeoutMs: 60_000 }), runOurs(playbook, inventory)]);
    expect(theirs.code, theirs.stdout + theirs.stderr).toBe(0);
    const expected = table(theirs.records);
    expect(table(ours.records)).toEqual(expected);
    expect(expected).toHaveLength(2 * 9 + 2 + 4 * 4);
    // Not vacuous: the rows that prove each rule.
    expect(expected).toEqual(
      expect.arrayContaining([
        `methods / become / plain → ${OTHER} root`,
        'methods / become / hv_su → refused su',
        'methods / become_method su / plain → refused su',
        `methods / become_method su, task vars method sudo / hv_su → ${OTHER} root`,
        'methods / become_method su, task vars method empty / plain → refused su',
        'methods / become_method templated sudo / hv_su → refused su',
        'methods / block become_method su / plain → refused su',
        'methods / become_method nosuch / plain → refused nosuch',
        'methods / become_method nosuch / hv_su → refused su',
        'methods / no become, become_method su / plain → root nosudo',
        'play become_method su / play keyword / plain → refused su',
        `play become_method su / task become_method sudo / plain → ${OTHER} root`,
        'sudo users / no become / hv_sudo → root nosudo',
        `sudo users / become / plain → ${OTHER} root`,
        'sudo users / become / hv_sudo_user → bin root',
        'sudo users / become / hv_both_users → bin root',
        'sudo users / become, task vars sudo_user null / hv_both_users → daemon root',
        'sudo users / become, task vars become_user daemon / hv_sudo_user → bin root',
      ]),
    );
    // Our refusal: one line saying what, where and what to do.
    const refusal = ours.records.find((r) => r.play === 'methods' && r.task === 'become_method su' && r.host === 'plain');
    expect(refusal?.status).toBe('ignored');
    expect(refusal?.result.msg).toBe(
      "become method 'su' (from the become_method keyword) is not supported on host plain: this engine becomes another user only with sudo " +
        '(use become_method: sudo (the default) or remove become_method, and give the login user a sudo rule for the become_user)',
    );
    const fromVar = ours.records.find((r) => r.play === 'methods' && r.task === 'become' && r.host === 'hv_su');
    expect(fromVar?.result.msg).toMatch(/^become method 'su' \(from the ansible_become_method variable\) is not supported on host hv_su: .*remove ansible_become_method/);
  }, 90_000);
});
