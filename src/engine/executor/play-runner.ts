/**
 * The linear strategy: each task runs on every active host (in parallel, `forks` at a time) before the next
 * task starts. Blocks run their `block` list on all hosts, then `rescue` on the hosts that failed in it, then
 * `always` on every host that entered. A failed host leaves the play (unless rescued); other hosts go on.
 *
 * Errors in the task file itself (unknown keyword or module, YAML) are thrown as TaskFileError before anything
 * runs; errors while running a task (undefined variable, bad module args, a loop over a non-list, a missing
 * include) are task failures — rescuable, reported with file:line and the task name — as in Ansible.
 */
import { dirname, isAbsolute, resolve } from 'node:path';
import { existsSync } from 'node:fs';
import pLimit from 'p-limit';
import { DciError, TaskFileError, TemplateError, TransportError } from '../../core/errors.js';
import type { AgentEvent, TaskRef, TaskStatus } from '../../core/events.js';
import type { SecretRegistry } from '../../core/secrets.js';
import { SECRET_VARIABLE_PATTERN } from '../../core/secrets.js';
import { LazyValue, OMIT, type Templar, type TemplateWhere } from '../template/index.js';
import type { EngineInventory, Module, ModuleEntry, RunContext, TaskFailure, TaskResult, Transport } from '../types.js';
import type { BlockNode, IncludeNode, Keywords, Node, Play, TaskNode, Where } from '../loader/task-model.js';
import { FREE_FORM } from '../loader/task-parser.js';
import { parseKv } from '../loader/kv.js';
import type { TaskFileLoader } from '../loader/load-file.js';
import { loopItems, LoopError } from './loops.js';
import { shouldRunTags, type TagSelection } from './tags.js';
import { composeVars, lazify, resolvedView } from './vars.js';
import { KeywordTransport, connectionOf, type TransportPool } from './transport-pool.js';
import { newStats, type HostState, type Inherited, type Scope } from './state.js';
import { createHostScope, type HostScope, type InventoryFileOf } from './host-scope.js';
import { BoolKeywordError, TASK_BOOL_KEYWORDS, becomeVariable, boolKeyword, extendedAllitems, type TaskBoolKeyword } from './bool-keyword.js';
import { truthy as pyTruthy } from '../template/py.js';
import { checkBecomeMethod, sudoBecomeUser } from './become-method.js';

export interface ModuleSource {
  find(name: string): ModuleEntry | undefined;
  parseArgs<A>(module: Module<A>, raw: unknown): A;
}

export interface TestCaseRecord {
  name: string;
  host: string;
  status: 'passed' | 'failed' | 'skipped';
  durationMs: number;
  msg?: string;
  file?: string;
}

export interface RunnerOptions {
  inventory: EngineInventory;
  templar: Templar;
  loader: TaskFileLoader;
  modules: ModuleSource;
  transports: TransportPool;
  emit(event: AgentEvent): void;
  secrets: SecretRegistry;
  runPlayVars: Record<string, unknown>;
  extraVars: Record<string, unknown>;
  checkMode: boolean;
  tags: TagSelection;
  runDir: string;
  signal: AbortSignal;
  environment: Record<string, string>;
  forks: number;
  playbookDir: string;
  /** The inventory file, for `inventory_file`/`inventory_dir` (undefined when the inventory is not a file). */
  inventoryFile?: InventoryFileOf;
}

/** `meta` acts on the play itself, so the executor runs it (as Ansible's strategy does), not a module. */
export const META_NAMES = new Set(['meta', 'ansible.builtin.meta', 'ansible.legacy.meta']);
const META_ACTIONS = new Set(['end_play', 'end_host', 'end_batch', 'noop', 'flush_handlers', 'refresh_inventory', 'clear_facts', 'clear_host_errors', 'reset_connection', 'end_role']);

const CENSORED = "the output has been hidden due to the fact that 'no_log: true' was specified for this result";
const MAX_INCLUDE_DEPTH = 50;

/** A variable's value as written in its file (a template not yet rendered), for error messages. */
function asWritten(v: unknown): unknown {
  return v instanceof LazyValue ? v.raw : v;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((res) => {
    if (ms <= 0 || signal.aborted) return res();
    const t = setTimeout(res, ms);
    signal.addEventListener('abort', () => { clearTimeout(t); res(); }, { once: true });
  });
}

/** The message of an error raised while running a task, for the task result. */
function errorMessage(e: unknown): string {
  if (e instanceof DciError) return e.hint ? `${e.message} (${e.hint})` : e.message;
  return e instanceof Error ? e.message : String(e);
}

export class PlayRunner {
  readonly hosts = new Map<string, HostState>();
  readonly failures: TaskFailure[] = [];
  readonly testCases: TestCaseRecord[] = [];
  private seq = 0;
  private readonly moduleCache = new Map<string, Promise<Module>>();
  private play!: Play;
  private playVarsLayer: Record<string, unknown> = {};
  private varsFilesLayer: Record<string, unknown> = {};
  private playHostsAll: string[] = [];
  private playEnded = false;
  /** any_errors_fatal ended a play: ansible-playbook runs no further play. */
  fatalStop = false;

  constructor(private readonly o: RunnerOptions) {
    this.scope = this.newScope();
  }

  /** Host state (created on first use with its inventory vars and carried facts). */
  hostState(name: string, facts?: Record<string, unknown>): HostState {
    let h = this.hosts.get(name);
    if (!h) {
      h = {
        name,
        inventoryVars: this.o.inventory.hosts[name]?.vars ?? {},
        facts: { ...(facts ?? {}) },
        includeVars: {},
        stats: newStats(),
        failed: false,
        unreachable: false,
        ended: false,
        notified: new Set(),
      };
      this.hosts.set(name, h);
    }
    return h;
  }

