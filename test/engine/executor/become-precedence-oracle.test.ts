/**
 * `become` / `become_user` keywords (play, block, task) against the `ansible_become` / `ansible_become_user`
 * variables (inventory host and group vars, play vars, block and task vars, extra vars), with ansible-core as
 * the oracle. In ansible-core 2.14 a connection variable is applied after the keywords (TaskExecutor reads
 * `ansible_become` from the task's variables when it is not null, else the inherited keyword; the become
 * plugin's `become_user` option reads `ansible_become_user` before the keyword): whichever layer the variable
 * comes from, it beats the keyword at any level. Each task runs `id -un` locally through sudo and records who it
 * ran as: root (no become), nobody (the play's become_user keyword), bin (a task's become_user keyword) or
 * daemon (an ansible_become_user variable).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runAnsiblePlaybook, type AnsibleRecord } from '../../helpers/ansible.js';
import { runOurs } from '../run-ours.js';
import type { Record_ } from '../differential.js';

const LOCAL = { ansible_connection: 'local', ansible_python_interpreter: '/usr/bin/python3' };

/** Hosts named after the ansible_become their inventory gives them (gv_true also sets ansible_become_user). */
const INVENTORY = {
  all: {
    hosts: { plain: LOCAL, hv_true: { ...LOCAL, ansible_become: true }, hv_false: { ...LOCAL, ansible_become: false } },
    children: {
      become_group: { hosts: { gv_true: LOCAL }, vars: { ansible_become: true, ansible_become_user: 'daemon' } },
      no_become_group: { hosts: { gv_false: LOCAL }, vars: { ansible_become: false } },
    },
  },
};
const ALL_HOSTS = ['plain', 'hv_true', 'hv_false', 'gv_true', 'gv_false'];

/** A task observing who it runs as, with keyword lines; `block` wraps it in a block carrying those lines. */
function probe(name: string, taskLines: string[] = [], block?: string[]): string[] {
  const task = [`- name: ${JSON.stringify(name)}`, '  command: id -un', ...taskLines.map((l) => `  ${l}`)];
  if (!block) return task;
  return ['- block:', ...task.map((l) => `    ${l}`), ...block.map((l) => `  ${l}`)];
}

interface PlaySpec {
  name: string;
  hosts: string[];
  keywords: string[];
  tasks: string[][];
}

/** Every play has `become_user: nobody` so that a become shows as another user than root. */
function playbook(plays: PlaySpec[]): string {
  const lines: string[] = [];
  for (const p of plays) {
    lines.push(`- name: ${p.name}`, `  hosts: ${p.hosts.join(',')}`, '  gather_facts: false', '  become_user: nobody', ...p.keywords.map((l) => `  ${l}`), '  tasks:');
    for (const t of p.tasks) lines.push(...t.map((l) => `    ${l}`));
  }
  return lines.join('\n') + '\n';
}

const PLAYS: PlaySpec[] = [
  {
    name: 'no play keyword',
    hosts: ALL_HOSTS,
    keywords: ['vars: {t: true}'],
    tasks: [
      probe('no keyword'),
      probe('task become true', ['become: true']),
      probe('task become false', ['become: false']),
      probe('block become true', [], ['become: true']),
      probe('block become false', [], ['become: false']),
      probe('task become true, task vars false', ['become: true', 'vars: {ansible_become: false}']),
      probe('task become false, task vars true', ['become: false', 'vars: {ansible_become: true}']),
      probe('task become true, block vars false', ['become: true'], ['vars: {ansible_become: false}']),
      probe('block become true, task vars false', ['vars: {ansible_become: false}'], ['become: true']),
      probe('task become false, task vars template true', ['become: false', 'vars: {ansible_become: "{{ t }}"}']),
      probe('task become true, task vars null', ['become: true', 'vars: {ansible_become: null}']),
      probe('task become true and become_user bin', ['become: true', 'become_user: bin']),
      probe('task become true, become_user bin, task vars user daemon', ['become: true', 'become_user: bin', 'vars: {ansible_become_user: daemon}']),
      probe('block become true and become_user bin, task vars user daemon', ['vars: {ansible_become_user: daemon}'], ['become: true', 'become_user: bin']),
    ],
  },
  {
    name: 'play become true',
    hosts: ['plain', 'hv_true', 'gv_false'],
    keywords: ['become: true'],
    tasks: [probe('no keyword'), probe('task become false', ['become: false']), probe('block become false', [], ['become: false'])],
  },
  {
    name: 'play become false',
    hosts: ['plain', 'hv_true', 'gv_false'],
    keywords: ['become: false'],
    tasks: [probe('no keyword'), probe('task become true', ['become: true'])],
  },
  {
    name: 'play become true, play vars false',
    hosts: ['plain', 'hv_true'],
    keywords: ['become: true', 'vars: {ansible_become: false}'],
    tasks: [probe('no keyword'), probe('task become true', ['become: true']), probe('task vars true', ['vars: {ansible_become: true}'])],
  },
  {
    name: 'play become false, play vars true and user daemon',
    hosts: ['plain', 'hv_false'],
    keywords: ['become: false', 'vars: {ansible_become: true, ansible_become_user: daemon}'],
    tasks: [probe('no keyword'), probe('task become false and become_user bin', ['become: false', 'become_user: bin'])],
  },
];

