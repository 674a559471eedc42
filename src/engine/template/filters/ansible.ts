/** Ansible's own filters (ansible.builtin core/mathstuff/urlsplit, the ipaddr basics of ansible.utils). */
import { homedir } from 'node:os';
import { basename, extname, join, resolve } from 'node:path';
import { realpathSync } from 'node:fs';
import type { FilterFn, RenderContext } from '../context.js';
import { PyError, cmp, eq, isDict, mkFloat, str, truthy, typeName, type Dict } from '../py.js';
import { getAttr as attrOf } from './core.js';
import { param } from '../kwargs.js';
import { Undef, strict } from '../undefined.js';
import { expandReplacement, pyRegExp, reFlags } from '../regex.js';
import { toList } from './convert.js';
import { memberLookup } from '../runtime.js';
import { strftime } from '../globals.js';
import { IP_FILTERS } from './ip.js';

function seq(v: unknown): unknown[] {
  return toList(strict(v));
}

function flatten(v: unknown[], levels: number | null, skipNulls: boolean): unknown[] {
  const out: unknown[] = [];
  for (const x of v) {
    if (skipNulls && (x === null || x === 'None')) continue;
    if (Array.isArray(x) && (levels === null || levels > 0)) out.push(...flatten(x, levels === null ? null : levels - 1, skipNulls));
    else out.push(x);
  }
  return out;
}

type ListMerge = 'replace' | 'keep' | 'append' | 'prepend' | 'append_rp' | 'prepend_rp';

/** ansible.utils.vars.merge_hash. */
export function mergeHash(x: Dict, y: Dict, recursive: boolean, listMerge: ListMerge): Dict {
  if (Object.keys(x).length === 0 || eq(x, y)) return { ...y };
  const out: Dict = { ...x };
  if (!recursive && listMerge === 'replace') return Object.assign(out, y);
  for (const [k, yv] of Object.entries(y)) {
    if (!(k in out)) {
      out[k] = yv;
      continue;
    }
    const xv = out[k];
    if (isDict(xv) && isDict(yv)) {
      out[k] = recursive ? mergeHash(xv, yv, recursive, listMerge) : yv;
    } else if (Array.isArray(xv) && Array.isArray(yv)) {
      const notIn = (a: unknown[], b: unknown[]): unknown[] => a.filter((z) => !b.some((w) => eq(z, w)));
      if (listMerge === 'replace') out[k] = yv;
      else if (listMerge === 'append') out[k] = [...xv, ...yv];
      else if (listMerge === 'prepend') out[k] = [...yv, ...xv];
      else if (listMerge === 'append_rp') out[k] = [...notIn(xv, yv), ...yv];
      else if (listMerge === 'prepend_rp') out[k] = [...yv, ...notIn(xv, yv)];
    } else {
      out[k] = yv;
    }
  }
  return out;
}

function uniq(v: unknown[]): unknown[] {
  const out: unknown[] = [];
  for (const x of v) if (!out.some((y) => eq(x, y))) out.push(x);
  return out;
}

/** Python shlex.quote. */
export function shellQuote(s: string): string {
  if (s === '') return "''";
  if (/^[\w@%+=:,./-]+$/.test(s)) return s;
  return `'${s.replace(/'/g, `'"'"'`)}'`;
}

function regexSearch(_ctx: RenderContext, v: unknown, c: { args: unknown[]; kwargs: Record<string, unknown> }): unknown {
  const [regex, ...groups] = c.args;
  const re = pyRegExp(str(regex), reFlags(c.kwargs));
  const m = re.exec(str(v));
  if (!m) return null;
  if (groups.length === 0) return m[0];
  return groups.map((g) => {
    const s = str(g);
    const named = /^\\g<(\S+)>$/.exec(s);
    if (named) return /^\d+$/.test(named[1]) ? (m[Number(named[1])] ?? null) : (m.groups?.[named[1]] ?? null);
    const num = /^\\(\d+)$/.exec(s);
    if (num) return m[Number(num[1])] ?? null;
    throw new PyError('Unknown argument');
  });
}

