/** The parsed shape of task files: what the loader produces and the executor walks. */

export interface Where {
  file: string;
  line?: number;
}

/** Keywords that can sit on tasks and blocks (raw, untemplated). */
export interface Keywords {
  name?: string;
  when?: unknown;
  vars?: Record<string, unknown>;
  environment?: unknown;
  become?: unknown;
  become_user?: unknown;
  become_method?: unknown;
  tags?: string[];
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
  timeout?: unknown;
}

export interface TaskNode {
  kind: 'task';
  where: Where;
  keywords: Keywords;
  /** The action as written (`ansible.builtin.command`). */
  action: string;
  /** The registry's canonical module name (`command`). */
  module: string;
  /** Raw args: an object (free-form strings are parsed into one at load time). */
  args: Record<string, unknown>;
  register?: string;
  loop?: { kind: 'loop' | string; value: unknown };
  loopControl?: Record<string, unknown>;
  until?: unknown;
  retries?: unknown;
  delay?: unknown;
  failedWhen?: unknown;
  changedWhen?: unknown;
  notify?: string[];
}

export interface IncludeNode {
  kind: 'include';
  where: Where;
  keywords: Keywords;
  /** import_tasks: keywords (when/tags) apply to every included task; include_tasks: to the include itself. */
  isStatic: boolean;
  action: string;
  /** Raw (maybe templated) file name. */
  file: unknown;
  /** `vars:` passed to the include (include params, above set_fact). */
  params: Record<string, unknown>;
  loop?: { kind: string; value: unknown };
  loopControl?: Record<string, unknown>;
  /** include_tasks `apply:` keywords for the included tasks. */
  apply?: Record<string, unknown>;
}

export interface BlockNode {
  kind: 'block';
  where: Where;
  keywords: Keywords;
  block: Node[];
  rescue: Node[];
  always: Node[];
}

export type Node = TaskNode | IncludeNode | BlockNode;

export interface Play {
  name: string;
  where: Where;
  hosts: string;
  keywords: Keywords & { gather_facts?: unknown; connection?: unknown };
  vars: Record<string, unknown>;
  varsFiles: unknown[];
  preTasks: Node[];
  tasks: Node[];
  postTasks: Node[];
  handlers: Node[];
}

export type LoadedFile = { kind: 'playbook'; file: string; plays: Play[] } | { kind: 'tasks'; file: string; tasks: Node[] };
