/** Executor behaviours a user notices: parallel hosts, tags, precedence, secrets, facts carried over, junit. */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { run, scratch, localInventory } from './fixtures.js';
import { JsonlReporter } from '../../../src/engine/index.js';

describe('executor', () => {
  it('runs hosts in parallel per task (forks) and each task on all hosts before the next', async () => {
    const dir = scratch({ 'pb.yml': '- hosts: all\n  tasks:\n    - command: sleep 2\n    - debug: msg="{{ inventory_hostname }}"\n' });
    const t0 = Date.now();
    const r = await run(join(dir, 'pb.yml'), { inventory: localInventory(['h1', 'h2', 'h3']) });
    const elapsed = Date.now() - t0;
    expect(r.result.ok).toBe(true);
    expect(elapsed).toBeLessThan(5000); // one after the other would take ≥ 6 s
    const order = r.events.filter((e) => e.type === 'task-end').map((e) => (e.type === 'task-end' ? e.module : ''));
    expect(order).toEqual(['command', 'command', 'command', 'debug', 'debug', 'debug']);
    expect(r.result.stats.h2).toMatchObject({ ok: 2, changed: 1, failed: 0 });
  });

  it('forks=1 runs hosts one at a time', async () => {
    const dir = scratch({ 'pb.yml': '- hosts: all\n  tasks:\n    - command: sleep 0.3\n' });
    const t0 = Date.now();
    await run(join(dir, 'pb.yml'), { inventory: localInventory(['h1', 'h2']), forks: 1 });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(600);
  });

  it('a failed host stops; the others go on; later plays skip it', async () => {
    const dir = scratch({
      'pb.yml': [
        '- hosts: all',
        '  tasks:',
        '    - fail: msg=boom',
        '      when: inventory_hostname == "h1"',
        '    - debug: msg="{{ inventory_hostname }}"',
        '- hosts: all',
        '  tasks:',
        '    - debug: msg="second {{ inventory_hostname }}"',
        '',
      ].join('\n'),
    });
    const r = await run(join(dir, 'pb.yml'), { inventory: localInventory(['h1', 'h2']) });
    expect(r.result.ok).toBe(false);
    expect(r.debugs).toEqual(['h2', 'second h2']);
    expect(r.result.failures).toMatchObject([{ host: 'h1', msg: 'boom' }]);
  });

  it('--tags and --skip-tags select tasks (always/never honoured)', async () => {
    const dir = scratch({
      'tasks.yml': [
        '- debug: msg=untagged',
        '- debug: msg=a',
        '  tags: [a]',
        '- debug: msg=b',
        '  tags: b',
        '- debug: msg=always',
        '  tags: [always]',
        '- debug: msg=never-a',
        '  tags: [never, a]',
        '- block:',
        '    - debug: msg=in-block-b',
        '  tags: b',
        '',
      ].join('\n'),
    });
    expect((await run(join(dir, 'tasks.yml'))).debugs).toEqual(['untagged', 'a', 'b', 'always', 'in-block-b']);
    expect((await run(join(dir, 'tasks.yml'), { tags: ['a'] })).debugs).toEqual(['a', 'always', 'never-a']);
    expect((await run(join(dir, 'tasks.yml'), { skipTags: ['b', 'always'] })).debugs).toEqual(['untagged', 'a']);
  });

  it('extra vars beat everything, set_fact beats task vars, playVars sit above inventory', async () => {
    const dir = scratch({
      'tasks.yml': [
        '- debug: msg="{{ a }} {{ b }} {{ c }}"',
        '- set_fact:',
        '    b: fact',
        '- debug: msg="{{ b }}"',
        '  vars:',
        '    b: task',
        '',
      ].join('\n'),
    });
    const r = await run(join(dir, 'tasks.yml'), {
      inventory: localInventory(['localhost'], { a: 'inv', b: 'inv', c: 'inv' }),
      playVars: { b: 'stage', c: 'stage' },
      extraVars: { c: 'extra' },
    });
    expect(r.debugs).toEqual(['inv stage extra', 'fact']);
  });

  it('facts carry over between files and are returned', async () => {
    const dir = scratch({ 'one.yml': '- set_fact:\n    carried: 1\n  register: x\n', 'two.yml': '- debug: msg="{{ carried + 1 }}"\n' });
    const first = await run(join(dir, 'one.yml'));
    expect(first.result.facts.localhost).toMatchObject({ carried: 1 });
    const second = await run(join(dir, 'two.yml'), { facts: first.result.facts });
    expect(second.debugs).toEqual([2]);
  });

  it('no_log results and registered secrets never reach events or reporters', async () => {
    const dir = scratch({
      'tasks.yml': [
        '- name: get token',
        '  command: echo s3cr3t-t0ken-value',
        '  register: api_token',
        '- name: hidden',
        '  command: echo another-hidden-value',
        '  no_log: true',
        '- debug: msg="token is {{ api_token.stdout }}"',
        '',
      ].join('\n'),
    });
    const r = await run(join(dir, 'tasks.yml'));
    let out = '';
    const rep = new JsonlReporter({ write: (t) => (out += t), secrets: r.secrets });
    for (const e of r.events) rep.on(e);
    expect(out).not.toContain('s3cr3t-t0ken-value');
    expect(out).not.toContain('another-hidden-value');
    expect(out).toContain('********');
    expect(out).toContain("'no_log: true' was specified");
    // the value itself is still usable by later tasks
    expect(r.result.facts.localhost.api_token).toMatchObject({ stdout: 's3cr3t-t0ken-value' });
  });

  it('records tasks named test_* as junit test cases', async () => {
    const dir = scratch({
      'tasks.yml': '- name: test_passes\n  debug: msg=ok\n- name: test_fails\n  fail: msg=nope\n  ignore_errors: true\n- name: test_skipped\n  debug: msg=x\n  when: false\n- name: not a test\n  debug: msg=y\n',
    });
    const r = await run(join(dir, 'tasks.yml'));
    expect(r.result.testCases.map((t) => [t.name, t.status, t.msg])).toEqual([
      ['test_passes', 'passed', undefined],
      ['test_fails', 'passed', undefined],
      ['test_skipped', 'skipped', undefined],
    ]);
    const dir2 = scratch({ 'tasks.yml': '- name: test_really_fails\n  fail: msg=nope\n' });
    const r2 = await run(join(dir2, 'tasks.yml'));
    expect(r2.result.testCases).toMatchObject([{ name: 'test_really_fails', status: 'failed', msg: 'nope' }]);
  });

  it('loops emit one item event per item, with labels', async () => {
    const dir = scratch({ 'tasks.yml': '- name: items\n  debug: msg={{ item.n }}\n  loop: [{n: 1, s: secret1}, {n: 2, s: secret2}]\n  loop_control:\n    label: "{{ item.n }}"\n' });
    const r = await run(join(dir, 'tasks.yml'));
    const items = r.events.filter((e) => e.type === 'item-end').map((e) => (e.type === 'item-end' ? e.label : ''));
    expect(items).toEqual(['1', '2']);
  });

  it('delegate_to, run_once and environment reach the command', async () => {
    const dir = scratch({
      'pb.yml': [
        '- hosts: all',
        '  tasks:',
        '    - shell: echo "$X-{{ inventory_hostname }}"',
        '      environment: {X: env}',
        '      run_once: true',
        '      delegate_to: localhost',
        '      register: r',
        '    - debug: msg="{{ r.stdout }}"',
        '',
      ].join('\n'),
    });
    const r = await run(join(dir, 'pb.yml'), { inventory: localInventory(['h1', 'h2']) });
    expect(r.debugs).toEqual(['env-h1', 'env-h1']);
  });

  it('handlers run once at the end of a section, only when notified by a change', async () => {
    const dir = scratch({
      'pb.yml': [
        '- hosts: localhost',
        '  tasks:',
        '    - command: "true"',
        '      notify: restart',
        '    - command: "true"',
        '      notify: restart',
        '    - debug: msg=tasks-done',
        '      notify: not-notified-because-unchanged',
        '  handlers:',
        '    - name: restart',
        '      debug: msg=handler-ran',
        '    - name: not-notified-because-unchanged',
        '      debug: msg=never',
        '',
      ].join('\n'),
    });
    expect((await run(join(dir, 'pb.yml'))).debugs).toEqual(['tasks-done', 'handler-ran']);
  });

  it('with_fileglob loops over the matching files (not directories), sorted', async () => {
    const dir = scratch({ 'tasks.yml': '- debug: msg="{{ item | basename }}"\n  with_fileglob: "{{ playbook_dir }}/conf/*.yml"\n', 'conf/b.yml': 'x', 'conf/a.yml': 'y', 'conf/c.txt': 'z', 'conf/d.yml/keep': '' });
    expect((await run(join(dir, 'tasks.yml'))).debugs).toEqual(['a.yml', 'b.yml']);
  });
});
