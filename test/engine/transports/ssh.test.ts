/**
 * The ssh transport against a real OpenSSH server (test/helpers/sshd.ts): commands, quoting, env, SFTP, one
 * pooled connection, host key checking (unknown / changed / hashed / accept-new), auth, and a dropped connection.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSshd, type SshdHandle } from '../../helpers/sshd.js';
import { closeAllTransports, createTransport, openConnectionCount } from '../../../src/engine/transports/index.js';
import type { Transport } from '../../../src/engine/types.js';

let sshd: SshdHandle;
let scratch: string;

beforeAll(async () => {
  sshd = await startSshd();
  scratch = mkdtempSync(join(tmpdir(), 'dci-ssh-test-'));
});

afterAll(async () => {
  await closeAllTransports();
  await sshd?.stop();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

function transport(extra: Record<string, unknown> = {}, name = 'sshhost'): Transport {
  return createTransport({ ...sshd.inventoryVars(), ansible_ssh_common_args: '', ...extra }, name);
}

type FailedWith = Error & { code: string; hint: string };
function unexpected(v: unknown): never {
  throw new Error(`expected a failure, got ${JSON.stringify(v)}`);
}

function acceptedLogins(): number {
  return (sshd.log().match(/Accepted publickey/g) ?? []).length;
}

function sshdFingerprint(): string {
  return execFileSync('ssh-keygen', ['-lf', join(sshd.dir, 'host_ed25519.pub')]).toString().split(/\s+/)[1];
}

describe('ssh transport: commands', () => {
  it('runs argv with every argument arriving intact (quotes, spaces, $, backticks, newlines)', async () => {
    const t = transport();
    const args = ["it's", 'a b', '$HOME', '`id`', 'x;y', 'multi\nline', '', '*'];
    const r = await t.exec({ argv: ['printf', '[%s]', ...args] });
    expect(r.rc).toBe(0);
    expect(r.stdout).toBe(args.map((a) => `[${a}]`).join(''));
  });

  it('runs shell strings with cwd, exported environment (shell-quoted) and stdin', async () => {
    const t = transport();
    const r = await t.exec({ shell: 'pwd; printf "%s|" "$A" "$B"; cat', cwd: '/tmp', env: { A: "o'neil $X", B: 'two\nlines' }, stdin: 'from stdin' });
    expect(r.stdout).toBe("/tmp\no'neil $X|two\nlines|from stdin");
  });

  it('refuses environment names that are not identifiers (no injection through names)', async () => {
    await expect(transport().exec({ argv: ['true'], env: { 'A;rm -rf /': 'x' } })).rejects.toThrow(/not a valid shell identifier/);
  });

  it('reports exit status, stderr and death by signal', async () => {
    const t = transport();
    expect(await t.exec({ shell: 'echo out; echo err >&2; exit 7' })).toMatchObject({ rc: 7, stdout: 'out', stderr: 'err' });
    const killed = await t.exec({ shell: 'kill -KILL $$' });
    expect(killed.rc).toBe(137);
    expect(killed.stderr).toMatch(/SIGKILL/);
    const missing = await t.exec({ argv: ['no-such-program-xyz'] });
    expect(missing.rc).toBe(127);
  });

  it('drops one final newline by default; rawOutput keeps every byte (what command/shell return)', async () => {
    const t = transport();
    const script = "printf 'x\\n\\n'; printf 'e\\r\\n' >&2";
    expect(await t.exec({ shell: script })).toMatchObject({ stdout: 'x\n', stderr: 'e' });
    expect(await t.exec({ shell: script, rawOutput: true })).toMatchObject({ stdout: 'x\n\n', stderr: 'e\r\n' });
    expect(await t.exec({ argv: ['true'], rawOutput: true })).toMatchObject({ rc: 0, stdout: '', stderr: '' });
  });

  it('streams output lines as they arrive', async () => {
    const seen: string[] = [];
    const r = await transport().exec({ shell: 'echo one; echo two >&2; echo three', onLine: (s, l) => seen.push(`${s}:${l}`) });
    expect(r.rc).toBe(0);
    expect(seen.sort()).toEqual(['stderr:two', 'stdout:one', 'stdout:three']);
  });

  it('times out a command and kills it on the remote side too (with its children), without hanging', async () => {
    const started = Date.now();
    const tag = `${Date.now() % 100000}`;
    const r = await transport().exec({ shell: `sleep 3${tag}1 & sleep 3${tag}2`, timeoutMs: 300 });
    expect(r.timedOut).toBe(true);
    expect(r.rc).toBe(-1);
    expect(Date.now() - started).toBeLessThan(3000);
    let left = 'x';
    for (let i = 0; i < 20 && left; i++) {
      await new Promise((res) => setTimeout(res, 100));
      try {
        left = execFileSync('pgrep', ['-f', `sleep 3${tag}`]).toString().trim();
      } catch {
        left = '';
      }
    }
    expect(left).toBe('');
  });

  it('aborts a running command on signal', async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 200);
    const started = Date.now();
    const r = await transport().exec({ argv: ['sleep', '20'], signal: ac.signal });
    expect(r.rc).toBe(-1);
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('reuses ONE connection for many commands and is fast per command', async () => {
    await closeAllTransports();
    const before = acceptedLogins();
    const t = transport();
    await t.exec({ argv: ['true'] }); // connect
    const n = 100;
    const started = process.hrtime.bigint();
    for (let i = 0; i < n; i++) {
      const r = await t.exec({ argv: ['echo', String(i)] });
      expect(r.stdout).toBe(String(i));
    }
    const perExecMs = Number(process.hrtime.bigint() - started) / 1e6 / n;
    // A second Transport object for the same host shares the pooled connection too.
    await transport({}, 'same-host-other-name').exec({ argv: ['true'] });
    await new Promise((r) => setTimeout(r, 100));
    expect(acceptedLogins() - before).toBe(1);
    expect(openConnectionCount()).toBe(1);
    console.info(`ssh exec latency over one pooled connection: ${perExecMs.toFixed(2)} ms per command (${n} sequential execs)`);
  });

  it('runs commands concurrently on the same connection', async () => {
    const t = transport();
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => t.exec({ shell: `sleep 0.2; echo ${i}` })));
    expect(results.map((r) => r.stdout)).toEqual(['0', '1', '2', '3', '4', '5', '6', '7']);
  });
});

describe('ssh transport: SFTP files', () => {
  it('put/get/stat round-trip with mode, atomic replace keeps the mode, missing paths', async () => {
    const t = transport();
    const dir = (await t.exec({ argv: ['mktemp', '-d'] })).stdout;
    const path = `${dir}/file.txt`;
    await t.put(path, 'hello\nworld\n', 0o640);
    const st = await t.stat(path);
    expect(st).toMatchObject({ exists: true, isreg: true, isdir: false, islnk: false, size: 12, mode: '0640' });
    expect((await t.get(path)).toString()).toBe('hello\nworld\n');
    const big = Buffer.alloc(300_000, 7);
    await t.put(path, big);
    expect((await t.get(path)).equals(big)).toBe(true);
    expect((await t.stat(path)).mode).toBe('0640');
    expect((await t.exec({ shell: `ls -a ${dir}` })).stdout.split('\n').sort()).toEqual(['.', '..', 'file.txt']);
    expect(await t.stat(`${dir}/missing`)).toEqual({ path: `${dir}/missing`, exists: false });
    expect((await t.stat(dir)).isdir).toBe(true);
    await t.exec({ argv: ['ln', '-s', path, `${dir}/link`] });
    expect(await t.stat(`${dir}/link`)).toMatchObject({ islnk: true, isreg: true, size: big.length });
    await expect(t.get(`${dir}/missing`)).rejects.toThrow(/SFTP read .*missing failed/);
    await t.exec({ argv: ['rm', '-rf', dir] });
  });

  it('a refused write names the destination, the host, permission denied and what to do (not the SFTP temp file)', async () => {
    const t = transport();
    const dest = `/etc/dci-denied-${process.pid}.conf`;
    const err = (await t.put(dest, 'x').then(unexpected, (e: unknown) => e)) as FailedWith;
    expect(err.code).toBe('ssh-write-denied');
    const line = `${err.message} (${err.hint})`;
    expect(line).not.toMatch(/\n/);
    expect(line).not.toMatch(/\.dci-[0-9a-f]+\.tmp/);
    expect(err.message).toContain(`cannot write ${dest} on sshhost`);
    expect(err.message).toMatch(/permission denied/);
    expect(err.hint).toContain(`${sshd.user} cannot write in /etc`);
    expect(err.hint).toMatch(/become/);
    expect(await t.stat(dest)).toEqual({ path: dest, exists: false });
  });
});

describe('ssh transport: host keys', () => {
  it('refuses an unknown host key with host, port, fingerprint and the ssh-keyscan fix', async () => {
    const empty = join(scratch, 'empty_known_hosts');
    writeFileSync(empty, '');
    const t = transport({ ansible_ssh_known_hosts_file: empty }, 'unknown-key-host');
    const err = await t.exec({ argv: ['true'] }).then(unexpected, (e: unknown) => e as FailedWith);
    expect(err).toBeInstanceOf(Error);
    expect(err.code).toBe('ssh-host-key-unknown');
    expect(err.message).toContain(`[127.0.0.1]:${sshd.port}`);
    expect(err.message).toContain(sshdFingerprint());
    expect(err.message).toContain('unknown-key-host');
    expect(err.hint).toContain(`ssh-keyscan -p ${sshd.port} -t ed25519 127.0.0.1 >> ${empty}`);
    expect(readFileSync(empty, 'utf8')).toBe('');
  });

  it('refuses a changed host key, naming the known_hosts line and the ssh-keygen -R fix', async () => {
    const other = join(scratch, 'other');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', other]);
    const file = join(scratch, 'changed_known_hosts');
    writeFileSync(file, `# comment\n[127.0.0.1]:${sshd.port} ${readFileSync(`${other}.pub`, 'utf8').split(' ').slice(0, 2).join(' ')}\n`);
    const err = await transport({ ansible_ssh_known_hosts_file: file, ansible_ssh_host_key_checking: 'accept-new' }, 'changed-key-host')
      .exec({ argv: ['true'] })
      .then(unexpected, (e: unknown) => e as FailedWith);
    expect(err.code).toBe('ssh-host-key-changed');
    expect(err.message).toContain(`${file}:2`);
    expect(err.message).toContain(sshdFingerprint());
    expect(err.hint).toContain(`ssh-keygen -R '[127.0.0.1]:${sshd.port}' -f ${file}`);
  });

  it('accepts a hashed known_hosts entry', async () => {
    const file = join(scratch, 'hashed_known_hosts');
    writeFileSync(file, readFileSync(sshd.knownHostsPath));
    execFileSync('ssh-keygen', ['-H', '-f', file], { stdio: 'ignore' });
    expect(readFileSync(file, 'utf8')).toMatch(/^\|1\|/);
    const r = await transport({ ansible_ssh_known_hosts_file: file, ansible_user: sshd.user }, 'hashed-host').exec({ argv: ['echo', 'ok'] });
    expect(r.stdout).toBe('ok');
  });

  it('accept-new trusts a first-seen key and records it; strict mode then accepts it', async () => {
    await closeAllTransports();
    const file = join(scratch, 'sub', 'accept_new_known_hosts');
    const r = await transport({ ansible_ssh_known_hosts_file: file, ansible_ssh_host_key_checking: 'accept-new' }, 'new-host').exec({ argv: ['echo', 'hi'] });
    expect(r.stdout).toBe('hi');
    expect(readFileSync(file, 'utf8')).toBe(`[127.0.0.1]:${sshd.port} ${sshd.hostPublicKey.split(' ').slice(0, 2).join(' ')}\n`);
    await closeAllTransports();
    expect((await transport({ ansible_ssh_known_hosts_file: file }, 'new-host').exec({ argv: ['echo', 'again'] })).stdout).toBe('again');
  });

  it('reads UserKnownHostsFile/StrictHostKeyChecking from ansible_ssh_common_args like ansible does', async () => {
    await closeAllTransports();
    const vars = { ...sshd.inventoryVars() };
    delete (vars as Record<string, unknown>).ansible_ssh_known_hosts_file;
    const r = await createTransport(vars, 'common-args-host').exec({ argv: ['echo', 'via-args'] });
    expect(r.stdout).toBe('via-args');
  });
});

describe('ssh transport: auth and connection errors', () => {
  it('authenticates through ssh-agent when no key file is configured', async () => {
    await closeAllTransports();
    const agentDir = mkdtempSync(join(tmpdir(), 'dci-agent-'));
    const sock = join(agentDir, 'agent.sock');
    const agent = spawn('ssh-agent', ['-D', '-a', sock], { stdio: 'ignore' });
    const saved = { sock: process.env.SSH_AUTH_SOCK, home: process.env.HOME };
    try {
      for (let i = 0; i < 50; i++) {
        try {
          execFileSync('ssh-add', [sshd.privateKeyPath], { env: { ...process.env, SSH_AUTH_SOCK: sock }, stdio: 'ignore' });
          break;
        } catch {
          await new Promise((r) => setTimeout(r, 50));
        }
      }
      process.env.SSH_AUTH_SOCK = sock;
      process.env.HOME = agentDir; // no default ~/.ssh/id_* keys to fall back on
      const r = await transport({ ansible_ssh_private_key_file: undefined }, 'agent-host').exec({ argv: ['whoami'] });
      expect(r.stdout).toBe(sshd.user);
    } finally {
      process.env.SSH_AUTH_SOCK = saved.sock;
      if (saved.sock === undefined) delete process.env.SSH_AUTH_SOCK;
      process.env.HOME = saved.home;
      agent.kill('SIGTERM');
    }
  });

  it('reports a refused key clearly, naming user, host and port', async () => {
    await closeAllTransports();
    const wrong = join(scratch, 'wrong_key');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', wrong]);
    const err = await transport({ ansible_ssh_private_key_file: wrong }, 'wrong-key-host').exec({ argv: ['true'] }).then(unexpected, (e: unknown) => e as FailedWith);
    expect(err.code).toBe('ssh-auth');
    expect(err.message).toContain(`${sshd.user}@127.0.0.1:${sshd.port}`);
    expect(err.message).toContain(wrong);
  });

  it('skips an encrypted key with a hint, and names an unreadable key file', async () => {
    await closeAllTransports();
    const enc = join(scratch, 'encrypted_key');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', 'passphrase', '-f', enc]);
    const err = await transport({ ansible_ssh_private_key_file: enc }, 'enc-key-host').exec({ argv: ['true'] }).then(unexpected, (e: unknown) => e as FailedWith);
    expect(err.code).toBe('ssh-auth');
    expect(err.message).toContain(`key ${enc} (encrypted: load it into ssh-agent)`);
    const missing = await transport({ ansible_ssh_private_key_file: join(scratch, 'nope') }, 'no-key-host').exec({ argv: ['true'] }).then(unexpected, (e: unknown) => e as FailedWith);
    expect(missing.message).toContain(`cannot read private key ${join(scratch, 'nope')} for host no-key-host: ENOENT`);
  });

  it('reports a refused TCP connection clearly', async () => {
    const err = await createTransport({ ansible_host: '127.0.0.1', ansible_port: 1 }, 'closed-port').exec({ argv: ['true'] }).then(unexpected, (e: unknown) => e as FailedWith);
    expect(err.message).toMatch(/cannot connect to .*127\.0\.0\.1:1 .*connection refused/);
  });

  it('a connection dropped mid-command fails with a clear error, and the next task reconnects', async () => {
    await closeAllTransports();
    const t = transport({}, 'dropping-host');
    await t.exec({ argv: ['true'] });
    const pending = t.exec({ argv: ['sleep', '30'] });
    await new Promise((r) => setTimeout(r, 300));
    // Kill this server's per-connection children (the session), not the listener.
    const listener = readFileSync(join(sshd.dir, 'sshd.pid'), 'utf8').trim();
    // OpenSSH privilege separation: listener → monitor → session process; the session holds the TCP socket.
    const children = execFileSync('pgrep', ['-P', listener]).toString().split(/\s+/).filter(Boolean);
    const grandchildren = children.flatMap((c) => {
      try {
        return execFileSync('pgrep', ['-P', c]).toString().split(/\s+/).filter(Boolean);
      } catch {
        return [];
      }
    });
    // Attach the rejection handler before killing: the connection can drop the moment the first process dies.
    const outcome = pending.then(unexpected, (e: unknown) => e as FailedWith);
    for (const pid of [...grandchildren, ...children]) {
      try {
        process.kill(Number(pid), 'SIGKILL');
      } catch (e) {
        // Killing the session may already have taken its parent or child with it.
        if ((e as NodeJS.ErrnoException).code !== 'ESRCH') throw e;
      }
    }
    const started = Date.now();
    const err = await outcome;
    expect(Date.now() - started).toBeLessThan(5000);
    expect(err.code).toBe('ssh-connection-lost');
    expect(err.message).toMatch(new RegExp(`connection to dropping-host \\(${sshd.user}@127\\.0\\.0\\.1:${sshd.port}\\) lost while running 'sleep 30'`));
    expect((await t.exec({ argv: ['echo', 'back'] })).stdout).toBe('back');
  });
});

describe('ssh transport: become', () => {
  it('runs as another user through sudo -n (root login → dcitest), with env and cwd', async () => {
    const rootSshd = await startSshd({ user: 'root' });
    try {
      const t = createTransport({ ...rootSshd.inventoryVars(), ansible_ssh_common_args: '' }, 'root-host');
      const r = await t.exec({ shell: 'id -un; pwd; echo "$V"', become: true, becomeUser: sshd.user, cwd: '/tmp', env: { V: 'it works' } });
      expect(r.stdout.split('\n')).toEqual([sshd.user, '/tmp', 'it works']);
      expect((await t.exec({ argv: ['id', '-un'] })).stdout).toBe('root');
      // Root replacing a user's file over SFTP keeps the user as owner.
      const owned = `/home/${sshd.user}/owned-${Date.now()}.txt`;
      await t.exec({ argv: ['sudo', '-n', '-u', sshd.user, 'touch', owned] });
      const uid = (await t.stat(owned)).uid;
      await t.put(owned, 'replaced by root');
      expect(await t.stat(owned)).toMatchObject({ uid, size: 16 });
      await t.exec({ argv: ['rm', '-f', owned] });
      // sudo's own complaint (before our wrapper runs) reaches stderr intact.
      const bad = await t.exec({ argv: ['true'], become: true, becomeUser: 'no-such-user-dci' });
      expect(bad.rc).not.toBe(0);
      expect(bad.stderr).toMatch(/unknown user/);
      expect(bad.stderr).not.toMatch(/__DCI_PID__/);
      // A timed-out command run through sudo is killed too.
      const slow = await t.exec({ argv: ['sleep', '4321'], become: true, becomeUser: sshd.user, timeoutMs: 500 });
      expect(slow.timedOut).toBe(true);
      let left = 'x';
      for (let i = 0; i < 20 && left; i++) {
        await new Promise((res) => setTimeout(res, 100));
        try {
          left = execFileSync('pgrep', ['-f', '^sleep 4321$']).toString().trim();
        } catch {
          left = '';
        }
      }
      expect(left).toBe('');
    } finally {
      await closeAllTransports();
      await rootSshd.stop();
    }
  });
});