  /** Run one play on its hosts. Failed hosts stay failed for later plays (as ansible-playbook does). */
  async runPlay(play: Play, hostNames: string[]): Promise<void> {
    this.play = play;
    this.playEnded = false;
    const hosts = hostNames.map((n) => this.hostState(n)).filter((h) => !h.failed && !h.unreachable);
    for (const h of hosts) h.ended = false;
    this.playHostsAll = hosts.map((h) => h.name);
    this.o.emit({ type: 'play-start', name: play.name, hosts: this.playHostsAll, file: play.where.file });
    this.playVarsLayer = play.vars;
    this.varsFilesLayer = {};
    const inherited: Inherited = {
      environment: play.keywords.environment !== undefined ? [play.keywords.environment] : [],
      become: play.keywords.become,
      become_user: play.keywords.become_user,
      become_method: play.keywords.become_method,
      ignore_errors: play.keywords.ignore_errors,
      ignore_unreachable: play.keywords.ignore_unreachable,
      no_log: play.keywords.no_log,
      check_mode: play.keywords.check_mode,
      diff: play.keywords.diff,
      connection: play.keywords.connection,
      run_once: play.keywords.run_once,
      any_errors_fatal: play.keywords.any_errors_fatal,
    };
    const scope: Scope = { dir: dirname(play.where.file), whens: [], tags: play.keywords.tags ?? [], blockVars: [], inherited, depth: 0 };
    if (await this.gatherFacts(play, hosts)) {
      this.o.emit({ type: 'warning', msg: `play "${play.name}": gather_facts is not supported; no facts are gathered (set gather_facts: false)` });
    }
    // vars_files: templated names, relative to the playbook; a list entry is "first found".
    if (hosts.length) {
      const vars = this.baseVars(hosts[0]);
      for (const entry of play.varsFiles) {
        const candidates = Array.isArray(entry) ? entry : [entry];
        let loaded = false;
        for (const c of candidates) {
          const name = String(await this.o.templar.render(c, vars, { file: play.where.file, line: play.where.line, task: `play ${play.name}` }));
          const path = isAbsolute(name) ? name : resolve(scope.dir, name);
          if (!existsSync(path) && candidates.length > 1) continue;
          const data = this.o.loader.readYaml(path, 'vars file');
          if (data !== null && !isObject(data)) {
            throw new TemplateError('vars-file-not-mapping', `vars file ${path} must hold a mapping of variables`, { location: { file: path } });
          }
          this.varsFilesLayer = { ...this.varsFilesLayer, ...(data ?? {}) };
          loaded = true;
          break;
        }
        if (!loaded) throw new TemplateError('vars-file-missing', `none of the vars files ${JSON.stringify(candidates)} exists`, { location: play.where });
      }
    }
    for (const section of [play.preTasks, play.tasks, play.postTasks]) {
      await this.runNodes(section, hosts, scope);
      await this.runHandlers(play, hosts, scope);
    }
    this.o.emit({ type: 'play-end', name: play.name });
  }

  // ---------------------------------------------------------------- variables

  /** Magic variables and `hostvars`, shared with templating outside a play (./host-scope.ts). */
  private readonly scope: HostScope;

  private newScope(): HostScope {
    return createHostScope({
      inventory: this.o.inventory,
      templar: this.o.templar,
      layers: (name) => {
        const h = this.hostState(name);
        return {
          inventory: h.inventoryVars,
          runPlayVars: this.o.runPlayVars,
          playVars: this.playVarsLayer,
          varsFiles: this.varsFilesLayer,
          includeVars: lazify(h.includeVars),
          facts: h.facts,
          extraVars: this.o.extraVars,
        };
      },
      extraHosts: () => this.hosts.keys(),
      checkMode: this.o.checkMode,
      tags: this.o.tags,
      playbookDir: this.o.playbookDir,
      inventoryFile: this.o.inventoryFile,
      play: () => ({ name: this.play?.name, hostsAll: this.playHostsAll, active: () => this.activeNames() }),
    });
  }

  private magic(h: HostState): Record<string, unknown> {
    return this.scope.magic(h.name);
  }

  private activeNames(): string[] {
    return this.playHostsAll.filter((n) => {
      const h = this.hosts.get(n);
      return h && !h.failed && !h.unreachable && !h.ended;
    });
  }

  /** Host variables without block/task/loop layers (for hostvars and play-level templating). */
  private baseVars(h: HostState): Record<string, unknown> {
    return this.scope.baseVars(h.name);
  }

  private taskVars(h: HostState, scope: Scope, taskVars: Record<string, unknown> | undefined, loopVars?: Record<string, unknown>): Record<string, unknown> {
    const r = scope.rescue?.get(h.name);
    return composeVars({
      magic: this.magic(h),
      inventory: h.inventoryVars,
      runPlayVars: this.o.runPlayVars,
      playVars: this.playVarsLayer,
      varsFiles: this.varsFilesLayer,
      blockVars: scope.blockVars,
      taskVars,
      includeVars: lazify(h.includeVars),
      facts: h.facts,
      includeParams: scope.hostParams?.get(h.name),
      loopVars,
      fixedMagic: r ? { ansible_failed_task: r.task, ansible_failed_result: r.result } : undefined,
      extraVars: this.o.extraVars,
    });
  }

  // ---------------------------------------------------------------- tree walking

  private active(hosts: HostState[]): HostState[] {
    if (this.playEnded) return [];
    return hosts.filter((h) => !h.failed && !h.ended && !h.unreachable);
  }

  async runNodes(nodes: Node[], hosts: HostState[], scope: Scope): Promise<void> {
    for (const node of nodes) {
      if (this.o.signal.aborted) return;
      const active = this.active(hosts);
      if (!active.length) return;
      if (node.kind === 'task') await this.runTask(node, active, scope);
      else if (node.kind === 'block') await this.runBlock(node, active, scope);
      else await this.runInclude(node, active, scope);
    }
  }

  private childScope(scope: Scope, kw: Keywords, where: Where, opts: { inheritWhen?: boolean; inheritTags?: boolean; dir?: string } = {}): Scope {
    const inh: Inherited = { ...scope.inherited, environment: scope.inherited.environment };
    for (const k of ['become', 'become_user', 'become_method', 'ignore_errors', 'ignore_unreachable', 'no_log', 'delegate_to', 'delegate_facts', 'run_once', 'check_mode', 'diff', 'connection', 'any_errors_fatal'] as const) {
      if (kw[k] !== undefined) inh[k] = kw[k];
    }
    if (kw.environment !== undefined) inh.environment = [...scope.inherited.environment, kw.environment];
    return {
      ...scope,
      dir: opts.dir ?? scope.dir,
      whens: opts.inheritWhen !== false && kw.when !== undefined ? [...scope.whens, { cond: kw.when, where }] : scope.whens,
      tags: opts.inheritTags !== false && kw.tags ? [...scope.tags, ...kw.tags] : scope.tags,
      blockVars: kw.vars ? [...scope.blockVars, kw.vars] : scope.blockVars,
      inherited: inh,
    };
  }

