/** The shape of `summary.json`, the one file `runs list` / `runs show` and the DCI uploader read. */
import type { JobState } from '../../core/events.js';

export interface StageRecord {
  name: string;
  status: 'ok' | 'failed' | 'skipped' | 'running';
  startedAt?: string;
  durationMs?: number;
  msg?: string;
}

export interface FailedTaskRecord {
  stage: string;
  task: string;
  host: string;
  file?: string;
  line?: number;
  msg: string;
  /** Path (relative to the run dir) of the task's output log. */
  log?: string;
  output?: string;
}

export interface RunSummary {
  runId: string;
  inventory: string;
  cluster: string;
  startedAt: string;
  endedAt?: string;
  durationMs?: number;
  state: JobState;
  states: Array<{ state: JobState; at: string; comment?: string }>;
  stages: StageRecord[];
  failedTask?: FailedTaskRecord;
  result?: 'success' | 'failure' | 'error' | 'killed' | 'running';
  /** One-line facts for the end-of-run summary (what was mirrored, where, which mirror-set kind and why). */
  notes: string[];
  resumedFrom?: string;
  dciJobId?: string;
  checkMode?: boolean;
}
