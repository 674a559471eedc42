/**
 * `loop_control.extended` content and `extended_allitems` against ansible-core 2.14: what `ansible_loop` holds
 * for each item (index, first/last, allitems, nextitem, previtem...), with and without `extended_allitems`, in
 * the templates of the task and in the registered item results. Which values of extended_allitems are accepted
 * is in bool-keyword-oracle.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runAnsiblePlaybook, type AnsibleRecord } from '../../helpers/ansible.js';
import { runOurs } from '../run-ours.js';
import type { Record_ } from '../differential.js';

const INVENTORY = { all: { hosts: { localhost: { ansible_connection: 'local', ansible_python_interpreter: '/usr/bin/python3' } } } };

const PLAYBOOK = `- hosts: localhost
  gather_facts: false
  vars: {f: false}
  tasks:
    - name: extended
      debug: msg="{{ ansible_loop }}"
      loop: [a, {b: 1}, c]
      loop_control: {extended: true}
    - name: extended without allitems
      debug: msg="{{ ansible_loop }}"
      loop: [a, {b: 1}, c]
      loop_control: {extended: true, extended_allitems: "{{ f }}"}
    - name: extended_allitems is checked with extended off
      debug: msg=never
      loop: [a]
      loop_control: {extended: false, extended_allitems: maybe}
      ignore_errors: true
    - name: extended_allitems on an empty loop
      debug: msg=never
      loop: []
      loop_control: {extended: true, extended_allitems: maybe}
`;

let dir: string;
let playbook: string;
let inventory: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'loop-extended-oracle-'));
  playbook = join(dir, 'pb.yml');
  inventory = join(dir, 'inventory.json');
  writeFileSync(playbook, PLAYBOOK);
  writeFileSync(inventory, JSON.stringify(INVENTORY));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Per task: its status and, per item, what the template saw and the ansible_loop of the item result. */
function view(records: Array<AnsibleRecord | Record_>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const r of records) {
    const items = (r.result.results as Array<Record<string, unknown>> | undefined) ?? [];
    const refused = /the field '\w+' has an invalid value/.test(String(r.result.msg)) ? 'refused' : '';
    out[r.task] = { status: r.status, refused, items: items.map((i) => ({ msg: i.msg, ansible_loop: i.ansible_loop })) };
  }
  return out;
}

describe('loop_control.extended / extended_allitems: ansible-core is the oracle', () => {
  it('ansible_loop holds the same keys and values per item as in ansible-playbook; extended_allitems: false drops allitems only', async () => {
    const [theirs, ours] = await Promise.all([runAnsiblePlaybook(playbook, { inventory, timeoutMs: 120_000 }), runOurs(playbook, inventory)]);
    expect(theirs.code, theirs.stdout + theirs.stderr).toBe(0);
    expect(view(ours.records)).toEqual(view(theirs.records));
    // Not vacuous: the rows a user would notice.
    const seen = view(theirs.records) as Record<string, { status: string; refused: string; items: Array<{ msg: Record<string, unknown> }> }>;
    expect(seen.extended.items[1].msg).toMatchObject({ index: 2, allitems: ['a', { b: 1 }, 'c'], previtem: 'a', nextitem: 'c' });
    expect(seen['extended without allitems'].items[1].msg).not.toHaveProperty('allitems');
    expect(seen['extended without allitems'].items[1].msg).toHaveProperty('nextitem', 'c');
    expect(seen['extended_allitems is checked with extended off']).toMatchObject({ status: 'ignored', refused: 'refused', items: [] });
    expect(seen['extended_allitems on an empty loop'].status).toBe('skipped');
  }, 180_000);
});
