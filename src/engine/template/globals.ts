/** Jinja2/Ansible global functions: range, dict, lookup/query/q, now, and the helpers the compiler emits. */
import type { RenderContext } from './context.js';
import { splitArgs } from './kwargs.js';
import { PyError, iterate, isDict, mkFloat, slice } from './py.js';
import { strict } from './undefined.js';
import { runLookup } from './lookups.js';

type Fn = (this: RenderContext, ...args: unknown[]) => unknown;

function query(this: RenderContext, ...all: unknown[]): unknown[] {
  const c = splitArgs(all);
  const [name, ...terms] = c.args.map((x) => strict(x));
  const { wantlist: _w, ...kw } = c.kwargs;
  return runLookup(this, String(name), terms, kw);
}

export function makeGlobals(): Record<string, Fn> {
  return {
    range(...all: unknown[]) {
      const a = all.map((x) => Number(strict(x)));
      const [start, stop, step] = a.length === 1 ? [0, a[0], 1] : [a[0], a[1], a[2] ?? 1];
      if (step === 0) throw new PyError('range() arg 3 must not be zero');
      const out: number[] = [];
      for (let i = start; step > 0 ? i < stop : i > stop; i += step) {
        out.push(i);
        if (out.length > 1_000_000) throw new PyError('range too big');
      }
      return out;
    },
    dict(...all: unknown[]) {
      const c = splitArgs(all);
      const out: Record<string, unknown> = {};
      for (const a of c.args) {
        const v = strict(a);
        if (isDict(v)) Object.assign(out, v);
        else if (Array.isArray(v)) for (const p of v) if (Array.isArray(p)) out[String(p[0])] = p[1];
      }
      return Object.assign(out, c.kwargs);
    },
    lookup(this: RenderContext, ...all: unknown[]) {
      const c = splitArgs(all);
      const [name, ...terms] = c.args.map((x) => strict(x));
      const { wantlist, ...kw } = c.kwargs;
      const out = runLookup(this, String(name), terms, kw);
      if (wantlist === true) return out;
      // lookup() joins a list result with commas, unless it is a single value.
      if (out.length === 1) return out[0];
      if (out.every((x) => typeof x === 'string' || typeof x === 'number')) return out.join(',');
      return out;
    },
    query,
    q: query,
    /** Jinja2's namespace(): a mutable object for `{% set ns.x = ... %}` inside loops. */
    namespace(...all: unknown[]) {
      const c = splitArgs(all);
      const out: Record<string, unknown> = {};
      for (const a of c.args) if (isDict(a)) Object.assign(out, a);
      return Object.assign(out, c.kwargs);
    },
    now(...all: unknown[]) {
      const c = splitArgs(all);
      const utc = c.kwargs.utc === true || c.args[0] === true;
      const fmt = (c.kwargs.fmt ?? c.args[1]) as string | undefined;
      const d = new Date();
      if (!fmt) return strftime(d, '%Y-%m-%d %H:%M:%S.%f', utc);
      return strftime(d, fmt, utc);
    },
    __py_float: (v: unknown) => mkFloat(Number(v)),
    __py_slice: (v: unknown, a: unknown, b: unknown, c: unknown) => slice(v, a, b, c),
    __py_iter: (v: unknown) => iterate(v),
    /** `for k, v in x`: nunjucks iterates a dict's pairs itself; lists of pairs go through as lists. */
    __py_iter_pairs: (v: unknown) => (isDict(strict(v)) ? v : iterate(v)),
  };
}

/** The strftime subset Ansible's `now(fmt=)` and `strftime` filter users write. */
export function strftime(d: Date, fmt: string, utc = false): string {
  const g = (local: () => number, u: () => number): number => (utc ? u() : local());
  const p2 = (n: number): string => String(n).padStart(2, '0');
  const Y = g(() => d.getFullYear(), () => d.getUTCFullYear());
  const m = g(() => d.getMonth(), () => d.getUTCMonth()) + 1;
  const day = g(() => d.getDate(), () => d.getUTCDate());
  const H = g(() => d.getHours(), () => d.getUTCHours());
  const M = g(() => d.getMinutes(), () => d.getUTCMinutes());
  const S = g(() => d.getSeconds(), () => d.getUTCSeconds());
  const map: Record<string, string> = {
    Y: String(Y),
    y: p2(Y % 100),
    m: p2(m),
    d: p2(day),
    H: p2(H),
    M: p2(M),
    S: p2(S),
    s: String(Math.floor(d.getTime() / 1000)),
    f: String(d.getMilliseconds() * 1000).padStart(6, '0'),
    j: String(Math.floor((Date.UTC(Y, m - 1, day) - Date.UTC(Y, 0, 0)) / 86400000)).padStart(3, '0'),
    '%': '%',
  };
  return fmt.replace(/%([a-zA-Z%])/g, (all, k: string) => map[k] ?? all);
}
