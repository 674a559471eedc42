/** Per-host and per-scope state of a run (what the play runner carries from task to task). */
import type { HostStats, TaskResult } from '../types.js';
import type { Where } from '../loader/task-model.js';

export interface HostState {
  name: string;
  /** Inventory variables (merged group/host vars, untemplated). */
  inventoryVars: Record<string, unknown>;
  /** set_fact and register results (kept across plays and files). */
  facts: Record<string, unknown>;
  /** include_vars results (replaced, never mutated, so the lazy wrapper cache stays right). */
  includeVars: Record<string, unknown>;
  stats: HostStats;
  /** Failed in the current play (removed from the following tasks; may be rescued). */
  failed: boolean;
  unreachable: boolean;
  /** `meta: end_host`. */
  ended: boolean;
  /** Handlers notified and not run yet. */
  notified: Set<string>;
}

export function newStats(): HostStats {
  return { ok: 0, changed: 0, failed: 0, skipped: 0, rescued: 0, ignored: 0, unreachable: 0 };
}

/** Keywords inherited from play → block → include → task (inner wins). */
export interface Inherited {
  become?: unknown;
  become_user?: unknown;
  become_method?: unknown;
  ignore_errors?: unknown;
  ignore_unreachable?: unknown;
  no_log?: unknown;
  delegate_to?: unknown;
  delegate_facts?: unknown;
  run_once?: unknown;
  check_mode?: unknown;
  diff?: unknown;
  connection?: unknown;
  any_errors_fatal?: unknown;
  /** Layers of `environment:` (outer → inner), merged per task. */
  environment: unknown[];
}

export interface Scope {
  /** Directory of the file the current tasks come from (relative include/src paths). */
  dir: string;
  /** Inherited conditions (block `when`, import_tasks `when`), all must hold. */
  whens: Array<{ cond: unknown; where: Where }>;
  tags: string[];
  blockVars: Array<Record<string, unknown>>;
  /** Per-host include params and include loop variables. */
  hostParams?: Map<string, Record<string, unknown>>;
  /** Per-host `ansible_failed_task`/`ansible_failed_result` inside rescue. */
  rescue?: Map<string, { task: Record<string, unknown>; result: TaskResult }>;
  inherited: Inherited;
  /** A failure here moves on to the rescue/always of an enclosing block (any_errors_fatal does not end the play). */
  guarded?: boolean;
  /** How deep in includes (guards against include cycles). */
  depth: number;
}
