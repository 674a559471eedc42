/** Serialisation and encoding filters: to/from JSON and YAML the way Python's json/PyYAML write them, base64, hashes. */
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { dump, load, loadAll } from 'js-yaml';
import type { FilterFn } from '../context.js';
import { PyError, PyFloat, isDict, str, truthy, unboxFloats } from '../py.js';
import { param } from '../kwargs.js';

function jsonString(s: string, ensureAscii: boolean): string {
  const j = JSON.stringify(s);
  return ensureAscii ? j.replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`) : j;
}

function jsonNumber(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (!Number.isFinite(n)) return n > 0 ? 'Infinity' : '-Infinity';
  return String(n);
}

/** Python `json.dumps(v, indent, sort_keys, separators, ensure_ascii)`. */
export function pyJsonDumps(v: unknown, o: { indent?: number | null; sortKeys?: boolean; itemSep?: string; keySep?: string; ensureAscii?: boolean } = {}): string {
  const indent = o.indent ?? null;
  const itemSep = o.itemSep ?? (indent !== null ? ',' : ', ');
  const keySep = o.keySep ?? ': ';
  const ascii = o.ensureAscii ?? true;
  const enc = (x: unknown, depth: number): string => {
    if (x === null || x === undefined) return 'null';
    if (typeof x === 'boolean') return x ? 'true' : 'false';
    if (typeof x === 'number') return jsonNumber(x);
    if (x instanceof PyFloat) return Number.isFinite(x.value) ? `${x.value}.0` : jsonNumber(x.value);
    if (typeof x === 'string') return jsonString(x, ascii);
    const nl = indent !== null ? '\n' + ' '.repeat(indent * (depth + 1)) : '';
    const end = indent !== null ? '\n' + ' '.repeat(indent * depth) : '';
    if (Array.isArray(x)) {
      if (x.length === 0) return '[]';
      return `[${nl}${x.map((y) => enc(y, depth + 1)).join(itemSep + nl)}${end}]`;
    }
    if (isDict(x)) {
      let keys = Object.keys(x);
      if (keys.length === 0) return '{}';
      if (o.sortKeys) keys = keys.sort();
      return `{${nl}${keys.map((k) => `${jsonString(k, ascii)}${keySep}${enc(x[k], depth + 1)}`).join(itemSep + nl)}${end}}`;
    }
    throw new PyError(`Object of type ${typeof x} is not JSON serializable`);
  };
  return enc(v, 0);
}

function yamlScalar(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') return String(v);
  if (v instanceof PyFloat) return String(v);
  const s = String(v);
  // PyYAML quotes strings that would read back as another type (yes/no/on/off are booleans in YAML 1.1).
  if (/^(y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF|true|True|TRUE|false|False|FALSE|null|Null|NULL|~)$/.test(s)) return `'${s}'`;
  return dump(s, { lineWidth: -1 }).replace(/\n$/, '');
}

/** PyYAML's default_flow_style=None: collections of scalars in flow style, others in block style. */
function yamlFlowLeaves(v: unknown, indent: number, level: number): string {
  const pad = ' '.repeat(indent * level);
  const isLeaf = (x: unknown): boolean => (Array.isArray(x) ? x.every((y) => !Array.isArray(y) && !isDict(y)) : isDict(x) && Object.values(x).every((y) => !Array.isArray(y) && !isDict(y)));
  const flow = (x: unknown): string => {
    if (Array.isArray(x)) return `[${x.map(yamlScalar).join(', ')}]`;
    if (isDict(x)) return `{${Object.keys(x).sort().map((k) => `${yamlScalar(k)}: ${yamlScalar(x[k])}`).join(', ')}}`;
    return yamlScalar(x);
  };
  if ((Array.isArray(v) || isDict(v)) && isLeaf(v)) return `${pad}${flow(v)}\n`;
  if (Array.isArray(v)) return v.map((x) => (Array.isArray(x) || isDict(x)) && !isLeaf(x) ? `${pad}- ${yamlFlowLeaves(x, indent, level + 1).trimStart()}` : `${pad}- ${flow(x)}\n`).join('');
  if (isDict(v)) {
    return Object.keys(v)
      .sort()
      .map((k) => {
        const x = v[k];
        if ((Array.isArray(x) || isDict(x)) && !isLeaf(x)) return `${pad}${yamlScalar(k)}:\n${yamlFlowLeaves(x, indent, Array.isArray(x) ? level : level + 1)}`;
        return `${pad}${yamlScalar(k)}: ${flow(x)}\n`;
      })
      .join('');
  }
  return `${yamlScalar(v)}\n`;
}

function nodeRequire(): NodeJS.Require {
  return createRequire(import.meta.url);
}

let jmes: { search(data: unknown, expr: string): unknown } | undefined;

export const DATA_FILTERS: Record<string, FilterFn> = {
  to_json: (_ctx, v, c) => {
    const indent = param(c, 0, 'indent', null);
    return pyJsonDumps(v, { indent: indent === null ? null : Number(indent), sortKeys: truthy(c.kwargs.sort_keys ?? false), ensureAscii: c.kwargs.ensure_ascii !== false });
  },
  to_nice_json: (_ctx, v, c) => pyJsonDumps(v, { indent: Number(param(c, 0, 'indent', 4)), sortKeys: param(c, 1, 'sort_keys', true) !== false, ensureAscii: c.kwargs.ensure_ascii !== false }),
  from_json: (_ctx, v) => {
    try {
      return JSON.parse(str(v)) as unknown;
    } catch (e) {
      throw new PyError(`from_json: ${(e as Error).message}`);
    }
  },
  to_yaml: (_ctx, v, c) => {
    const indent = Number(param(c, 0, 'indent', 2));
    if (!Array.isArray(v) && !isDict(v)) return `${yamlScalar(v)}\n${typeof v === 'string' ? '' : '...\n'}`;
    return yamlFlowLeaves(v, indent, 0);
  },
  to_nice_yaml: (_ctx, v, c) => {
    const indent = Number(param(c, 0, 'indent', 4));
    return dump(unboxFloats(v), { indent, seqNoIndent: true, sortKeys: true, lineWidth: -1 });
  },
  from_yaml: (_ctx, v) => {
    try {
      return typeof v === 'string' ? (load(v) as unknown) : v;
    } catch (e) {
      throw new PyError(`from_yaml: ${(e as Error).message}`);
    }
  },
  from_yaml_all: (_ctx, v) => {
    try {
      return loadAll(str(v)) as unknown[];
    } catch (e) {
      throw new PyError(`from_yaml_all: ${(e as Error).message}`);
    }
  },
  b64encode: (_ctx, v, c) => Buffer.from(str(v), (param(c, 0, 'encoding', 'utf-8') === 'utf-16-le' ? 'utf16le' : 'utf8') as BufferEncoding).toString('base64'),
  b64decode: (_ctx, v, c) => Buffer.from(str(v), 'base64').toString((param(c, 0, 'encoding', 'utf-8') === 'utf-16-le' ? 'utf16le' : 'utf8') as BufferEncoding),
  hash: (_ctx, v, c) => {
    const algo = String(param(c, 0, 'hashtype', 'sha1'));
    try {
      return createHash(algo).update(str(v)).digest('hex');
    } catch {
      throw new PyError(`unsupported hash type ${algo}`);
    }
  },
  checksum: (_ctx, v) => createHash('sha1').update(str(v)).digest('hex'),
  sha1: (_ctx, v) => createHash('sha1').update(str(v)).digest('hex'),
  md5: (_ctx, v) => createHash('md5').update(str(v)).digest('hex'),
  json_query: (_ctx, v, c) => {
    // Loaded on first use: most runs never query JSON.
    jmes ??= nodeRequire()('@jmespath-community/jmespath') as { search(data: unknown, expr: string): unknown };
    try {
      return jmes.search(unboxFloats(v), String(param(c, 0, 'expr'))) ?? null;
    } catch (e) {
      throw new PyError(`JMESPathError in json_query filter plugin: ${(e as Error).message}`);
    }
  },
};
