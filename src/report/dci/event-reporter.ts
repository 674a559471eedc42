/**
 * An event `Reporter` (core/events) that feeds a DciReporter, for the pipeline to put on its EventBus:
 *  - `job-state` events become DCI job states (in order);
 *  - each task's output lines are collected and uploaded at `task-end` like the original dci callback does
 *    (`TASK [name]`, `failed/…` for failures, attached to the current job state).
 * Events arrive synchronously; the DCI calls are chained on one queue so that states and files keep their
 * order. `finish()`/`close()` wait for the queue, then flush spooled uploads.
 */
import type { AgentEvent, Reporter, TaskStatus } from '../../core/events.js';
import type { SecretRegistry } from '../../core/secrets.js';
import type { DciReporter } from './reporter.js';
import type { DciFlushResult } from './spool.js';

export interface DciEventReporterOptions {
  /** Redacts task output before upload (the engine redacts results; output lines may still carry secrets). */
  secrets?: SecretRegistry;
  /** Called for each DCI call that failed (uploads are spooled by the DciReporter and do not land here). */
  onError?: (error: unknown, what: string) => void;
  /** Upload outputs of tasks with these statuses (default: all but skipped, like the callback's noise level). */
  uploadStatuses?: TaskStatus[];
}

export interface DciEventReporter extends Reporter {
  /** Wait until every queued DCI call is done (without flushing the spool). */
  idle(): Promise<void>;
  /** Wait for the queue, then flush spooled uploads; returns what is still pending. */
  finish(): Promise<DciFlushResult>;
  /** Reporter contract: same as finish(), result dropped. */
  close(): Promise<void>;
  /** Errors of job-state posts, in order. */
  readonly errors: readonly unknown[];
}

const STATUS_PREFIX: Partial<Record<TaskStatus, string>> = { failed: 'failed', unreachable: 'unreachable', skipped: 'skipped', ignored: 'failed' };

export function createDciEventReporter(dci: DciReporter, options: DciEventReporterOptions = {}): DciEventReporter {
  let queue: Promise<void> = Promise.resolve();
  const outputs = new Map<string, string[]>();
  const errors: unknown[] = [];
  const uploadStatuses = new Set<TaskStatus>(options.uploadStatuses ?? ['ok', 'changed', 'failed', 'rescued', 'ignored', 'unreachable']);

  const enqueue = (what: string, fn: () => Promise<unknown>) => {
    queue = queue.then(fn).then(
      () => undefined,
      (e: unknown) => {
        errors.push(e);
        options.onError?.(e, what);
      },
    );
  };

  return {
    errors,
    on(event: AgentEvent) {
      switch (event.type) {
        case 'job-state':
          // Kept in the spool (and posted in order later) when the server is away: a run never fails for DCI.
          enqueue(`job state ${event.state}`, () => dci.reportJobState(event.state, event.comment));
          break;
        case 'task-start':
          outputs.set(event.task.id, []);
          break;
        case 'task-output': {
          const lines = outputs.get(event.task.id) ?? [];
          lines.push(event.line);
          outputs.set(event.task.id, lines);
          break;
        }
        case 'task-end': {
          const lines = outputs.get(event.task.id) ?? [];
          outputs.delete(event.task.id);
          if (!uploadStatuses.has(event.status)) break;
          let text = lines.join('\n');
          if (event.msg) text += (text ? '\n' : '') + event.msg;
          if (!text && event.result) text = JSON.stringify(event.result, null, 2);
          text = `${event.task.host}: ${event.status}\n${text}\n`;
          if (options.secrets) text = options.secrets.redact(text);
          const status = STATUS_PREFIX[event.status] ?? event.status;
          enqueue(`upload of task ${event.task.name}`, () => dci.uploadTaskOutput({ name: event.task.name, status }, text));
          break;
        }
        default:
          break;
      }
    },
    idle() {
      return queue;
    },
    async finish() {
      await queue;
      return dci.close();
    },
    async close() {
      await queue;
      await dci.close();
    },
  };
}
