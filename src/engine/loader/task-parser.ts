/**
 * Raw YAML → task tree. Validates keywords (unknown ones are errors with the nearest names), finds the one
 * module of each task, normalises loops, args and free-form strings. Templating happens later, per host.
 */
import { TaskFileError, nearestNames } from '../../core/errors.js';
import { lineOf } from './yaml.js';
import { BLOCK_KEYWORDS, INCLUDE_ACTIONS, PLAY_KEYWORD_SET, TASK_KEYWORDS, WITH_LOOPS } from './keywords.js';
import type { BlockNode, IncludeNode, Keywords, Node, Play, TaskNode, Where } from './task-model.js';

/** What the parser needs from the module registry. */
export interface ModuleCatalog {
  /** Canonical module name for an action (FQCN aliases resolved), or undefined when unknown. */
  resolve(action: string): string | undefined;
  /** Every name and alias, for "did you mean" hints. */
  names(): string[];
}

/** Free-form args (`command: ls -l`) are kept under this key until the module (and its free-form key) is loaded. */
export const FREE_FORM = '__free_form__';

const KEYWORD_FIELDS: Array<keyof Keywords> = [
  'name',
  'when',
  'vars',
  'environment',
  'become',
  'become_user',
  'become_method',
  'ignore_errors',
  'ignore_unreachable',
  'no_log',
  'delegate_to',
  'delegate_facts',
  'run_once',
  'check_mode',
  'diff',
  'connection',
  'any_errors_fatal',
  'timeout',
];

