/**
 * The templar: renders task values with Jinja2 semantics as Ansible configures them.
 *
 * - Strings without `{{`, `{%` or `{#` are returned untouched (fast path); compiled templates are cached by text.
 * - `"{{ expr }}"` alone returns the expression's native value; anything else renders to a string, which is then
 *   converted like Ansible does (`[...]`/`{...}` Python literals → list/dict, `True`/`False` → bool).
 * - Undefined names raise TemplateError `'x' is undefined` with the task and file:line; `default()`, `is defined`
 *   and attribute chains on undefined values work (see undefined.ts).
 * - Variables may be LazyValue: templated on use with the same variables, loops detected.
 *
 * Deliberate differences with Ansible (also listed in test/engine/template/corpus.ts):
 * - a single expression that yields a string keeps it a string (Ansible's native mode would turn '3' into 3);
 * - an integral float (7.0) is a float inside one template (prints "7.0", `is float`), but values leaving the
 *   templar are plain JSON numbers, so a set_fact'ed 7.0 prints as 7 in a later task;
 * - not supported: `{% extends %}`/`{% import %}`/blocks, `{% for %}` `recursive` loops,
 *   `loop.changed()`, `1e3`/`0x10` number literals; `map()`/`select()` return lists
 *   (Ansible unrolls generators at the end of a template too, so only `{{ x | map(...) }}` inside text differs).
 * Supported beyond nunjucks: `is not`, `not in`, True/False/None, slices, `//`, `**`, Python `%` formatting,
 * chained comparisons, tuples, expression dict keys, loop filters (`for x in l if c`), `namespace()` with
 * `{% set ns.x = %}`, Jinja2 set scoping in loops, `{% include %}`, tests without parentheses (`is divisibleby 3`).
 */
import { isAbsolute, resolve as resolvePath } from 'node:path';
import { TemplateError, nearestNames } from '../../core/errors.js';
import type { Templar, TemplarOptions, TemplateWhere, VarsLike } from './types.js';
import { LazyValue } from './types.js';
import { RenderContext, resolveDeep, type RenderState } from './context.js';
import { UndefinedVariable, strict } from './undefined.js';
import { PyError, truthy, isDict, str, unboxFloats } from './py.js';
import { convertRendered } from './literal.js';
import { loadNunjucksPy, type CompiledTemplate, type CompileOptions, type NunjucksPy } from './nunjucks-py.js';
import { makeEnv } from './runtime.js';
import { FILTERS } from './filters/index.js';
import { TESTS } from './tests.js';
import { makeGlobals } from './globals.js';

const DEFAULT_OPTS: CompileOptions = { trimBlocks: true, lstripBlocks: false, rawVarStrings: true };
const FILE_OPTS: CompileOptions = { trimBlocks: true, lstripBlocks: false, rawVarStrings: false };
/** Bare expressions (`when:`) are evaluated by Ansible inside `{% if %}`, where string escapes apply. */
const EXPR_OPTS: CompileOptions = { trimBlocks: true, lstripBlocks: false, rawVarStrings: false };
const CACHE_LIMIT = 20_000;

interface Engine {
  nj: NunjucksPy;
  env: object;
  runtime: object;
  globals: Record<string, unknown>;
  cache: Map<string, CompiledTemplate>;
}

let engine: Engine | undefined;

function getEngine(): Engine {
  if (engine) return engine;
  const nj = loadNunjucksPy();
  const { env, runtime } = makeEnv({ filters: FILTERS, tests: TESTS }, nj.runtime);
  engine = { nj, env, runtime, globals: makeGlobals(), cache: new Map() };
  return engine;
}

/** A syntax error in a template (reported with the template text). */
class TemplateSyntax extends Error {}

export function isTemplate(s: string): boolean {
  return s.includes('{{') || s.includes('{%') || s.includes('{#');
}

function compile(e: Engine, src: string, opts: CompileOptions): CompiledTemplate {
  const key = opts === DEFAULT_OPTS ? src : `${opts.trimBlocks ? 1 : 0}${opts.lstripBlocks ? 1 : 0}${opts.rawVarStrings ? 1 : 0}\0${src}`;
  let c = e.cache.get(key);
  if (!c) {
    try {
      c = e.nj.compile(src, opts, 'template');
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err);
      throw new TemplateSyntax(msg.replace(/^\(template\)\s*(\[Line \d+, Column \d+\])?\s*/, '').replace(/\s+/g, ' ').trim());
    }
    if (e.cache.size >= CACHE_LIMIT) e.cache.clear();
    e.cache.set(key, c);
  }
  return c;
}

