/**
 * The same modules over the ssh transport against a real sshd (as the unprivileged `dcitest` user), and with
 * `become` (BecomeTransport) so file operations act as another user.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync, chmodSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSshd, type SshdHandle } from '../helpers/sshd.js';
import { closeAllTransports, createTransport, becomeTransport, LocalTransport } from '../../src/engine/transports/index.js';
import type { Transport } from '../../src/engine/types.js';
import { makeContext, runModule, type TestContext } from './helpers.js';

let sshd: SshdHandle;
let remote: Transport;
let rdir: string;
let ctx: TestContext;
let controllerDir: string;

beforeAll(async () => {
  sshd = await startSshd();
  remote = createTransport({ ...sshd.inventoryVars(), ansible_ssh_common_args: '' }, 'remote-host');
  rdir = (await remote.exec({ argv: ['mktemp', '-d'] })).stdout;
  controllerDir = mkdtempSync(join(tmpdir(), 'dci-ctl-'));
  mkdirSync(join(controllerDir, 'templates'));
  writeFileSync(join(controllerDir, 'templates', 'motd.j2'), 'host={{ inventory_hostname }}\n');
  ctx = makeContext({ transport: remote, host: 'remote-host', taskDir: controllerDir, vars: { inventory_hostname: 'remote-host' } });
});

afterAll(async () => {
  await remote?.exec({ argv: ['rm', '-rf', rdir] }).catch(() => undefined);
  await closeAllTransports();
  await sshd?.stop();
  rmSync(controllerDir, { recursive: true, force: true });
});

describe('modules over ssh', () => {
  it('command/shell run as the remote user with chdir and creates', async () => {
    expect((await runModule('command', { cmd: 'id -un' }, ctx)).stdout).toBe(sshd.user);
    // $VAR and ~ in command arguments expand with the target's environment, like Ansible.
    expect((await runModule('command', { cmd: 'echo $HOME ~ $NOPE_UNSET' }, ctx)).stdout).toBe(`/home/${sshd.user} /home/${sshd.user} $NOPE_UNSET`);
    const r = await runModule('shell', { cmd: 'pwd; touch made', chdir: rdir, creates: `${rdir}/made` }, ctx);
    expect(r).toMatchObject({ changed: true, stdout: rdir });
    expect((await runModule('shell', { cmd: 'touch made', chdir: rdir, creates: `${rdir}/made` }, ctx)).changed).toBe(false);
    expect(await runModule('command', { argv: ['false'] }, ctx)).toMatchObject({ failed: true, rc: 1, msg: 'non-zero return code' });
  });

  it('copy/template over SFTP: changed only when content differs, mode applied', async () => {
    const dest = `${rdir}/conf`;
    expect(await runModule('copy', { content: 'a=1\n', dest, mode: '0600' }, ctx)).toMatchObject({ changed: true, mode: '0600', checksum: createHash('sha1').update('a=1\n').digest('hex') });
    expect((await runModule('copy', { content: 'a=1\n', dest, mode: '0600' }, ctx)).changed).toBe(false);
    expect((await runModule('template', { src: 'motd.j2', dest: `${rdir}/motd` }, ctx)).changed).toBe(true);
    expect((await remote.get(`${rdir}/motd`)).toString()).toBe('host=remote-host\n');
    expect((await runModule('template', { src: 'motd.j2', dest: `${rdir}/motd` }, ctx)).changed).toBe(false);
  });

  it('file/stat/slurp/find/lineinfile/blockinfile on the remote host', async () => {
    expect((await runModule('file', { path: `${rdir}/d/e`, state: 'directory', mode: '0755' }, ctx)).changed).toBe(true);
    expect((await runModule('file', { path: `${rdir}/d/e`, state: 'directory', mode: '0755' }, ctx)).changed).toBe(false);
    expect((await runModule('file', { src: `${rdir}/conf`, dest: `${rdir}/d/link`, state: 'link' }, ctx)).changed).toBe(true);
    const st = await runModule('stat', { path: `${rdir}/conf` }, ctx);
    expect(st.stat).toMatchObject({ exists: true, isreg: true, mode: '0600', pw_name: sshd.user, checksum: createHash('sha1').update('a=1\n').digest('hex') });
    expect((await runModule('slurp', { src: `${rdir}/conf` }, ctx)).content).toBe(Buffer.from('a=1\n').toString('base64'));
    const found = await runModule('find', { paths: rdir, patterns: 'conf,motd' }, ctx);
    expect((found.files as Array<{ path: string }>).map((f) => f.path)).toEqual([`${rdir}/conf`, `${rdir}/motd`]);
    expect((await runModule('lineinfile', { path: `${rdir}/conf`, regexp: '^a=', line: 'a=2' }, ctx)).changed).toBe(true);
    expect((await runModule('lineinfile', { path: `${rdir}/conf`, regexp: '^a=', line: 'a=2' }, ctx)).changed).toBe(false);
    expect((await runModule('blockinfile', { path: `${rdir}/conf`, block: 'b=3' }, ctx)).changed).toBe(true);
    expect((await remote.get(`${rdir}/conf`)).toString()).toBe('a=2\n# BEGIN ANSIBLE MANAGED BLOCK\nb=3\n# END ANSIBLE MANAGED BLOCK\n');
    expect((await runModule('file', { path: `${rdir}/d`, state: 'absent' }, ctx)).changed).toBe(true);
  });

  it('wait_for probes ports from the remote side', async () => {
    expect((await runModule('wait_for', { port: sshd.port, timeout: 5 }, ctx)).failed).toBe(false);
    expect((await runModule('wait_for', { port: 1, timeout: 1, sleep: 0.3 }, ctx)).msg).toBe('Timeout when waiting for 127.0.0.1:1');
  });
});

describe('become: file operations act as the become user', () => {
  it('over ssh: root login, become dcitest — files are owned by dcitest, reads go through sudo', async () => {
    const rootSshd = await startSshd({ user: 'root' });
    try {
      const root = createTransport({ ...rootSshd.inventoryVars(), ansible_ssh_common_args: '' }, 'root-host');
      const as = becomeTransport(root, sshd.user);
      const bctx = makeContext({ transport: as, host: 'root-host' });
      const home = `/home/${sshd.user}`;
      const dest = `${home}/become-test.txt`;
      expect((await runModule('copy', { content: 'mine\n', dest, mode: '0640' }, bctx)).changed).toBe(true);
      expect((await runModule('copy', { content: 'mine\n', dest, mode: '0640' }, bctx)).changed).toBe(false);
      const st = await runModule('stat', { path: dest }, bctx);
      expect(st.stat).toMatchObject({ pw_name: sshd.user, mode: '0640' });
      expect((await as.get(dest)).toString()).toBe('mine\n');
      expect(await as.stat(dest)).toMatchObject({ exists: true, isreg: true, mode: '0640' });
      expect((await runModule('command', { cmd: 'whoami' }, bctx)).stdout).toBe(sshd.user);
      await runModule('file', { path: dest, state: 'absent' }, bctx);
      expect((await as.stat(dest)).exists).toBe(false);
    } finally {
      await closeAllTransports();
      await rootSshd.stop();
    }
  });

  it('locally: become nobody writes a file owned by nobody, binary-safe', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dci-become-'));
    chmodSync(dir, 0o777);
    try {
      const as = becomeTransport(new LocalTransport(), 'nobody');
      const bytes = Buffer.from([0, 255, 10, 13, 1]);
      await as.put(join(dir, 'bin'), bytes, 0o600);
      const nobodyUid = Number(execFileSync('id', ['-u', 'nobody']).toString());
      expect(statSync(join(dir, 'bin')).uid).toBe(nobodyUid);
      expect((await as.get(join(dir, 'bin'))).equals(bytes)).toBe(true);
      await expect(as.put('/root/forbidden', 'x')).rejects.toThrow(/writing \/root\/forbidden as nobody on localhost failed/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
