/**
 * The engine's core shapes, shared with modules (src/modules) and the pipeline. Types only: importing this file
 * costs nothing at run time.
 */
import type { z } from 'zod';
import type { SecretRegistry } from '../core/secrets.js';
import type { AgentEvent } from '../core/events.js';

/** Ansible's result shape. Extra keys are the module's data (e.g. `stat`, `content`, `json`). */
export interface TaskResult {
  changed: boolean;
  failed: boolean;
  skipped?: boolean;
  msg?: string;
  rc?: number;
  stdout?: string;
  stderr?: string;
  stdout_lines?: string[];
  stderr_lines?: string[];
  [key: string]: unknown;
}

export interface ExecRequest {
  /** argv form (command module) — preferred; no shell involved locally. */
  argv?: string[];
  /** shell form (shell module): run through /bin/sh -c. */
  shell?: string;
  cwd?: string;
  env?: Record<string, string>;
  stdin?: string;
  timeoutMs?: number;
  signal?: AbortSignal;
  /** become: run through sudo -n (as becomeUser, default root). */
  become?: boolean;
  becomeUser?: string;
  onLine?: (stream: 'stdout' | 'stderr', line: string) => void;
  /**
   * Keep stdout/stderr exactly as the command wrote them. By default one final newline (\n or \r\n) is dropped,
   * which suits callers reading one value; command/shell need every byte, as ansible-core returns them.
   */
  rawOutput?: boolean;
}

export interface ExecOutcome {
  rc: number;
  stdout: string;
  stderr: string;
  timedOut?: boolean;
}

export interface FileStat {
  exists: boolean;
  isdir?: boolean;
  isreg?: boolean;
  islnk?: boolean;
  size?: number;
  mode?: string;
  mtime?: number;
  uid?: number;
  gid?: number;
  path: string;
}

/** Where a task acts: the local machine (execa) or a remote host (ssh2, one pooled connection per host). */
export interface Transport {
  readonly kind: 'local' | 'ssh';
  readonly host: string;
  exec(request: ExecRequest): Promise<ExecOutcome>;
  put(path: string, data: string | Uint8Array, mode?: number): Promise<void>;
  get(path: string): Promise<Buffer>;
  stat(path: string): Promise<FileStat>;
  close(): Promise<void>;
}

/** What a module may touch. */
export interface RunContext {
  /** The target host's inventory name. */
  host: string;
  /** Templated, merged variables visible to the task (read-only view). */
  vars: Readonly<Record<string, unknown>>;
  transport: Transport;
  /** The controller (always local), for modules that act on the controller even when the target is remote. */
  controller: Transport;
  emit(event: AgentEvent): void;
  signal: AbortSignal;
  checkMode: boolean;
  diff?: boolean;
  /** Directory of the run record (logs, manifests). */
  runDir: string;
  /** Directory of the task file being run (relative `src:` paths resolve here, then cwd). */
  taskDir: string;
  secrets: SecretRegistry;
  /** Render a template string with the task's variables (template module, lookups). */
  render(template: string, extraVars?: Record<string, unknown>): Promise<string>;
  /** Log a line into the task's output (shown by reporters, kept in the run record). */
  log(line: string, stream?: 'stdout' | 'stderr'): void;
  /** Name of the task for messages. */
  taskName: string;
}

/** A module: validates its args with a zod schema, acts through the context, returns a result. Never prints. */
export interface Module<Args = Record<string, unknown>> {
  name: string;
  /** FQCN and legacy names, e.g. `ansible.builtin.command`, `ansible.legacy.command`. */
  aliases: string[];
  /** zod schema for the (already templated) args. */
  args: z.ZodType<Args>;
  /** Whether the module supports check mode (else it is skipped in check mode, like Ansible). */
  checkMode: boolean;
  /** Modules that accept free-form args (`command: ls -l`) set the key the raw string goes to. */
  freeForm?: string;
  /** Runs on the controller regardless of the target (debug, set_fact, assert...). */
  controllerOnly?: boolean;
  run(args: Args, ctx: RunContext): Promise<TaskResult>;
}

/** A lazily loaded module registration, so heavy domain modules cost nothing until used. */
export interface ModuleEntry {
  name: string;
  aliases: string[];
  load(): Promise<Module<never>>;
}

/** The host facts/inventory the engine needs to target hosts; built by src/config from the inventory. */
export interface InventoryHost {
  name: string;
  /** Merged inventory variables of the host (group_vars/host_vars applied, not templated). */
  vars: Record<string, unknown>;
  groups: string[];
}

export interface EngineInventory {
  hosts: Record<string, InventoryHost>;
  /** group name → host names (incl. `all`, `ungrouped`). */
  groups: Record<string, string[]>;
}

export interface RunTaskFileOptions {
  /** A playbook (list of plays) or a bare task list (hooks). */
  file: string;
  inventory: EngineInventory;
  /** For bare task lists: the hosts to run on (default `localhost`). Plays use their own `hosts:`. */
  hosts?: string[];
  /** Variables above inventory, below set_fact/register (stage vars, job_info...). */
  playVars?: Record<string, unknown>;
  /** Highest precedence. */
  extraVars?: Record<string, unknown>;
  /** Facts carried over from earlier files of the same run (set_fact/register results per host). */
  facts?: Record<string, Record<string, unknown>>;
  emit(event: AgentEvent): void;
  secrets: SecretRegistry;
  checkMode?: boolean;
  tags?: string[];
  skipTags?: string[];
  runDir: string;
  signal?: AbortSignal;
  /** Extra environment for every command (e.g. KUBECONFIG). */
  environment?: Record<string, string>;
  /**
   * The inventory file(s), for `inventory_file`/`inventory_dir` (left undefined without it): one absolute path for
   * every host, or per host (see inventoryFilesOf: the file that first listed the host; undefined for the implicit
   * localhost), as ansible-core sets them.
   */
  inventoryFile?: InventoryFileOf;
}

/** The inventory file of every host (one path), or of each host (undefined: the host came from no file). */
export type InventoryFileOf = string | ((host: string) => string | undefined);

export interface HostStats {
  ok: number;
  changed: number;
  failed: number;
  skipped: number;
  rescued: number;
  ignored: number;
  unreachable: number;
}

export interface TaskFailure {
  host: string;
  task: string;
  file?: string;
  line?: number;
  msg: string;
  /** stdout/stderr of the failing task, redacted. */
  output?: string;
}

export interface RunTaskFileResult {
  ok: boolean;
  stats: Record<string, HostStats>;
  /** The facts per host after the run (to carry into the next file / save for --start-at). */
  facts: Record<string, Record<string, unknown>>;
  failures: TaskFailure[];
  /** junit-relevant records: tasks named test_* */
  testCases: Array<{ name: string; host: string; status: 'passed' | 'failed' | 'skipped'; durationMs: number; msg?: string; file?: string }>;
}