  private async runBlock(b: BlockNode, hosts: HostState[], scope: Scope): Promise<void> {
    const inner = this.childScope(scope, b.keywords, b.where);
    await this.runNodes(b.block, hosts, b.rescue.length || b.always.length ? { ...inner, guarded: true } : inner);
    const failedHere = hosts.filter((h) => h.failed && !h.unreachable);
    if (b.rescue.length && failedHere.length && !this.playEnded) {
      const rescueInfo = new Map(scope.rescue ?? []);
      for (const h of failedHere) {
        h.failed = false;
        const f = this.lastFailure.get(h.name);
        rescueInfo.set(h.name, { task: f?.task ?? {}, result: f?.result ?? { changed: false, failed: true } });
      }
      await this.runNodes(b.rescue, failedHere, { ...inner, rescue: rescueInfo });
      for (const h of failedHere) {
        if (!h.failed && !h.unreachable) {
          h.stats.rescued++;
          h.stats.failed = Math.max(0, h.stats.failed - 1);
          const i = this.failures.findIndex((f) => f === this.lastFailure.get(h.name)?.record);
          if (i >= 0) this.failures.splice(i, 1);
        }
      }
    }
    if (b.always.length && !this.playEnded) {
      const wasFailed = hosts.filter((h) => h.failed && !h.unreachable);
      for (const h of wasFailed) h.failed = false;
      await this.runNodes(b.always, hosts, inner);
      for (const h of wasFailed) h.failed = true;
    }
  }

  private resolveInclude(name: string, scope: Scope): string | undefined {
    if (isAbsolute(name)) return existsSync(name) ? name : undefined;
    for (const base of [scope.dir, resolve(scope.dir, 'tasks'), this.o.playbookDir]) {
      const p = resolve(base, name);
      if (existsSync(p)) return p;
    }
    return undefined;
  }

  private async runInclude(node: IncludeNode, hosts: HostState[], scope: Scope): Promise<void> {
    const own = [...scope.tags, ...(node.keywords.tags ?? [])];
    if (node.isStatic) {
      // import_tasks: its keywords (when, tags...) apply to every imported task; the name is templated once.
      const h = hosts[0];
      const where: TemplateWhere = { file: node.where.file, line: node.where.line, task: node.keywords.name ?? node.action };
      let name: string;
      try {
        name = String(await this.o.templar.render(node.file, this.taskVars(h, scope, node.params), where));
      } catch (e) {
        for (const host of hosts) this.failHost(host, this.includeRef(node, host, scope), { changed: false, failed: true, msg: errorMessage(e) }, node, scope, 0);
        return;
      }
      const path = this.resolveInclude(name, scope);
      if (!path) {
        for (const host of hosts) this.failHost(host, this.includeRef(node, host, scope), { changed: false, failed: true, msg: `Could not find or access '${name}' (imported from ${node.where.file}:${node.where.line ?? '?'})` }, node, scope, 0);
        return;
      }
      const tasks = this.o.loader.loadTasks(path);
      const inner = this.childScope(scope, { ...node.keywords, vars: Object.keys(node.params).length ? node.params : undefined }, node.where, { dir: dirname(path) });
      if (inner.depth > MAX_INCLUDE_DEPTH) throw new TemplateError('include-depth', `includes nested more than ${MAX_INCLUDE_DEPTH} deep (a file including itself?)`, { location: node.where });
      await this.runNodes(tasks, hosts, { ...inner, depth: scope.depth + 1 });
      return;
    }
    if (!shouldRunTags(own, this.o.tags)) return;
    // include_tasks: evaluated per host (when, loop, templated file name); hosts including the same file run it
    // together, one include (loop item) after the other.
    const perHost = new Map<string, Array<{ path: string; params: Record<string, unknown> }>>();
    const limit = pLimit(this.o.forks);
    await Promise.all(
      hosts.map((h) =>
        limit(async () => {
          const ref = this.includeRef(node, h, scope);
          const t0 = Date.now();
          this.o.emit({ type: 'task-start', task: ref, module: node.action });
          const list: Array<{ path: string; params: Record<string, unknown> }> = [];
          try {
            const base = this.taskVars(h, scope, undefined);
            const where: TemplateWhere = { file: node.where.file, line: node.where.line, task: ref.name };
            let items: Array<Record<string, unknown> | undefined> = [undefined];
            const lc = node.loopControl;
            const loopVar = String(lc?.loop_var ?? 'item');
            if (node.loop) {
              const values = loopItems(node.loop.kind, await this.o.templar.render(node.loop.value, base, where));
              const extended = await this.loopExtended(lc, values, base, where);
              items = values.map((it, i) => this.loopVarsFor(lc, loopVar, it, i, extended));
            }
            for (const lv of items) {
              const vars = lv ? { ...base, ...lv } : base;
              if (!(await this.conditionsHold([...scope.whens, ...(node.keywords.when !== undefined ? [{ cond: node.keywords.when, where: node.where }] : [])], vars, where))) continue;
              const params = (await this.o.templar.render(node.params, vars, where)) as Record<string, unknown>;
              const name = String(await this.o.templar.render(node.file, vars, where));
              const path = this.resolveInclude(name, scope);
              if (!path) throw new LoopError(`Could not find or access '${name}' (included from ${node.where.file}:${node.where.line ?? '?'}; searched ${scope.dir})`);
              // ansible-core hands the included tasks the item, the index_var, ansible_loop and the item's label as
              // _ansible_item_label (above the include's own vars), but not ansible_loop_var / ansible_index_var:
              // those stay in the include's item result. A label that cannot be rendered fails the include.
              const special: Record<string, unknown> = {};
              if (lv) {
                for (const [k, v] of Object.entries(lv)) if (k !== 'ansible_loop_var' && k !== 'ansible_index_var') special[k] = v;
                const label = lc?.label !== undefined ? await this.o.templar.render(lc.label, vars, where) : lv[loopVar];
                special._ansible_item_label = label;
                this.o.emit({ type: 'item-end', task: ref, label: this.o.secrets.redact(typeof label === 'string' ? label : JSON.stringify(label)), status: 'ok' });
              }
              list.push({ path, params: { ...params, ...special } });
            }
            perHost.set(h.name, list);
            const status: TaskStatus = list.length ? 'ok' : 'skipped';
            if (list.length) h.stats.ok++;
            else h.stats.skipped++;
            this.o.emit({ type: 'task-end', task: ref, module: node.action, status, durationMs: Date.now() - t0, msg: list.length ? `included: ${list.map((l) => l.path).join(', ')}` : undefined });
          } catch (e) {
            const result: TaskResult = { changed: false, failed: true, msg: errorMessage(e) };
            // An include that fails (a loop that is not a list, a bad loop_control, a missing file) is ignored
            // like any task under ignore_errors: the host includes nothing and goes on.
            if (await this.softBool(node, scope, 'ignore_errors', this.taskVars(h, scope, undefined))) {
              perHost.set(h.name, []);
              h.stats.ok++;
              h.stats.ignored++;
              const msg = this.o.secrets.redact(String(result.msg));
              this.o.emit({ type: 'task-end', task: ref, module: node.action, status: 'ignored', durationMs: Date.now() - t0, msg, result: this.o.secrets.redactDeep(result) });
            } else this.failHost(h, ref, result, node, scope, t0);
          }
        }),
      ),
    );
    const maxLen = Math.max(0, ...[...perHost.values()].map((l) => l.length));
    for (let i = 0; i < maxLen; i++) {
      const groups = new Map<string, HostState[]>();
      for (const h of hosts) {
        const inc = perHost.get(h.name)?.[i];
        if (!inc || h.failed) continue;
        const g = groups.get(inc.path) ?? [];
        g.push(h);
        groups.set(inc.path, g);
      }
      for (const [path, group] of groups) {
        let tasks: Node[];
        try {
          tasks = this.o.loader.loadTasks(path);
        } catch (e) {
          if (e instanceof DciError && e.code === 'file-not-found') {
            for (const h of group) this.failHost(h, this.includeRef(node, h, scope), { changed: false, failed: true, msg: errorMessage(e) }, node, scope, 0);
            continue;
          }
          throw e;
        }
        const hostParams = new Map(scope.hostParams ?? []);
        for (const h of group) hostParams.set(h.name, { ...(scope.hostParams?.get(h.name) ?? {}), ...(perHost.get(h.name)?.[i]?.params ?? {}) });
        const applyKw = node.apply ? (node.apply as Keywords) : {};
        const inner = this.childScope(scope, { ...applyKw, tags: applyKw.tags ? (Array.isArray(applyKw.tags) ? applyKw.tags.map(String) : [String(applyKw.tags)]) : undefined }, node.where, { dir: dirname(path) });
        if (scope.depth + 1 > MAX_INCLUDE_DEPTH) throw new TemplateError('include-depth', `includes nested more than ${MAX_INCLUDE_DEPTH} deep (a file including itself?)`, { location: node.where });
        await this.runNodes(tasks, group, { ...inner, hostParams, depth: scope.depth + 1 });
      }
    }
  }