/** Extra vars beat every keyword and every other variable. */
const EXTRA_VARS = { ansible_become: true, ansible_become_user: 'daemon' };
const EXTRA_PLAYS: PlaySpec[] = [
  {
    name: 'extra vars become true and user daemon, play become false',
    hosts: ['plain', 'hv_false'],
    keywords: ['become: false'],
    tasks: [probe('no keyword'), probe('task become false, task vars false, become_user bin', ['become: false', 'become_user: bin', 'vars: {ansible_become: false, ansible_become_user: bin}'])],
  },
];

let dir: string;
let inventory: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'become-precedence-'));
  inventory = join(dir, 'inventory.json');
  writeFileSync(inventory, JSON.stringify(INVENTORY));
  writeFileSync(join(dir, 'matrix.yml'), playbook(PLAYS));
  writeFileSync(join(dir, 'extra-vars.yml'), playbook(EXTRA_PLAYS));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `play / task / host → user` (or the failure), sorted: the engines may finish hosts in another order. */
function table(records: Array<AnsibleRecord | Record_>): string[] {
  return records
    .map((r) => {
      const seen = r.status === 'changed' || r.status === 'ok' ? String(r.result.stdout) : `${r.status}: ${String(r.result.msg)}`;
      return `${r.play} / ${r.task} / ${r.host} → ${seen}`;
    })
    .sort();
}

describe('become keyword vs ansible_become variable: ansible-core is the oracle', () => {
  it('the variable, from any layer, beats the keyword at any level — the same user as ansible-playbook for every task and host', async () => {
    const matrix = join(dir, 'matrix.yml');
    const extra = join(dir, 'extra-vars.yml');
    const [theirs, theirsExtra, ours, oursExtra] = await Promise.all([
      runAnsiblePlaybook(matrix, { inventory, timeoutMs: 240_000 }),
      runAnsiblePlaybook(extra, { inventory, extraVars: EXTRA_VARS, timeoutMs: 240_000 }),
      runOurs(matrix, inventory),
      runOurs(extra, inventory, { extraVars: EXTRA_VARS }),
    ]);
    expect(theirs.code, theirs.stdout + theirs.stderr).toBe(0);
    expect(theirsExtra.code, theirsExtra.stdout + theirsExtra.stderr).toBe(0);
    const expected = [...table(theirs.records), ...table(theirsExtra.records)];
    expect([...table(ours.records), ...table(oursExtra.records)]).toEqual(expected);
    // Every task ran on every host of its play.
    const runs = [...PLAYS, ...EXTRA_PLAYS].reduce((n, p) => n + p.hosts.length * p.tasks.length, 0);
    expect(expected).toHaveLength(runs);
    // Not vacuous: the rows that prove the rule (a variable beating a keyword both ways, from each layer).
    expect(expected).toEqual(
      expect.arrayContaining([
        'no play keyword / task become true / hv_false → root',
        'no play keyword / task become false / hv_true → nobody',
        'no play keyword / block become true / gv_false → root',
        'no play keyword / task become true and become_user bin / gv_true → daemon',
        'no play keyword / task become true, task vars false / plain → root',
        'no play keyword / task become false, task vars true / hv_false → nobody',
        'no play keyword / task become true, task vars null / hv_false → nobody',
        'no play keyword / task become true, become_user bin, task vars user daemon / plain → daemon',
        'play become true / no keyword / gv_false → root',
        'play become true, play vars false / task become true / hv_true → root',
        'play become false, play vars true and user daemon / task become false and become_user bin / hv_false → daemon',
        'extra vars become true and user daemon, play become false / task become false, task vars false, become_user bin / plain → daemon',
      ]),
    );
  }, 300_000);
});