/** `#jinja2: trim_blocks: False, lstrip_blocks: True` on a template file's first line. */
function headerOptions(text: string, base: CompileOptions = DEFAULT_OPTS): { opts: CompileOptions; body: string } {
  if (!text.startsWith('#jinja2:')) return { opts: base, body: text };
  const nl = text.indexOf('\n');
  const line = nl < 0 ? text : text.slice(0, nl);
  const opts = { ...base };
  for (const m of line.slice(8).matchAll(/(\w+)\s*:\s*(\w+)/g)) {
    const on = /^(true|yes|1)$/i.test(m[2]);
    if (m[1] === 'trim_blocks') opts.trimBlocks = on;
    if (m[1] === 'lstrip_blocks') opts.lstripBlocks = on;
  }
  return { opts, body: nl < 0 ? '' : text.slice(nl + 1) };
}

function run(e: Engine, c: CompiledTemplate, state: RenderState): { native: boolean; keepString?: boolean; value: unknown } {
  const ctx = new RenderContext(state, e.globals);
  const frame = e.nj.newFrame();
  frame.topLevel = true;
  let out: string | undefined;
  let error: unknown;
  c.root(e.env, ctx, frame, e.runtime, (err, res) => {
    error = err;
    out = res;
  });
  if (error) throw error;
  if (c.native) return { native: true, keepString: c.keepString, value: strict(resolveDeep(ctx.native, ctx)) };
  return { native: false, value: out ?? '' };
}

function trailingNewlines(s: string): number {
  let n = 0;
  for (let i = s.length - 1; i >= 0 && s[i] === '\n'; i--) n++;
  return n;
}

/** Ansible's preserve_trailing_newlines: newlines ending the source that trim_blocks ate are put back. */
function keepNewlines(src: string, out: string): string {
  const missing = trailingNewlines(src) - trailingNewlines(out);
  return missing > 0 ? out + '\n'.repeat(missing) : out;
}

function renderString(s: string, state: RenderState): unknown {
  if (!isTemplate(s)) return s;
  const e = getEngine();
  const { opts, body } = headerOptions(s);
  const r = run(e, compile(e, body, opts), state);
  if (r.native && typeof r.value !== 'string') return r.value === undefined ? null : unboxFloats(r.value);
  const text = keepNewlines(body, r.value as string);
  if (r.keepString) return text;
  return unboxFloats(convertRendered(text));
}

function renderText(text: string, state: RenderState): string {
  if (!isTemplate(text)) return text;
  const e = getEngine();
  // Template files are rendered without Ansible's backslash doubling (the template module passes
  // escape_backslashes=False), and always to text.
  const { opts, body } = headerOptions(text, FILE_OPTS);
  const c = compile(e, body, opts);
  const v = run(e, c, state).value;
  return keepNewlines(body, c.native ? (v === null || v === undefined ? '' : str(v)) : (v as string));
}

function renderValue(v: unknown, state: RenderState): unknown {
  if (typeof v === 'string') return renderString(v, state);
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map((x) => renderValue(x, state));
  if (v instanceof LazyValue) return new RenderContext(state, getEngine().globals).resolveLazy(v);
  if (!isDict(v)) return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) {
    const key = isTemplate(k) ? String(renderString(k, state)) : k;
    out[key] = renderValue(x, state);
  }
  return out;
}

function excerpt(s: unknown): string {
  const t = typeof s === 'string' ? s : JSON.stringify(s) ?? String(s);
  return t.length > 200 ? `${t.slice(0, 200)}…` : t;
}

