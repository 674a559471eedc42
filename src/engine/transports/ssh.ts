/**
 * The ssh transport: a Transport over a pooled SshConnection. Commands are sent as one `/bin/sh -c '…'` line
 * with cwd, exported environment (shell-quoted) and the argv (shell-quoted), optionally wrapped in
 * `sudo -n -u USER`; files go over SFTP (written to a temp name then renamed, so readers never see half a file).
 */
import { randomBytes } from 'node:crypto';
import { posix } from 'node:path';
import type { SFTPWrapper, Stats } from 'ssh2';
import type { ExecOutcome, ExecRequest, FileStat, Transport } from '../types.js';
import { TransportError } from '../../core/errors.js';
import { exportPrefix, quoteArgv, shellQuote } from './shell-quote.js';
import type { SshConnection } from './ssh-connection.js';

export const PID_MARKER = '__DCI_PID__';

/** The remote command line for a request (exported for tests: what exactly crosses the wire). */
export function remoteCommandLine(request: ExecRequest): string {
  if (!request.argv && request.shell === undefined) throw new TransportError('bad-exec', 'exec request needs argv or shell');
  const body = request.argv ? `exec ${quoteArgv(request.argv)}` : request.shell!;
  // The first stderr line tells us the remote pid, so a timed-out or aborted command can be killed (sshd does not
  // forward signals to commands without a pty, and closing the channel leaves them running).
  let script = `printf '${PID_MARKER} %s\\n' "$$" >&2\n`;
  if (request.cwd) script += `cd ${shellQuote(request.cwd)} || exit 1\n`;
  script += exportPrefix(request.env).replace(/; $/, '\n');
  script += body;
  const sh = `/bin/sh -c ${shellQuote(script)}`;
  return request.become ? `sudo -n -u ${shellQuote(request.becomeUser ?? 'root')} -- ${sh}` : sh;
}

function summary(request: ExecRequest): string {
  const text = request.argv ? quoteArgv(request.argv) : request.shell ?? '';
  return `'${text.length > 80 ? `${text.slice(0, 77)}...` : text}'`;
}

export class SshTransport implements Transport {
  readonly kind = 'ssh' as const;

  constructor(
    readonly host: string,
    private readonly connection: () => Promise<SshConnection>,
  ) {}

  async exec(request: ExecRequest): Promise<ExecOutcome> {
    const conn = await this.connection();
    return conn.exec({
      command: remoteCommandLine(request),
      stdin: request.stdin,
      timeoutMs: request.timeoutMs,
      signal: request.signal,
      onLine: request.onLine,
      summary: summary(request),
      becomeUser: request.become ? request.becomeUser ?? 'root' : undefined,
      rawOutput: request.rawOutput,
    });
  }

  private async sftp(what: string): Promise<{ conn: SshConnection; sftp: SFTPWrapper; what: string }> {
    const conn = await this.connection();
    return { conn, sftp: await conn.sftp(), what };
  }

