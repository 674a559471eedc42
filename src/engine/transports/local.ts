/**
 * The local transport: the controller itself. Commands go through `execCommand` (execa, the one door for child
 * processes); files through node:fs. `become` runs through `sudo -n` so a missing sudo rule fails fast instead of
 * waiting for a password prompt that nobody will answer.
 */
import { access, chown, constants, readFile, lstat, stat as fsStat } from 'node:fs/promises';
import { join } from 'node:path';
import { execCommand } from '../../core/exec.js';
import { writeFileAtomic } from '../../core/atomic-write.js';
import type { ExecOutcome, ExecRequest, FileStat, Transport } from '../types.js';
import { TransportError } from '../../core/errors.js';
import { exportPrefix, quoteArgv } from './shell-quote.js';

export class LocalTransport implements Transport {
  readonly kind = 'local' as const;

  constructor(readonly host = 'localhost') {}

  async exec(request: ExecRequest): Promise<ExecOutcome> {
    const { file, args, shell } = localCommand(request);
    if (request.signal?.aborted) return { rc: -1, stdout: '', stderr: 'aborted before start', timedOut: false };
    try {
      const r = await execCommand(file, args, {
        cwd: request.cwd,
        env: request.become ? undefined : request.env,
        input: request.stdin,
        timeoutMs: request.timeoutMs,
        signal: request.signal,
        onLine: request.onLine,
        shell,
        stripFinalNewline: !request.rawOutput,
      });
      if (r.rc === 1 && !r.stdout && !r.stderr && request.argv && !request.become && !(await isExecutable(request.argv[0], request.env?.PATH ?? process.env.PATH ?? ''))) {
        // execa hides spawn errors behind exit 1; report it the way a shell would (and the ssh transport does).
        return { rc: 127, stdout: '', stderr: `${request.argv[0]}: command not found`, timedOut: false };
      }
      return { rc: r.rc, stdout: r.stdout, stderr: r.stderr, timedOut: r.timedOut };
    } catch (e) {
      throw new TransportError('local-exec', `cannot run ${request.argv ? quoteArgv(request.argv) : request.shell} on ${this.host}: ${(e as Error).message}`, { cause: e });
    }
  }

  async put(path: string, data: string | Uint8Array, mode?: number): Promise<void> {
    const before = await fsStat(path).catch(() => undefined);
    // Like cp onto an existing file: the file keeps its mode (unless one is given) and, as root, its owner.
    const keep = mode ?? (before ? before.mode & 0o7777 : 0o644);
    await writeFileAtomic(path, data, { mode: keep, fsync: false });
    if (before && (before.uid !== process.getuid?.() || before.gid !== process.getgid?.())) {
      await chown(path, before.uid, before.gid).catch(() => undefined);
    }
  }

  async get(path: string): Promise<Buffer> {
    return readFile(path);
  }

  async stat(path: string): Promise<FileStat> {
    try {
      const l = await lstat(path);
      const s = l.isSymbolicLink() ? await fsStat(path).catch(() => l) : l;
      return {
        path,
        exists: true,
        isdir: s.isDirectory(),
        isreg: s.isFile(),
        islnk: l.isSymbolicLink(),
        size: s.size,
        mode: (s.mode & 0o7777).toString(8).padStart(4, '0'),
        mtime: s.mtimeMs / 1000,
        uid: s.uid,
        gid: s.gid,
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR') return { path, exists: false };
      throw e;
    }
  }

  async close(): Promise<void> {
    // Nothing is held open.
  }
}

/** argv/shell request → what execa runs. With become, the environment is passed through `sudo env` explicitly. */
function localCommand(request: ExecRequest): { file: string; args: string[]; shell: boolean } {
  if (!request.argv && request.shell === undefined) throw new TransportError('bad-exec', 'exec request needs argv or shell');
  if (request.become) {
    const inner = request.argv ? quoteArgv(request.argv) : request.shell!;
    const script = exportPrefix(request.env) + inner;
    return { file: 'sudo', args: ['-n', '-u', request.becomeUser ?? 'root', '--', '/bin/sh', '-c', script], shell: false };
  }
  if (request.argv) {
    if (request.argv.length === 0) throw new TransportError('bad-exec', 'exec request has an empty argv');
    return { file: request.argv[0], args: request.argv.slice(1), shell: false };
  }
  return { file: '/bin/sh', args: ['-c', request.shell!], shell: false };
}

async function isExecutable(file: string, path: string): Promise<boolean> {
  const candidates = file.includes('/') ? [file] : path.split(':').filter(Boolean).map((d) => join(d, file));
  for (const c of candidates) {
    if (await access(c, constants.X_OK).then(() => true, () => false)) return true;
  }
  return false;
}
