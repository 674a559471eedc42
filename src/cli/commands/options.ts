import { UsageError } from '../../core/errors.js';

/** commander helper for repeatable options (`-e a=1 -e b=2`). */
export function collectRepeatable(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export type OutputKind = 'tty' | 'plain' | 'jsonl';

export function parseOutputKind(v: string | undefined): OutputKind | undefined {
  if (v === undefined) return undefined;
  if (v === 'tty' || v === 'plain' || v === 'jsonl') return v;
  throw new UsageError('bad-output', `--output must be tty, plain or jsonl, not "${v}"`);
}

/** tty on an interactive terminal outside systemd; plain (journal friendly) otherwise. */
export function defaultOutputKind(): OutputKind {
  const underSystemd = Boolean(process.env.INVOCATION_ID || process.env.JOURNAL_STREAM);
  return process.stdout.isTTY && !underSystemd && !process.env.CI ? 'tty' : 'plain';
}

export function splitList(v: string | undefined): string[] | undefined {
  if (!v) return undefined;
  return v.split(',').map((s) => s.trim()).filter(Boolean);
}
