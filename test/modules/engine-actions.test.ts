import { describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeContext, runModule, withTempDir } from './helpers.js';

describe('wait_for', () => {
  it('waits for a port to open, and times out with Ansible\'s message when it never does', async () => {
    const server: Server = createServer((s) => s.end());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as AddressInfo).port;
    try {
      expect(await runModule('wait_for', { port, timeout: 5 })).toMatchObject({ changed: false, failed: false, port, state: 'started' });
    } finally {
      await new Promise((r) => server.close(r));
    }
    const r = await runModule('wait_for', { port, timeout: 1, sleep: 0.2 });
    expect(r).toMatchObject({ failed: true, msg: `Timeout when waiting for 127.0.0.1:${port}` });
    expect((await runModule('wait_for', { port, state: 'stopped', timeout: 2 })).failed).toBe(false);
  });
  it('waits for a file to appear with a regex, exposing the match groups', async () => {
    await withTempDir(async (dir) => {
      const f = join(dir, 'log');
      setTimeout(() => void writeFile(f, 'boot\nREADY port=8080\n'), 300);
      const r = await runModule('wait_for', { path: f, search_regex: 'READY port=(?P<port>\\d+)', timeout: 5, sleep: 0.1 });
      expect(r).toMatchObject({ failed: false, path: f, match_groups: ['8080'], match_groupdict: { port: '8080' } });
      expect((await runModule('wait_for', { path: join(dir, 'never'), timeout: 0.5, sleep: 0.1 })).msg).toBe(`Timeout when waiting for file ${join(dir, 'never')}`);
      expect((await runModule('wait_for', { path: join(dir, 'never'), state: 'absent', timeout: 1 })).failed).toBe(false);
    });
  });
  it('rejects incompatible options', async () => {
    expect((await runModule('wait_for', { port: 1, path: '/x' })).msg).toMatch(/can not both be passed/);
  });
});

describe('pause', () => {
  it('sleeps for seconds and reports it; refuses interactive prompts', async () => {
    const started = Date.now();
    const r = await runModule('pause', { seconds: 1 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(r).toMatchObject({ changed: false, failed: false, delta: 1 });
    expect(r.stdout).toMatch(/^Paused for 1\.\d{1,2} seconds$/);
    expect(await runModule('pause', { prompt: 'Continue?' })).toMatchObject({ failed: true, msg: expect.stringContaining('unattended') });
  });
  it('stops early when the run is interrupted', async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 100);
    const started = Date.now();
    await runModule('pause', { minutes: 1 }, makeContext({ signal: ac.signal }));
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

describe('include_vars', () => {
  it('loads a file from vars/ (YAML 1.1 booleans, anchors) and a directory, optionally under name', async () => {
    await withTempDir(async (dir) => {
      await mkdir(join(dir, 'vars', 'more'), { recursive: true });
      await writeFile(join(dir, 'vars', 'main.yml'), 'base: &b {x: 1}\nflag: yes\nderived:\n  <<: *b\n  y: 2\n');
      await writeFile(join(dir, 'vars', 'more', '01.yml'), 'a: 1\nshared: first\n');
      await writeFile(join(dir, 'vars', 'more', '02.json'), '{"b": 2, "shared": "second"}');
      await writeFile(join(dir, 'vars', 'more', 'notes.txt'), 'ignored');
      const ctx = makeContext({ taskDir: dir });
      const r = await runModule('include_vars', { file: 'main.yml' }, ctx);
      expect(r).toEqual({ changed: false, failed: false, ansible_facts: { base: { x: 1 }, flag: true, derived: { x: 1, y: 2 } }, ansible_included_var_files: [join(dir, 'vars', 'main.yml')] });
      const d = await runModule('include_vars', { dir: 'more', name: 'bundle' }, ctx);
      expect(d.ansible_facts).toEqual({ bundle: { a: 1, b: 2, shared: 'second' } });
      expect(d.ansible_included_var_files).toEqual([join(dir, 'vars', 'more', '01.yml'), join(dir, 'vars', 'more', '02.json')]);
      expect((await runModule('include_vars', { _raw_params: 'main.yml' }, ctx)).ansible_facts).toMatchObject({ flag: true });
      expect(await runModule('include_vars', { file: 'nope.yml' }, ctx)).toMatchObject({ failed: true, msg: expect.stringContaining("Could not find or access 'nope.yml'") });
      await writeFile(join(dir, 'vars', 'list.yml'), '- 1\n');
      expect((await runModule('include_vars', { file: 'list.yml' }, ctx)).msg).toMatch(/must be stored as a dictionary/);
    });
  });
});

describe('add_host / meta', () => {
  it('add_host returns the host, groups and variables for the executor', async () => {
    expect(await runModule('add_host', { name: 'node1:2222', groups: 'masters,workers', ansible_user: 'core' })).toEqual({
      changed: true,
      failed: false,
      add_host: { host_name: 'node1', groups: ['masters', 'workers'], host_vars: { ansible_user: 'core', ansible_port: 2222 } },
    });
    expect((await runModule('add_host', { hostname: 'h', group: ['g'] })).add_host).toEqual({ host_name: 'h', groups: ['g'], host_vars: {} });
    expect((await runModule('add_host', { groups: 'x' })).failed).toBe(true);
  });
  it('meta returns the action; an unknown action is named', async () => {
    expect(await runModule('meta', { _raw_params: 'end_play' })).toEqual({ changed: false, failed: false, meta: 'end_play' });
    expect((await runModule('meta', { _raw_params: 'flush_handlers' })).meta).toBe('flush_handlers');
    await expect(runModule('meta', { _raw_params: 'end_everything' })).rejects.toThrow(/argument '_raw_params'/);
  });
});

describe('tempfile / ping', () => {
  it('tempfile creates unique files and directories with prefix/suffix under path', async () => {
    await withTempDir(async (dir) => {
      const f = await runModule('tempfile', { path: dir, prefix: 'kube.', suffix: '.conf' });
      expect(f).toMatchObject({ changed: true, state: 'file', mode: '0600' });
      expect(String(f.path)).toMatch(new RegExp(`^${dir}/kube\\.[A-Za-z0-9]{8}\\.conf$`));
      const d = await runModule('tempfile', { path: dir, state: 'directory' });
      expect(d).toMatchObject({ changed: true, state: 'directory', mode: '0700' });
      expect(d.path).not.toBe(f.path);
      expect((await runModule('tempfile', { path: join(dir, 'missing') })).failed).toBe(true);
    });
  });
  it('ping answers pong through the transport', async () => {
    expect(await runModule('ping', {})).toEqual({ changed: false, failed: false, ping: 'pong' });
  });
});