  private includeRef(node: IncludeNode, h: HostState, _scope: Scope): TaskRef {
    return { name: node.keywords.name ?? `${node.action} ${typeof node.file === 'string' ? node.file : ''}`.trim(), file: node.where.file, line: node.where.line, host: h.name, id: String(++this.seq) };
  }

  // ---------------------------------------------------------------- tasks

  private lastFailure = new Map<string, { task: Record<string, unknown>; result: TaskResult; record: TaskFailure }>();

  private async conditionsHold(whens: Array<{ cond: unknown; where: Where }>, vars: Record<string, unknown>, where: TemplateWhere): Promise<boolean> {
    for (const w of whens) {
      const cond = w.cond;
      if (cond === undefined || cond === null) continue;
      const ok = await this.o.templar.condition(cond as string | boolean | Array<string | boolean>, vars, { ...where, file: w.where.file ?? where.file, line: w.where.line ?? where.line });
      if (!ok) return false;
    }
    return true;
  }

  private async runTask(task: TaskNode, hosts: HostState[], scope: Scope): Promise<void> {
    if (!shouldRunTags([...scope.tags, ...(task.keywords.tags ?? [])], this.o.tags)) return;
    const runOnceRaw = task.keywords.run_once ?? scope.inherited.run_once;
    let runOnce = false;
    if (runOnceRaw !== undefined) {
      // ansible-core's linear strategy picks the hosts with the templated value's Python truth (`maybe` runs
      // once); the value is checked as a boolean when the task runs, on that one host.
      try {
        runOnce = pyTruthy(await this.o.templar.render(runOnceRaw, this.taskVars(hosts[0], scope, task.keywords.vars)));
      } catch {
        runOnce = false;
      }
    }
    if (runOnce) {
      const [first, ...others] = hosts;
      const out = await this.runTaskOnHost(task, first, scope);
      // run_once: the result (register, facts) applies to every host of the play, as Ansible does.
      for (const h of others) {
        if (task.register && out.result) h.facts = { ...h.facts, [task.register]: out.result };
        if (out.facts) h.facts = { ...h.facts, ...out.facts };
        if (out.failed) this.failHost(h, { ...out.ref, host: h.name, id: String(++this.seq) }, out.result, task, scope, Date.now(), true);
      }
      return;
    }
    if (hosts.length === 1) {
      await this.runTaskOnHost(task, hosts[0], scope);
    } else {
      const limit = pLimit(this.o.forks);
      await Promise.all(hosts.map((h) => limit(() => this.runTaskOnHost(task, h, scope))));
    }
    // any_errors_fatal: one failed host ends the play for every host (they count as failed, as in Ansible).
    // ansible-core's linear strategy decides on the keywords as written, not templated: any true Python value
    // (`maybe`, or a template such as "{{ off }}" whatever it renders to) is fatal, unless ignore_errors as written
    // is true too. Each value is still checked as a boolean when the task runs on a host.
    const written = (k: 'any_errors_fatal' | 'ignore_errors') => task.keywords[k] ?? scope.inherited[k];
    const fatal = pyTruthy(written('any_errors_fatal')) && !pyTruthy(written('ignore_errors'));
    if (fatal && hosts.some((h) => h.failed) && !scope.rescue && !scope.guarded) {
      for (const h of hosts) h.failed = true;
      this.playEnded = true;
      this.fatalStop = true;
    }
  }

  private failHost(h: HostState, ref: TaskRef, result: TaskResult, node: TaskNode | IncludeNode, scope: Scope, t0: number, silent = false): void {
    h.failed = true;
    h.stats.failed++;
    const record: TaskFailure = { host: h.name, task: ref.name, file: ref.file, line: ref.line, msg: this.o.secrets.redact(String(result.msg ?? 'failed')), output: this.outputOf(result) };
    this.failures.push(record);
    this.lastFailure.set(h.name, { task: { name: ref.name, action: node.action, file: ref.file, line: ref.line }, result, record });
    if (!silent && t0) {
      this.o.emit({ type: 'task-end', task: ref, module: node.action, status: 'failed', durationMs: Date.now() - t0, msg: record.msg, result: this.o.secrets.redactDeep(result) });
    } else if (!silent) {
      this.o.emit({ type: 'task-end', task: ref, module: node.action, status: 'failed', durationMs: 0, msg: record.msg });
    }
    void scope;
  }

  private outputOf(r: TaskResult): string | undefined {
    const parts = [r.stdout, r.stderr].filter((s): s is string => typeof s === 'string' && s.length > 0);
    return parts.length ? this.o.secrets.redact(parts.join('\n')) : undefined;
  }

  /**
   * loop_control.extended for a loop over `items` (task or include_tasks): ansible-core checks it (templated, a
   * strict boolean) before the first item's `when`, and extended_allitems even when extended is off; an empty loop
   * checks neither. Throws BoolKeywordError.
   */
  private async loopExtended(lc: Record<string, unknown> | undefined, items: unknown[], vars: Record<string, unknown>, where: TemplateWhere): Promise<{ items: unknown[]; allitems: boolean } | undefined> {
    if (!items.length) return undefined;
    const on = boolKeyword('extended', lc?.extended, await this.renderKeyword(lc?.extended, vars, where)) ?? false;
    const allitems = extendedAllitems(lc?.extended_allitems, await this.renderKeyword(lc?.extended_allitems, vars, where));
    return on ? { items, allitems } : undefined;
  }

