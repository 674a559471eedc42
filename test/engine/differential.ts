/**
 * The differential harness: runs the corpus (test/engine/corpus/*.yml) through ansible-playbook (the oracle) and
 * through our engine, in ONE invocation each, and compares what a user would notice: per host, the sequence of
 * tasks with their outcome (ok/changed/skipped/failed/ignored) and their results as registered (normalised).
 *
 * Each corpus file gets its own play and its own inventory host (`<name>__local`, `<name>__ssh`), so a file
 * that fails on purpose does not stop the others. A task-list corpus file is pulled in with `import_tasks`
 * (task paths then point into the corpus file); a playbook-style file (`- hosts: corpus`) has its plays
 * inlined with `hosts:` rewritten.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { dump, load } from 'js-yaml';
import { REPO_ROOT } from '../helpers/cli.js';

export const CORPUS_DIR = join(REPO_ROOT, 'test', 'engine', 'corpus');
export const SENTINEL = 'zz_sentinel';
const INCLUDE_ACTIONS = new Set(['include_tasks', 'import_tasks', 'include', 'ansible.builtin.include_tasks', 'ansible.builtin.import_tasks']);
const META = new Set(['meta', 'ansible.builtin.meta']);

export interface Record_ {
  play: string;
  host: string;
  task: string;
  path: string;
  action: string;
  status: string;
  result: Record<string, unknown>;
}

/**
 * The corpus writes scratch files under /tmp/dci-corpus-<host> (host = <file>__<mode>) and leaves them: a run that
 * finds another run's leftovers reports `changed` where a clean run reports `ok`. Both engines start clean.
 */
export function clearCorpusScratch(): void {
  for (const name of readdirSync('/tmp')) {
    if (/^dci-corpus-.+__(local|ssh)/.test(name)) rmSync(join('/tmp', name), { recursive: true, force: true });
  }
}

export function corpusFiles(): string[] {
  return readdirSync(CORPUS_DIR)
    .filter((f) => f.endsWith('.yml') && !f.startsWith('_'))
    .sort();
}

export interface Combined {
  dir: string;
  playbook: string;
  inventoryPath: string;
  inventory: Record<string, unknown>;
  /** host alias → corpus name */
  hosts: Record<string, string>;
}

