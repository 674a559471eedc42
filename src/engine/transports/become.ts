/**
 * `become` for every operation, not only commands: the file operations (put/get/stat) of a task with
 * `become: true` must act as the become user too (writing /etc/... as root). Over any transport they go through
 * `sudo -n -u USER` commands; file bytes travel base64-encoded on stdin/stdout, so no temp file is ever readable
 * by other users and binary content survives.
 */
import type { ExecOutcome, ExecRequest, FileStat, Transport } from '../types.js';
import { TransportError } from '../../core/errors.js';

/**
 * $1 = destination, $2 = octal mode or empty; bytes as base64 on stdin. What ansible-core's atomic_move does, as
 * the become user: a temp file in the destination's directory (mode 0600 while it fills), renamed over the
 * destination. Replacing a file keeps its owner, group (when the become user may set them; ansible ignores EPERM
 * too) and mode; a new file gets 0666 minus the become user's umask and belongs to the become user.
 */
const PUT = [
  'd=$(dirname -- "$1")',
  '[ -d "$d" ] || { echo "directory $d does not exist" >&2; exit 1; }',
  '[ -d "$1" ] && [ ! -L "$1" ] && { echo "$1 is a directory" >&2; exit 1; }',
  'm=$(umask)',
  'umask 077',
  't=$(mktemp "$d/.dci-become-XXXXXX") || exit 1',
  'base64 -d > "$t" || { rm -f -- "$t"; exit 1; }',
  // chown before chmod: a chown by root clears setuid/setgid bits that the chmod then puts back.
  'if [ -e "$1" ]; then chown --reference="$1" -- "$t" 2>/dev/null; fi',
  'if [ -n "$2" ]; then chmod "$2" "$t"; elif [ -e "$1" ]; then chmod --reference="$1" -- "$t"; else chmod "$(printf %o $((0666 & ~m)))" "$t"; fi',
  'mv -f -- "$t" "$1" || { rm -f -- "$t"; exit 1; }',
].join('\n');

/**
 * Missing (or a path through a non-directory) is `exists: false`, as in the local and ssh transports; any other
 * refusal (a directory the become user may not search) is an error, as ansible-core's stat reports it.
 */
const STAT = `if ! l=$(stat -c '%f|%s|%u|%g|%Y' -- "$1" 2>&1); then
  case $l in *'No such file or directory'*|*'Not a directory'*) echo MISSING; exit 0;; esac
  echo "$l" >&2; exit 1
fi
echo "$l"
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
    // LC_ALL=C: the messages are matched, here and by modules ("Permission denied").
    const r = await this.exec({ argv: ['sh', '-c', `export LC_ALL=C\n${script}`, 'sh', ...args], stdin });
    if (r.rc !== 0) {
      // One line: task messages are shown one per task; sudo and coreutils may write several.
      const detail = (r.stderr || r.stdout).split('\n').map((l) => l.trim()).filter(Boolean).join('; ') || `exit ${r.rc}`;
      throw new TransportError('become-file', `${what} as ${this.becomeUser} on ${this.host} failed: ${detail}`, {
        hint: becomeHint(r.stderr, this.becomeUser),
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

/** What to do about a sudo refusal (the command's own errors, e.g. a missing directory, speak for themselves). */
function becomeHint(stderr: string, user: string): string | undefined {
  if (/password is required|a terminal is required|is not in the sudoers file|is not allowed to execute/.test(stderr)) return `give the login user a NOPASSWD sudo rule for ${user}`;
  if (/unknown user/.test(stderr)) return `become_user ${user} does not exist on the host`;
  if (/sudo: (not found|command not found)|sudo: No such file/.test(stderr)) return 'install sudo on the host (become uses sudo)';
  if (/Permission denied/.test(stderr)) return `${user} may not access this path: become a user who may, or change its permissions`;
  return undefined;
}

/** Wrap a transport so every command and file operation runs as `user` (task `become: true`). */
export function becomeTransport(inner: Transport, user = 'root'): Transport {
  return new BecomeTransport(inner, user);
}