function whereOf(raw: unknown, file: string, fallbackLine?: number): Where {
  const p = lineOf(raw);
  return { file: p?.file ?? file, line: p?.line ?? fallbackLine };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function fail(code: string, msg: string, where: Where, task: string | undefined, hint?: string): never {
  throw new TaskFileError(code, msg, { location: { file: where.file, line: where.line, task }, hint });
}

function parseTags(v: unknown, where: Where): string[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v.split(',').map((s) => s.trim()).filter(Boolean);
  if (Array.isArray(v)) return v.map((t) => String(t));
  if (typeof v === 'number') return [String(v)];
  return fail('task-bad-tags', '`tags` must be a string or a list of strings', where, undefined);
}

function keywordsOf(raw: Record<string, unknown>, where: Where): Keywords {
  const k: Keywords = {};
  for (const f of KEYWORD_FIELDS) {
    if (raw[f] !== undefined) (k as Record<string, unknown>)[f] = raw[f];
  }
  if (raw.name !== undefined && raw.name !== null) k.name = String(raw.name);
  if (raw.vars !== undefined && raw.vars !== null && !isObject(raw.vars)) fail('task-bad-vars', '`vars` must be a mapping', where, k.name);
  if (raw.vars === null) delete k.vars;
  k.tags = parseTags(raw.tags, where);
  if (!k.tags) delete k.tags;
  return k;
}

/** Parse a list of raw tasks (a bare task file, or a play's tasks/block). */
export function parseTaskList(raw: unknown, file: string, catalog: ModuleCatalog, what = 'task list'): Node[] {
  if (raw === null || raw === undefined) return [];
  if (!Array.isArray(raw)) {
    fail('task-file-not-list', `${what} must be a YAML list of tasks`, whereOf(raw, file, 1), undefined, 'start each task with "- name: ..."');
  }
  return raw.map((t) => parseTask(t, file, catalog));
}

export function parseTask(raw: unknown, file: string, catalog: ModuleCatalog): Node {
  const where = whereOf(raw, file);
  if (!isObject(raw)) {
    fail('task-not-mapping', `a task must be a mapping of keywords, got ${raw === null ? 'null' : typeof raw}: ${JSON.stringify(raw)}`, where, undefined, 'write tasks as "- name: ...\\n  module: args"');
  }
  const name = raw.name !== undefined && raw.name !== null ? String(raw.name) : undefined;
  // Like Ansible, any of block/rescue/always makes the mapping a block (a lone `rescue:` is then refused there).
  if ('block' in raw || 'rescue' in raw || 'always' in raw) return parseBlock(raw, file, where, catalog, name);

  // Find the action: the one key that is not a keyword.
  const candidates = Object.keys(raw).filter((k) => !TASK_KEYWORDS.has(k));
  let action: string | undefined;
  let args: unknown;
  if (raw.local_action !== undefined || raw.action !== undefined) {
    const spec = raw.local_action ?? raw.action;
    if (candidates.length) {
      fail('task-two-modules', `task has both \`${raw.local_action !== undefined ? 'local_action' : 'action'}\` and \`${candidates[0]}\``, where, name);
    }
    if (typeof spec === 'string') {
      const m = /^\s*(\S+)\s*(.*)$/s.exec(spec);
      action = m?.[1];
      args = m?.[2] ?? '';
    } else if (isObject(spec) && typeof spec.module === 'string') {
      action = spec.module;
      const { module: _m, ...rest } = spec;
      args = rest;
    } else {
      fail('task-bad-action', '`action` must be "module args" or a mapping with `module:`', where, name);
    }
  } else {
    const modules = candidates.filter((k) => catalog.resolve(k) !== undefined || INCLUDE_ACTIONS.has(k));
    if (modules.length > 1) {
      fail('task-two-modules', `task has two modules: \`${modules[0]}\` and \`${modules[1]}\``, where, name, 'split it into two tasks');
    }
    const unknown = candidates.filter((k) => !modules.includes(k));
    if (unknown.length) {
      const k = unknown[0];
      // With a module found, an extra key is a misspelled keyword; without one it may be a misspelled module.
      const pool = modules.length ? [...TASK_KEYWORDS] : [...TASK_KEYWORDS, ...catalog.names(), ...INCLUDE_ACTIONS];
      const near = nearestNames(k, pool);
      const isModule = !modules.length;
      fail(
        isModule ? 'task-unknown-module' : 'task-unknown-keyword',
        isModule ? `unknown module or keyword \`${k}\`` : `unknown keyword \`${k}\` on a task`,
        where,
        name,
        near.length ? `did you mean ${near.map((n) => `\`${n}\``).join(', ')}?` : isModule ? 'see docs/hooks.md for the supported modules' : undefined,
      );
    }
    if (!modules.length) fail('task-no-module', 'task has no module (nothing to do)', where, name, 'add a module such as `debug:` or `command:`');
    action = modules[0];
    args = raw[action];
  }
  if (!action) fail('task-no-module', 'task has no module', where, name);

  const keywords = keywordsOf(raw, where);
  if (raw.local_action !== undefined) keywords.delegate_to = 'localhost';
  const loop = parseLoop(raw, where, name);
  const loopControl = raw.loop_control;
  if (loopControl !== undefined && !isObject(loopControl)) fail('task-bad-loop-control', '`loop_control` must be a mapping', where, name);

  if (INCLUDE_ACTIONS.has(action)) {
    const isStatic = action.endsWith('import_tasks');
    let fileArg: unknown = args;
    let apply: Record<string, unknown> | undefined;
    let params: Record<string, unknown> = {};
    if (isObject(args)) {
      fileArg = args.file ?? args._raw_params;
      if (isObject(args.apply)) apply = args.apply;
      const { file: _f, apply: _a, _raw_params: _r, ...rest } = args;
      params = rest;
    } else if (typeof args === 'string' && /\s\w+=/.test(args)) {
      // `include_tasks: file.yml x=1` (legacy): first token is the file, the rest are params.
      const [first, ...rest] = args.trim().split(/\s+/);
      fileArg = first;
      for (const kv of rest) {
        const i = kv.indexOf('=');
        if (i > 0) params[kv.slice(0, i)] = kv.slice(i + 1);
      }
    }
    if (fileArg === undefined || fileArg === null || fileArg === '') fail('include-no-file', `\`${action}\` needs a file name`, where, name);
    if (isStatic && loop) fail('import-loop', '`import_tasks` cannot loop; use `include_tasks` with `loop:`', where, name);
    if (isObject(raw.args)) params = { ...params, ...raw.args };
    const node: IncludeNode = {
      kind: 'include',
      where,
      keywords,
      isStatic,
      action,
      file: fileArg,
      params: { ...params, ...(keywords.vars ?? {}) },
      loop,
      loopControl: loopControl as Record<string, unknown> | undefined,
      apply,
    };
    // Include vars act as include params (higher than set_fact), not task vars.
    delete node.keywords.vars;
    return node;
  }

  const module = catalog.resolve(action) as string;
  let argObj: Record<string, unknown>;
  if (args === null || args === undefined) argObj = {};
  else if (typeof args === 'string') argObj = { [FREE_FORM]: args };
  else if (typeof args === 'number' || typeof args === 'boolean') argObj = { [FREE_FORM]: String(args) };
  else if (isObject(args)) argObj = { ...args };
  else fail('task-bad-args', `arguments of \`${action}\` must be a mapping or a string, got a list`, where, name);
  if (raw.args !== undefined) {
    if (!isObject(raw.args)) fail('task-bad-args', '`args` must be a mapping', where, name);
    argObj = { ...raw.args, ...argObj };
  }
  if (typeof raw.register === 'string' && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(raw.register)) {
    fail('task-bad-register', `\`register: ${raw.register}\` is not a valid variable name`, where, name);
  }
  const task: TaskNode = {
    kind: 'task',
    where,
    keywords,
    action,
    module,
    args: argObj,
    register: raw.register !== undefined ? String(raw.register) : undefined,
    loop,
    loopControl: loopControl as Record<string, unknown> | undefined,
    until: raw.until,
    retries: raw.retries,
    delay: raw.delay,
    failedWhen: raw.failed_when,
    changedWhen: raw.changed_when,
    notify: raw.notify === undefined ? undefined : Array.isArray(raw.notify) ? raw.notify.map(String) : [String(raw.notify)],
  };
  return task;
}

function parseLoop(raw: Record<string, unknown>, where: Where, name: string | undefined): TaskNode['loop'] {
  const kinds = ['loop', ...WITH_LOOPS].filter((k) => raw[k] !== undefined);
  if (kinds.length > 1) fail('task-two-loops', `task has two loops: \`${kinds[0]}\` and \`${kinds[1]}\``, where, name);
  if (!kinds.length) return undefined;
  return { kind: kinds[0], value: raw[kinds[0]] };
}

