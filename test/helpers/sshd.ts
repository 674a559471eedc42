/**
 * A real OpenSSH server on 127.0.0.1 with a random port, for transport and engine tests.
 *
 * Everything is generated per instance: host key, user key, authorized_keys, known_hosts. The server runs in
 * the foreground (`sshd -D -e`) so we keep the child handle and kill exactly what we started.
 *
 * Remote commands run as a dedicated user (`dcitest` by default) created on first use: root's shell start-up on
 * this machine costs ~130 ms per command (pyenv in .bashrc), which would drown every measurement.
 *
 * `sudo: true` gives the login user passwordless sudo (for `become` tests) through a sudoers drop-in owned by
 * this instance and removed by stop(); its default user is `dcisudo`, so `dcitest` stays a user WITHOUT sudo.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync, chmodSync, rmSync, existsSync, mkdirSync, renameSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';

export interface SshdHandle {
  host: '127.0.0.1';
  port: number;
  /** The login user (has the generated key in authorized_keys). */
  user: string;
  /** Scratch directory holding keys, config and logs (removed by stop()). */
  dir: string;
  privateKeyPath: string;
  privateKey: Buffer;
  /** OpenSSH public key line of the server's host key (`ssh-ed25519 AAAA... comment`). */
  hostPublicKey: string;
  /** Raw host key blob (what ssh2's hostVerifier receives). */
  hostKeyBlob: Buffer;
  /** known_hosts file with `[127.0.0.1]:PORT ssh-ed25519 ...`. */
  knownHostsPath: string;
  /** Inventory variables for Ansible / our engine to reach this server. */
  inventoryVars(): Record<string, string | number>;
  /** sshd's log so far (useful when a test fails). */
  log(): string;
  stop(): Promise<void>;
}

export interface StartSshdOptions {
  /** Login user; created (locked password, usable by key) when missing. Default `dcitest`. */
  user?: string;
  /** Also authorize this extra public key line. */
  extraAuthorizedKey?: string;
  /** Max time to wait for the server to accept connections. */
  timeoutMs?: number;
  /**
   * Let the login user run anything as anyone through `sudo` without a password (NOPASSWD). Default user then
   * `dcisudo`: other tests rely on `dcitest` having no sudo at all.
   */
  sudo?: boolean;
}

const SSHD = '/usr/sbin/sshd';