  /** What an item is shown as: loop_control.label templated with the item's variables, else the item itself. */
  private async itemLabel(lc: Record<string, unknown> | undefined, vars: Record<string, unknown>, item: unknown, where: TemplateWhere): Promise<string> {
    try {
      if (lc?.label !== undefined) return String(await this.o.templar.render(lc.label, vars, where));
    } catch {
      /* a label that cannot be rendered shows the item */
    }
    return typeof item === 'string' ? item : JSON.stringify(item);
  }

  /** The loop variables of one item; `extended` (loop_control.extended) adds `ansible_loop`, keys in ansible-core's order. */
  private loopVarsFor(lc: Record<string, unknown> | undefined, loopVar: string, item: unknown, index: number, extended?: { items: unknown[]; allitems: boolean }): Record<string, unknown> {
    const lv: Record<string, unknown> = { [loopVar]: item, ansible_loop_var: loopVar };
    if (lc?.index_var !== undefined) {
      lv[String(lc.index_var)] = index;
      lv.ansible_index_var = String(lc.index_var);
    }
    if (extended) {
      const { items } = extended;
      const length = items.length;
      const loop: Record<string, unknown> = { index: index + 1, index0: index, first: index === 0, last: index === length - 1, length, revindex: length - index, revindex0: length - index - 1 };
      if (extended.allitems) loop.allitems = items;
      if (index + 1 < length) loop.nextitem = items[index + 1];
      if (index > 0) loop.previtem = items[index - 1];
      lv.ansible_loop = loop;
    }
    return lv;
  }

  private async taskName(task: TaskNode, vars: Record<string, unknown>): Promise<string> {
    const raw = task.keywords.name;
    if (raw === undefined) return task.action;
    if (!this.o.templar.isTemplate(raw)) return raw;
    try {
      return String(await this.o.templar.render(raw, vars));
    } catch {
      return raw;
    }
  }

