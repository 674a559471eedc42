/**
 * Renderers for engine (and pipeline) events. `createReporter` picks one: `tty` (listr2 tree) when stdout is a
 * terminal, `plain` (timestamped lines) otherwise, `jsonl` on request. All text passes through the secret
 * registry before it is written.
 */
import type { Reporter } from '../../core/events.js';
import type { SecretRegistry } from '../../core/secrets.js';
import { JsonlReporter } from './jsonl.js';
import { PlainReporter } from './plain.js';
import { TtyReporter } from './tty.js';

export type OutputKind = 'tty' | 'plain' | 'jsonl';

export const OUTPUT_KINDS: readonly OutputKind[] = ['tty', 'plain', 'jsonl'];

export interface ReporterOptions {
  write(text: string): void;
  secrets: SecretRegistry;
  /** Default: tty when `isTTY`, else plain. */
  kind?: OutputKind;
  isTTY?: boolean;
}

export function createReporter(o: ReporterOptions): Reporter {
  const kind = o.kind ?? (o.isTTY ? 'tty' : 'plain');
  if (kind === 'jsonl') return new JsonlReporter(o);
  // A pseudo-terminal nobody sized (`script -c` in CI, some container runtimes) reports 0 columns: the live
  // renderer would wrap after every character there, so it gets the line renderer, like a pipe.
  const sized = process.stdout.columns !== 0;
  if (kind === 'tty') return new TtyReporter({ ...o, renderer: o.isTTY && sized ? 'default' : 'simple' });
  return new PlainReporter(o);
}

export { JsonlReporter, PlainReporter, TtyReporter };
export { formatRecap, formatDuration } from './format.js';
