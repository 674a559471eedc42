import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { writeFile } from 'node:fs/promises';
import { makeContext, runModule, withTempDir } from './helpers.js';
import { findModule, moduleNames, requireModule, MODULES } from '../../src/modules/index.js';

describe('module registry', () => {
  it('resolves bare, ansible.builtin and ansible.legacy names to the same entry', () => {
    for (const n of ['command', 'ansible.builtin.command', 'ansible.legacy.command']) expect(findModule(n)?.name).toBe('command');
    expect(findModule('nosuch')).toBeUndefined();
    expect(moduleNames()).toContain('ansible.builtin.set_fact');
  });
  it('suggests the nearest names for an unknown module', () => {
    expect(() => requireModule('comand')).toThrow(/unknown module 'comand'/);
    try {
      requireModule('comand');
    } catch (e) {
      expect((e as { hint: string }).hint).toContain("'command'");
    }
  });
  it('every entry loads a module whose name and aliases match the entry', async () => {
    for (const entry of MODULES) {
      const mod = await entry.load();
      expect(mod.name).toBe(entry.name);
      expect(mod.aliases).toEqual(entry.aliases);
      expect(typeof mod.run).toBe('function');
    }
  });
});

describe('debug', () => {
  it('returns msg, defaults to Hello world!', async () => {
    expect(await runModule('debug', { msg: [1, 'a'] })).toEqual({ changed: false, failed: false, msg: [1, 'a'] });
    expect((await runModule('debug', {})).msg).toBe('Hello world!');
  });
  it('var: shows the native value under the expression as key, or the undefined marker', async () => {
    const ctx = makeContext({ vars: { x: { a: [1, 2] } } });
    expect(await runModule('debug', { var: 'x.a' }, ctx)).toEqual({ changed: false, failed: false, 'x.a': [1, 2] });
    expect(await runModule('debug', { var: 'nope' }, ctx)).toMatchObject({ nope: 'VARIABLE IS NOT DEFINED!' });
  });
  it('rejects msg with var and unknown args naming them', async () => {
    expect(await runModule('debug', { msg: 'a', var: 'b' })).toMatchObject({ failed: true, msg: "'msg' and 'var' are incompatible options" });
    await expect(runModule('debug', { mgs: 'x' })).rejects.toThrow(/module debug: unsupported argument 'mgs' \(did you mean 'msg'\?\)/);
  });
});

describe('set_fact / fail / assert', () => {
  it('set_fact returns ansible_facts, converts yes/no strings, ignores cacheable', async () => {
    expect(await runModule('set_fact', { a: 1, b: 'yes', c: 'text', cacheable: true })).toEqual({
      changed: false,
      failed: false,
      ansible_facts: { a: 1, b: true, c: 'text' },
    });
  });
  it('set_fact refuses invalid variable names and empty args', async () => {
    expect(await runModule('set_fact', { 'a-b': 1 })).toMatchObject({ failed: true, msg: expect.stringContaining("'a-b' is not valid") });
    expect((await runModule('set_fact', {})).failed).toBe(true);
  });
  it('fail fails with the message or the default', async () => {
    expect(await runModule('fail', { msg: 'boom' })).toEqual({ changed: false, failed: true, msg: 'boom' });
    expect((await runModule('fail', {})).msg).toBe('Failed as requested from task');
  });
  it('assert evaluates expressions and reports the failing one with fail_msg', async () => {
    const ctx = makeContext({ vars: { n: 3, items: ['a'] } });
    expect(await runModule('assert', { that: ['n > 2', 'items | length == 1'], success_msg: 'fine' }, ctx)).toEqual({ changed: false, failed: false, msg: 'fine' });
    expect(await runModule('assert', { that: ['n > 2', 'n > 5'], fail_msg: 'too small' }, ctx)).toMatchObject({
      failed: true,
      assertion: 'n > 5',
      evaluated_to: false,
      msg: 'too small',
    });
    expect((await runModule('assert', { that: 'n == 1' }, ctx)).msg).toBe('Assertion failed');
    expect((await runModule('assert', { that: [true] }, ctx)).failed).toBe(false);
  });
  it('assert without that names the missing argument', async () => {
    await expect(runModule('assert', { msg: 'x' })).rejects.toThrow(/missing required argument 'that'/);
  });
});