function urlsplit(v: unknown, query: unknown): unknown {
  const s = str(v);
  const m = /^(?:([A-Za-z][A-Za-z0-9+.-]*):)?(?:\/\/([^/?#]*))?([^?#]*)(?:\?([^#]*))?(?:#(.*))?$/.exec(s);
  if (!m) throw new PyError(`unable to parse URL ${s}`);
  const netloc = m[2] ?? '';
  const at = netloc.lastIndexOf('@');
  const userinfo = at >= 0 ? netloc.slice(0, at) : '';
  const hostport = at >= 0 ? netloc.slice(at + 1) : netloc;
  const hp = /^(\[[^\]]*\]|[^:]*)(?::(\d*))?$/.exec(hostport);
  const host = hp ? hp[1].replace(/^\[|\]$/g, '') : hostport;
  const parts: Dict = {
    fragment: m[5] ?? '',
    hostname: host ? host.toLowerCase() : null,
    netloc,
    password: userinfo.includes(':') ? userinfo.slice(userinfo.indexOf(':') + 1) : null,
    path: m[3] ?? '',
    port: hp?.[2] ? Number(hp[2]) : null,
    query: m[4] ?? '',
    scheme: (m[1] ?? '').toLowerCase(),
    username: userinfo ? userinfo.split(':')[0] : null,
  };
  if (query === null || query === undefined || query === '') return parts;
  if (!(String(query) in parts)) throw new PyError(`urlsplit: unknown URL component: ${String(query)}`);
  return parts[String(query)];
}

export const ANSIBLE_FILTERS: Record<string, FilterFn> = {
  regex_search: regexSearch,
  regex_replace: (_ctx, v, c) => {
    const re = pyRegExp(str(param(c, 0, 'pattern', '')), reFlags(c.kwargs) + 'g');
    const repl = str(param(c, 1, 'replacement', ''));
    const count = Number(c.kwargs.count ?? 0);
    let n = 0;
    return str(v).replace(re, (...m: unknown[]) => {
      if (count > 0 && n >= count) return String(m[0]);
      n++;
      const last = m[m.length - 1];
      const groups = typeof last === 'object' && last !== null ? (last as Record<string, string | undefined>) : undefined;
      const nGroups = m.length - (groups ? 3 : 2);
      const arr = m.slice(0, nGroups).map((x) => (x === undefined ? '' : String(x)));
      return expandReplacement(repl, arr, groups);
    });
  },
  regex_findall: (_ctx, v, c) => {
    const re = pyRegExp(str(param(c, 0, 'regex')), reFlags(c.kwargs) + 'g');
    const out: unknown[] = [];
    for (const m of str(v).matchAll(re)) {
      if (m.length === 1) out.push(m[0]);
      else if (m.length === 2) out.push(m[1] ?? '');
      else out.push(m.slice(1).map((x) => x ?? ''));
    }
    return out;
  },
  regex_escape: (_ctx, v) => str(v).replace(/[()[\]{}?*+\-|^$\\.&~# \t\n\r\v\f]/g, (ch) => ({ '\t': '\\t', '\n': '\\n', '\r': '\\r', '\v': '\\v', '\f': '\\f' })[ch] ?? `\\${ch}`),
  split: (_ctx, v, c) => {
    const sep = param(c, 0, 'seperator', param(c, 0, 'separator', null));
    const max = Number(param(c, 1, 'maxsplit', -1));
    const s = str(v);
    if (sep === null) {
      const words = s.trim().split(/\s+/).filter(Boolean);
      return max < 0 || words.length <= max + 1 ? words : [...words.slice(0, max), words.slice(max).join(' ')];
    }
    const parts = s.split(str(sep));
    return max < 0 || parts.length <= max + 1 ? parts : [...parts.slice(0, max), parts.slice(max).join(str(sep))];
  },
  flatten: (_ctx, v, c) => {
    const levels = param(c, 0, 'levels', null);
    return flatten(seq(v), levels === null ? null : Number(levels), param(c, 1, 'skip_nulls', true) !== false);
  },
  combine: (_ctx, v, c) => {
    const recursive = truthy(c.kwargs.recursive ?? false);
    const listMerge = String(c.kwargs.list_merge ?? 'replace') as ListMerge;
    if (!['replace', 'keep', 'append', 'prepend', 'append_rp', 'prepend_rp'].includes(listMerge)) throw new PyError(`'${listMerge}' is not a valid list_merge value`);
    const dicts = flatten([v, ...c.args], null, false);
    let out: Dict = {};
    for (const d of dicts) {
      if (!isDict(d)) throw new PyError(`combine expects dictionaries, got ${str(d)}`);
      out = mergeHash(out, d, recursive, listMerge);
    }
    return out;
  },
  dict2items: (_ctx, v, c) => {
    if (!isDict(v)) throw new PyError(`dict2items requires a dictionary, got ${typeName(v)} instead.`);
    const kn = String(param(c, 0, 'key_name', 'key'));
    const vn = String(param(c, 1, 'value_name', 'value'));
    return Object.entries(v).map(([k, x]) => ({ [kn]: k, [vn]: x }));
  },
  items2dict: (_ctx, v, c) => {
    const kn = String(param(c, 0, 'key_name', 'key'));
    const vn = String(param(c, 1, 'value_name', 'value'));
    const out: Dict = {};
    for (const it of seq(v)) {
      if (!isDict(it)) throw new PyError(`items2dict requires a list of dictionaries, got ${typeName(it)}`);
      if (!(kn in it) || !(vn in it)) throw new PyError(`items2dict requires each dictionary to have '${kn}' and '${vn}' keys`);
      out[str(it[kn])] = it[vn];
    }
    return out;
  },
  zip: (_ctx, v, c) => {
    const lists = [seq(v), ...c.args.map(seq)];
    const n = Math.min(...lists.map((l) => l.length));
    return Array.from({ length: n }, (_x, i) => lists.map((l) => l[i]));
  },
  zip_longest: (_ctx, v, c) => {
    const lists = [seq(v), ...c.args.map(seq)];
    const fill = c.kwargs.fillvalue ?? null;
    const n = Math.max(...lists.map((l) => l.length));
    return Array.from({ length: n }, (_x, i) => lists.map((l) => (i < l.length ? l[i] : fill)));
  },
  product: (_ctx, v, c) => {
    const lists = [seq(v), ...c.args.map(seq)];
    return lists.reduce<unknown[][]>((acc, l) => acc.flatMap((a) => l.map((x) => [...a, x])), [[]]);
  },
  ternary: (_ctx, v, c) => {
    const none = param(c, 2, 'none_val', null);
    if (v === null && none !== null) return none;
    return truthy(v) ? param(c, 0, 'true_val') : param(c, 1, 'false_val');
  },
  type_debug: (_ctx, v) => typeName(v),
  difference: (_ctx, v, c) => uniq(seq(v)).filter((x) => !seq(param(c, 0, 'b')).some((y) => eq(x, y))),
  intersect: (_ctx, v, c) => uniq(seq(v)).filter((x) => seq(param(c, 0, 'b')).some((y) => eq(x, y))),
  union: (_ctx, v, c) => uniq([...seq(v), ...seq(param(c, 0, 'b'))]),
  symmetric_difference: (_ctx, v, c) => {
    const a = uniq(seq(v));
    const b = uniq(seq(param(c, 0, 'b')));
    return uniq([...a, ...b]).filter((x) => !(a.some((y) => eq(x, y)) && b.some((y) => eq(x, y))));
  },
  subelements: (ctx, v, c) => {
    const key = str(param(c, 0, 'subelements'));
    const skipMissing = truthy(param(c, 1, 'skip_missing', false));
    const out: unknown[] = [];
    for (const item of isDict(v) ? Object.values(v) : seq(v)) {
      let sub: unknown = item;
      for (const k of key.split('.')) {
        sub = memberLookup(ctx, sub, k);
        if (sub instanceof Undef) break;
      }
      if (sub instanceof Undef) {
        if (skipMissing) continue;
        throw new PyError(`could not find '${key}' key in iterated item '${str(item)}'`);
      }
      if (!Array.isArray(sub)) throw new PyError('the key %s should point to a list, got %s'.replace('%s', key).replace('%s', str(sub)));
      for (const s of sub) out.push([item, s]);
    }
    return out;
  },
  extract: (ctx, v, c) => {
    let out = memberLookup(ctx, param(c, 0, 'container'), v);
    const more = param(c, 1, 'morekeys', null);
    if (more !== null) for (const k of Array.isArray(more) ? more : [more]) out = memberLookup(ctx, out, k);
    return out;
  },
  quote: (_ctx, v) => shellQuote(v === null ? '' : str(v)),
  shell_quote: (_ctx, v) => shellQuote(str(v)),
  basename: (_ctx, v) => basename(str(v)) || (str(v).endsWith('/') ? '' : str(v)),
  dirname: (_ctx, v) => {
    const s = str(v);
    if (!s.includes('/')) return '';
    const d = s.slice(0, s.lastIndexOf('/'));
    return d === '' ? '/' : /^\/+$/.test(d) ? d : d.replace(/\/+$/, '');
  },
  expanduser: (_ctx, v) => str(v).replace(/^~(?=$|\/)/, homedir()),
  realpath: (_ctx, v) => {
    try {
      return realpathSync(str(v));
    } catch {
      return resolve(str(v));
    }
  },
  splitext: (_ctx, v) => {
    const s = str(v);
    const e = extname(s);
    return [s.slice(0, s.length - e.length), e];
  },
  path_join: (_ctx, v) => {
    const parts = typeof v === 'string' ? [v] : seq(v).map(str);
    let out = '';
    for (const p of parts) out = p.startsWith('/') ? p : out === '' ? p : join(out, p);
    return out;
  },
  strftime: (_ctx, v, c) => {
    const secs = param(c, 0, 'second', null);
    const utc = truthy(param(c, 1, 'utc', false));
    const d = secs === null ? new Date() : new Date(Number(secs) * 1000);
    return strftime(d, str(v), utc);
  },
  urlsplit: (_ctx, v, c) => urlsplit(v, param(c, 0, 'query', '')),
  // math.pow/log/root return floats.
  pow: (_ctx, v, c) => mkFloat(Number(v) ** Number(param(c, 0, 'y'))),
  log: (_ctx, v, c) => {
    const base = param(c, 0, 'base', null);
    return mkFloat(base === null ? Math.log(Number(v)) : Math.log(Number(v)) / Math.log(Number(base)));
  },
  root: (_ctx, v, c) => mkFloat(Number(v) ** (1 / Number(param(c, 0, 'base', 2)))),
  /** redhatci.ocp.redact: a deep copy with the values of the named keys (case-insensitive) replaced. */
  redact: (_ctx, v, c) => {
    const fields = new Set(str(param(c, 0, 'fields', 'auth,api_secret,password')).split(',').map((f) => f.trim().toLowerCase()));
    const walk = (x: unknown): unknown => {
      if (Array.isArray(x)) return x.map(walk);
      if (!isDict(x)) return x;
      return Object.fromEntries(Object.entries(x).map(([k, y]) => [k, fields.has(k.toLowerCase()) ? 'REDACTED' : walk(y)]));
    };
    return walk(v);
  },
  /** Jinja2 groupby(attribute): [[grouper, [items]], ...] sorted by the grouper. */
  groupby: (ctx, v, c) => {
    const attribute = param(c, 0, 'attribute');
    const dflt = param(c, 1, 'default', undefined);
    const groups: Array<[unknown, unknown[]]> = [];
    for (const item of seq(v)) {
      const k = strict(attrOf(ctx, item, attribute, dflt));
      const g = groups.find(([gk]) => eq(gk, k));
      if (g) g[1].push(item);
      else groups.push([k, [item]]);
    }
    return groups.sort((a, b) => cmp(a[0], b[0]));
  },
  ...IP_FILTERS,
};
