/** Jinja2's built-in filters, with Python semantics (sorting, case-insensitive unique/sort, repr in join...). */
import type { FilterFn, RenderContext } from '../context.js';
import { PyError, add, cmp, eq, isDict, isFloat, isNumeric, mkFloat, percentFormat, repr, str, truthy, typeName } from '../py.js';
import { param, type CallArgs } from '../kwargs.js';
import { Undef, strict } from '../undefined.js';
import { memberLookup } from '../runtime.js';
import { applyFilter, applyTest } from './registry.js';
import { toBool, toFloat, toInt, toList } from './convert.js';

/** Jinja2's attribute getter: `attribute='a.b.0'`. */
export function getAttr(ctx: RenderContext, item: unknown, attribute: unknown, dflt?: unknown): unknown {
  let v = item;
  const parts = typeof attribute === 'number' ? [attribute] : String(attribute).split('.').map((p) => (/^\d+$/.test(p) ? Number(p) : p));
  for (const p of parts) {
    v = memberLookup(ctx, v, p);
    if (typeof v === 'function') v = new Undef(`'${typeName(item)} object' has no attribute '${String(p)}'`, undefined);
  }
  if (v instanceof Undef && dflt !== undefined) return dflt;
  return v;
}

function seq(v: unknown): unknown[] {
  return toList(strict(v));
}

/** Sort key with Jinja2's default case-insensitivity. */
function sortKey(v: unknown, caseSensitive: boolean): unknown {
  return !caseSensitive && typeof v === 'string' ? v.toLowerCase() : v;
}

function sortList(ctx: RenderContext, v: unknown, c: CallArgs): unknown[] {
  const reverse = truthy(param(c, 0, 'reverse', false));
  const cs = truthy(param(c, 1, 'case_sensitive', false));
  const attribute = param(c, 2, 'attribute', null);
  const attrs = attribute === null ? [null] : String(attribute).split(',').map((a) => a.trim());
  const key = (x: unknown): unknown[] => attrs.map((a) => sortKey(a === null ? x : strict(getAttr(ctx, x, a)), cs));
  const items = seq(v).map((x, i) => ({ x, k: key(x), i }));
  items.sort((a, b) => cmp(a.k, b.k) * (reverse ? -1 : 1) || a.i - b.i);
  return items.map((i) => i.x);
}

function uniqueList(ctx: RenderContext, v: unknown, cs: boolean, attribute: unknown): unknown[] {
  const seen: unknown[] = [];
  const out: unknown[] = [];
  for (const x of seq(v)) {
    const k = sortKey(attribute === null || attribute === undefined ? x : getAttr(ctx, x, attribute), cs);
    if (!seen.some((s) => eq(s, k))) {
      seen.push(k);
      out.push(x);
    }
  }
  return out;
}

function minMax(ctx: RenderContext, v: unknown, c: CallArgs, sign: number): unknown {
  const items = seq(v);
  if (items.length === 0) return new Undef(`No aggregated item, sequence was empty.`, undefined);
  const cs = truthy(param(c, 0, 'case_sensitive', false));
  const attribute = param(c, 1, 'attribute', null);
  const key = (x: unknown): unknown => sortKey(attribute === null ? x : getAttr(ctx, x, attribute), cs);
  let best = items[0];
  for (const x of items.slice(1)) if (cmp(key(x), key(best)) * sign > 0) best = x;
  return best;
}

function selectOrReject(ctx: RenderContext, v: unknown, c: CallArgs, keep: boolean, attr: boolean): unknown[] {
  const args = c.args;
  let i = 0;
  const attribute = attr ? args[i++] : undefined;
  const testName = args[i] as string | undefined;
  const testArgs = args.slice(i + 1);
  return seq(v).filter((item) => {
    const x = attr ? getAttr(ctx, item, attribute) : item;
    const ok = testName === undefined ? truthy(x) : applyTest(ctx, String(testName), x, testArgs);
    return ok === keep;
  });
}

function pyRound(v: number, precision: number, method: string): number {
  const f = 10 ** precision;
  if (method === 'ceil') return Math.ceil(v * f) / f;
  if (method === 'floor') return Math.floor(v * f) / f;
  // Python's round(): half to even.
  const x = v * f;
  const r = Math.round(x);
  const half = Math.abs(x % 1) === 0.5;
  return (half ? (r % 2 === 0 ? r : r - 1) : r) / f;
}

