/**
 * Python methods on str/dict/list that Ansible hooks call (`x.split(',')`, `d.items()`, `l.append(x)`).
 * `methodOf` returns a bound function or undefined when the value has no such method.
 */
import { PyError, eq, isDict, repr, splitlines, str, typeName } from './py.js';
import { param, splitArgs } from './kwargs.js';
import { strict } from './undefined.js';

type Method = (self: never, ...args: unknown[]) => unknown;

function s(v: unknown): string {
  const x = strict(v);
  if (typeof x !== 'string') throw new PyError(`expected str, got ${typeName(x)}`);
  return x;
}

function stripChars(chars: unknown): string | undefined {
  return chars === null || chars === undefined ? undefined : s(chars);
}

function escapeRe(x: string): string {
  return x.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function pySplit(self: string, sep: unknown, maxsplit: number, fromRight: boolean): string[] {
  if (sep === null || sep === undefined) {
    const words = self.trim().split(/\s+/).filter((w) => w !== '');
    if (maxsplit < 0 || words.length <= maxsplit + 1) return words;
    if (fromRight) {
      const keep = words.slice(words.length - maxsplit);
      const head = self.trim().replace(new RegExp(`\\s+${keep.map(escapeRe).join('\\s+')}$`), '');
      return [head, ...keep];
    }
    const out: string[] = [];
    let rest = self.trimStart();
    for (let i = 0; i < maxsplit; i++) {
      const m = /^(\S+)\s+/.exec(rest);
      if (!m) break;
      out.push(m[1]);
      rest = rest.slice(m[0].length);
    }
    out.push(rest);
    return out;
  }
  const sp = s(sep);
  if (sp === '') throw new PyError('empty separator');
  const parts = self.split(sp);
  if (maxsplit < 0 || parts.length <= maxsplit + 1) return parts;
  if (fromRight) return [parts.slice(0, parts.length - maxsplit).join(sp), ...parts.slice(parts.length - maxsplit)];
  return [...parts.slice(0, maxsplit), parts.slice(maxsplit).join(sp)];
}

function affix(self: string, x: unknown, test: (s: string, a: string) => boolean): boolean {
  const v = strict(x);
  if (Array.isArray(v)) return v.some((a) => test(self, s(a)));
  return test(self, s(v));
}

/** `'{} {name}'.format(a, name=b)` — positional, numbered and named fields, `{:>5}`-style specs are ignored. */
export function pyFormat(fmt: string, args: unknown[], kwargs: Record<string, unknown>): string {
  let auto = 0;
  return fmt.replace(/\{\{|\}\}|\{([^{}:!]*)(?:![rs])?(?::[^{}]*)?\}/g, (m, field: string | undefined) => {
    if (m === '{{') return '{';
    if (m === '}}') return '}';
    const f = field ?? '';
    if (f === '') return str(args[auto++]);
    if (/^\d+$/.test(f)) return str(args[Number(f)]);
    const [head, ...path] = f.split('.');
    let v: unknown = kwargs[head];
    for (const p of path) v = isDict(v) ? v[p] : undefined;
    return str(v);
  });
}

const STR: Record<string, Method> = {
  split: (self: string, ...a: unknown[]) => {
    const c = splitArgs(a);
    return pySplit(self, param(c, 0, 'sep'), Number(param(c, 1, 'maxsplit', -1)), false);
  },
  rsplit: (self: string, ...a: unknown[]) => {
    const c = splitArgs(a);
    return pySplit(self, param(c, 0, 'sep'), Number(param(c, 1, 'maxsplit', -1)), true);
  },
  splitlines: (self: string) => splitlines(self),
  startswith: (self: string, p: unknown) => affix(self, p, (x, a) => x.startsWith(a)),
  endswith: (self: string, p: unknown) => affix(self, p, (x, a) => x.endsWith(a)),
  replace: (self: string, old: unknown, nw: unknown, count?: unknown) => {
    const n = count === undefined || count === null ? -1 : Number(count);
    if (n < 0) return self.split(s(old)).join(s(nw));
    const parts = self.split(s(old));
    return parts.slice(0, n + 1).join(s(nw)) + (parts.length > n + 1 ? s(old) + parts.slice(n + 1).join(s(old)) : '');
  },
  strip: (self: string, chars?: unknown) => {
    const c = stripChars(chars);
    if (c === undefined) return self.trim();
    const cls = `[${escapeRe(c)}]*`;
    return self.replace(new RegExp(`^${cls}`), '').replace(new RegExp(`${cls}$`), '');
  },
  lstrip: (self: string, chars?: unknown) => {
    const c = stripChars(chars);
    return c === undefined ? self.trimStart() : self.replace(new RegExp(`^[${escapeRe(c)}]*`), '');
  },
  rstrip: (self: string, chars?: unknown) => {
    const c = stripChars(chars);
    return c === undefined ? self.trimEnd() : self.replace(new RegExp(`[${escapeRe(c)}]*$`), '');
  },
  lower: (self: string) => self.toLowerCase(),
  upper: (self: string) => self.toUpperCase(),
  title: (self: string) => self.replace(/[A-Za-z]+/g, (w) => w[0].toUpperCase() + w.slice(1).toLowerCase()),
  capitalize: (self: string) => (self ? self[0].toUpperCase() + self.slice(1).toLowerCase() : self),
  format: (self: string, ...a: unknown[]) => {
    const c = splitArgs(a);
    return pyFormat(self, c.args, c.kwargs);
  },
  join: (self: string, items: unknown) => {
    const v = strict(items);
    if (!Array.isArray(v)) throw new PyError('can only join an iterable');
    return v.map((x) => s(x)).join(self);
  },
  find: (self: string, sub: unknown) => self.indexOf(s(sub)),
  rfind: (self: string, sub: unknown) => self.lastIndexOf(s(sub)),
  index: (self: string, sub: unknown) => {
    const i = self.indexOf(s(sub));
    if (i < 0) throw new PyError('substring not found');
    return i;
  },
  count: (self: string, sub: unknown) => self.split(s(sub)).length - 1,
  isdigit: (self: string) => /^\d+$/.test(self),
  isnumeric: (self: string) => /^\d+$/.test(self),
  isalpha: (self: string) => /^[A-Za-z]+$/.test(self),
  isalnum: (self: string) => /^[A-Za-z0-9]+$/.test(self),
  isspace: (self: string) => /^\s+$/.test(self),
  islower: (self: string) => /[a-z]/.test(self) && self === self.toLowerCase(),
  isupper: (self: string) => /[A-Z]/.test(self) && self === self.toUpperCase(),
  zfill: (self: string, w: unknown) => (self.startsWith('-') ? '-' + self.slice(1).padStart(Number(w) - 1, '0') : self.padStart(Number(w), '0')),
  ljust: (self: string, w: unknown, f?: unknown) => self.padEnd(Number(w), f === undefined ? ' ' : s(f)),
  rjust: (self: string, w: unknown, f?: unknown) => self.padStart(Number(w), f === undefined ? ' ' : s(f)),
  center: (self: string, w: unknown) => {
    const total = Math.max(0, Number(w) - self.length);
    const left = Math.floor(total / 2) + (total % 2 && Number(w) % 2 ? 1 : 0);
    return ' '.repeat(left) + self + ' '.repeat(total - left);
  },
  partition: (self: string, sep: unknown) => {
    const i = self.indexOf(s(sep));
    return i < 0 ? [self, '', ''] : [self.slice(0, i), s(sep), self.slice(i + s(sep).length)];
  },
  rpartition: (self: string, sep: unknown) => {
    const i = self.lastIndexOf(s(sep));
    return i < 0 ? ['', '', self] : [self.slice(0, i), s(sep), self.slice(i + s(sep).length)];
  },
  removeprefix: (self: string, p: unknown) => (self.startsWith(s(p)) ? self.slice(s(p).length) : self),
  removesuffix: (self: string, p: unknown) => (s(p) && self.endsWith(s(p)) ? self.slice(0, -s(p).length) : self),
  encode: (self: string) => self,
  decode: (self: string) => self,
  __repr__: (self: string) => repr(self),
};

const DICT: Record<string, Method> = {
  get: (self: Record<string, unknown>, k: unknown, d: unknown = null) =>
    Object.prototype.hasOwnProperty.call(self, String(strict(k))) ? self[String(k)] : d,
  keys: (self: Record<string, unknown>) => Object.keys(self),
  values: (self: Record<string, unknown>) => Object.values(self),
  items: (self: Record<string, unknown>) => Object.entries(self),
  copy: (self: Record<string, unknown>) => ({ ...self }),
  update: (self: Record<string, unknown>, other: unknown) => {
    const o = strict(other);
    if (isDict(o)) Object.assign(self, o);
    return null;
  },
  pop: (self: Record<string, unknown>, k: unknown, d?: unknown) => {
    const key = String(strict(k));
    if (!Object.prototype.hasOwnProperty.call(self, key)) {
      if (d === undefined) throw new PyError(`KeyError: ${repr(key)}`);
      return d;
    }
    const v = self[key];
    delete self[key];
    return v;
  },
  setdefault: (self: Record<string, unknown>, k: unknown, d: unknown = null) => {
    const key = String(strict(k));
    if (!Object.prototype.hasOwnProperty.call(self, key)) self[key] = d;
    return self[key];
  },
};

const LIST: Record<string, Method> = {
  append: (self: unknown[], x: unknown) => {
    self.push(x);
    return null;
  },
  extend: (self: unknown[], x: unknown) => {
    const v = strict(x);
    if (Array.isArray(v)) self.push(...(v as unknown[]));
    return null;
  },
  insert: (self: unknown[], i: unknown, x: unknown) => {
    self.splice(Number(i), 0, x);
    return null;
  },
  pop: (self: unknown[], i?: unknown) => {
    if (self.length === 0) throw new PyError('pop from empty list');
    const idx = i === undefined ? self.length - 1 : Number(i) < 0 ? self.length + Number(i) : Number(i);
    return self.splice(idx, 1)[0];
  },
  remove: (self: unknown[], x: unknown) => {
    const i = self.findIndex((y) => eq(y, x));
    if (i < 0) throw new PyError('list.remove(x): x not in list');
    self.splice(i, 1);
    return null;
  },
  index: (self: unknown[], x: unknown) => {
    const i = self.findIndex((y) => eq(y, x));
    if (i < 0) throw new PyError(`${repr(x)} is not in list`);
    return i;
  },
  count: (self: unknown[], x: unknown) => self.filter((y) => eq(y, x)).length,
  copy: (self: unknown[]) => [...self],
  reverse: (self: unknown[]) => {
    self.reverse();
    return null;
  },
};

/** The method `name` of `self` bound to it, or undefined. */
export function methodOf(self: unknown, name: string): ((...args: unknown[]) => unknown) | undefined {
  let table: Record<string, Method> | undefined;
  if (typeof self === 'string') table = STR;
  else if (Array.isArray(self)) table = LIST;
  else if (isDict(self)) table = DICT;
  const m = table && Object.prototype.hasOwnProperty.call(table, name) ? table[name] : undefined;
  if (!m) return undefined;
  return (...args: unknown[]) => (m as (self: unknown, ...a: unknown[]) => unknown)(self, ...args);
}