  private async runTaskOnHost(task: TaskNode, h: HostState, scope: Scope): Promise<{ ref: TaskRef; result: TaskResult; failed: boolean; facts?: Record<string, unknown> }> {
    const t0 = Date.now();
    const baseVars = this.taskVars(h, scope, task.keywords.vars);
    const name = await this.taskName(task, baseVars);
    const ref: TaskRef = { name, file: task.where.file, line: task.where.line, host: h.name, id: String(++this.seq) };
    const where: TemplateWhere = { file: task.where.file, line: task.where.line, task: name };
    this.o.emit({ type: 'task-start', task: ref, module: task.module });
    const whens = task.keywords.when !== undefined ? [...scope.whens, { cond: task.keywords.when, where: task.where }] : scope.whens;
    // For showing results; a no_log that is not a boolean fails the task (invokeModule) with a visible message.
    const noLog = await this.softBool(task, scope, 'no_log', baseVars);
    const ignore = await this.softBool(task, scope, 'ignore_errors', baseVars);
    let result: TaskResult;
    const factsOut: Record<string, unknown> = {};
    const includeVarsOut: Record<string, unknown> = {};
    const itemResults: TaskResult[] = [];
    try {
      if (!task.loop) {
        if (!(await this.conditionsHold(whens, baseVars, where))) {
          result = { changed: false, failed: false, skipped: true, skip_reason: 'Conditional result was False' };
        } else {
          result = await this.runWithRetries(task, h, scope, baseVars, where, ref);
          this.collectSideEffects(task, result, factsOut, includeVarsOut, h, ref);
        }
      } else {
        let items: unknown[];
        try {
          items = loopItems(task.loop.kind, await this.o.templar.render(task.loop.value, baseVars, where));
        } catch (e) {
          // Ansible checks `when` before reporting a loop that could not be templated (a skipped task with an
          // undefined loop variable is fine).
          if (e instanceof TemplateError && !(await this.conditionsHold(whens, baseVars, where).catch(() => true))) {
            items = [];
            result = { changed: false, failed: false, skipped: true, skip_reason: 'Conditional result was False' };
            throw Object.assign(new Error('skip'), { skipResult: result });
          }
          throw e;
        }
        const lc = task.loopControl;
        const loopVar = String(lc?.loop_var ?? 'item');
        const pauseMs = lc?.pause !== undefined ? Number(lc.pause) * 1000 : 0;
        // ansible-core checks loop_control (templated, strict booleans) before the first item's `when`, and
        // extended_allitems even when extended is off.
        const extended = await this.loopExtended(lc, items, baseVars, where);
        for (let i = 0; i < items.length; i++) {
          if (i > 0 && pauseMs > 0) await sleep(pauseMs, this.o.signal);
          const lv = this.loopVarsFor(lc, loopVar, items[i], i, extended);
          // Facts set by earlier items (set_fact in a loop) are visible to later ones, as in Ansible.
          const vars = i > 0 && Object.keys(factsOut).length ? this.taskVars(h, scope, task.keywords.vars, lv) : { ...baseVars, ...lv };
          const itemWhere = where;
          let r: TaskResult;
          try {
            if (!(await this.conditionsHold(whens, vars, itemWhere))) {
              r = { changed: false, failed: false, skipped: true, skip_reason: 'Conditional result was False' };
            } else {
              r = await this.runWithRetries(task, h, scope, vars, itemWhere, ref);
              this.collectSideEffects(task, r, factsOut, includeVarsOut, h, ref);
              if (r.ansible_facts && !r.failed && task.module !== 'include_vars' && !(await this.softBool(task, scope, 'delegate_facts', vars))) {
                h.facts = { ...h.facts, ...(r.ansible_facts as Record<string, unknown>) };
              }
            }
          } catch (e) {
            r = { changed: false, failed: true, msg: errorMessage(e) };
          }
          const itemResult: TaskResult = { ...r, ...lv };
          delete (itemResult as Record<string, unknown>).ansible_loop;
          if (lv.ansible_loop) itemResult.ansible_loop = lv.ansible_loop;
          itemResults.push(itemResult);
          const label = await this.itemLabel(lc, vars, items[i], where);
          const st: TaskStatus = r.failed ? (ignore ? 'ignored' : 'failed') : r.skipped ? 'skipped' : r.changed ? 'changed' : 'ok';
          this.o.emit({ type: 'item-end', task: ref, label: this.o.secrets.redact(noLog ? '(censored due to no_log)' : label), status: st, msg: noLog ? undefined : r.msg !== undefined ? this.o.secrets.redact(String(r.msg)) : undefined });
        }
        if (!items.length) {
          result = { changed: false, failed: false, skipped: true, skipped_reason: 'No items in the list', results: [] };
        } else {
          const anyFailed = itemResults.some((r) => r.failed);
          result = {
            changed: itemResults.some((r) => r.changed),
            failed: anyFailed,
            msg: anyFailed ? 'One or more items failed' : 'All items completed',
            results: itemResults,
          };
          if (!anyFailed) delete (result as Record<string, unknown>).failed;
          if (itemResults.every((r) => r.skipped)) result.skipped = true;
        }
      }
    } catch (e) {
      const skip = (e as { skipResult?: TaskResult }).skipResult;
      if (skip) result = skip;
      else if (e instanceof TransportError && /connect|unreachable|refused|host key|handshake|auth/i.test(e.message + e.code)) {
        result = { changed: false, failed: false, unreachable: true, msg: errorMessage(e) };
      } else result = { changed: false, failed: true, msg: errorMessage(e) };
    }
    result.changed = Boolean(result.changed);
    if (noLog) {
      // Values of a no_log task never reach output: register them as secrets too (long strings only).
      this.o.secrets.addDeep(collectLongStrings(result));
    }
    // register + facts
    if (task.register) {
      h.facts = { ...h.facts, [task.register]: result };
      if (SECRET_VARIABLE_PATTERN.test(task.register)) this.o.secrets.addDeep(result);
    }
    const delegateFacts = await this.softBool(task, scope, 'delegate_facts', baseVars);
    if (Object.keys(factsOut).length) {
      let target = h;
      if (delegateFacts && (task.keywords.delegate_to ?? scope.inherited.delegate_to) !== undefined) {
        const d = String(await this.renderKeyword(task.keywords.delegate_to ?? scope.inherited.delegate_to, baseVars, where));
        target = this.hostState(d);
      }
      target.facts = { ...target.facts, ...factsOut };
      for (const [k, v] of Object.entries(factsOut)) if (SECRET_VARIABLE_PATTERN.test(k)) this.o.secrets.addDeep(v);
    }
    if (Object.keys(includeVarsOut).length) h.includeVars = { ...h.includeVars, ...includeVarsOut };

    const shown: Record<string, unknown> = noLog ? { censored: CENSORED, changed: result.changed, ...(result.failed ? { failed: true } : {}), ...(result.skipped ? { skipped: true } : {}) } : result;
    let status: TaskStatus;
    if (result.unreachable) status = 'unreachable';
    else if (result.failed) status = ignore ? 'ignored' : 'failed';
    else if (result.skipped) status = 'skipped';
    else if (result.changed) status = 'changed';
    else status = 'ok';

    if (task.module === 'debug' && (status === 'ok' || status === 'changed') && !noLog) {
      // A looped debug shows each item's message, like Ansible; not the loop's "All items completed".
      const shownResults = Array.isArray(result.results) ? (result.results as TaskResult[]).filter((r) => !r.skipped && !r.failed) : [result];
      for (const r of shownResults) {
        const { changed: _c, failed: _f, item: _i, ansible_loop_var: _l, ansible_loop: _al, ansible_index_var: _iv, ...rest } = r;
        if (task.loop && r.ansible_loop_var !== undefined) delete rest[String(r.ansible_loop_var)];
        if (task.loop && r.ansible_index_var !== undefined) delete rest[String(r.ansible_index_var)];
        this.o.emit({ type: 'debug', task: ref, msg: this.o.secrets.redactDeep('msg' in rest ? rest.msg : rest) });
      }
    }
    const durationMs = Date.now() - t0;
    if (/^test_/.test(name)) {
      // An unreachable host (connection refused or lost mid-command) fails the test case, as Ansible's junit callback does.
      const failedCase = status === 'failed' || status === 'unreachable';
      this.testCases.push({ name, host: h.name, status: failedCase ? 'failed' : status === 'skipped' ? 'skipped' : 'passed', durationMs, msg: failedCase ? this.o.secrets.redact(String(shown.msg ?? 'failed')) : undefined, file: task.where.file });
    }
    if (status === 'unreachable') {
      h.unreachable = true;
      h.failed = true;
      h.stats.unreachable++;
      const record: TaskFailure = { host: h.name, task: name, file: task.where.file, line: task.where.line, msg: this.o.secrets.redact(String(result.msg)) };
      this.failures.push(record);
      this.o.emit({ type: 'task-end', task: ref, module: task.module, status, durationMs, msg: record.msg });
      return { ref, result, failed: true };
    }
    if (status === 'failed') {
      h.failed = true;
      h.stats.failed++;
      const msg = this.o.secrets.redact(String(shown.msg ?? (noLog ? CENSORED : 'failed')));
      const record: TaskFailure = { host: h.name, task: name, file: task.where.file, line: task.where.line, msg, output: noLog ? undefined : this.outputOf(result) };
      this.failures.push(record);
      this.lastFailure.set(h.name, { task: { name, action: task.action, args: noLog ? {} : task.args }, result, record });
      this.o.emit({ type: 'task-end', task: ref, module: task.module, status, durationMs, msg, result: this.o.secrets.redactDeep(shown) });
      return { ref, result, failed: true, facts: factsOut };
    }
    if (status === 'skipped') h.stats.skipped++;
    else {
      h.stats.ok++;
      if (status === 'changed') h.stats.changed++;
      if (status === 'ignored') {
        h.stats.ignored++;
        if (result.changed) h.stats.changed++;
      }
    }
    if (status === 'changed' && task.notify) for (const n of task.notify) h.notified.add(n);
    this.o.emit({ type: 'task-end', task: ref, module: task.module, status, durationMs, msg: shown.msg !== undefined ? this.o.secrets.redact(String(shown.msg)) : undefined, result: this.o.secrets.redactDeep(shown) });
    return { ref, result, failed: false, facts: factsOut };
  }

  /** Every boolean keyword of the task for one host (templated, checked): throws BoolKeywordError or TemplateError. */
  private async taskBools(task: TaskNode, scope: Scope, vars: Record<string, unknown>, where: TemplateWhere): Promise<Partial<Record<TaskBoolKeyword, boolean>>> {
    const out: Partial<Record<TaskBoolKeyword, boolean>> = {};
    for (const k of TASK_BOOL_KEYWORDS) {
      const raw = task.keywords[k] ?? scope.inherited[k];
      const b = boolKeyword(k, raw, await this.renderKeyword(raw, vars, where));
      if (b !== undefined) out[k] = b;
    }
    return out;
  }