/** Build the combined playbook and inventory for the given modes. */
export function buildCombined(files: string[], modes: Array<{ suffix: string; vars: Record<string, unknown> }>): Combined {
  const dir = mkdtempSync(join(tmpdir(), 'dci-corpus-'));
  const plays: unknown[] = [];
  const hosts: Record<string, Record<string, unknown>> = {};
  const map: Record<string, string> = {};
  for (const mode of modes) {
    for (const f of files) {
      const name = basename(f, '.yml');
      const alias = `${name.replace(/[^A-Za-z0-9_]/g, '_')}__${mode.suffix}`;
      hosts[alias] = { ...mode.vars };
      map[alias] = name;
      const path = join(CORPUS_DIR, f);
      const doc = load(readFileSync(path, 'utf8')) as unknown;
      const isPlaybook = Array.isArray(doc) && doc.length > 0 && doc.every((p) => p && typeof p === 'object' && 'hosts' in (p as object));
      // ansible-playbook stops the whole run when every host of a play failed: a sentinel host that leaves each
      // play at once (meta: end_host) keeps later corpus plays running. Its records are dropped.
      const sentinel = { name: 'sentinel leaves', meta: 'end_host', when: `inventory_hostname == '${SENTINEL}'` };
      if (isPlaybook) {
        (doc as Array<Record<string, unknown>>).forEach((p, i) => {
          const pre = Array.isArray(p.pre_tasks) ? p.pre_tasks : [];
          plays.push({ ...p, name: `${name}${i ? `#${i}` : ''} ${mode.suffix}`, hosts: `${alias}:${SENTINEL}`, gather_facts: false, pre_tasks: [sentinel, ...pre] });
        });
      } else {
        plays.push({ name: `${name} ${mode.suffix}`, hosts: `${alias}:${SENTINEL}`, gather_facts: false, pre_tasks: [sentinel], tasks: [{ import_tasks: path }] });
      }
    }
  }
  const playbook = join(dir, 'combined.yml');
  writeFileSync(playbook, dump(plays, { lineWidth: -1, noRefs: true }));
  hosts[SENTINEL] = { ansible_connection: 'local' };
  const inventory = { all: { vars: { corpus_dir: CORPUS_DIR, ansible_python_interpreter: '/usr/bin/python3' }, hosts } };
  const inventoryPath = join(dir, 'inventory.json');
  writeFileSync(inventoryPath, JSON.stringify(inventory, null, 1));
  return { dir, playbook, inventoryPath, inventory, hosts: map };
}

// ---------------------------------------------------------------- normalisation and comparison

/** Bump when buildCombined changes what ansible sees (the oracle cache key includes it). */
export const BUILD_VERSION = 2;

/** Per-run values at any depth (file times, inodes, HTTP dates...). */
const VOLATILE = new Set(['atime', 'mtime', 'ctime', 'inode', 'dev', 'version', 'blocks', 'block_size', 'device_type', 'mimetype', 'charset', 'attributes', 'attr_flags', 'nlink', 'date', 'connection', 'keep_alive', 'server', 'stop', 'elapsed', 'cookies', 'cookies_string', 'transfer_encoding', 'content_length', 'last_modified', 'etag', 'x_content_type_options']);
/** Per-module values that depend on timing (pause reports the measured seconds: "Paused for 1.01 seconds"). */
const ACTION_VOLATILE: Record<string, Set<string>> = { pause: new Set(['stdout', 'user_input']) };
/** Module metadata objects where only the keys both sides report are compared (Ansible reports many more). */
const LENIENT = new Set(['stat', 'files']);

const IGNORED_KEYS = new Set(['start', 'end', 'delta', 'invocation', 'warnings', 'deprecations', 'cmd', 'false_condition', 'skip_reason', 'skipped_reason', 'failed_when_result', 'censored', 'ansible_loop', 'diff', '_ansible_no_log', 'exception', 'module_stdout', 'module_stderr', 'stdout_lines', 'stderr_lines', 'retries', 'ansible_index_var', 'checksum', 'md5sum', 'uid', 'gid', 'owner', 'group', 'src', 'backup_file', 'size', 'state', 'mode', 'elapsed', 'evaluated_to', 'assertion', 'dest', 'path']);
/** Keys both sides must report when either does. */
const REQUIRED_KEYS = new Set(['msg', 'rc', 'stdout', 'stderr', 'results', 'item', 'ansible_facts', 'attempts', 'content', 'stat', 'changed']);

function normScalar(v: unknown, paths: Array<[string, string]>): unknown {
  if (typeof v === 'string') {
    let s = v;
    for (const [from, to] of paths) s = s.split(from).join(to);
    return s;
  }
  return v;
}

/** Loose equality for scalars: our templar keeps native types for single expressions (`"{{ 3 }}"` is 3), while
 * ansible-core 2.14 (jinja2_native off) often turns them into strings: compare "3" and 3 as equal. */
function scalarEq(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || a === undefined || b === undefined) return false;
  if (typeof a === 'object' || typeof b === 'object') return false;
  const s = (x: unknown) => (typeof x === 'boolean' ? (x ? 'True' : 'False') : String(x));
  return s(a) === s(b);
}

export function diffValues(ours: unknown, theirs: unknown, path: string, out: string[], paths: Array<[string, string]>, lenient = false): void {
  let a = normScalar(ours, paths);
  let b = normScalar(theirs, paths);
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) {
      out.push(`${path}: list length ${a.length} (ours) vs ${b.length} (ansible): ${JSON.stringify(a).slice(0, 300)} vs ${JSON.stringify(b).slice(0, 300)}`);
      return;
    }
    if (lenient) {
      // find returns files in directory order: compare them sorted by path.
      const byPath = (x: unknown, y: unknown) => String((x as { path?: string })?.path ?? '').localeCompare(String((y as { path?: string })?.path ?? ''));
      a = [...a].sort(byPath);
      b = [...b].sort(byPath);
    }
    const bb = b as unknown[];
    (a as unknown[]).forEach((x, i) => diffValues(x, bb[i], `${path}[${i}]`, out, paths, lenient));
    return;
  }
  if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    const ao = a as Record<string, unknown>;
    const bo = b as Record<string, unknown>;
    for (const k of new Set([...Object.keys(ao), ...Object.keys(bo)])) {
      if (VOLATILE.has(k)) continue;
      if (lenient && (!(k in ao) || !(k in bo))) continue;
      diffValues(ao[k], bo[k], `${path}.${k}`, out, paths, lenient);
    }
    return;
  }
  if (!scalarEq(a, b)) out.push(`${path}: ${JSON.stringify(a)?.slice(0, 300)} (ours) vs ${JSON.stringify(b)?.slice(0, 300)} (ansible)`);
}

