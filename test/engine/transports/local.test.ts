import { describe, expect, it } from 'vitest';
import { chown, mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalTransport } from '../../../src/engine/transports/local.js';
import { createTransport } from '../../../src/engine/transports/index.js';
import { remoteCommandLine } from '../../../src/engine/transports/ssh.js';
import { shlexSplit, shellQuote } from '../../../src/engine/transports/shell-quote.js';

const t = new LocalTransport();

describe('local transport', () => {
  it('runs argv without a shell, with cwd, env and stdin', async () => {
    const r = await t.exec({ argv: ['sh', '-c', 'pwd; echo "$X"; cat', 'ignored'], cwd: '/tmp', env: { X: 'a $b' }, stdin: 'in' });
    expect(r).toMatchObject({ rc: 0, stdout: '/tmp\na $b\nin' });
    expect((await t.exec({ argv: ['echo', '$HOME', '*'] })).stdout).toBe('$HOME *');
  });
  it('streams lines, returns rc and stderr', async () => {
    const seen: string[] = [];
    const r = await t.exec({ shell: 'echo a; echo b >&2; exit 4', onLine: (s, l) => seen.push(`${s}:${l}`) });
    expect(r).toMatchObject({ rc: 4, stdout: 'a', stderr: 'b' });
    expect(seen.sort()).toEqual(['stderr:b', 'stdout:a']);
  });
  it('drops one final newline by default; rawOutput keeps every byte (what command/shell return)', async () => {
    const script = "printf 'x\\n\\n'; printf 'e\\r\\n' >&2";
    expect(await t.exec({ shell: script })).toMatchObject({ stdout: 'x\n', stderr: 'e' });
    expect(await t.exec({ shell: script, rawOutput: true })).toMatchObject({ stdout: 'x\n\n', stderr: 'e\r\n' });
    expect(await t.exec({ argv: ['printf', 'a\\nb'], rawOutput: true })).toMatchObject({ rc: 0, stdout: 'a\nb', stderr: '' });
  });
  it('times out and kills, aborts on signal', async () => {
    const started = Date.now();
    expect(await t.exec({ argv: ['sleep', '20'], timeoutMs: 200 })).toMatchObject({ timedOut: true });
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 200);
    const r = await t.exec({ argv: ['sleep', '20'], signal: ac.signal });
    expect(r.rc).not.toBe(0);
    expect(Date.now() - started).toBeLessThan(5000);
  });
  it('becomes another user through sudo -n, passing the environment', async () => {
    const r = await t.exec({ shell: 'id -un; echo "$V"', become: true, becomeUser: 'nobody', env: { V: "it's" } });
    expect(r).toMatchObject({ rc: 0, stdout: "nobody\nit's" });
  });
  it('put (atomic, mode kept on replace) / get / stat', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dci-local-'));
    try {
      const f = join(dir, 'a.txt');
      await t.put(f, 'one', 0o600);
      await t.put(f, 'two');
      expect(await readFile(f, 'utf8')).toBe('two');
      expect((await stat(f)).mode & 0o777).toBe(0o600);
      expect((await t.get(f)).toString()).toBe('two');
      expect(await t.stat(f)).toMatchObject({ exists: true, isreg: true, mode: '0600', size: 3 });
      // As root, replacing another user's file keeps its owner (like Ansible's atomic_move).
      await chown(f, 65534, 65534);
      await t.put(f, 'three');
      expect((await stat(f)).uid).toBe(65534);
      expect(await readFile(f, 'utf8')).toBe('three');
      await symlink(f, join(dir, 'l'));
      expect(await t.stat(join(dir, 'l'))).toMatchObject({ islnk: true, isreg: true });
      expect(await t.stat(join(dir, 'nope', 'x'))).toEqual({ path: join(dir, 'nope', 'x'), exists: false });
      await writeFile(join(dir, 'plain'), '');
      expect((await t.stat(join(dir, 'plain', 'under'))).exists).toBe(false);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('createTransport', () => {
  it('picks local for localhost and ansible_connection=local, ssh otherwise', () => {
    expect(createTransport({}, 'localhost').kind).toBe('local');
    expect(createTransport({ ansible_connection: 'local' }, 'jumphost').kind).toBe('local');
    expect(createTransport({ ansible_host: '10.0.0.1' }, 'node1').kind).toBe('ssh');
    expect(() => createTransport({ ansible_connection: 'winrm' }, 'w')).toThrow(/ansible_connection 'winrm' is not supported/);
    expect(() => createTransport({ ansible_port: 'abc' }, 'p')).toThrow(/ansible_port "abc" is not a TCP port/);
  });
});

describe('quoting', () => {
  it('shellQuote survives a round trip through /bin/sh for hostile strings', async () => {
    const words = ["a'b", '"q"', '$(id)', '`x`', 'a\\b', ' ', '\n', 'ünï', ''];
    const r = await t.exec({ shell: `printf '[%s]' ${words.map(shellQuote).join(' ')}` });
    expect(r.stdout).toBe(words.map((w) => `[${w}]`).join(''));
  });
  it('shlexSplit splits like Python shlex', () => {
    expect(shlexSplit(`echo "a b" 'c d' e\\ f "x\\"y" ''`)).toEqual(['echo', 'a b', 'c d', 'e f', 'x"y', '']);
    expect(() => shlexSplit('echo "open')).toThrow(/no closing quotation/);
  });
  it('remote command lines wrap become, cwd and env around a quoted argv', () => {
    const line = remoteCommandLine({ argv: ['ls', "it's"], cwd: '/a b', env: { K: 'v v' }, become: true, becomeUser: 'svc' });
    expect(line).toBe(`sudo -n -u svc -- /bin/sh -c 'printf '"'"'__DCI_PID__ %s\\n'"'"' "$$" >&2\ncd '"'"'/a b'"'"' || exit 1\nexport K='"'"'v v'"'"'\nexec ls '"'"'it'"'"'"'"'"'"'"'"'s'"'"''`);
  });
});