  /** One boolean keyword where the task's outcome is already decided (showing, ignoring): not a boolean → false. */
  private async softBool(task: TaskNode | IncludeNode, scope: Scope, k: TaskBoolKeyword, vars: Record<string, unknown>): Promise<boolean> {
    const raw = task.keywords[k] ?? scope.inherited[k];
    if (raw === undefined || raw === null) return false;
    try {
      return boolKeyword(k, raw, await this.renderKeyword(raw, vars, {})) ?? false;
    } catch {
      return false;
    }
  }

  /** The play's gather_facts, templated with the play's variables; not a boolean stops the run like a bad file. */
  private async gatherFacts(play: Play, hosts: HostState[]): Promise<boolean> {
    const raw = play.keywords.gather_facts;
    if (raw === undefined || raw === null) return false;
    const where = { file: play.where.file, line: play.where.line, task: `play ${play.name}` };
    try {
      const vars = hosts.length ? this.baseVars(hosts[0]) : { ...this.o.runPlayVars, ...play.vars, ...this.o.extraVars };
      return boolKeyword('gather_facts', raw, await this.renderKeyword(raw, vars, where)) ?? false;
    } catch (e) {
      if (!(e instanceof BoolKeywordError)) throw e;
      throw new TaskFileError('play-bad-bool-keyword', `play "${play.name}" (${play.where.file}:${play.where.line}): ${e.message}`, {
        hint: 'set gather_facts: false (facts are not gathered by this engine)',
        location: where,
      });
    }
  }

  private async renderKeyword(v: unknown, vars: Record<string, unknown>, where: TemplateWhere): Promise<unknown> {
    if (v === undefined || v === null) return v;
    if (typeof v === 'string' && this.o.templar.isTemplate(v)) return this.o.templar.render(v, vars, where);
    return v;
  }

  /** What set_fact / include_vars / add_host / meta results mean to the executor. */
  private collectSideEffects(task: TaskNode, r: TaskResult, facts: Record<string, unknown>, includeVars: Record<string, unknown>, h: HostState, ref: TaskRef): void {
    if (r.failed || r.skipped) return;
    if (isObject(r.ansible_facts)) {
      if (task.module === 'include_vars') Object.assign(includeVars, r.ansible_facts);
      else Object.assign(facts, r.ansible_facts);
    }
    if (isObject(r.add_host)) {
      const a = r.add_host as { host_name?: string; groups?: string[]; host_vars?: Record<string, unknown> };
      if (a.host_name) this.addHost(a.host_name, a.groups ?? [], a.host_vars ?? {});
    }
    if (typeof r.meta === 'string') {
      if (r.meta === 'end_play') this.playEnded = true;
      else if (r.meta === 'end_host') h.ended = true;
      else if (r.meta === 'flush_handlers') this.pendingFlush = true;
      else if (r.meta === 'clear_host_errors') for (const x of this.hosts.values()) x.failed = false;
    }
    void ref;
  }

  private pendingFlush = false;

  private addHost(name: string, groups: string[], vars: Record<string, unknown>): void {
    const inv = this.o.inventory;
    const existing = inv.hosts[name];
    const allGroups = [...new Set([...(existing?.groups ?? []), ...groups, 'all'])];
    inv.hosts[name] = { name, vars: { ...(existing?.vars ?? {}), ...vars }, groups: allGroups };
    for (const g of allGroups) {
      const list = inv.groups[g] ?? (inv.groups[g] = []);
      if (!list.includes(name)) list.push(name);
    }
    const st = this.hosts.get(name);
    if (st) st.inventoryVars = inv.hosts[name].vars;
  }

  private async runWithRetries(task: TaskNode, h: HostState, scope: Scope, vars: Record<string, unknown>, where: TemplateWhere, ref: TaskRef): Promise<TaskResult> {
    const hasUntil = task.until !== undefined;
    let attempts = 1;
    let delayMs = 0;
    if (hasUntil) {
      const retries = task.retries !== undefined ? Number(await this.renderKeyword(task.retries, vars, where)) : undefined;
      // ansible-core 2.14 makes `retries` the total number of attempts (default 3); later versions add one.
      attempts = retries === undefined || Number.isNaN(retries) ? 3 : Math.max(1, retries);
      const delay = task.delay !== undefined ? Number(await this.renderKeyword(task.delay, vars, where)) : 5;
      delayMs = Number.isNaN(delay) ? 5000 : delay * 1000;
    }
    let result: TaskResult = { changed: false, failed: true };
    for (let attempt = 1; attempt <= attempts; attempt++) {
      result = await this.invokeModule(task, h, scope, vars, where, ref);
      const withReg = task.register ? { ...vars, [task.register]: result } : vars;
      if (task.changedWhen !== undefined && !result.skipped) {
        result.changed = await this.o.templar.condition(task.changedWhen as string, withReg, where);
      }
      if (task.failedWhen !== undefined && !result.skipped) {
        const f = await this.o.templar.condition(task.failedWhen as string, withReg, where);
        result.failed_when_result = f;
        result.failed = f;
      }
      if (!hasUntil) break;
      result.attempts = attempt;
      const done = await this.o.templar.condition(task.until as string, task.register ? { ...vars, [task.register]: result } : vars, where);
      if (done) break;
      if (attempt === attempts) {
        result.failed = true;
        break;
      }
      this.o.emit({ type: 'task-output', task: ref, stream: 'stderr', line: `FAILED - RETRYING: ${ref.name} (${attempts - attempt} retries left).` });
      await sleep(delayMs, this.o.signal);
    }
    return result;
  }

  private loadModule(entry: ModuleEntry): Promise<Module> {
    let p = this.moduleCache.get(entry.name);
    if (!p) {
      p = entry.load() as unknown as Promise<Module>;
      this.moduleCache.set(entry.name, p);
    }
    return p;
  }