  async put(path: string, data: string | Uint8Array, mode?: number): Promise<void> {
    const { conn, sftp } = await this.sftp(`a write of ${path}`);
    const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data);
    const existing = await sftpCall<Stats | undefined>(conn, `stat ${path}`, (cb) => sftp.stat(path, (e, st) => cb(isNoSuchFile(e) ? undefined : e, st)));
    const finalMode = mode ?? (existing ? existing.mode & 0o7777 : 0o644);
    const tmp = posix.join(posix.dirname(path), `.${posix.basename(path)}.dci-${randomBytes(4).toString('hex')}.tmp`);
    const handle = await sftpCall<Buffer>(conn, `open ${tmp}`, (cb) => sftp.open(tmp, 'w', { mode: 0o600 }, cb)).catch((e: unknown) => {
      throw writeDenied(conn, path, e) ?? e;
    });
    try {
      const CHUNK = 32 * 1024;
      const writes: Array<Promise<void>> = [];
      for (let off = 0; off < buf.length; off += CHUNK) {
        const len = Math.min(CHUNK, buf.length - off);
        writes.push(sftpCall<void>(conn, `write ${tmp}`, (cb) => sftp.write(handle, buf, off, len, off, (e) => cb(e))));
      }
      await Promise.all(writes);
      await sftpCall<void>(conn, `chmod ${tmp}`, (cb) => sftp.fchmod(handle, finalMode, (e) => cb(e)));
      // Replacing another user's file (possible as root): keep its owner, as Ansible's atomic_move does.
      if (existing) await sftpCall<void>(conn, `chown ${tmp}`, (cb) => sftp.fchown(handle, existing.uid, existing.gid, (e) => cb(e))).catch(() => undefined);
    } finally {
      await sftpCall<void>(conn, `close ${tmp}`, (cb) => sftp.close(handle, (e) => cb(e))).catch(() => undefined);
    }
    try {
      await sftpCall<void>(conn, `rename ${tmp}`, (cb) => sftp.ext_openssh_rename(tmp, path, (e) => cb(e)));
    } catch (e) {
      await sftpCall<void>(conn, `remove ${tmp}`, (cb) => sftp.unlink(tmp, (err) => cb(err))).catch(() => undefined);
      throw writeDenied(conn, path, e) ?? e;
    }
  }

  async get(path: string): Promise<Buffer> {
    const { conn, sftp } = await this.sftp(`a read of ${path}`);
    return sftpCall<Buffer>(conn, `read ${path}`, (cb) => sftp.readFile(path, cb));
  }

  async stat(path: string): Promise<FileStat> {
    const { conn, sftp } = await this.sftp(`a stat of ${path}`);
    const l = await sftpCall<Stats | undefined>(conn, `lstat ${path}`, (cb) => sftp.lstat(path, (e, st) => cb(isNoSuchFile(e) ? undefined : e, isNoSuchFile(e) ? undefined : st)));
    if (!l) return { path, exists: false };
    const islnk = l.isSymbolicLink();
    const s = islnk ? (await sftpCall<Stats | undefined>(conn, `stat ${path}`, (cb) => sftp.stat(path, (e, st) => cb(isNoSuchFile(e) ? undefined : e, st)))) ?? l : l;
    return {
      path,
      exists: true,
      isdir: s.isDirectory(),
      isreg: s.isFile(),
      islnk,
      size: s.size,
      mode: (s.mode & 0o7777).toString(8).padStart(4, '0'),
      mtime: s.mtime,
      uid: s.uid,
      gid: s.gid,
    };
  }

  async close(): Promise<void> {
    // Connections are pooled and closed by closeAllTransports() at the end of the run.
  }
}

function isNoSuchFile(e: unknown): boolean {
  return Boolean(e && typeof e === 'object' && (e as { code?: unknown }).code === 2);
}

/** SSH_FX_PERMISSION_DENIED, the SFTP status of a refused open/rename. */
const SFTP_PERMISSION_DENIED = 3;

/**
 * A write refused by the server, said about the destination (not our temp file next to it): which file, which
 * host and login user, why, and what to do. Undefined for any other failure.
 */
function writeDenied(conn: SshConnection, path: string, e: unknown): TransportError | undefined {
  if ((e as { errno?: unknown } | undefined)?.errno !== SFTP_PERMISSION_DENIED) return undefined;
  const { user, address, port, name } = conn.target;
  const dir = posix.dirname(path);
  return new TransportError('ssh-write-denied', `ssh: cannot write ${path} on ${name} (${user}@${address}:${port}): permission denied`, {
    hint: `${user} cannot write in ${dir}: set become: true (and a become_user who can write there), or choose a destination ${user} can write`,
    location: { host: name },
    cause: e,
  });
}

/** Wrap an SFTP callback call; a dropped connection becomes the clear "connection lost" error. */
function sftpCall<T>(conn: SshConnection, what: string, fn: (cb: (e: Error | null | undefined, v?: T) => void) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    fn((e, v) => {
      if (!e) return resolve(v as T);
      if (conn.closed) return reject(conn.lostError(`SFTP ${what}`));
      const code = (e as { code?: unknown }).code;
      const err = new TransportError('ssh-sftp', `ssh: SFTP ${what} failed on ${conn.target.name}: ${e.message}`, { location: { host: conn.target.name }, cause: e });
      (err as Error & { errno?: unknown }).errno = code;
      reject(err);
    });
  });
}
