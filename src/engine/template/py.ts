/**
 * Python value semantics for Jinja2 expressions: truth, `str()`/`repr()`, arithmetic, comparison and `in`,
 * because Ansible's Jinja2 runs on Python and hook authors rely on it (`[] ` is false, `[1] + [2]` is a list,
 * `'1' == 1` is false, lists print as `['a', 'b']`). Values are plain JSON-like JS values: null is None.
 */
import { Undef, strict } from './undefined.js';
import { LazyValue } from './types.js';

/** Every line break Python's str.splitlines() splits on (\r\n counts as one). */
const LINE_BREAK = /\r\n|[\n\r\v\f\x1c-\x1e\x85\u2028\u2029]/;

/** Python's str.splitlines(): a final line break does not start an empty last line; '' gives []. */
export function splitlines(text: string): string[] {
  const parts = text.split(LINE_BREAK);
  if (parts[parts.length - 1] === '') parts.pop();
  return parts;
}

/** A Python-level error raised inside a template (TypeError, ValueError...); the templar reports its message. */
export class PyError extends Error {
  lineno = 1;
  constructor(message: string) {
    super(message);
    this.name = 'PyError';
  }
}

export type Dict = Record<string, unknown>;

/**
 * A Python float whose value is integral (7.0). JS numbers cannot tell 7.0 from 7, and Python prints them
 * differently ("7.0"), so float results with an integral value are boxed while a template renders; non-integral
 * floats are plain numbers. Values leaving the templar are unboxed (plain JSON numbers).
 */
export class PyFloat {
  constructor(readonly value: number) {}
  valueOf(): number {
    return this.value;
  }
  toJSON(): number {
    return this.value;
  }
  toString(): string {
    return reprFloat(this.value);
  }
}

/** A float result: boxed when integral. */
export function mkFloat(n: number): number | PyFloat {
  return Number.isInteger(n) ? new PyFloat(n) : n;
}

export function isFloat(v: unknown): boolean {
  return v instanceof PyFloat || (typeof v === 'number' && !Number.isInteger(v));
}

/** Unbox PyFloats inside a value (copy-on-write), for values leaving the templar or going to libraries. */
export function unboxFloats(v: unknown): unknown {
  if (v instanceof PyFloat) return v.value;
  if (Array.isArray(v)) {
    let out: unknown[] | undefined;
    v.forEach((x, i) => {
      const r = unboxFloats(x);
      if (r !== x) (out ??= v.slice())[i] = r;
    });
    return out ?? v;
  }
  if (isDict(v)) {
    let out: Dict | undefined;
    for (const k of Object.keys(v)) {
      const r = unboxFloats(v[k]);
      if (r !== v[k]) (out ??= { ...v })[k] = r;
    }
    return out ?? v;
  }
  return v;
}

function reprFloat(n: number): string {
  if (!Number.isFinite(n)) return reprNumber(n);
  if (Number.isInteger(n) && Math.abs(n) < 1e16) return `${n}.0`;
  return reprNumber(n);
}

