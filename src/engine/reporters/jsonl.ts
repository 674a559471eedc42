/** JSON lines renderer: one redacted JSON object per event (`--output jsonl`), for machines. */
import type { AgentEvent, Reporter } from '../../core/events.js';
import type { SecretRegistry } from '../../core/secrets.js';

export class JsonlReporter implements Reporter {
  /** Mirror progress: last event let through per image group (ms). */
  private readonly lastProgress = new Map<string, number>();

  constructor(private readonly o: { write(text: string): void; secrets: SecretRegistry; /** mirror-progress events per group at most every this many ms (default 1 s); the first and the last always pass */ mirrorIntervalMs?: number }) {}

  on(e: AgentEvent): void {
    if (e.type === 'mirror-progress') {
      const now = e.ts ? Date.parse(e.ts) : Date.now();
      const last = this.lastProgress.get(e.group);
      const final = e.imagesDone >= e.imagesTotal;
      if (!final && last !== undefined && now - last < (this.o.mirrorIntervalMs ?? 1000)) return;
      this.lastProgress.set(e.group, now);
    }
    const stamped = e.ts ? e : { ...e, ts: new Date().toISOString() };
    // Redact the serialised text too: a secret may sit inside a key or be split across fields.
    this.o.write(this.o.secrets.redact(JSON.stringify(this.o.secrets.redactDeep(stamped))) + '\n');
  }

  close(): void {}
}
