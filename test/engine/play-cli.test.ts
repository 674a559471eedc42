/** `dci-agent-ts play` as a user runs it: exit codes, output kinds, one-line errors, junit. */
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { scratch } from './executor/fixtures.js';

const INVENTORY = 'all:\n  hosts:\n    web1:\n      ansible_connection: local\n    web2:\n      ansible_connection: local\n  children:\n    web:\n      hosts:\n        web1: {}\n        web2: {}\n';

describe('dci-agent-ts play', () => {
  it('runs a playbook on inventory hosts with extra vars and tags; exit 0; plain output is timestamped', async () => {
    const dir = scratch({
      'inv.yml': INVENTORY,
      'site.yml': '- hosts: web\n  tasks:\n    - debug: msg="hi {{ who }} from {{ inventory_hostname }}"\n      tags: [greet]\n    - debug: msg=untagged\n',
    });
    const r = await runCli(['play', join(dir, 'site.yml'), '-i', join(dir, 'inv.yml'), '-e', 'who=you', '--tags', 'greet', '--output', 'plain']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z PLAY \[web\]/m);
    expect(r.stdout).toContain('hi you from web1');
    expect(r.stdout).toContain('hi you from web2');
    expect(r.stdout).not.toContain('untagged');
    expect(r.stdout).toMatch(/web1 +: ok=1 changed=0 unreachable=0 failed=0/);
  });

  it('exit 2 when a host fails, naming host, task and file:line', async () => {
    const dir = scratch({ 'inv.yml': INVENTORY, 'site.yml': '- hosts: web1\n  tasks:\n    - name: breaks\n      command: "false"\n' });
    const r = await runCli(['play', join(dir, 'site.yml'), '-i', join(dir, 'inv.yml'), '-o', 'plain']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/failed: \[web1\] breaks \(.*site\.yml:3\)/);
  });

  it('a broken task file: one message with file:line and a hint, no stack trace, exit 2', async () => {
    const dir = scratch({ 'bad.yml': '- name: typo here\n  debug: msg=x\n  loop_controll: {}\n' });
    const r = await runCli(['play', join(dir, 'bad.yml')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: .*bad\.yml:1: unknown keyword `loop_controll` on a task/);
    expect(r.stderr).toContain('did you mean `loop_control`');
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stdout).toBe('');
  });

  it('--output jsonl writes one JSON event per line, secrets redacted', async () => {
    const dir = scratch({ 'tasks.yml': '- command: echo my-db-password-xyz\n  register: db_password\n- debug: msg="{{ db_password.stdout }}"\n' });
    const r = await runCli(['play', join(dir, 'tasks.yml'), '--output', 'jsonl']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; msg?: unknown });
    // Streamed output of a task registering a secret-named variable is held back (it would leak before we know).
    expect(lines.map((l) => l.type)).toEqual(['play-start', 'task-start', 'task-end', 'task-start', 'debug', 'task-end', 'play-end', 'recap']);
    expect(r.stdout).not.toContain('my-db-password-xyz');
    expect(lines.find((l) => l.type === 'debug')?.msg).toBe('********');
  });

  it('a module writing into the run dir (install plan by default): the dir is kept (0700) and named on stderr; an empty one is removed', async () => {
    const dir = scratch({ 'plan.yml': '- hosts: localhost\n  gather_facts: false\n  tasks:\n    - install_cluster:\n        install_type: sno\n        mode: plan\n' });
    const r = await runCli(['play', join(dir, 'plan.yml'), '-i', resolve('inventories/demo.yml'), '-o', 'plain']);
    expect(r.code).toBe(0);
    const m = /^files written by this run are in (\S+)$/m.exec(r.stderr);
    expect(m, r.stderr).not.toBeNull();
    const runDir = m![1];
    try {
      expect(statSync(runDir).mode & 0o777).toBe(0o700);
      expect(existsSync(join(runDir, 'install-plan', 'plan.txt'))).toBe(true);
    } finally {
      rmSync(runDir, { recursive: true, force: true });
    }
    const empty = await runCli(['play', join(dir, 'plan.yml'), '-i', resolve('inventories/demo.yml'), '--tags', 'nothing', '-o', 'plain']);
    expect(empty.code).toBe(0);
    expect(empty.stderr).not.toContain('files written by this run');
  });

  it('bare task files run on localhost; --check skips modules without check support; --junit writes test cases', async () => {
    const dir = scratch({ 'hook.yml': '- name: test_greeting\n  debug: msg=hello\n- name: test_broken\n  fail: msg="broken on purpose"\n' });
    const junit = join(dir, 'junit.xml');
    const r = await runCli(['play', join(dir, 'hook.yml'), '--check', '--junit', junit, '-o', 'plain']);
    expect(r.code).toBe(2);
    expect(existsSync(junit)).toBe(true);
    const xml = readFileSync(junit, 'utf8');
    expect(xml).toContain('name="[localhost] test_greeting"');
    expect(xml).toMatch(/test_broken".*<failure message="broken on purpose"/);
  });

  it('tty output renders the task tree (listr2) and the recap', async () => {
    const dir = scratch({ 'tasks.yml': '- name: first task\n  debug: msg=one\n- name: looped\n  debug: msg={{ item }}\n  loop: [a, b]\n' });
    const r = await runCli(['play', join(dir, 'tasks.yml'), '--output', 'tty']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('first task');
    expect(r.stdout).toContain('looped');
    expect(r.stdout).toMatch(/ok: \[localhost\] a/);
    expect(r.stdout).toContain('PLAY RECAP');
  });
});
