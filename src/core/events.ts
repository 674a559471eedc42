/**
 * Typed events: the engine, the pipeline and the mirror emit them; reporters (tty, plain, jsonl), the run record
 * and the DCI uploader listen. Nothing else writes to the terminal.
 */
export type TaskStatus = 'ok' | 'changed' | 'skipped' | 'failed' | 'rescued' | 'ignored' | 'unreachable';

export interface TaskRef {
  /** Task name as written (or the module name when unnamed). */
  name: string;
  /** file:line of the task. */
  file?: string;
  line?: number;
  host: string;
  /** Unique id within the run (for matching start/end). */
  id: string;
}

export type EngineEvent =
  | { type: 'play-start'; name: string; hosts: string[]; file?: string }
  | { type: 'play-end'; name: string }
  | { type: 'task-start'; task: TaskRef; module: string }
  | { type: 'task-output'; task: TaskRef; stream: 'stdout' | 'stderr'; line: string }
  | { type: 'item-end'; task: TaskRef; label: string; status: TaskStatus; msg?: string }
  | {
      type: 'task-end';
      task: TaskRef;
      module: string;
      status: TaskStatus;
      durationMs: number;
      msg?: string;
      /** The (already redacted) result, as registered. */
      result?: Record<string, unknown>;
    }
  | { type: 'debug'; task: TaskRef; msg: unknown }
  | { type: 'warning'; msg: string; task?: TaskRef };

export type PipelineEvent =
  | { type: 'run-start'; runId: string; inventory: string; runDir: string; startedAt: string }
  | { type: 'stage-start'; stage: string }
  | { type: 'stage-end'; stage: string; status: 'ok' | 'failed' | 'skipped'; durationMs: number; msg?: string }
  | { type: 'hook-start'; stage: string; file: string }
  | { type: 'hook-end'; stage: string; file: string; status: 'ok' | 'failed' }
  | { type: 'job-state'; state: JobState; comment?: string }
  | { type: 'run-end'; runId: string; state: JobState; durationMs: number; summary: string[] };

export type JobState = 'new' | 'pre-run' | 'running' | 'post-run' | 'success' | 'failure' | 'error' | 'killed';

export type MirrorEvent =
  | { type: 'mirror-progress'; group: string; imagesDone: number; imagesTotal: number; bytesDone: number; bytesTotal: number; rateBps: number }
  | { type: 'mirror-image'; group: string; source: string; destination: string; status: 'copied' | 'skipped' | 'failed'; msg?: string }
  | { type: 'mirror-report'; group: string; report: Record<string, unknown> };

export type AgentEvent = (EngineEvent | PipelineEvent | MirrorEvent) & { ts?: string };

export type EventListener = (event: AgentEvent) => void;

/** A tiny synchronous bus: emit() stamps the time and calls every listener in order. */
export class EventBus {
  private readonly listeners: EventListener[] = [];

  on(listener: EventListener): () => void {
    this.listeners.push(listener);
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  emit(event: AgentEvent): void {
    const stamped = event.ts ? event : { ...event, ts: new Date().toISOString() };
    for (const l of this.listeners) l(stamped);
  }
}

/** A reporter turns events into output. The only code that writes to the terminal. */
export interface Reporter {
  on(event: AgentEvent): void;
  close(): Promise<void> | void;
}