export async function startSshd(options: StartSshdOptions = {}): Promise<SshdHandle> {
  const user = options.user ?? (options.sudo ? 'dcisudo' : 'dcitest');
  ensureUser(user);
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  const dir = mkdtempSync(join(tmpdir(), 'dci-sshd-'));
  // The login user reads authorized_keys itself: the directory must be traversable, the file readable.
  chmodSync(dir, 0o755);
  const hostKey = join(dir, 'host_ed25519');
  const userKey = join(dir, 'id_ed25519');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'dci-test-host', '-f', hostKey]);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'dci-test-user', '-f', userKey]);
  const authorized = join(dir, 'authorized_keys');
  const userPub = readFileSync(`${userKey}.pub`, 'utf8').trim();
  writeFileSync(authorized, [userPub, options.extraAuthorizedKey].filter(Boolean).join('\n') + '\n', { mode: 0o644 });
  chmodSync(authorized, 0o644);
  chmodSync(userKey, 0o600);
  chmodSync(hostKey, 0o600);
  const hostPublicKey = readFileSync(`${hostKey}.pub`, 'utf8').trim();
  const hostKeyBlob = Buffer.from(hostPublicKey.split(/\s+/)[1], 'base64');

  // One drop-in per instance (named after its scratch dir, which has no dot: sudo skips names with one), so
  // parallel instances never remove each other's rule.
  const sudoers = options.sudo && user !== 'root' ? grantSudo(user, basename(dir)) : undefined;
  const deadline = Date.now() + (options.timeoutMs ?? 15_000);
  let lastLog = '';
  // A free port can be taken between our probe and sshd's bind: retry a few times.
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    const config = join(dir, 'sshd_config');
    writeFileSync(
      config,
      [
        `Port ${port}`,
        'ListenAddress 127.0.0.1',
        `HostKey ${hostKey}`,
        `PidFile ${join(dir, 'sshd.pid')}`,
        `AuthorizedKeysFile ${authorized}`,
        'UsePAM no',
        'PasswordAuthentication no',
        'KbdInteractiveAuthentication no',
        'PubkeyAuthentication yes',
        'PermitRootLogin prohibit-password',
        'StrictModes no',
        'AllowTcpForwarding no',
        'X11Forwarding no',
        'PrintMotd no',
        'PrintLastLog no',
        'UseDNS no',
        'LogLevel INFO',
        'Subsystem sftp /usr/lib/openssh/sftp-server',
        'MaxStartups 100:30:200',
        'MaxSessions 100',
        '',
      ].join('\n'),
    );
    const knownHostsPath = join(dir, 'known_hosts');
    writeFileSync(knownHostsPath, `[127.0.0.1]:${port} ${hostPublicKey.split(/\s+/).slice(0, 2).join(' ')}\n`);
    let log = '';
    const child: ChildProcess = spawn(SSHD, ['-D', '-e', '-f', config], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.on('data', (d: Buffer) => (log += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (log += d.toString()));
    let exited = false;
    const exitPromise = new Promise<void>((resolve) => child.on('exit', () => { exited = true; resolve(); }));
    while (!exited && Date.now() < deadline) {
      if (await answersSsh(port)) {
        const handle: SshdHandle = {
          host: '127.0.0.1',
          port,
          user,
          dir,
          privateKeyPath: userKey,
          privateKey: readFileSync(userKey),
          hostPublicKey,
          hostKeyBlob,
          knownHostsPath,
          inventoryVars: () => ({
            ansible_host: '127.0.0.1',
            ansible_port: port,
            ansible_user: user,
            ansible_ssh_private_key_file: userKey,
            ansible_ssh_known_hosts_file: knownHostsPath,
            ansible_ssh_common_args: `-o UserKnownHostsFile=${knownHostsPath} -o StrictHostKeyChecking=yes -o ControlMaster=auto -o ControlPersist=60s -o ControlPath=${dir}/cm-%C`,
          }),
          log: () => log,
          async stop() {
            if (!exited) {
              child.kill('SIGTERM');
              const t = setTimeout(() => child.kill('SIGKILL'), 3000);
              await exitPromise;
              clearTimeout(t);
            }
            // OpenSSH ControlPersist masters started by ansible would outlive us: ask them to exit.
            try {
              execFileSync('sh', ['-c', `for s in ${dir}/cm-*; do [ -S "$s" ] && ssh -o ControlPath="$s" -O exit x 2>/dev/null; done; true`]);
            } catch {
              /* best effort */
            }
            rmSync(dir, { recursive: true, force: true });
            if (sudoers) rmSync(sudoers, { force: true });
          },
        };
        return handle;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    lastLog = log;
    if (!exited) {
      child.kill('SIGKILL');
      await exitPromise;
    }
    if (!/Address already in use|Bind to port/i.test(log)) break;
  }
  rmSync(dir, { recursive: true, force: true });
  if (sudoers) rmSync(sudoers, { force: true });
  throw new Error(`sshd did not start: ${lastLog.trim() || 'timeout'}`);
}

/** Create a local test user (locked password, home dir) when missing; safe across parallel workers. */
export function ensureUser(user: string): void {
  if (user === 'root') return;
  try {
    execFileSync('id', ['-u', user], { stdio: 'ignore' });
    return;
  } catch {
    /* create below */
  }
  // Parallel test workers may race to create the user: serialise with flock, re-check inside.
  const script = `id -u ${user} >/dev/null 2>&1 || { useradd -m -s /bin/bash ${user} && usermod -p '*' ${user}; }`;
  execFileSync('flock', ['/tmp/dci-test-user.lock', 'sh', '-c', script], { stdio: 'ignore' });
  if (!existsSync(`/home/${user}`)) mkdirSync(`/home/${user}`, { recursive: true });
}

/** Write `/etc/sudoers.d/dci-test-<tag>` (0440) letting `user` sudo without a password; checked by visudo first. */
function grantSudo(user: string, tag: string): string {
  const path = `/etc/sudoers.d/dci-test-${tag.replace(/[^A-Za-z0-9_-]/g, '_')}`;
  const staged = `${path}.new`;
  writeFileSync(staged, `${user} ALL=(ALL:ALL) NOPASSWD: ALL\n`, { mode: 0o440 });
  chmodSync(staged, 0o440);
  try {
    // A broken file in sudoers.d breaks sudo for everyone: validate before it takes effect (the .new name is ignored).
    execFileSync('visudo', ['-cqf', staged], { stdio: 'pipe' });
    renameSync(staged, path);
  } catch (e) {
    rmSync(staged, { force: true });
    throw e;
  }
  return path;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** True when something on the port sends an SSH banner. */
function answersSsh(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect(port, '127.0.0.1');
    const done = (ok: boolean) => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(500, () => done(false));
    sock.once('error', () => done(false));
    sock.once('data', (d: Buffer) => done(d.toString().startsWith('SSH-')));
  });
}
