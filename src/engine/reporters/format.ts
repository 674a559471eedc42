/** Text shared by the plain and tty renderers: status words, one-line values, the recap. */
import type { HostStats } from '../types.js';

export function oneLine(v: unknown, max = 2000): string {
  const s = typeof v === 'string' ? v : JSON.stringify(v, null, 0) ?? String(v);
  const flat = s.replace(/\r?\n/g, '\\n');
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const m = Math.floor(ms / 60_000);
  return `${m} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/** Ansible's PLAY RECAP, one line per host. */
export function formatRecap(stats: Record<string, HostStats>): string[] {
  const names = Object.keys(stats);
  const width = Math.max(0, ...names.map((n) => n.length));
  return names.map((n) => {
    const s = stats[n];
    return `${n.padEnd(width)} : ok=${s.ok} changed=${s.changed} unreachable=${s.unreachable} failed=${s.failed} skipped=${s.skipped} rescued=${s.rescued} ignored=${s.ignored}`;
  });
}