/** Compare two task results: shared keys must match, required keys must be on both sides. */
export function diffResults(ours: Record<string, unknown>, theirs: Record<string, unknown>, status: string, action: string, out: string[], where: string, paths: Array<[string, string]>): void {
  const keys = new Set([...Object.keys(ours), ...Object.keys(theirs)]);
  for (const k of keys) {
    if (IGNORED_KEYS.has(k) || VOLATILE.has(k) || ACTION_VOLATILE[action]?.has(k)) continue;
    const inA = k in ours && ours[k] !== undefined;
    const inB = k in theirs && theirs[k] !== undefined;
    // Absent and false are the same for the status flags (Ansible omits failed: false on some results).
    // Ansible's callback sees `failed`/`skipped` stripped from top-level results (the status says it).
    if (!where.includes('results[') && (k === 'failed' || k === 'skipped')) continue;
    if (['failed', 'changed', 'skipped'].includes(k)) {
      if (Boolean(ours[k]) !== Boolean(theirs[k])) out.push(`${where}.${k}: ${String(ours[k])} (ours) vs ${String(theirs[k])} (ansible)`);
      continue;
    }
    if (!inA || !inB) {
      if (REQUIRED_KEYS.has(k) && !(k === 'msg' && (status === 'failed' || status === 'skipped'))) {
        // An empty msg/stderr on one side only is noise, not a difference a user sees.
        const v = inA ? ours[k] : theirs[k];
        if (v === '' || v === null) continue;
        out.push(`${where}.${k}: ${inA ? 'only in ours' : 'missing in ours'} (${JSON.stringify(v)?.slice(0, 200)})`);
      }
      continue;
    }
    // Error wording differs by design for engine errors (undefined variables, bad args...): user-written messages
    // (fail/assert) and every non-failed result are compared exactly.
    if (k === 'msg' && status === 'failed' && !['fail', 'assert', 'ansible.builtin.fail', 'ansible.builtin.assert'].includes(action)) continue;
    if (k === 'results' && Array.isArray(ours[k]) && Array.isArray(theirs[k])) {
      const a = ours[k] as Array<Record<string, unknown>>;
      const b = theirs[k] as Array<Record<string, unknown>>;
      if (a.length !== b.length) out.push(`${where}.results: ${a.length} items (ours) vs ${b.length} (ansible)`);
      else a.forEach((x, i) => diffResults(x ?? {}, b[i] ?? {}, x?.failed || b[i]?.failed ? 'failed' : 'ok', action, out, `${where}.results[${i}]`, paths));
      continue;
    }
    diffValues(ours[k], theirs[k], `${where}.${k}`, out, paths, LENIENT.has(k));
  }
}

export function compareRuns(ours: Record_[], theirs: Record_[], paths: Array<[string, string]>): Map<string, string[]> {
  const byPlay = (rs: Record_[]) => {
    const m = new Map<string, Record_[]>();
    for (const r of rs) {
      const k = r.host;
      const l = m.get(k) ?? [];
      l.push(r);
      m.set(k, l);
    }
    return m;
  };
  // Include tasks that worked and meta tasks are not results a user registers: Ansible reports them differently.
  const keep = (r: Record_) =>
    r.host !== SENTINEL && r.task !== 'sentinel leaves' && !(INCLUDE_ACTIONS.has(r.action) && r.status !== 'failed') && !META.has(r.action);
  const a = byPlay(ours.filter(keep));
  const b = byPlay(theirs.filter(keep));
  const out = new Map<string, string[]>();
  for (const host of new Set([...a.keys(), ...b.keys()])) {
    const la = a.get(host) ?? [];
    const lb = b.get(host) ?? [];
    const diffs: string[] = [];
    const n = Math.max(la.length, lb.length);
    for (let i = 0; i < n; i++) {
      const x = la[i];
      const y = lb[i];
      if (!x || !y) {
        diffs.push(`task #${i}: ${x ? `only ours: ${x.task} (${x.path}) ${x.status}` : `only ansible: ${y.task} (${y.path}) ${y.status} ${JSON.stringify(y.result).slice(0, 300)}`}`);
        continue;
      }
      const where = `#${i} ${y.task} (${y.path.replace(CORPUS_DIR + '/', '')})`;
      // Inlined playbook-style corpus files live in a generated combined.yml whose line numbers differ per run.
      const samePath = x.path === y.path || (/combined\.yml:\d+$/.test(x.path) && /combined\.yml:\d+$/.test(y.path) && x.task === y.task);
      if (!samePath) {
        diffs.push(`${where}: task path ${x.path} (ours) vs ${y.path} (ansible)`);
        continue;
      }
      if (x.status !== y.status) diffs.push(`${where}: status ${x.status} (ours) vs ${y.status} (ansible) — ours ${JSON.stringify(x.result).slice(0, 300)} / ansible ${JSON.stringify(y.result).slice(0, 300)}`);
      else diffResults(x.result, y.result, y.status, y.action, diffs, where, paths);
    }
    out.set(host, diffs);
  }
  return out;
}