  private async invokeModule(task: TaskNode, h: HostState, scope: Scope, vars: Record<string, unknown>, where: TemplateWhere, ref: TaskRef): Promise<TaskResult> {
    if (task.module === 'meta') {
      const raw = FREE_FORM in task.args ? task.args[FREE_FORM] : task.args._raw_params;
      const action = String(await this.o.templar.render(raw ?? '', vars, where)).trim();
      if (!META_ACTIONS.has(action)) return { changed: false, failed: true, msg: `invalid meta action requested: ${action}` };
      if (action === 'clear_facts') h.facts = {};
      return { changed: false, failed: false, meta: action === 'end_batch' ? 'end_play' : action };
    }
    // ansible-core checks the keywords once the task runs on a host (after `when`): a value that is not a
    // boolean fails the task there, naming the keyword and the value.
    let kw: Partial<Record<TaskBoolKeyword, boolean>>;
    try {
      kw = await this.taskBools(task, scope, vars, where);
    } catch (e) {
      return { changed: false, failed: true, msg: errorMessage(e) };
    }
    const entry = this.o.modules.find(task.module);
    if (!entry) return { changed: false, failed: true, msg: `module ${task.module} is not available` };
    const mod = await this.loadModule(entry);
    let rawArgs = task.args;
    if (FREE_FORM in rawArgs) {
      const { [FREE_FORM]: free, ...rest } = rawArgs;
      rawArgs = { ...parseKv(String(free), mod.freeForm), ...rest };
    }
    const rendered = (await this.o.templar.render(rawArgs, vars, where)) as Record<string, unknown>;
    const args: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(rendered)) if (v !== OMIT) args[k] = v;
    const checkMode = kw.check_mode ?? this.o.checkMode;
    if (checkMode && !mod.checkMode) return { changed: false, failed: false, skipped: true, msg: 'skipped, running in check mode' };
    let parsed: unknown;
    try {
      parsed = this.o.modules.parseArgs(mod, args);
    } catch (e) {
      return { changed: false, failed: true, msg: errorMessage(e) };
    }
    const transport = await this.transportFor(task, h, scope, vars, where, mod, kw.become);
    const templar = this.o.templar;
    const emit = this.o.emit;
    const secrets = this.o.secrets;
    // Output streamed before the result is known could leak a value that becomes secret once registered
    // (no_log, or `register: db_password`): such tasks do not stream.
    const quiet = kw.no_log === true || (task.register !== undefined && SECRET_VARIABLE_PATTERN.test(task.register));
    const ctx: RunContext = {
      host: h.name,
      vars: resolvedView(vars, templar),
      transport,
      controller: this.o.transports.controller,
      emit,
      signal: this.o.signal,
      checkMode,
      runDir: this.o.runDir,
      taskDir: scope.dir,
      secrets,
      taskName: ref.name,
      // Template files render as text, like Ansible's template module (no native-type conversion).
      async render(template, extraVars) {
        return templar.renderText(template, extraVars ? { ...vars, ...extraVars } : vars, where);
      },
      log(line, stream = 'stdout') {
        if (!quiet) emit({ type: 'task-output', task: ref, stream, line });
      },
    };
    try {
      const r = await mod.run(parsed as never, ctx);
      return { ...r, changed: Boolean(r.changed), failed: Boolean(r.failed) };
    } catch (e) {
      if (e instanceof TransportError) throw e;
      return { changed: false, failed: true, msg: errorMessage(e) };
    }
  }

  private async transportFor(task: TaskNode, h: HostState, scope: Scope, vars: Record<string, unknown>, where: TemplateWhere, mod: Module, becomeKw: boolean | undefined): Promise<Transport> {
    if (mod.controllerOnly) {
      // ansible-core reads ansible_become into the play context of every task, even one that runs no module.
      const raw = asWritten(vars.ansible_become);
      if (raw !== undefined && raw !== null) becomeVariable(raw, await this.renderKeyword(raw, vars, where));
      return this.o.transports.controller;
    }
    const delegateRaw = task.keywords.delegate_to ?? scope.inherited.delegate_to;
    let target = h.name;
    let targetVars: Record<string, unknown> = vars;
    if (delegateRaw !== undefined && delegateRaw !== null) {
      target = String(await this.renderKeyword(delegateRaw, vars, where));
      targetVars = this.baseVars(this.hostState(target));
    }
    const view = resolvedView(targetVars, this.o.templar);
    const connOverride = await this.renderKeyword(task.keywords.connection ?? scope.inherited.connection, vars, where);
    const connection = connectionOf(target, { ansible_connection: view.ansible_connection, ansible_host: view.ansible_host }, delegateRaw !== undefined && target !== h.name ? undefined : connOverride);
    const connVars: Record<string, unknown> = {};
    for (const k of Object.keys(targetVars)) if (k.startsWith('ansible_') || k.startsWith('dci_ssh')) connVars[k] = view[k];
    const inner = await this.o.transports.get({ host: target, connection, vars: connVars });
    // ansible_become is the play context's `become`: templated, then a strict boolean (maybe, 2, '' fail the task).
    // Like ansible-core, a connection variable from any layer (inventory, play, block or task vars, extra vars)
    // beats the keyword at any level; a variable that is null leaves it to the keyword. Same for the user: the
    // become plugin reads ansible_become_user / ansible_sudo_user before the become_user keyword, and
    // ansible_become_method beats the become_method keyword (./become-method.ts).
    const becomeVar = becomeVariable(asWritten(targetVars.ansible_become), view.ansible_become);
    const become = becomeVar ?? becomeKw ?? false;
    let becomeUser: string | undefined;
    if (become) {
      checkBecomeMethod(view.ansible_become_method, await this.renderKeyword(task.keywords.become_method ?? scope.inherited.become_method, vars, where), target);
      becomeUser = sudoBecomeUser(view, await this.renderKeyword(task.keywords.become_user ?? scope.inherited.become_user, vars, where));
    }
    const env: Record<string, string> = { ...this.o.environment };
    const envLayers = task.keywords.environment !== undefined ? [...scope.inherited.environment, task.keywords.environment] : scope.inherited.environment;
    for (const layer of envLayers) {
      const r = await this.o.templar.render(layer, vars, where);
      if (isObject(r)) for (const [k, v] of Object.entries(r)) if (v !== OMIT) env[k] = typeof v === 'string' ? v : JSON.stringify(v);
    }
    if (!become && !Object.keys(env).length) return inner;
    return new KeywordTransport(inner, { become: become || undefined, becomeUser, env: Object.keys(env).length ? env : undefined });
  }

  // ---------------------------------------------------------------- handlers

  private async runHandlers(play: Play, hosts: HostState[], scope: Scope): Promise<void> {
    if (!play.handlers.length) return;
    for (const handler of play.handlers) {
      const names = [handler.keywords.name, ...(handler.kind === 'task' ? (handler as TaskNode & { listen?: string[] }).listen ?? [] : [])].filter(Boolean) as string[];
      const targets = this.active(hosts).filter((h) => names.some((n) => h.notified.has(n)));
      if (!targets.length) continue;
      await this.runNodes([handler], targets, scope);
      for (const h of targets) for (const n of names) h.notified.delete(n);
    }
    this.pendingFlush = false;
  }
}

/** Strings long enough to be worth redacting (a no_log result's `ok` or `0` must not mangle every line). */
function collectLongStrings(v: unknown, out: string[] = []): string[] {
  if (typeof v === 'string') {
    if (v.length >= 6) out.push(v);
  } else if (Array.isArray(v)) v.forEach((x) => collectLongStrings(x, out));
  else if (v && typeof v === 'object' && !(v instanceof LazyValue)) {
    for (const [k, x] of Object.entries(v)) if (!['msg', 'cmd', 'changed', 'failed', 'skipped', 'rc', 'start', 'end', 'delta'].includes(k)) collectLongStrings(x, out);
  }
  return out;
}
