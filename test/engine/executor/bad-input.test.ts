/**
 * Bad input: each problem gives one message naming what, where (file:line) and the task, and what to do.
 * File-level problems (YAML, keywords, modules) stop before anything runs; run-time problems (undefined
 * variables, missing includes, loops over non-lists) fail the task like Ansible does (rescuable).
 */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { TaskFileError } from '../../../src/core/errors.js';
import { run, scratch } from './fixtures.js';

async function fileError(text: string): Promise<TaskFileError> {
  const dir = scratch({ 'tasks.yml': text });
  try {
    await run(join(dir, 'tasks.yml'));
  } catch (e) {
    expect(e).toBeInstanceOf(TaskFileError);
    return e as TaskFileError;
  }
  throw new Error('expected a TaskFileError');
}

describe('task file errors (nothing runs)', () => {
  it('YAML syntax error names file and line', async () => {
    const e = await fileError('- name: ok\n  debug: msg=1\n- name: bad\n  debug: {msg: [unclosed\n');
    expect(e.code).toBe('yaml-syntax');
    expect(e.location?.file).toMatch(/tasks\.yml$/);
    expect(e.location?.line).toBeGreaterThanOrEqual(4);
  });

  it('unknown keyword suggests the nearest keyword', async () => {
    const e = await fileError('- debug: msg=1\n- name: typo\n  debug: msg=2\n  whn: true\n');
    expect(e.code).toBe('task-unknown-keyword');
    expect(e.message).toContain('whn');
    expect(e.hint).toContain('`when`');
    expect(e.location).toMatchObject({ line: 2, task: 'typo' });
  });

  it('two modules in one task', async () => {
    const e = await fileError('- name: both\n  debug: msg=1\n  command: ls\n');
    expect(e.code).toBe('task-two-modules');
    expect(e.message).toMatch(/debug.*command/);
    expect(e.location?.line).toBe(1);
  });

  it('unknown module suggests the nearest module', async () => {
    const e = await fileError('- name: misspelt\n  debugg:\n    msg: x\n');
    expect(e.code).toBe('task-unknown-module');
    expect(e.hint).toContain('`debug`');
  });

  it('FQCN aliases resolve, unknown collections do not', async () => {
    const dir = scratch({ 'ok.yml': '- ansible.builtin.debug: msg=a\n- ansible.legacy.debug: msg=b\n' });
    const r = await run(join(dir, 'ok.yml'));
    expect(r.debugs).toEqual(['a', 'b']);
    const e = await fileError('- community.general.nope: {}\n');
    expect(e.code).toBe('task-unknown-module');
  });

  it('a task that is not a mapping', async () => {
    const e = await fileError('- debug: msg=1\n- just a string\n');
    expect(e.code).toBe('task-not-mapping');
  });

  it('unknown keyword on a block', async () => {
    const e = await fileError('- block:\n    - debug: msg=1\n  rescu:\n    - debug: msg=2\n');
    expect(e.code).toBe('block-unknown-keyword');
    expect(e.hint).toContain('`rescue`');
  });
});

describe('run-time errors fail the task with file:line and task name', () => {
  it('undefined variable names the variable and the task', async () => {
    const dir = scratch({ 'tasks.yml': '- name: uses undefined\n  debug:\n    msg: "{{ nope_var }}"\n- debug: msg=never\n' });
    const r = await run(join(dir, 'tasks.yml'));
    expect(r.result.ok).toBe(false);
    expect(r.result.failures).toHaveLength(1);
    const f = r.result.failures[0];
    expect(f).toMatchObject({ task: 'uses undefined', line: 1, host: 'localhost' });
    expect(f.file).toMatch(/tasks\.yml$/);
    expect(f.msg).toContain('nope_var');
    expect(r.debugs).toEqual([]);
  });

  it('include of a missing file fails the host, and rescue catches it', async () => {
    const dir = scratch({
      'tasks.yml': '- block:\n    - include_tasks: missing.yml\n  rescue:\n    - debug: msg=rescued\n- include_tasks: "{{ \'gone\' }}.yml"\n',
    });
    const r = await run(join(dir, 'tasks.yml'));
    expect(r.debugs).toEqual(['rescued']);
    expect(r.result.failures).toHaveLength(1);
    expect(r.result.failures[0].msg).toContain('gone.yml');
    expect(r.result.failures[0].line).toBe(5);
    expect(r.result.stats.localhost).toMatchObject({ rescued: 1, failed: 1 });
  });

  it('a loop over a non-list fails showing the value received, in Ansible\'s words', async () => {
    const dir = scratch({ 'tasks.yml': '- name: bad loop\n  debug: msg={{ item }}\n  loop: "{{ {\'a\': 1} }}"\n' });
    const r = await run(join(dir, 'tasks.yml'));
    expect(r.result.failures[0].msg).toContain("it requires a list, got this instead: {'a': 1}.");
    expect(r.result.failures[0].task).toBe('bad loop');
  });

  it('bad module arguments fail the task naming the argument', async () => {
    const dir = scratch({ 'tasks.yml': '- name: bad args\n  debug:\n    mgs: typo\n' });
    const r = await run(join(dir, 'tasks.yml'));
    expect(r.result.failures[0].msg).toContain('mgs');
    expect(r.result.failures[0].msg).toContain('msg');
  });
});
