/**
 * Lookups (`lookup('env', 'HOME')`, `query('file', ...)`): run on the controller, synchronously, because
 * templates render synchronously. Relative paths resolve like Ansible's search path for a task file:
 * `<dir>/files|templates/<name>`, then `<dir>/<name>`, then the current directory.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { randomInt } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { homedir } from 'node:os';
import type { RenderContext } from './context.js';
import { PyError, isDict, str } from './py.js';
import { Undef } from './undefined.js';

type Lookup = (ctx: RenderContext, terms: unknown[], kw: Record<string, unknown>) => unknown[];

/**
 * Ansible's search path: the directory of the task file being run (an included hook's own `files/`), then the
 * playbook directory (baseDir), then the current directory.
 */
export function searchPath(ctx: RenderContext, name: string, subdir: string): string | undefined {
  if (isAbsolute(name)) return existsSync(name) ? name : undefined;
  const dirs: string[] = [];
  if (ctx.state.where.file) dirs.push(dirname(resolve(ctx.state.where.file)));
  if (!dirs.includes(ctx.state.baseDir)) dirs.push(ctx.state.baseDir);
  for (const d of dirs) for (const p of [join(d, subdir, name), join(d, name)]) if (existsSync(p)) return p;
  const p = join(process.cwd(), name);
  return existsSync(p) ? p : undefined;
}

function flatStrings(terms: unknown[]): string[] {
  return terms.flat(Infinity).map((t) => str(t));
}

const fileLookup: Lookup = (ctx, terms, kw) =>
  flatStrings(terms).map((t) => {
    const p = searchPath(ctx, t, 'files');
    if (!p) throw new PyError(`The 'file' lookup had an issue accessing the file '${t}'. file not found`);
    let text = readFileSync(p, 'utf8');
    if (kw.rstrip !== false) text = text.trimEnd();
    if (kw.lstrip === true) text = text.trimStart();
    return text;
  });

function firstFound(ctx: RenderContext, terms: unknown[], kw: Record<string, unknown>): unknown[] {
  const files: string[] = [];
  const paths: string[] = [];
  let skip = kw.skip === true;
  const splitList = (v: unknown): string[] => (Array.isArray(v) ? v.flatMap(splitList) : typeof v === 'string' ? v.split(/[,;]/).map((x) => x.trim()).filter(Boolean) : []);
  files.push(...splitList(kw.files));
  paths.push(...splitList(kw.paths));
  for (const t of terms.flat(Infinity)) {
    if (isDict(t)) {
      files.push(...splitList(t.files));
      paths.push(...splitList(t.paths));
      if (t.skip === true) skip = true;
    } else if (typeof t === 'string') files.push(t);
  }
  const candidates = paths.length ? files.flatMap((f) => (isAbsolute(f) ? [f] : paths.map((p) => join(p, f)))) : files;
  for (const c of candidates) {
    const p = searchPath(ctx, c, 'files');
    if (p) return [p];
  }
  if (skip) return [];
  throw new PyError(`No file was found when using first_found. Searched: ${candidates.join(', ')}`);
}