describe('command / shell', () => {
  it('command runs argv without a shell and returns Ansible fields', async () => {
    const r = await runModule('command', { _raw_params: `printf '%s|' "a b" '$HOME' c` });
    expect(r).toMatchObject({ changed: true, failed: false, rc: 0, cmd: ['printf', '%s|', 'a b', process.env.HOME, 'c'] });
    expect(r.stdout).toBe(`a b|${process.env.HOME}|c|`);
    expect(r.start).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}$/);
    expect(r.delta).toMatch(/^0:00:\d\d\.\d{6}$/);
  });
  it('command with rc≠0 fails with "non-zero return code" and keeps stderr', async () => {
    const r = await runModule('command', { argv: ['sh', '-c', 'echo out; echo err >&2; exit 3'] });
    expect(r).toMatchObject({ failed: true, rc: 3, msg: 'non-zero return code', stdout: 'out', stderr: 'err', stderr_lines: ['err'] });
  });
  it('command of a missing program fails with rc 127', async () => {
    const r = await runModule('command', { cmd: 'no-such-program-xyz' });
    expect(r).toMatchObject({ failed: true, rc: 127 });
  });
  it('shell pipes, chdir, stdin and streams lines to the task log', async () => {
    await withTempDir(async (dir) => {
      const ctx = makeContext();
      const r = await runModule('shell', { cmd: 'cat | tr a-z A-Z; pwd', chdir: dir, stdin: 'hello' }, ctx);
      expect(r.stdout_lines).toEqual(['HELLO', dir]);
      expect(r.cmd).toBe('cat | tr a-z A-Z; pwd');
      expect(ctx.logged.map((l) => l.line)).toEqual(['HELLO', dir]);
    });
  });
  it('free-form creates=/chdir= options are honoured and make the task idempotent', async () => {
    await withTempDir(async (dir) => {
      const first = await runModule('shell', { _raw_params: `touch marker creates=marker chdir=${dir}` });
      expect(first).toMatchObject({ changed: true, failed: false });
      expect(existsSync(join(dir, 'marker'))).toBe(true);
      const second = await runModule('shell', { _raw_params: `touch marker creates=marker chdir=${dir}` });
      expect(second).toMatchObject({ changed: false, failed: false, msg: "Did not run command since 'marker' exists" });
      const removes = await runModule('command', { cmd: 'rm marker', removes: join(dir, 'nothing*') });
      expect(removes).toMatchObject({ changed: false, stdout: `skipped, since ${join(dir, 'nothing*')} does not exist` });
    });
  });
  it('shell executable option runs another interpreter', async () => {
    const r = await runModule('shell', { cmd: 'echo $((1+2))', executable: '/bin/bash' });
    expect(r.stdout).toBe('3');
  });
  it('check mode skips commands without guards and runs nothing', async () => {
    await withTempDir(async (dir) => {
      const f = join(dir, 'made');
      const r = await runModule('command', { argv: ['touch', f] }, makeContext({ checkMode: true }));
      expect(r).toMatchObject({ skipped: true, changed: false });
      expect(existsSync(f)).toBe(false);
      await writeFile(f, '');
      const guarded = await runModule('command', { argv: ['rm', f], removes: f }, makeContext({ checkMode: true }));
      expect(guarded).toMatchObject({ changed: true, msg: 'Command would have run if not in check mode' });
      expect(existsSync(f)).toBe(true);
    });
  });
  it('bad args name the argument', async () => {
    await expect(runModule('command', { cmd: 'true', chdri: '/' })).rejects.toThrow(/unsupported argument 'chdri' \(did you mean 'chdir'\?\)/);
    expect(await runModule('command', {})).toMatchObject({ failed: true, msg: 'no command given' });
    await expect(runModule('shell', { cmd: 'true', stdin_add_newline: 'maybe' })).rejects.toThrow(/argument 'stdin_add_newline': expected a boolean/);
  });
  it('a missing chdir fails clearly', async () => {
    expect(await runModule('command', { cmd: 'true', chdir: '/no/such/dir' })).toMatchObject({ failed: true, msg: expect.stringContaining("No such file or directory: '/no/such/dir'") });
  });
});
