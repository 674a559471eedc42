/** Small builders for Ansible-shaped results. */
import type { TaskResult } from '../../engine/types.js';
import { splitlines } from '../../engine/template/py.js';
import { DciError } from '../../core/errors.js';

export function ok(extra: Record<string, unknown> = {}, changed = false): TaskResult {
  return { changed, failed: false, ...extra };
}

export function fail(msg: string, extra: Record<string, unknown> = {}): TaskResult {
  return { changed: false, ...extra, failed: true, msg };
}

/** Python's datetime format as Ansible prints it: `2026-11-26 10:49:39.123456`. */
export function ansibleTimestamp(d: Date): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}000`;
}

/** Python's timedelta format: `0:00:00.003456`. */
export function ansibleDelta(ms: number): string {
  const total = Math.max(0, ms);
  const h = Math.floor(total / 3_600_000);
  const m = Math.floor((total % 3_600_000) / 60_000);
  const s = Math.floor((total % 60_000) / 1000);
  const us = Math.round((total % 1000) * 1000);
  return `${h}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}.${String(us).padStart(6, '0')}`;
}

/** `stdout_lines`/`stderr_lines`: ansible-core fills them with Python's splitlines() of the text. */
export function lines(text: string): string[] {
  return splitlines(text);
}

/**
 * A file operation the target refused for lack of permission, for a task failure in Ansible's words: the
 * transport's message, and whether it already acted as the become user (so the way out is another user, not
 * `become: true`). Undefined for any other error, which the module lets propagate.
 */
export function permissionRefusal(e: unknown): { message: string; asBecomeUser: boolean } | undefined {
  const message = e instanceof Error ? e.message : String(e);
  if (!/permission denied|EACCES|EPERM/i.test(message)) return undefined;
  return { message, asBecomeUser: e instanceof DciError && e.code === 'become-file' };
}
