/**
 * One run at a time per cluster. The lock is a file created with O_EXCL holding the holder's pid, start time and
 * run id. A lock whose process is gone is taken over with a warning (a crashed or kill -9'ed run must not block the
 * next timer firing forever).
 */
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { hostname } from 'node:os';
import { LockHeldError } from '../core/errors.js';

export interface LockInfo {
  pid: number;
  host: string;
  startedAt: string;
  runId: string;
  cluster: string;
}

export interface HeldLock {
  path: string;
  info: LockInfo;
  /** Set when a stale lock was taken over. */
  tookOverFrom?: LockInfo;
  release(): void;
}

export function lockPath(stateDir: string, cluster: string): string {
  const safe = cluster.replace(/[^A-Za-z0-9._-]/g, '_') || 'default';
  return join(stateDir, 'locks', `${safe}.lock`);
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
  // A zombie still answers kill(0); treat it as gone.
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return true;
  }
}

function readLock(path: string): LockInfo | null {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as LockInfo;
  } catch {
    return null;
  }
}

function tryCreate(path: string, info: LockInfo): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'wx', 0o644);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
  try {
    writeSync(fd, JSON.stringify(info) + '\n');
  } finally {
    closeSync(fd);
  }
  return true;
}

export function acquireLock(stateDir: string, cluster: string, runId: string): HeldLock {
  const path = lockPath(stateDir, cluster);
  mkdirSync(dirname(path), { recursive: true });
  const info: LockInfo = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString(), runId, cluster };
  let tookOverFrom: LockInfo | undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    if (tryCreate(path, info)) {
      // Another process taking over the same stale lock may have raced us; the file must be ours.
      const now = readLock(path);
      if (now && now.pid === info.pid && now.runId === info.runId) {
        return {
          path,
          info,
          tookOverFrom,
          release() {
            const current = readLock(path);
            if (current && current.pid === info.pid && current.runId === info.runId) rmSync(path, { force: true });
          },
        };
      }
      continue;
    }
    const holder = readLock(path);
    if (holder && holder.host === info.host && !processAlive(holder.pid)) {
      tookOverFrom = holder;
      rmSync(path, { force: true });
      continue;
    }
    if (!holder) {
      // Unreadable (being written right now, or garbage): give the writer a moment, then treat garbage as stale.
      const again = readLock(path);
      if (!again) {
        rmSync(path, { force: true });
        continue;
      }
    }
    const h = holder ?? readLock(path);
    throw new LockHeldError(
      `another run holds the lock for cluster "${cluster}": pid ${h?.pid ?? '?'} on ${h?.host ?? '?'}, started ${h?.startedAt ?? '?'} (run ${h?.runId ?? '?'})`,
      { hint: `wait for it to finish, or stop it (kill ${h?.pid ?? 'PID'}); the lock file is ${path}`, location: { file: path } },
    );
  }
  throw new LockHeldError(`could not take the lock for cluster "${cluster}" (${path}): another process keeps racing for it`, {
    hint: 'check for runs started in a loop',
  });
}
