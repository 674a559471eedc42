/**
 * The run record writer: listens to every event and keeps `<runDir>/` up to date:
 *  - events.jsonl — one redacted JSON event per line (append-only),
 *  - tasks/NNNN-<task>.log — each task's output,
 *  - summary.json — rewritten atomically at every state/stage change (a crash never leaves half of it).
 */
import { appendFileSync, mkdirSync, openSync, closeSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { AgentEvent, JobState } from '../../core/events.js';
import type { SecretRegistry } from '../../core/secrets.js';
import { writeFileAtomic } from '../../core/atomic-write.js';
import type { FailedTaskRecord, RunSummary, StageRecord } from './summary.js';

export class RunRecordWriter {
  readonly runDir: string;
  readonly summary: RunSummary;
  private readonly secrets: SecretRegistry;
  private readonly eventsFd: number;
  private readonly taskLogs = new Map<string, string>();
  private taskCounter = 0;
  private currentStage = '';
  private pendingWrite: Promise<void> = Promise.resolve();
  /**
   * The first write of the record that failed (disk full, read-only file system…). Events never throw into the
   * engine because of it; the pipeline reads this, ends the run and reports it. summary.json keeps its last
   * complete version (atomic writes).
   */
  writeError: { path: string; error: NodeJS.ErrnoException } | undefined;

  constructor(runDir: string, summary: RunSummary, secrets: SecretRegistry) {
    this.runDir = runDir;
    this.summary = summary;
    this.secrets = secrets;
    mkdirSync(join(runDir, 'tasks'), { recursive: true });
    this.eventsFd = openSync(join(runDir, 'events.jsonl'), 'a', 0o600);
  }

  /** Relative path of the log file of a task id (created on first output). */
  taskLogPath(taskId: string): string | undefined {
    return this.taskLogs.get(taskId);
  }

  /** Note a failed write of the record (the first one wins). */
  recordWriteError(path: string, error: unknown): void {
    if (this.writeError) return;
    this.writeError = { path, error: error as NodeJS.ErrnoException };
    this.onWriteError?.();
  }

  /** Called once, at the first failed write (the pipeline stops the running task file). */
  onWriteError: (() => void) | undefined;

  on(event: AgentEvent): void {
    // After a failed write, events.jsonl is not appended to: a torn line must not be followed by more.
    if (!this.writeError) {
      try {
        writeSync(this.eventsFd, this.secrets.redact(JSON.stringify(event)) + '\n');
      } catch (e) {
        this.recordWriteError(join(this.runDir, 'events.jsonl'), e);
      }
    }
    switch (event.type) {
      case 'task-start': {
        const n = String(++this.taskCounter).padStart(4, '0');
        const slug = event.task.name.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 60) || 'task';
        const rel = join('tasks', `${n}-${slug}-${event.task.host}.log`);
        this.taskLogs.set(event.task.id, rel);
        const where = event.task.file ? ` (${event.task.file}${event.task.line ? `:${event.task.line}` : ''})` : '';
        this.appendLog(rel, `# ${this.currentStage} | ${event.task.host} | ${event.task.name}${where} | ${event.module}\n`);
        break;
      }
      case 'task-output': {
        const rel = this.taskLogs.get(event.task.id);
        if (rel) this.appendLog(rel, `${event.stream === 'stderr' ? '! ' : ''}${event.line}\n`);
        break;
      }
      case 'task-end': {
        const rel = this.taskLogs.get(event.task.id);
        if (rel) {
          const lines = [`# status: ${event.status} (${event.durationMs} ms)`];
          if (event.msg) lines.push(`# msg: ${event.msg}`);
          if (event.result) {
            for (const key of ['stdout', 'stderr'] as const) {
              const v = event.result[key];
              if (typeof v === 'string' && v) lines.push(`# ${key}:`, v);
            }
          }
          this.appendLog(rel, lines.join('\n') + '\n');
        }
        break;
      }
      case 'stage-start':
        this.currentStage = event.stage;
        this.upsertStage({ name: event.stage, status: 'running', startedAt: event.ts });
        this.flush();
        break;
      case 'stage-end':
        this.upsertStage({ name: event.stage, status: event.status, durationMs: event.durationMs, msg: event.msg });
        this.flush();
        break;
      case 'job-state':
        this.summary.state = event.state;
        this.summary.states.push({ state: event.state, at: event.ts ?? new Date().toISOString(), comment: event.comment });
        this.flush();
        break;
      default:
        break;
    }
  }

  setFailedTask(failed: FailedTaskRecord): void {
    this.summary.failedTask = this.secrets.redactDeep(failed);
  }

  note(line: string): void {
    this.summary.notes.push(this.secrets.redact(line));
  }

  finish(state: JobState, result: RunSummary['result']): Promise<void> {
    const end = new Date();
    this.summary.endedAt = end.toISOString();
    this.summary.durationMs = end.getTime() - Date.parse(this.summary.startedAt);
    this.summary.state = state;
    this.summary.result = result;
    this.flush();
    return this.pendingWrite;
  }

  close(): Promise<void> {
    closeSync(this.eventsFd);
    return this.pendingWrite;
  }

  /** Write a generated artefact (manifests, configs) into the run record. */
  async writeArtifact(relPath: string, content: string, mode = 0o644): Promise<string> {
    const abs = join(this.runDir, relPath);
    await writeFileAtomic(abs, this.secrets.redact(content), { mode, fsync: false });
    return abs;
  }

  private upsertStage(update: StageRecord): void {
    const existing = this.summary.stages.find((s) => s.name === update.name);
    if (existing) Object.assign(existing, Object.fromEntries(Object.entries(update).filter(([, v]) => v !== undefined)));
    else this.summary.stages.push(update);
  }

  private appendLog(rel: string, text: string): void {
    const path = join(this.runDir, rel);
    try {
      appendFileSync(path, this.secrets.redact(text), { mode: 0o600 });
    } catch (e) {
      this.recordWriteError(path, e);
    }
  }

  /** Serialise summary writes: each one is atomic (temp + rename) and they land in order. */
  flush(): void {
    const snapshot = this.secrets.redact(JSON.stringify(this.summary, null, 2)) + '\n';
    const path = join(this.runDir, 'summary.json');
    this.pendingWrite = this.pendingWrite.then(() => writeFileAtomic(path, snapshot, { mode: 0o600 })).catch((e: unknown) => this.recordWriteError(path, e));
  }
}

/** `no space left on device (ENOSPC)` from Node's `ENOSPC: no space left on device, write`. */
export function describeFsError(e: NodeJS.ErrnoException): string {
  const m = /^([A-Z][A-Z0-9_]+): ([^,]+)/.exec(e.message ?? '');
  return m ? `${m[2]} (${m[1]})` : String(e.message ?? e);
}

export function finalResult(state: JobState): RunSummary['result'] {
  return state === 'success' || state === 'failure' || state === 'error' || state === 'killed' ? state : 'running';
}
