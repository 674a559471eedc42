/**
 * `include_tasks` in a loop against ansible-core 2.14: what the included tasks see of the loop — the item under
 * its loop_var, the index_var, `ansible_loop` with `loop_control.extended` (without allitems when
 * extended_allitems is false), the label as `_ansible_item_label`; not ansible_loop_var / ansible_index_var, which
 * ansible-core keeps in the include's item result — the include's `when` per item seeing ansible_loop, and a
 * loop_control.extended that is not a boolean or a loop that is not a list failing the include (ignored under
 * ignore_errors, the host going on).
 */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { runAnsiblePlaybook, type AnsibleRecord } from '../../helpers/ansible.js';
import { runOurs } from '../run-ours.js';
import { scratch } from './fixtures.js';
import type { Record_ } from '../differential.js';

const INVENTORY = { all: { hosts: { localhost: { ansible_connection: 'local', ansible_python_interpreter: '/usr/bin/python3' } } } };

/**
 * One probe seeing every loop variable. A dict expression, not a dict of templates: ansible-core 2.14 turns
 * `"{{ idx | default(...) }}"` into the string '0' but keeps types inside a rendered dict literal.
 */
const PROBE = `- name: "seen by {{ src }}"
  debug:
    msg: "{{ {'item': item | default('UNDEF'), 'thing': thing | default('UNDEF'), 'idx': idx | default('UNDEF'),
      'ansible_loop': ansible_loop | default('UNDEF'), 'ansible_loop_var': ansible_loop_var | default('UNDEF'),
      'ansible_index_var': ansible_index_var | default('UNDEF'), 'label': _ansible_item_label | default('UNDEF'),
      'p': p | default('UNDEF')} }}"
`;

const PLAYBOOK = `- name: include loops
  hosts: localhost
  gather_facts: false
  tasks:
    - name: plain loop
      include_tasks: probe.yml
      loop: [a, b]
      vars: {src: plain}
    - name: extended
      include_tasks: probe.yml
      loop: [a, {b: 1}, c]
      loop_control: {extended: true}
      vars: {src: extended}
    - name: every loop_control
      include_tasks: probe.yml
      loop: [x, y]
      loop_control: {extended: "{{ true }}", extended_allitems: false, loop_var: thing, index_var: idx, label: "L{{ thing }}"}
      vars: {src: every, p: "{{ thing }}!", thing: the include vars lose}
    - name: when per item
      include_tasks: probe.yml
      loop: [a, b, c]
      loop_control: {extended: true, extended_allitems: false}
      when: not ansible_loop.last
      vars: {src: when}
    - name: extended maybe
      include_tasks: probe.yml
      loop: [a]
      loop_control: {extended: maybe}
      vars: {src: maybe}
      ignore_errors: true
    - name: not a list
      include_tasks: probe.yml
      loop: "{{ 3 }}"
      ignore_errors: true
    - name: the host goes on
      include_tasks: probe.yml
      vars: {src: after}
`;

// scratch() removes the dir after the file's tests.
const dir = scratch({ 'pb.yml': PLAYBOOK, 'probe.yml': PROBE, 'inventory.json': JSON.stringify(INVENTORY) });
const playbook = join(dir, 'pb.yml');
const inventory = join(dir, 'inventory.json');

/** What the included probes saw, in order, and the includes that failed with their message (its first clause). */
function view(records: Array<AnsibleRecord | Record_>): string[] {
  return records
    .filter((r) => r.action.endsWith('debug') || r.status === 'failed' || r.status === 'ignored')
    .map((r) => `${r.task} ${r.status}: ${JSON.stringify(r.action.endsWith('debug') ? r.result.msg : String(r.result.msg).replace(/(has an invalid value \([^)]*\)).*/s, '$1'))}`);
}

describe('include_tasks in a loop: ansible-core is the oracle', () => {
  it('the included tasks see the item, index_var, ansible_loop and label as in ansible-playbook, not ansible_loop_var', async () => {
    const [theirs, ours] = await Promise.all([runAnsiblePlaybook(playbook, { inventory, timeoutMs: 60_000 }), runOurs(playbook, inventory)]);
    expect(theirs.code, theirs.stdout + theirs.stderr).toBe(0);
    const expected = view(theirs.records);
    expect(view(ours.records)).toEqual(expected);
    // Not vacuous: the rows a user would notice.
    expect(expected).toHaveLength(2 + 3 + 2 + 2 + 2 + 1);
    const seen = theirs.records.filter((r) => r.action.endsWith('debug')).map((r) => r.result.msg as Record<string, unknown>);
    expect(seen[0]).toMatchObject({ item: 'a', ansible_loop: 'UNDEF', ansible_loop_var: 'UNDEF', label: 'a' });
    expect(seen[3]).toMatchObject({ item: { b: 1 }, ansible_loop: { index: 2, first: false, last: false, length: 3, previtem: 'a', nextitem: 'c', allitems: ['a', { b: 1 }, 'c'] } });
    expect(seen[5]).toMatchObject({ item: 'UNDEF', thing: 'x', idx: 0, ansible_index_var: 'UNDEF', label: 'Lx', p: 'x!', ansible_loop: { index: 1, nextitem: 'y' } });
    expect(seen[5].ansible_loop).not.toHaveProperty('allitems');
    expect(seen.slice(7, 9).map((m) => m.item)).toEqual(['a', 'b']);
    // A failing include under ignore_errors is ignored and the host goes on.
    expect(expected.slice(-3)).toEqual([
      `extended maybe ignored: "the field 'extended' has an invalid value (maybe)"`,
      expect.stringMatching(/^not a list ignored: "Invalid data passed to 'loop', it requires a list, got this instead: 3/),
      expect.stringMatching(/^seen by after ok: /),
    ]);
    // The labels reach the reporters as item events of the include.
    const labels = ours.events.flatMap((e) => (e.type === 'item-end' && e.task.name === 'every loop_control' ? [e.label] : []));
    expect(labels).toEqual(['Lx', 'Ly']);
  }, 90_000);
});
