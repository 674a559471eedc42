/**
 * Plain renderer: one timestamped line per event, for logs and the systemd journal (no colours, no cursor
 * movement). Every line passes through the secret registry.
 */
import type { AgentEvent, Reporter } from '../../core/events.js';
import type { SecretRegistry } from '../../core/secrets.js';
import { formatDuration, oneLine } from './format.js';
import { MirrorTracker, groupDoneText, groupProgressText, summaryText } from './mirror-progress.js';

export interface PlainReporterOptions {
  write(text: string): void;
  secrets: SecretRegistry;
  /** Also print each command output line (default true). */
  showOutput?: boolean;
  /** Timestamp source (tests). */
  now?: () => Date;
  /** At most one progress line per mirror image group per this many ms (default 10 s). */
  mirrorIntervalMs?: number;
}

export class PlainReporter implements Reporter {
  private runDir?: string;
  private readonly mirror = new MirrorTracker();

  constructor(private readonly o: PlainReporterOptions) {}

  private line(ts: string | undefined, text: string): void {
    const stamp = ts ?? (this.o.now ?? (() => new Date()))().toISOString();
    this.o.write(this.o.secrets.redact(`${stamp} ${text}`) + '\n');
  }

  on(e: AgentEvent): void {
    switch (e.type) {
      case 'play-start':
        this.line(e.ts, `PLAY [${e.name}] hosts: ${e.hosts.join(', ')}`);
        break;
      case 'task-start':
        break;
      case 'task-output':
        if (this.o.showOutput !== false) this.line(e.ts, `  [${e.task.host}] ${e.stream}: ${e.line}`);
        break;
      case 'item-end':
        this.line(e.ts, `  ${e.status}: [${e.task.host}] ${e.task.name} (item=${e.label})${e.status === 'failed' && e.msg ? ` — ${oneLine(e.msg, 500)}` : ''}`);
        break;
      case 'task-end': {
        const where = e.task.file ? ` (${e.task.file}${e.task.line ? `:${e.task.line}` : ''})` : '';
        const msg = e.status === 'failed' || e.status === 'unreachable' || e.status === 'ignored' ? ` — ${oneLine(e.msg ?? '', 2000)}${where}` : '';
        this.line(e.ts, `${e.status}: [${e.task.host}] ${e.task.name} [${formatDuration(e.durationMs)}]${msg}`);
        break;
      }
      case 'debug':
        this.line(e.ts, `  debug [${e.task.host}] ${oneLine(e.msg)}`);
        break;
      case 'warning':
        this.line(e.ts, `WARNING: ${e.msg}`);
        break;
      case 'play-end':
        break;
      case 'stage-start':
        this.line(e.ts, `STAGE [${e.stage}]`);
        break;
      case 'stage-end':
        this.line(e.ts, `STAGE [${e.stage}] ${e.status} [${formatDuration(e.durationMs)}]${e.msg ? ` — ${e.msg}` : ''}`);
        break;
      case 'hook-start':
        this.line(e.ts, `  hook ${e.file}`);
        break;
      case 'job-state':
        this.line(e.ts, `job state: ${e.state}${e.comment ? ` (${e.comment})` : ''}`);
        break;
      case 'run-start':
        this.runDir = e.runDir;
        this.line(e.ts, `run ${e.runId} started (inventory ${e.inventory})`);
        break;
      case 'run-end':
        this.line(e.ts, `run ${e.runId} ${e.state} [${formatDuration(e.durationMs)}]`);
        // The end-of-run summary: what was mirrored, where, which mirror-set kind and why, where the record is.
        for (const note of e.summary) this.line(e.ts, `  ${note}`);
        if (this.runDir) this.line(e.ts, `  record: ${this.runDir} (dci-agent-ts runs show ${e.runId})`);
        break;
      // Mirroring: periodic lines per image group (not one per image or blob), failures, a line per finished
      // group, and the stage's summary.
      case 'mirror-image':
        if (e.status === 'failed') this.line(e.ts, `  mirror failed: ${e.source} → ${e.destination}${e.msg ? ` — ${e.msg}` : ''}`);
        break;
      case 'mirror-progress': {
        const now = e.ts ? Date.parse(e.ts) : (this.o.now ?? (() => new Date()))().getTime();
        const due = this.mirror.due(e, now, this.o.mirrorIntervalMs ?? 10_000);
        const g = this.mirror.apply(e);
        if (due && g) this.line(e.ts, `  mirror ${groupProgressText(g)}`);
        break;
      }
      case 'mirror-report': {
        const g = this.mirror.apply(e);
        if (g) this.line(e.ts, `  mirror ${groupDoneText(g)}`);
        else if (this.mirror.summary) this.line(e.ts, `  mirror summary: ${summaryText(this.mirror.summary)}`);
        break;
      }
      default:
        break;
    }
  }

  close(): void {}
}
