/**
 * `become` for every operation, not only commands: the file operations (put/get/stat) of a task with
 * `become: true` must act as the become user too (writing /etc/... as root). Over any transport they go through
 * `sudo -n -u USER` commands; file bytes travel base64-encoded on stdin/stdout, so no temp file is ever readable
 * by other users and binary content survives.
 */
import type { ExecOutcome, ExecRequest, FileStat, Transport } from '../types.js';
import { TransportError } from '../../core/errors.js';

const PUT = [
  'umask 077',
  'd=$(dirname -- "$1")',
  't=$(mktemp "$d/.dci-become-XXXXXX") || exit 1',
  'base64 -d > "$t" || { rm -f -- "$t"; exit 1; }',
  'if [ -n "$2" ]; then chmod "$2" "$t"; elif [ -e "$1" ]; then chmod --reference="$1" "$t"; else chmod 0644 "$t"; fi',
  'mv -f -- "$t" "$1" || { rm -f -- "$t"; exit 1; }',
].join('\n');

const STAT = `if [ ! -e "$1" ] && [ ! -L "$1" ]; then echo MISSING; exit 0; fi
stat -c '%f|%s|%u|%g|%Y' -- "$1"
stat -L -c '%f|%s|%u|%g|%Y' -- "$1" 2>/dev/null || echo BROKEN`;

export class BecomeTransport implements Transport {
  readonly kind: 'local' | 'ssh';
  readonly host: string;

  constructor(
    private readonly inner: Transport,
    private readonly becomeUser = 'root',
  ) {
    this.kind = inner.kind;
    this.host = inner.host;
  }

  exec(request: ExecRequest): Promise<ExecOutcome> {
    return this.inner.exec({ ...request, become: request.become ?? true, becomeUser: request.becomeUser ?? this.becomeUser });
  }

  private async sudo(script: string, args: string[], stdin: string | undefined, what: string): Promise<ExecOutcome> {
    const r = await this.exec({ argv: ['sh', '-c', script, 'sh', ...args], stdin });
    if (r.rc !== 0) {
      throw new TransportError('become-file', `${what} as ${this.becomeUser} on ${this.host} failed: ${(r.stderr || r.stdout).trim() || `exit ${r.rc}`}`, {
        hint: /password is required|a terminal is required/.test(r.stderr) ? `allow ${this.becomeUser} through sudo without a password (NOPASSWD) for the login user` : undefined,
        location: { host: this.host },
      });
    }
    return r;
  }

  async put(path: string, data: string | Uint8Array, mode?: number): Promise<void> {
    const b64 = Buffer.from(typeof data === 'string' ? Buffer.from(data, 'utf8') : data).toString('base64');
    await this.sudo(PUT, [path, mode === undefined ? '' : mode.toString(8)], b64, `writing ${path}`);
  }

  async get(path: string): Promise<Buffer> {
    const r = await this.sudo('base64 < "$1"', [path], undefined, `reading ${path}`);
    return Buffer.from(r.stdout.replace(/\s+/g, ''), 'base64');
  }

  async stat(path: string): Promise<FileStat> {
    const r = await this.sudo(STAT, [path], undefined, `stat of ${path}`);
    const lines = r.stdout.split('\n');
    if (lines[0] === 'MISSING') return { path, exists: false };
    const parse = (line: string) => {
      const [raw, size, uid, gid, mtime] = line.split('|');
      return { mode: parseInt(raw, 16), size: Number(size), uid: Number(uid), gid: Number(gid), mtime: Number(mtime) };
    };
    const l = parse(lines[0]);
    const s = lines[1] === 'BROKEN' ? l : parse(lines[1]);
    const type = s.mode & 0o170000;
    return {
      path,
      exists: true,
      isdir: type === 0o040000,
      isreg: type === 0o100000,
      islnk: (l.mode & 0o170000) === 0o120000,
      size: s.size,
      mode: (s.mode & 0o7777).toString(8).padStart(4, '0'),
      mtime: s.mtime,
      uid: s.uid,
      gid: s.gid,
    };
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** Wrap a transport so every command and file operation runs as `user` (task `become: true`). */
export function becomeTransport(inner: Transport, user = 'root'): Transport {
  return new BecomeTransport(inner, user);
}