export const CORE_FILTERS: Record<string, FilterFn> = {
  default: (_ctx, v, c) => {
    const dflt = param(c, 0, 'default_value', '');
    const boolean = truthy(param(c, 1, 'boolean', false));
    if (v instanceof Undef) return dflt;
    if (boolean && !truthy(v)) return dflt;
    return v;
  },
  mandatory: (_ctx, v, c) => {
    if (v instanceof Undef) {
      const msg = param(c, 0, 'msg', null);
      throw new PyError(msg !== null ? String(msg) : `Mandatory variable ${v.variable ? `'${v.variable}' ` : ''}not defined.`);
    }
    return v;
  },
  bool: (_ctx, v) => toBool(v),
  int: (_ctx, v, c) => toInt(v, param(c, 0, 'default', 0), param(c, 1, 'base', 10)),
  float: (_ctx, v, c) => toFloat(v, param(c, 0, 'default', 0)),
  string: (_ctx, v) => str(v),
  list: (_ctx, v) => [...toList(v)],
  dict: (_ctx, v) => {
    if (isDict(v)) return v;
    const out: Record<string, unknown> = {};
    for (const p of seq(v)) if (Array.isArray(p)) out[str(p[0])] = p[1];
    return out;
  },
  lower: (_ctx, v) => str(v).toLowerCase(),
  upper: (_ctx, v) => str(v).toUpperCase(),
  capitalize: (_ctx, v) => {
    const s = str(v);
    return s ? s[0].toUpperCase() + s.slice(1).toLowerCase() : s;
  },
  title: (_ctx, v) => str(v).replace(/[A-Za-z0-9]+/g, (w) => w[0].toUpperCase() + w.slice(1).toLowerCase()),
  trim: (_ctx, v, c) => {
    const chars = param(c, 0, 'chars', null);
    const s = str(v);
    if (chars === null) return s.trim();
    const set = new Set(String(chars));
    let a = 0;
    let b = s.length;
    while (a < b && set.has(s[a])) a++;
    while (b > a && set.has(s[b - 1])) b--;
    return s.slice(a, b);
  },
  replace: (_ctx, v, c) => {
    const s = str(v);
    const old = str(param(c, 0, 'old'));
    const nw = str(param(c, 1, 'new'));
    const count = param(c, 2, 'count', null);
    if (count === null) return s.split(old).join(nw);
    const parts = s.split(old);
    const n = Number(count);
    return parts.slice(0, n + 1).join(nw) + (parts.length > n + 1 ? old + parts.slice(n + 1).join(old) : '');
  },
  join: (ctx, v, c) => {
    const d = str(param(c, 0, 'd', ''));
    const attribute = param(c, 1, 'attribute', null);
    return seq(v)
      .map((x) => str(strict(attribute === null ? x : getAttr(ctx, x, attribute))))
      .join(d);
  },
  length: (_ctx, v) => {
    if (typeof v === 'string') return [...v].length;
    if (Array.isArray(v)) return v.length;
    if (isDict(v)) return Object.keys(v).length;
    throw new PyError(`object of type '${typeName(v)}' has no len()`);
  },
  first: (_ctx, v) => {
    const s = seq(v);
    return s.length ? s[0] : new Undef('No first item, sequence was empty.', undefined);
  },
  last: (_ctx, v) => {
    const s = seq(v);
    return s.length ? s[s.length - 1] : new Undef('No last item, sequence was empty.', undefined);
  },
  unique: (ctx, v, c) => uniqueList(ctx, v, truthy(param(c, 0, 'case_sensitive', false)), param(c, 1, 'attribute', null)),
  sort: sortList,
  reverse: (_ctx, v) => (typeof v === 'string' ? [...v].reverse().join('') : [...seq(v)].reverse()),
  min: (ctx, v, c) => minMax(ctx, v, c, -1),
  max: (ctx, v, c) => minMax(ctx, v, c, 1),
  sum: (ctx, v, c) => {
    const attribute = param(c, 0, 'attribute', null);
    let total = param(c, 1, 'start', 0);
    for (const x of seq(v)) {
      const y = strict(attribute === null ? x : getAttr(ctx, x, attribute));
      if (Array.isArray(total) && Array.isArray(y)) total = [...total, ...y];
      else if (isNumeric(y)) total = add(total, y);
      else throw new PyError(`unsupported operand type(s) for +: '${typeName(total)}' and '${typeName(y)}'`);
    }
    return total;
  },
  abs: (_ctx, v) => (isFloat(v) ? mkFloat(Math.abs(Number(v))) : Math.abs(Number(v))),
  // Jinja2's round() always returns a float.
  round: (_ctx, v, c) => mkFloat(pyRound(Number(v), Number(param(c, 0, 'precision', 0)), String(param(c, 1, 'method', 'common')))),
  map: (ctx, v, c) => {
    if (Object.prototype.hasOwnProperty.call(c.kwargs, 'attribute')) {
      const dflt = c.kwargs.default;
      return seq(v).map((x) => getAttr(ctx, x, c.kwargs.attribute, dflt));
    }
    const [name, ...rest] = c.args;
    if (name === undefined) return seq(v);
    const kw = Object.keys(c.kwargs).length ? [{ ...c.kwargs, __keywords: true }] : [];
    return seq(v).map((x) => applyFilter(ctx, String(name), x, [...rest, ...kw]));
  },
  select: (ctx, v, c) => selectOrReject(ctx, v, c, true, false),
  reject: (ctx, v, c) => selectOrReject(ctx, v, c, false, false),
  selectattr: (ctx, v, c) => selectOrReject(ctx, v, c, true, true),
  rejectattr: (ctx, v, c) => selectOrReject(ctx, v, c, false, true),
  attr: (ctx, v, c) => getAttr(ctx, v, param(c, 0, 'name')),
  items: (_ctx, v) => (isDict(v) ? Object.entries(v) : []),
  dictsort: (_ctx, v, c) => {
    if (!isDict(v)) throw new PyError('You can only sort by either "key" or "value"');
    const cs = truthy(param(c, 0, 'case_sensitive', false));
    const by = String(param(c, 1, 'by', 'key'));
    const reverse = truthy(param(c, 2, 'reverse', false));
    const i = by === 'value' ? 1 : 0;
    return Object.entries(v).sort((a, b) => cmp(sortKey(a[i], cs), sortKey(b[i], cs)) * (reverse ? -1 : 1));
  },
  batch: (_ctx, v, c) => {
    const n = Number(param(c, 0, 'linecount'));
    const fill = param(c, 1, 'fill_with', null);
    const s = seq(v);
    const out: unknown[][] = [];
    for (let i = 0; i < s.length; i += n) out.push(s.slice(i, i + n));
    if (fill !== null && out.length && out[out.length - 1].length < n) {
      const last = out[out.length - 1];
      while (last.length < n) last.push(fill);
    }
    return out;
  },
  slice: (_ctx, v, c) => {
    const s = seq(v);
    const n = Number(param(c, 0, 'slices'));
    const per = Math.floor(s.length / n);
    const extra = s.length % n;
    const out: unknown[][] = [];
    let off = 0;
    for (let i = 0; i < n; i++) {
      const len = per + (i < extra ? 1 : 0);
      out.push(s.slice(off, off + len));
      off += len;
    }
    return out;
  },
  wordcount: (_ctx, v) => (str(v).match(/\w+/g) ?? []).length,
  indent: (_ctx, v, c) => {
    const w = param(c, 0, 'width', 4);
    const pad = typeof w === 'string' ? w : ' '.repeat(Number(w));
    const first = truthy(param(c, 1, 'first', false));
    const blank = truthy(param(c, 2, 'blank', false));
    const lines = str(v).split('\n');
    return lines.map((l, i) => ((i === 0 && !first) || (!blank && l.trim() === '') ? l : pad + l)).join('\n');
  },
  format: (_ctx, v, c) => percentFormat(str(v), Object.keys(c.kwargs).length ? c.kwargs : c.args),
  center: (_ctx, v, c) => {
    const s = str(v);
    const w = Number(param(c, 0, 'width', 80));
    const total = Math.max(0, w - s.length);
    const left = Math.floor(total / 2);
    return ' '.repeat(left) + s + ' '.repeat(total - left);
  },
  truncate: (_ctx, v, c) => {
    const s = str(v);
    const len = Number(param(c, 0, 'length', 255));
    const end = str(param(c, 2, 'end', '...'));
    if (s.length <= len) return s;
    return s.slice(0, len - end.length) + end;
  },
  urlencode: (_ctx, v) => {
    if (isDict(v)) return Object.entries(v).map(([k, x]) => `${encodeURIComponent(k)}=${encodeURIComponent(str(x))}`).join('&');
    return encodeURIComponent(str(v)).replace(/%2F/g, '/');
  },
  tojson: (_ctx, v) => JSON.stringify(v).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026').replace(/'/g, '\\u0027'),
  pprint: (_ctx, v) => repr(v),
  e: (_ctx, v) => str(v),
  escape: (_ctx, v) => str(v).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&#34;').replace(/'/g, '&#39;'),
  safe: (_ctx, v) => v,
};
CORE_FILTERS.d = CORE_FILTERS.default;
CORE_FILTERS.count = CORE_FILTERS.length;
