/** Type conversion filters: bool, int, float, string, list. */
import { PyError, PyFloat, isDict, mkFloat, str } from '../py.js';

/** Ansible's `bool` filter: None and booleans pass through; 'yes/on/1/true' (any case) and 1 are true. */
export function toBool(v0: unknown, _strict = false): unknown {
  const v = v0 instanceof PyFloat ? v0.value : v0;
  if (v === null || v === undefined || typeof v === 'boolean') return v ?? null;
  const x = typeof v === 'string' ? v.toLowerCase() : v;
  return x === 'yes' || x === 'on' || x === '1' || x === 'true' || x === 1;
}

function pyIntString(s: string, base: number): number | undefined {
  let t = s.trim().replace(/_/g, '');
  let sign = 1;
  if (t.startsWith('-') || t.startsWith('+')) {
    if (t.startsWith('-')) sign = -1;
    t = t.slice(1);
  }
  let b = base;
  const prefixed = /^0([xob])/i.exec(t);
  if (prefixed && (b === 0 || b === { x: 16, o: 8, b: 2 }[prefixed[1].toLowerCase()])) {
    b = { x: 16, o: 8, b: 2 }[prefixed[1].toLowerCase() as 'x' | 'o' | 'b'];
    t = t.slice(2);
  }
  if (b === 0) b = 10;
  const digits = '0123456789abcdefghijklmnopqrstuvwxyz'.slice(0, b);
  if (!t || ![...t.toLowerCase()].every((c) => digits.includes(c))) return undefined;
  return sign * parseInt(t, b);
}

/** Jinja2 `int(default=0, base=10)`: strings like '42', '0x1f' (base 16), '3.7' → 3; anything else → default. */
export function toInt(v0: unknown, dflt: unknown = 0, base: unknown = 10): unknown {
  const v = v0 instanceof PyFloat ? v0.value : v0;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'number') return Number.isFinite(v) ? Math.trunc(v) : dflt;
  if (typeof v === 'string') {
    const n = pyIntString(v, Number(base));
    if (n !== undefined) return n;
    const f = toFloatOrUndefined(v);
    return f === undefined || !Number.isFinite(f) ? dflt : Math.trunc(f);
  }
  return dflt;
}

function toFloatOrUndefined(s: string): number | undefined {
  const t = s.trim().replace(/_/g, '');
  if (/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(t)) return Number(t);
  if (/^[-+]?(inf|infinity)$/i.test(t)) return t.startsWith('-') ? -Infinity : Infinity;
  if (/^[-+]?nan$/i.test(t)) return NaN;
  return undefined;
}

/** Jinja2 `float(default=0.0)`: the result is a Python float (7.0 prints as "7.0"). */
export function toFloat(v: unknown, dflt: unknown = 0): unknown {
  let n: number | undefined;
  if (typeof v === 'boolean') n = v ? 1 : 0;
  else if (typeof v === 'number') n = v;
  else if (v instanceof PyFloat) return v;
  else if (typeof v === 'string') n = toFloatOrUndefined(v);
  if (n === undefined) return typeof dflt === 'number' ? mkFloat(dflt) : dflt;
  return mkFloat(n);
}

export function toList(v: unknown): unknown[] {
  if (Array.isArray(v)) return v;
  if (typeof v === 'string') return [...v];
  if (isDict(v)) return Object.keys(v);
  if (v === null || v === undefined) throw new PyError("'NoneType' object is not iterable");
  throw new PyError(`'${typeof v}' object is not iterable`);
}

export { str as toStr };