function parseBlock(raw: Record<string, unknown>, file: string, where: Where, catalog: ModuleCatalog, name: string | undefined): BlockNode {
  for (const k of Object.keys(raw)) {
    if (!BLOCK_KEYWORDS.has(k)) {
      const near = nearestNames(k, BLOCK_KEYWORDS);
      fail('block-unknown-keyword', `unknown keyword \`${k}\` on a block`, where, name, near.length ? `did you mean ${near.map((n) => `\`${n}\``).join(', ')}?` : 'a module must be inside the block\'s task list');
    }
  }
  const block = blockSection(raw, 'block', file, where, catalog, name);
  const rescue = blockSection(raw, 'rescue', file, where, catalog, name);
  const always = blockSection(raw, 'always', file, where, catalog, name);
  // ansible-core checks rescue before always (Block._validate_rescue/_validate_always): name the same keyword.
  for (const [key, tasks] of [['rescue', rescue], ['always', always]] as const) {
    if (tasks.length > 0 && block.length === 0) {
      fail('block-section-without-block', `'${key}' keyword cannot be used without 'block'`, where, name, `put the tasks to protect in a \`block:\` list above \`${key}:\``);
    }
  }
  return { kind: 'block', where, keywords: keywordsOf(raw, where), block, rescue, always };
}

/**
 * One of a block's task lists. ansible-core refuses a section that is present but not a list — `block:` left empty
 * (null), a string or a mapping — with "A malformed block was encountered while loading <section>"; an absent
 * rescue/always is an empty list, an absent `block` too (a lone rescue/always is refused by the caller).
 */
function blockSection(raw: Record<string, unknown>, key: 'block' | 'rescue' | 'always', file: string, where: Where, catalog: ModuleCatalog, name: string | undefined): Node[] {
  const value = raw[key];
  if (!(key in raw)) return [];
  if (!Array.isArray(value)) {
    // ansible-core's own wording ("... while loading a block", "... loading rescue", "... loading always").
    const section = key === 'block' ? 'a block' : key;
    const got = value === null ? 'it is empty' : `it is ${typeof value === 'object' ? 'a mapping' : `the ${typeof value} ${JSON.stringify(value)}`}`;
    fail('block-malformed', `A malformed block was encountered while loading ${section}: \`${key}:\` must be a list of tasks, ${got}`, where, name, `list the tasks under \`${key}:\` ("- debug: ...")${value === null ? `, or remove the empty \`${key}:\`` : ''}`);
  }
  return parseTaskList(value, file, catalog, key);
}

/** Parse one play mapping. */
export function parsePlay(raw: unknown, file: string, catalog: ModuleCatalog): Play {
  const where = whereOf(raw, file);
  if (!isObject(raw)) fail('play-not-mapping', 'a play must be a mapping with `hosts:`', where, undefined);
  const name = raw.name !== undefined ? String(raw.name) : String(raw.hosts ?? '');
  for (const k of Object.keys(raw)) {
    if (!PLAY_KEYWORD_SET.has(k)) {
      const near = nearestNames(k, PLAY_KEYWORD_SET);
      fail('play-unknown-keyword', `unknown keyword \`${k}\` on a play`, where, name, near.length ? `did you mean ${near.map((n) => `\`${n}\``).join(', ')}?` : undefined);
    }
  }
  if (raw.roles !== undefined && raw.roles !== null && !(Array.isArray(raw.roles) && raw.roles.length === 0)) {
    fail('play-roles', 'roles are not supported', where, name, 'turn the role into a task file and use include_tasks');
  }
  if (raw.hosts === undefined || raw.hosts === null) fail('play-no-hosts', 'a play needs `hosts:`', where, name, 'add `hosts: localhost` or a group name');
  if (raw.vars !== undefined && raw.vars !== null && !isObject(raw.vars)) fail('play-bad-vars', '`vars` must be a mapping', where, name);
  const hosts = Array.isArray(raw.hosts) ? raw.hosts.map(String).join(':') : String(raw.hosts);
  const varsFiles = raw.vars_files === undefined || raw.vars_files === null ? [] : Array.isArray(raw.vars_files) ? raw.vars_files : [raw.vars_files];
  const keywords = keywordsOf(raw, where) as Play['keywords'];
  delete keywords.vars;
  if (raw.gather_facts !== undefined) keywords.gather_facts = raw.gather_facts;
  return {
    name,
    where,
    hosts,
    keywords,
    vars: (raw.vars as Record<string, unknown>) ?? {},
    varsFiles,
    preTasks: parseTaskList(raw.pre_tasks, file, catalog, 'pre_tasks'),
    tasks: parseTaskList(raw.tasks, file, catalog, 'tasks'),
    postTasks: parseTaskList(raw.post_tasks, file, catalog, 'post_tasks'),
    handlers: parseTaskList(raw.handlers, file, catalog, 'handlers'),
  };
}