function globToRe(glob: string): RegExp {
  return new RegExp(`^${glob.replace(/[.+^${}()|\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
}

const LOOKUPS: Record<string, Lookup> = {
  env: (_ctx, terms, kw) => flatStrings(terms).map((t) => process.env[t] ?? (kw.default !== undefined ? kw.default : '')),
  file: fileLookup,
  template: (ctx, terms, kw) =>
    flatStrings(terms).map((t) => {
      const p = searchPath(ctx, t, 'templates');
      if (!p) throw new PyError(`the template file ${t} could not be found for the lookup`);
      const extra = isDict(kw.template_vars) ? kw.template_vars : {};
      const vars = { ...ctx.state.vars, ...extra };
      return ctx.state.renderText(readFileSync(p, 'utf8'), { ...ctx.state, vars, baseDir: dirname(p), where: { ...ctx.state.where, file: p } });
    }),
  first_found: firstFound,
  pipe: (ctx, terms) =>
    flatStrings(terms).map((t) => {
      // spawnSync, not execCommand: templates render synchronously, as Ansible's own pipe lookup does.
      const r = spawnSync('/bin/sh', ['-c', t], { cwd: ctx.state.baseDir, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
      if (r.error) throw new PyError(`lookup_plugin.pipe(${t}) failed: ${r.error.message}`);
      if (r.status !== 0) throw new PyError(`lookup_plugin.pipe(${t}) returned ${r.status ?? r.signal}`);
      return r.stdout.trimEnd();
    }),
  vars: (ctx, terms, kw) =>
    flatStrings(terms).map((t) => {
      const v = ctx.lookup(t);
      if (v instanceof Undef) {
        if (kw.default !== undefined) return kw.default;
        throw new PyError(`No variable found with this name: ${t}`);
      }
      return v;
    }),
  items: (_ctx, terms) => terms.flatMap((t) => (Array.isArray(t) ? t : [t])),
  list: (_ctx, terms) => terms,
  dict: (_ctx, terms) =>
    terms.flatMap((t) => {
      if (!isDict(t)) throw new PyError('with_dict expects a dict');
      return Object.entries(t).map(([key, value]) => ({ key, value }));
    }),
  password: (ctx, terms) => flatStrings(terms).map((t) => passwordLookup(ctx, t)),
  random_string: (ctx, _terms, kw) => {
    const sets: string[] = [];
    if (kw.upper !== false) sets.push('ABCDEFGHIJKLMNOPQRSTUVWXYZ');
    if (kw.lower !== false) sets.push('abcdefghijklmnopqrstuvwxyz');
    if (kw.numbers !== false) sets.push('0123456789');
    if (kw.special !== false) sets.push('!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~');
    const chars = typeof kw.override_all === 'string' ? kw.override_all : sets.join('');
    const out = randomFrom(chars, Number(kw.length ?? 8));
    ctx.state.secrets?.add(out);
    return [out];
  },
  /** ansible.builtin.config, for the settings hooks read (roles path). */
  config: (_ctx, terms, kw) =>
    flatStrings(terms).map((t) => {
      if (t === 'DEFAULT_ROLES_PATH') {
        const raw = process.env.ANSIBLE_ROLES_PATH ?? '~/.ansible/roles:/usr/share/ansible/roles:/etc/ansible/roles';
        return raw.split(':').map((p) => p.replace(/^~(?=$|\/)/, homedir()));
      }
      if (kw.on_missing === 'skip') return [];
      throw new PyError(`Unable to find setting ${t}`);
    }).flat(0),
  indexed_items: (_ctx, terms) => terms.flat().map((t, i) => [i, t]),
  fileglob: (ctx, terms) =>
    flatStrings(terms).flatMap((t) => {
      const full = isAbsolute(t) ? t : join(ctx.state.baseDir, 'files', t);
      const dir = dirname(full);
      if (!existsSync(dir)) return [];
      const re = globToRe(basename(full));
      return readdirSync(dir)
        .filter((f) => re.test(f) && statSync(join(dir, f)).isFile())
        .sort()
        .map((f) => join(dir, f));
    }),
};

function randomFrom(chars: string, length: number): string {
  if (!chars) throw new PyError('no characters to build a random string from');
  let out = '';
  for (let i = 0; i < length; i++) out += chars[randomInt(chars.length)];
  return out;
}

const CHARSETS: Record<string, string> = {
  ascii_letters: 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ',
  ascii_lowercase: 'abcdefghijklmnopqrstuvwxyz',
  ascii_uppercase: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ',
  digits: '0123456789',
  hexdigits: '0123456789abcdefABCDEF',
  punctuation: '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~',
};

/**
 * lookup('password', 'PATH chars=ascii_letters,digits length=20'): the password stored in PATH, created (0600)
 * with a random value when missing; /dev/null gives a new one each time.
 */
function passwordLookup(ctx: RenderContext, term: string): string {
  const [path, ...params] = term.trim().split(/\s+/);
  const opts: Record<string, string> = {};
  for (const p of params) {
    const i = p.indexOf('=');
    if (i > 0) opts[p.slice(0, i)] = p.slice(i + 1);
  }
  const length = Number(opts.length ?? 20);
  const chars = (opts.chars ?? 'ascii_letters,digits,.,:-_')
    .split(',')
    .map((c) => CHARSETS[c] ?? c)
    .join('') || '.,:-_';
  const full = isAbsolute(path) ? path : join(ctx.state.baseDir, path);
  let pw: string;
  if (path !== '/dev/null' && existsSync(full)) {
    pw = readFileSync(full, 'utf8').split('\n')[0].replace(/ salt=.*$/, '');
  } else {
    pw = randomFrom(chars, length);
    if (path !== '/dev/null') {
      mkdirSync(dirname(full), { recursive: true });
      const tmp = `${full}.tmp-${process.pid}`;
      writeFileSync(tmp, `${pw}\n`, { mode: 0o600 });
      renameSync(tmp, full);
    }
  }
  ctx.state.secrets?.add(pw);
  return pw;
}

export function runLookup(ctx: RenderContext, name: string, terms: unknown[], kw: Record<string, unknown>): unknown[] {
  const short = name.replace(/^(ansible\.(builtin|legacy)|community\.general)\./, '');
  const l = LOOKUPS[short];
  if (!l) throw new PyError(`lookup plugin (${name}) not found (supported: ${Object.keys(LOOKUPS).join(', ')})`);
  return l(ctx, terms, kw);
}
