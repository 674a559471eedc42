/**
 * Loop items from `loop:` and the `with_<lookup>` forms, after templating. A loop over something that is not a
 * list is a task failure naming the type received, as in Ansible.
 */
import { readdirSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { str } from '../template/py.js';

export class LoopError extends Error {}

/** Ansible's fileglob: files (not directories) matching a pattern whose wildcards are in the last component. */
function fileglob(pattern: string): string[] {
  const dir = dirname(pattern);
  const re = new RegExp(`^${basename(pattern).replace(/[.+^${}()|\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .filter((n) => re.test(n))
    .map((n) => join(dir, n))
    .filter((p) => {
      try {
        return statSync(p).isFile();
      } catch {
        return false;
      }
    })
    .sort();
}

function typeName(v: unknown): string {
  if (v === null || v === undefined) return 'None';
  if (Array.isArray(v)) return 'list';
  if (typeof v === 'object') return 'dict';
  if (typeof v === 'string') return 'str';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  if (typeof v === 'boolean') return 'bool';
  return typeof v;
}

function flattenOnce(v: unknown[]): unknown[] {
  return v.flatMap((x) => (Array.isArray(x) ? x : [x]));
}

function flattenDeep(v: unknown[]): unknown[] {
  return v.flatMap((x) => (Array.isArray(x) ? flattenDeep(x) : [x]));
}

/** `with_sequence: start=1 end=5 stride=1 format=...` or `count=3`. */
function sequence(spec: unknown): unknown[] {
  const s = String(spec);
  const kv: Record<string, string> = {};
  const simple = /^\s*(\d+)?-?(\d+)?(?:\/(\d+))?(?::(.*))?\s*$/.exec(s);
  if (!s.includes('=') && simple) {
    if (simple[1] !== undefined && simple[2] !== undefined) {
      kv.start = simple[1];
      kv.end = simple[2];
    } else if (simple[1] !== undefined) kv.end = simple[1];
    if (simple[3]) kv.stride = simple[3];
    if (simple[4]) kv.format = simple[4];
  } else {
    for (const tok of s.split(/\s+/)) {
      const i = tok.indexOf('=');
      if (i > 0) kv[tok.slice(0, i)] = tok.slice(i + 1);
    }
  }
  const start = kv.start !== undefined ? Number(kv.start) : 1;
  const stride = kv.stride !== undefined ? Number(kv.stride) : 1;
  const end = kv.count !== undefined ? start + (Number(kv.count) - 1) * stride : Number(kv.end);
  const fmt = kv.format ?? '%d';
  const out: string[] = [];
  if (!Number.isFinite(end) || stride === 0) throw new LoopError('with_sequence needs `end` or `count`');
  for (let i = start; stride > 0 ? i <= end : i >= end; i += stride) out.push(fmt.replace(/%0?(\d*)[dxXo]/, (m, w: string) => {
    const base = m.endsWith('x') ? 16 : m.endsWith('X') ? 16 : m.endsWith('o') ? 8 : 10;
    let r = i.toString(base);
    if (m.endsWith('X')) r = r.toUpperCase();
    return w ? r.padStart(Number(w), m.startsWith('%0') ? '0' : ' ') : r;
  }));
  return out;
}

/** Turn a templated loop value into the list of items. */
export function loopItems(kind: string, value: unknown): unknown[] {
  switch (kind) {
    case 'loop':
    case 'with_list':
      if (!Array.isArray(value)) {
        throw new LoopError(`Invalid data passed to '${kind}', it requires a list, got this instead: ${str(value)}. Hint: If you passed a list/dict of just one element, try adding wantlist=True to your lookup invocation or use q/query instead of lookup.`);
      }
      return value;
    case 'with_items':
      if (value === null || value === undefined) throw new LoopError(`'with_items' requires a list, got ${typeName(value)}`);
      return Array.isArray(value) ? flattenOnce(value) : [value];
    case 'with_flattened':
      return Array.isArray(value) ? flattenDeep(value) : [value];
    case 'with_dict':
      if (!value || typeof value !== 'object' || Array.isArray(value)) {
        throw new LoopError(`with_dict expects a dict, got ${typeName(value)}`);
      }
      return Object.entries(value).map(([key, v]) => ({ key, value: v }));
    case 'with_indexed_items':
      if (!Array.isArray(value)) throw new LoopError(`with_indexed_items expects a list, got ${typeName(value)}`);
      return flattenOnce(value).map((x, i) => [i, x]);
    case 'with_together': {
      if (!Array.isArray(value)) throw new LoopError('with_together expects a list of lists');
      const lists = value as unknown[][];
      const n = Math.max(0, ...lists.map((l) => (Array.isArray(l) ? l.length : 0)));
      return Array.from({ length: n }, (_, i) => lists.map((l) => (Array.isArray(l) && i < l.length ? l[i] : null)));
    }
    case 'with_nested': {
      if (!Array.isArray(value)) throw new LoopError('with_nested expects a list of lists');
      let acc: unknown[][] = [[]];
      for (const l of value as unknown[]) {
        const list = Array.isArray(l) ? l : [l];
        acc = acc.flatMap((prefix) => list.map((x) => [...prefix, x]));
      }
      return acc;
    }
    case 'with_subelements': {
      if (!Array.isArray(value) || value.length < 2) throw new LoopError('with_subelements expects [list, "key"]');
      const [list, key] = value as [unknown[], string];
      const out: unknown[] = [];
      for (const el of Array.isArray(list) ? list : []) {
        const sub = (el as Record<string, unknown>)?.[key];
        if (!Array.isArray(sub)) throw new LoopError(`the key '${key}' should point to a list`);
        const { [key]: _drop, ...rest } = el as Record<string, unknown>;
        // Ansible hands the parent without the subelement list itself.
        for (const s of sub) out.push([rest, s]);
      }
      return out;
    }
    case 'with_sequence':
      return sequence(value);
    case 'with_random_choice':
      return Array.isArray(value) && value.length ? [value[Math.floor(Math.random() * value.length)]] : [];
    case 'with_fileglob':
      return (Array.isArray(value) ? value : [value]).flatMap((p) => fileglob(String(p)));
    default:
      throw new LoopError(`unsupported loop ${kind}`);
  }
}
