/**
 * The objects compiled templates call: `env.py.*` (Python operators, filters, tests, name lookup) and the
 * replacement for nunjucks' `runtime` (attribute lookup, output, calls, errors).
 */
import { readFileSync } from 'node:fs';
import { nearestNames } from '../../core/errors.js';
import { LazyValue } from './types.js';
import { RenderContext, resolveDeep, type FilterFn, type TestFn } from './context.js';
import { Undef, UndefinedVariable, strict } from './undefined.js';
import * as py from './py.js';
import { methodOf } from './methods.js';
import { splitArgs } from './kwargs.js';
import { searchPath } from './lookups.js';

/** Filters that accept an undefined value (everything else raises "'x' is undefined" when given one). */
const UNDEF_OK_FILTERS = new Set(['default', 'd', 'mandatory']);
/** Tests that look at an undefined value without raising, as in Jinja2. */
const UNDEF_OK_TESTS = new Set(['defined', 'undefined', 'none', 'null', 'string', 'number', 'integer', 'float', 'boolean', 'mapping', 'sameas', 'callable']);
const TEST_ALIASES: Record<string, string> = { null: 'none' };

/** Filter and test names may be written with their collection (`ansible.builtin.to_json`, `ansible.utils.ipaddr`). */
function shortName(name: string): string {
  const i = name.lastIndexOf('.');
  return i < 0 ? name : name.slice(i + 1);
}

interface FrameLike {
  lookup(n: string): unknown;
  variables?: Record<string, unknown>;
  parent?: FrameLike | null;
}

/** `{% include %}`: the template file sees the including template's variables, loop variables included. */
function includeTemplate(ctx: RenderContext, frame: FrameLike, name: string, ignoreMissing: boolean): string {
  const path = searchPath(ctx, name, 'templates');
  if (!path) {
    if (ignoreMissing) return '';
    throw new py.PyError(`template not found for include: ${name}`);
  }
  const locals: Record<string, unknown>[] = [];
  for (let f: FrameLike | null | undefined = frame; f; f = f.parent) if (f.variables) locals.unshift(f.variables);
  const vars = Object.assign({}, ctx.state.vars, ctx.ctx, ...locals) as Record<string, unknown>;
  return ctx.state.renderText(readFileSync(path, 'utf8'), { ...ctx.state, vars, where: { ...ctx.state.where, file: path } });
}

function frameLookup(frame: { lookup(n: string): unknown }, name: string): unknown {
  return frame.lookup(name);
}

export interface Registries {
  filters: Record<string, FilterFn>;
  tests: Record<string, TestFn>;
}

