/** JSON lines renderer: one redacted JSON object per event (`--output jsonl`), for machines. */
import type { AgentEvent, Reporter } from '../../core/events.js';
import type { SecretRegistry } from '../../core/secrets.js';

export class JsonlReporter implements Reporter {
  constructor(private readonly o: { write(text: string): void; secrets: SecretRegistry }) {}

  on(e: AgentEvent): void {
    const stamped = e.ts ? e : { ...e, ts: new Date().toISOString() };
    // Redact the serialised text too: a secret may sit inside a key or be split across fields.
    this.o.write(this.o.secrets.redact(JSON.stringify(this.o.secrets.redactDeep(stamped))) + '\n');
  }

  close(): void {}
}
