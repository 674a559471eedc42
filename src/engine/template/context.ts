/**
 * What a render sees: the variables (with lazy values), the frame-independent `{% set %}` overlay, the Jinja2
 * globals, and how filters/tests/lookups reach back into the templar (lazy vars, `lookup('template')`).
 */
import { types } from 'node:util';
import type { SecretRegistry } from '../../core/secrets.js';
import { LazyValue, OMIT, type TemplateWhere, type VarsLike } from './types.js';
import { Undef, UndefinedVariable, strict, undefVar } from './undefined.js';
import { PyError, isDict } from './py.js';
import type { CallArgs } from './kwargs.js';

/** Per top-level render call: the variables, where we are, and the lazy-variable bookkeeping. */
export interface RenderState {
  vars: VarsLike;
  where: TemplateWhere;
  baseDir: string;
  secrets?: SecretRegistry;
  /** Lazy values being resolved right now (loop detection) and those already resolved in this render. */
  resolving: Set<LazyValue>;
  resolved: Map<LazyValue, unknown>;
  /** Render any value with these variables (used for lazy values and the `template` lookup). */
  renderValue(value: unknown, state: RenderState): unknown;
  /** Render template text (a file's content) to a string, honouring a `#jinja2:` header. */
  renderText(text: string, state: RenderState): string;
}

export type FilterFn = (ctx: RenderContext, value: unknown, c: CallArgs) => unknown;
export type TestFn = (ctx: RenderContext, value: unknown, c: CallArgs) => boolean;
export type GlobalFn = (ctx: RenderContext, c: CallArgs) => unknown;

export class RenderContext {
  /** `{% set %}` at the top level of a template. */
  readonly ctx: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  readonly exported: string[] = [];
  readonly blocks: Record<string, unknown> = {};
  /** Where a single-expression template stores its value. */
  native: unknown = undefined;

  constructor(
    readonly state: RenderState,
    readonly globals: Record<string, unknown>,
  ) {}

  /** Top-level name lookup: `{% set %}` overlay, then variables (lazy values templated), then globals. */
  lookup(name: string): unknown {
    if (name in this.ctx) return this.ctx[name];
    const vars = this.state.vars;
    if (Object.prototype.hasOwnProperty.call(vars, name)) {
      const v = vars[name];
      return v instanceof LazyValue ? this.resolveLazy(v, name) : v;
    }
    if (name === 'omit') return OMIT;
    if (Object.prototype.hasOwnProperty.call(this.globals, name)) return this.globals[name];
    return undefVar(name);
  }

  resolveLazy(v: LazyValue, name?: string): unknown {
    const st = this.state;
    if (st.resolved.has(v)) return st.resolved.get(v);
    if (st.resolving.has(v)) {
      throw new PyError(`recursive loop detected in template: variable ${name ? `'${name}' ` : ''}refers to itself (${String(typeof v.raw === 'string' ? v.raw : '…')})`);
    }
    st.resolving.add(v);
    try {
      const out = resolveDeep(st.renderValue(v.raw, st), this);
      st.resolved.set(v, out);
      return out;
    } finally {
      st.resolving.delete(v);
    }
  }

  setVariable(name: string, value: unknown): void {
    this.ctx[name] = value;
  }

  getVariables(): Record<string, unknown> {
    return { ...this.state.vars, ...this.ctx };
  }

  addExport(name: string): void {
    this.exported.push(name);
  }

  getBlock(name: string): never {
    throw new PyError(`template blocks are not supported (block "${name}")`);
  }
}

/**
 * Structures already walked and found free of lazy values (registered results, facts): not walked again. Lazy
 * values only come from the executor's variable layers, which it builds as new objects.
 */
const lazyFree = new WeakSet<object>();

/**
 * Replace lazy values inside lists/dicts by their values (copy-on-write: untouched structures are returned as-is).
 * Proxies (the executor's hostvars views) resolve on access themselves and are not walked: walking hostvars would
 * template every variable of every host.
 */
export function resolveDeep(v: unknown, ctx: RenderContext, seen?: Set<unknown>): unknown {
  if (v instanceof LazyValue) return ctx.resolveLazy(v);
  if (v === null || typeof v !== 'object' || v instanceof Undef || lazyFree.has(v) || types.isProxy(v)) return v;
  const s = seen ?? new Set<unknown>();
  if (s.has(v)) return v;
  s.add(v);
  try {
    if (Array.isArray(v)) {
      let out: unknown[] | undefined;
      for (let i = 0; i < v.length; i++) {
        const x = v[i] as unknown;
        const r = resolveDeep(x, ctx, s);
        if (r !== x) {
          out ??= v.slice();
          out[i] = r;
        }
      }
      if (!out) lazyFree.add(v);
      return out ?? v;
    }
    if (!isDict(v)) return v;
    let out: Record<string, unknown> | undefined;
    for (const k of Object.keys(v)) {
      const x = v[k];
      const r = resolveDeep(x, ctx, s);
      if (r !== x) {
        out ??= { ...v };
        out[k] = r;
      }
    }
    if (!out) lazyFree.add(v);
    return out ?? v;
  } finally {
    s.delete(v);
  }
}

export { strict, Undef, UndefinedVariable };