export function createTemplar(opts: TemplarOptions = {}): Templar {
  const baseDir = opts.baseDir ? (isAbsolute(opts.baseDir) ? opts.baseDir : resolvePath(opts.baseDir)) : process.cwd();

  const newState = (vars: VarsLike, where: TemplateWhere): RenderState => ({
    vars,
    where,
    baseDir,
    secrets: opts.secrets,
    resolving: new Set(),
    resolved: new Map(),
    renderValue,
    renderText,
  });

  const redact = (s: string): string => (opts.secrets ? opts.secrets.redact(s) : s);

  /** Turn anything thrown while rendering into one TemplateError with the task and file:line. */
  const wrap = (err: unknown, source: unknown, vars: VarsLike, where: TemplateWhere): TemplateError => {
    if (err instanceof TemplateError) return err;
    const location = { file: where.file, line: where.line, task: where.task };
    const inTask = where.task ? ` in task "${where.task}"` : '';
    const tpl = redact(excerpt(source));
    if (err instanceof UndefinedVariable) {
      let hint: string;
      if (err.variable) {
        const near = nearestNames(err.variable, Object.keys(vars));
        hint = near.length
          ? `did you mean ${near.map((n) => `'${n}'`).join(', ')}? Otherwise define '${err.variable}' or use "${err.variable} | default(...)"`
          : `define '${err.variable}' (inventory, vars, set_fact, -e) or guard it with "${err.variable} is defined" / "${err.variable} | default(...)"`;
      } else {
        hint = 'guard the lookup with "is defined" or "| default(...)"';
      }
      return new TemplateError('template-undefined', `${redact(err.message)}${inTask} (while templating ${JSON.stringify(tpl)})`, { hint, location, cause: err });
    }
    if (err instanceof TemplateSyntax) {
      return new TemplateError('template-syntax', `template syntax error${inTask}: ${redact(err.message)} (in ${JSON.stringify(tpl)})`, {
        hint: 'check the Jinja2 expression: quotes, brackets and {{ }} / {% %} pairs',
        location,
        cause: err,
      });
    }
    const msg = err instanceof Error ? err.message : String(err);
    return new TemplateError('template-error', `error while templating ${JSON.stringify(tpl)}${inTask}: ${redact(msg)}`, {
      hint: err instanceof PyError ? 'fix the expression or the types of the values it uses' : undefined,
      location,
      cause: err,
    });
  };

  const renderSync = (value: unknown, vars: VarsLike, where: TemplateWhere = {}): unknown => {
    if (typeof value === 'string' && !isTemplate(value)) return value;
    try {
      return renderValue(value, newState(vars, where));
    } catch (err) {
      throw wrap(err, value, vars, where);
    }
  };

  const renderTextSync = (text: string, vars: VarsLike, where: TemplateWhere = {}): string => {
    try {
      return renderText(text, newState(vars, where));
    } catch (err) {
      throw wrap(err, text, vars, where);
    }
  };

  const evaluateSync = (expr: string, vars: VarsLike, where: TemplateWhere = {}): unknown => {
    const src = `{{ ${expr} }}`;
    const state = newState(vars, where);
    try {
      const e = getEngine();
      const c = compile(e, src, EXPR_OPTS);
      if (!c.native) throw new TemplateSyntax(`not a single expression: ${expr}`);
      const v = run(e, c, state).value;
      return v === undefined ? null : unboxFloats(v);
    } catch (err) {
      throw wrap(err, expr, vars, where);
    }
  };

  const conditionSync = (expr: string | boolean | Array<string | boolean>, vars: VarsLike, where: TemplateWhere = {}): boolean => {
    if (typeof expr === 'boolean') return expr;
    if (Array.isArray(expr)) return expr.every((x) => conditionSync(x, vars, where));
    if (expr === null || expr === undefined) return true;
    if (typeof expr !== 'string') return truthy(expr);
    let cond: unknown = expr;
    // Ansible templates the conditional first (a warning-worthy `when: "{{ x }}"`), then evaluates the result.
    if (isTemplate(expr)) cond = renderSync(expr, vars, where);
    if (typeof cond !== 'string') return truthy(cond);
    if (cond.trim() === '') return false;
    const v = evaluateSync(cond, vars, where);
    try {
      return truthy(v);
    } catch (err) {
      throw wrap(err, expr, vars, where);
    }
  };

  return {
    isTemplate,
    renderSync,
    renderTextSync,
    renderText: async (text, vars, where) => renderTextSync(text, vars, where),
    evaluateSync,
    conditionSync,
    render: async (value, vars, where) => renderSync(value, vars, where),
    evaluate: async (expr, vars, where) => evaluateSync(expr, vars, where),
    condition: async (expr, vars, where) => conditionSync(expr, vars, where),
  };
}