export function isDict(v: unknown): v is Dict {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  if (v instanceof Undef || v instanceof LazyValue) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

export function typeName(v: unknown): string {
  if (v === null || v === undefined) return 'NoneType';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  if (v instanceof PyFloat) return 'float';
  if (typeof v === 'string') return 'str';
  if (Array.isArray(v)) return 'list';
  if (v instanceof Undef) return 'AnsibleUndefined';
  if (typeof v === 'function') return 'function';
  return 'dict';
}

/** Jinja2 (Python) truth. An undefined value raises, like Ansible's StrictUndefined. */
export function truthy(v: unknown): boolean {
  if (v === null || v === undefined) return false;
  switch (typeof v) {
    case 'boolean':
      return v;
    case 'number':
      return v !== 0 && !Number.isNaN(v);
    case 'string':
      return v.length > 0;
    case 'object':
      if (Array.isArray(v)) return v.length > 0;
      if (v instanceof Undef) return v.fail();
      if (v instanceof PyFloat) return v.value !== 0;
      return Object.keys(v).length > 0;
    default:
      return true;
  }
}

function reprNumber(n: number): string {
  if (Number.isNaN(n)) return 'nan';
  if (n === Infinity) return 'inf';
  if (n === -Infinity) return '-inf';
  // Python writes exponents with at least two digits (1e-07).
  return String(n).replace(/e([+-])(\d)$/, 'e$10$2');
}

export function reprString(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    if (ch === '\\') out += '\\\\';
    else if (ch === quote) out += `\\${quote}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return out + quote;
}

/** Python `repr()` of a JSON-like value (`['a', 1, True, None]`, `{'a': 1}`). */
export function repr(v: unknown): string {
  if (v === null || v === undefined) return 'None';
  switch (typeof v) {
    case 'boolean':
      return v ? 'True' : 'False';
    case 'number':
      return reprNumber(v);
    case 'string':
      return reprString(v);
    case 'object': {
      if (v instanceof Undef) return v.fail();
      if (v instanceof LazyValue) return repr(v.raw);
      if (v instanceof PyFloat) return reprFloat(v.value);
      if (Array.isArray(v)) return `[${v.map(repr).join(', ')}]`;
      const parts = Object.entries(v).map(([k, x]) => `${reprString(k)}: ${repr(x)}`);
      return `{${parts.join(', ')}}`;
    }
    default:
      return String(v);
  }
}

/** Python `str()`: what `{{ x }}` prints inside a larger string. */
export function str(v: unknown): string {
  if (typeof v === 'string') return v;
  return repr(v);
}

function num(v: unknown, op: string, other: unknown): number {
  if (typeof v === 'number') return v;
  if (v instanceof PyFloat) return v.value;
  if (typeof v === 'boolean') return v ? 1 : 0;
  throw new PyError(`unsupported operand type(s) for ${op}: '${typeName(v)}' and '${typeName(other)}'`);
}

export function isNumeric(v: unknown): boolean {
  return typeof v === 'number' || typeof v === 'boolean' || v instanceof PyFloat;
}

function bothNumeric(a: unknown, b: unknown): boolean {
  return isNumeric(a) && isNumeric(b);
}

/** Python numeric result: float when an operand is a float. */
function numResult(n: number, a: unknown, b: unknown): number | PyFloat {
  return isFloat(a) || isFloat(b) ? mkFloat(n) : n;
}

export function add(a: unknown, b: unknown): unknown {
  strict(a);
  strict(b);
  if (typeof a === 'string' && typeof b === 'string') return a + b;
  if (Array.isArray(a) && Array.isArray(b)) return [...a, ...b];
  if (bothNumeric(a, b)) return numResult(num(a, '+', b) + num(b, '+', a), a, b);
  if (typeof a === 'string' || typeof b === 'string') {
    throw new PyError(`can only concatenate ${typeName(a)} (not "${typeName(b)}") to ${typeName(a)}`);
  }
  throw new PyError(`unsupported operand type(s) for +: '${typeName(a)}' and '${typeName(b)}'`);
}

export function sub(a: unknown, b: unknown): number | PyFloat {
  strict(a);
  strict(b);
  return numResult(num(a, '-', b) - num(b, '-', a), a, b);
}

export function mul(a: unknown, b: unknown): unknown {
  strict(a);
  strict(b);
  if (typeof a === 'string' && (typeof b === 'number' || typeof b === 'boolean')) return a.repeat(Math.max(0, Number(b)));
  if (typeof b === 'string' && (typeof a === 'number' || typeof a === 'boolean')) return b.repeat(Math.max(0, Number(a)));
  if (Array.isArray(a) && typeof b === 'number') return Array.from({ length: Math.max(0, b) }, () => a).flat();
  return numResult(num(a, '*', b) * num(b, '*', a), a, b);
}

export function div(a: unknown, b: unknown): number | PyFloat {
  const d = num(strict(b), '/', a);
  if (d === 0) throw new PyError('division by zero');
  return mkFloat(num(strict(a), '/', b) / d);
}

export function floorDiv(a: unknown, b: unknown): number | PyFloat {
  const d = num(strict(b), '//', a);
  if (d === 0) throw new PyError('integer division or modulo by zero');
  return numResult(Math.floor(num(strict(a), '//', b) / d), a, b);
}

export function mod(a: unknown, b: unknown): unknown {
  strict(a);
  strict(b);
  if (typeof a === 'string') return percentFormat(a, b);
  const d = num(b, '%', a);
  if (d === 0) throw new PyError('integer division or modulo by zero');
  const n = num(a, '%', b);
  // Python's modulo takes the sign of the divisor.
  return numResult(((n % d) + d) % d, a, b);
}

export function pow(a: unknown, b: unknown): number | PyFloat {
  const e = num(strict(b), '**', a);
  return numResult(num(strict(a), '**', b) ** e, a, e < 0 ? 0.5 : b);
}

export function neg(a: unknown): number | PyFloat {
  return numResult(-num(strict(a), 'unary -', a), a, 0);
}

/** printf-style `'%s-%d' % (a, b)`. */
export function percentFormat(fmt: string, args: unknown): string {
  const list = Array.isArray(args) ? args : [args];
  let i = 0;
  const named = isDict(args) ? args : undefined;
  return fmt.replace(/%(\(([^)]+)\))?([-+ 0#]*)(\d+|\*)?(?:\.(\d+))?([sdifrxXoeEgGc%])/g, (_m, _n, key: string | undefined, flags: string, width: string | undefined, prec: string | undefined, conv: string) => {
    if (conv === '%') return '%';
    const v = key !== undefined && named ? named[key] : list[i++];
    let s: string;
    switch (conv) {
      case 's':
        s = str(v);
        break;
      case 'r':
        s = repr(v);
        break;
      case 'd':
      case 'i':
        s = String(Math.trunc(num(v, '%d', v)));
        break;
      case 'f':
        s = num(v, '%f', v).toFixed(prec === undefined ? 6 : Number(prec));
        break;
      case 'x':
        s = Math.trunc(num(v, '%x', v)).toString(16);
        break;
      case 'X':
        s = Math.trunc(num(v, '%X', v)).toString(16).toUpperCase();
        break;
      case 'o':
        s = Math.trunc(num(v, '%o', v)).toString(8);
        break;
      case 'e':
      case 'E':
        s = num(v, '%e', v).toExponential(prec === undefined ? 6 : Number(prec)).replace(/e([+-])(\d)$/, 'e$10$2');
        if (conv === 'E') s = s.toUpperCase();
        break;
      case 'c':
        s = typeof v === 'number' ? String.fromCodePoint(v) : str(v);
        break;
      default:
        s = String(num(v, '%g', v));
    }
    if (prec !== undefined && conv === 's') s = s.slice(0, Number(prec));
    const w = width && width !== '*' ? Number(width) : 0;
    if (s.length < w) {
      if (flags.includes('-')) s = s.padEnd(w);
      else if (flags.includes('0') && conv !== 's') s = s.startsWith('-') ? '-' + s.slice(1).padStart(w - 1, '0') : s.padStart(w, '0');
      else s = s.padStart(w);
    }
    return s;
  });
}

/** Python `==`: structural, `1 == 1.0 == True`, `'1' != 1`. */
export function eq(a: unknown, b: unknown): boolean {
  strict(a);
  strict(b);
  if (a === b) return true;
  if (a === null || a === undefined || b === null || b === undefined) return (a ?? null) === (b ?? null);
  if (bothNumeric(a, b)) return Number(a) === Number(b);
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => eq(x, b[i]));
  if (isDict(a) && isDict(b)) {
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && eq(a[k], b[k]));
  }
  return false;
}

/** Python ordering (`<`): numbers with numbers, strings with strings, lists lexicographically. */
export function lt(a: unknown, b: unknown, op = '<'): boolean {
  strict(a);
  strict(b);
  if (bothNumeric(a, b)) return Number(a) < Number(b);
  if (typeof a === 'string' && typeof b === 'string') return a < b;
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      if (!eq(a[i], b[i])) return lt(a[i], b[i], op);
    }
    return a.length < b.length;
  }
  throw new PyError(`'${op}' not supported between instances of '${typeName(a)}' and '${typeName(b)}'`);
}

/** Python three-way comparison for sorting. */
export function cmp(a: unknown, b: unknown): number {
  if (eq(a, b)) return 0;
  return lt(a, b) ? -1 : 1;
}

export function compare(a: unknown, op: string, b: unknown): boolean {
  switch (op) {
    case '==':
      return eq(a, b);
    case '!=':
      return !eq(a, b);
    case '<':
      return lt(a, b, op);
    case '>':
      return lt(b, a, op);
    case '<=':
      return !lt(b, a, op);
    case '>=':
      return !lt(a, b, op);
    default:
      throw new PyError(`unknown comparison ${op}`);
  }
}

/** Python `a in b`. */
export function contains(b: unknown, a: unknown): boolean {
  strict(a);
  strict(b);
  if (typeof b === 'string') {
    if (typeof a !== 'string') throw new PyError(`'in <string>' requires string as left operand, not ${typeName(a)}`);
    return b.includes(a);
  }
  if (Array.isArray(b)) return b.some((x) => eq(x, a));
  if (isDict(b)) return typeof a === 'string' || typeof a === 'number' ? Object.prototype.hasOwnProperty.call(b, String(a)) : false;
  throw new PyError(`argument of type '${typeName(b)}' is not iterable`);
}

/** What `for x in v` iterates: list items, dict keys, string characters. */
export function iterate(v: unknown): unknown[] {
  strict(v);
  if (Array.isArray(v)) return v;
  if (typeof v === 'string') return [...v];
  if (isDict(v)) return Object.keys(v);
  if (v === null || v === undefined) throw new PyError("'NoneType' object is not iterable");
  if (typeof v === 'object' && Symbol.iterator in v) return [...(v as Iterable<unknown>)];
  throw new PyError(`'${typeName(v)}' object is not iterable`);
}

/** Python slicing `x[a:b:c]` on strings and lists. */
export function slice(v: unknown, start: unknown, stop: unknown, step: unknown): unknown {
  strict(v);
  const seq: unknown[] | string = typeof v === 'string' ? v : Array.isArray(v) ? v : iterate(v);
  const len = seq.length;
  const st = step === null || step === undefined ? 1 : Number(step);
  if (st === 0) throw new PyError('slice step cannot be zero');
  const norm = (x: unknown, dflt: number, lo: number, hi: number): number => {
    if (x === null || x === undefined) return dflt;
    let n = Math.trunc(Number(strict(x)));
    if (n < 0) n += len;
    return Math.min(Math.max(n, lo), hi);
  };
  const idx: number[] = [];
  if (st > 0) {
    const a = norm(start, 0, 0, len);
    const b = norm(stop, len, 0, len);
    for (let i = a; i < b; i += st) idx.push(i);
  } else {
    const a = norm(start, len - 1, -1, len - 1);
    const b = norm(stop, -1, -1, len - 1);
    for (let i = a; i > b; i += st) idx.push(i);
  }
  if (typeof seq === 'string') {
    const chars = [...seq];
    return idx.map((i) => chars[i]).join('');
  }
  return idx.map((i) => seq[i]);
}