export function makeEnv(reg: Registries, runtimeBase: Record<string, unknown>): { env: object; runtime: object } {
  const callFilter = (name: string, ctx: RenderContext, all: unknown[]): unknown => {
    const f = reg.filters[name] ?? reg.filters[shortName(name)];
    if (!f) {
      const near = nearestNames(shortName(name), Object.keys(reg.filters));
      throw new py.PyError(`no filter named '${name}'${near.length ? ` (did you mean ${near.map((n) => `'${n}'`).join(', ')}?)` : ''}`);
    }
    const resolved = all.map((a) => resolveDeep(a, ctx));
    if (!UNDEF_OK_FILTERS.has(shortName(name))) resolved.forEach((a) => strict(a));
    const c = splitArgs(resolved.slice(1));
    return f(ctx, resolved[0], c);
  };

  const callTest = (rawName: string, ctx: RenderContext, value: unknown, args: unknown[]): boolean => {
    const name = TEST_ALIASES[rawName] ?? rawName;
    const t = reg.tests[name] ?? reg.tests[shortName(name)];
    if (!t) {
      const near = nearestNames(shortName(name), Object.keys(reg.tests));
      throw new py.PyError(`no test named '${rawName}'${near.length ? ` (did you mean ${near.map((n) => `'${n}'`).join(', ')}?)` : ''}`);
    }
    const v = resolveDeep(value, ctx);
    if (!UNDEF_OK_TESTS.has(shortName(name))) strict(v);
    const resolvedArgs = args.map((a) => strict(resolveDeep(a, ctx)));
    return t(ctx, v, splitArgs(resolvedArgs)) === true;
  };

  const pyHelpers = {
    add: py.add,
    sub: py.sub,
    mul: py.mul,
    div: py.div,
    floorDiv: py.floorDiv,
    mod: py.mod,
    pow: py.pow,
    neg: py.neg,
    concat: (a: unknown, b: unknown) => py.str(strict(a)) + py.str(strict(b)),
    truthy: py.truthy,
    or: (a: unknown, right: () => unknown) => (py.truthy(a) ? a : right()),
    and: (a: unknown, right: () => unknown) => (py.truthy(a) ? right() : a),
    compare: (first: unknown, ...rest: unknown[]) => {
      let left = first;
      for (let i = 0; i < rest.length; i += 2) {
        const right = rest[i + 1];
        if (!py.compare(left, rest[i] as string, right)) return false;
        left = right;
      }
      return true;
    },
    in: (a: unknown, b: unknown) => py.contains(b, a),
    undef: (msg: string) => new Undef(msg, undefined),
    dict: (kv: unknown[]) => {
      const out: Record<string, unknown> = {};
      for (let i = 0; i < kv.length; i += 2) {
        const k = strict(kv[i]);
        if (typeof k !== 'string' && typeof k !== 'number' && typeof k !== 'boolean' && k !== null && !(k instanceof py.PyFloat)) {
          throw new py.PyError(`unhashable type: '${py.typeName(k)}'`);
        }
        out[typeof k === 'string' ? k : py.str(k)] = kv[i + 1];
      }
      return out;
    },
    member: memberLookup,
    lookup: (ctx: RenderContext, frame: { lookup(n: string): unknown }, name: string) => {
      const v = frameLookup(frame, name);
      return v !== undefined ? v : ctx.lookup(name);
    },
    filter: (name: string, ctx: RenderContext, all: unknown[]) => callFilter(name, ctx, all),
    loopFilter: (seq: unknown, single: boolean, keep: (item: unknown) => boolean) => {
      const v = strict(seq);
      const items = !single && py.isDict(v) ? Object.entries(v) : py.iterate(v);
      return items.filter((it) => keep(it));
    },
    cycler: (i: number) => (...items: unknown[]) => items[i % items.length],
    setattr: (obj: unknown, key: unknown, value: unknown) => {
      const o = strict(obj);
      if (!py.isDict(o)) throw new py.PyError(`cannot assign attribute on non-namespace object (${py.typeName(o)})`);
      o[py.str(strict(key))] = value;
    },
    include: (ctx: RenderContext, frame: FrameLike, name: unknown, ignoreMissing: boolean) => includeTemplate(ctx, frame, py.str(strict(name)), ignoreMissing),
    test: (name: string, ctx: RenderContext, value: unknown, args: unknown[]) => callTest(name, ctx, value, args),
  };

  const env = { py: pyHelpers, opts: { autoescape: false }, callFilter, callTest };

  const runtime = {
    ...runtimeBase,
    contextOrFrameLookup: (ctx: RenderContext, frame: { lookup(n: string): unknown }, name: string) => pyHelpers.lookup(ctx, frame, name),
    suppressValue(val: unknown): string {
      // Ansible's finalize: None prints as an empty string in text.
      if (val === null || val === undefined) return '';
      return py.str(strict(val));
    },
    callWrap(fn: unknown, name: string, context: RenderContext, args: unknown[]): unknown {
      if (fn instanceof Undef) fn.fail();
      if (typeof fn !== 'function') throw new py.PyError(`'${name}' is not callable`);
      return (fn as (...a: unknown[]) => unknown).apply(context, args);
    },
    handleError(e: unknown): unknown {
      return e;
    },
    inOperator: (a: unknown, b: unknown) => py.contains(b, a),
  };
  return { env, runtime };
}

/** `a.b` / `a['b']` / `a[0]`: item, then Python method; a missing one is an Undef that says what is missing. */
export function memberLookup(ctx: RenderContext, obj: unknown, key: unknown): unknown {
  if (obj instanceof Undef) return obj;
  if (key instanceof Undef) key.fail();
  if (obj === null || obj === undefined) return new Undef(`'None' has no attribute '${py.str(key)}'`, undefined);
  if (obj instanceof py.PyFloat) return new Undef(`'float object' has no attribute '${py.str(key)}'`, undefined);
  let v: unknown;
  if (Array.isArray(obj)) {
    if (typeof key === 'number' || typeof key === 'boolean') {
      const n = Number(key);
      const i = n < 0 ? obj.length + n : n;
      if (Number.isInteger(i) && i >= 0 && i < obj.length) v = obj[i];
      else return new Undef(`list object has no element ${py.str(key)}`, undefined);
    } else if (typeof key === 'string') {
      return methodOf(obj, key) ?? new Undef(`'list object' has no attribute '${key}'`, undefined);
    } else {
      throw new py.PyError(`list indices must be integers or slices, not ${py.typeName(key)}`);
    }
  } else if (typeof obj === 'string') {
    if (typeof key === 'number') {
      const chars = [...obj];
      const i = key < 0 ? chars.length + key : key;
      if (i >= 0 && i < chars.length) return chars[i];
      return new Undef(`str object has no element ${key}`, undefined);
    }
    return methodOf(obj, String(key)) ?? new Undef(`'str object' has no attribute '${py.str(key)}'`, undefined);
  } else if (py.isDict(obj)) {
    const k = typeof key === 'string' ? key : py.str(key);
    if (Object.prototype.hasOwnProperty.call(obj, k)) v = obj[k];
    else return methodOf(obj, k) ?? new Undef(`'dict object' has no attribute '${k}'`, undefined);
  } else if (typeof obj === 'object' || typeof obj === 'function') {
    const o = obj as Record<string, unknown>;
    v = o[String(key)];
    if (typeof v === 'function') v = (v as (...a: unknown[]) => unknown).bind(obj);
    if (v === undefined) return new Undef(`'${py.typeName(obj)} object' has no attribute '${py.str(key)}'`, undefined);
  } else {
    return new Undef(`'${py.typeName(obj)} object' has no attribute '${py.str(key)}'`, undefined);
  }
  return v instanceof LazyValue ? ctx.resolveLazy(v) : v;
}

export { UndefinedVariable, RenderContext };
