/**
 * `-e` / `--extra-vars` with Ansible's semantics (`load_extra_vars`), applied in order, later ones winning per key:
 *  - `@file.yml` / `@file.json`: a YAML/JSON file holding a mapping;
 *  - `{...}` or `[...]`: inline YAML/JSON (must be a mapping);
 *  - `k=v k2="v 2"`: key=value words; values stay strings (Ansible does not type them);
 *  - a value starting with `/` or `.` is refused: Ansible asks for the `@` prefix.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { InventoryError, UsageError } from '../core/errors.js';
import { displayPath } from './display-path.js';
import type { VarLayer } from './var-store.js';
import { describeType, isPlainMapping, loadAnsibleYaml } from './yaml-loader.js';

export interface ExtraVarSource {
  /** The `-e` argument as given. */
  arg: string;
  /** 1-based position of that `-e` on the command line. */
  index: number;
  file?: string;
  line?: number;
}

export interface ExtraVars {
  vars: Record<string, unknown>;
  sources: Record<string, ExtraVarSource>;
}

export async function parseExtraVars(list: readonly string[]): Promise<ExtraVars> {
  const vars: Record<string, unknown> = {};
  const sources: Record<string, ExtraVarSource> = {};
  for (const [i, arg] of list.entries()) {
    if (!arg) continue;
    const index = i + 1;
    let data: unknown;
    let file: string | undefined;
    let lines: Record<string, number> = {};
    if (arg.startsWith('@')) {
      const path = resolve(arg.slice(1));
      file = displayPath(path);
      let text: string;
      try {
        text = await readFile(path, 'utf8');
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        throw new InventoryError('extra-vars-file', `-e ${arg}: ${code === 'ENOENT' ? 'file not found' : `cannot read the file (${code ?? String(e)})`}: ${path}`, {
          hint: 'the path after @ is relative to the current directory',
          cause: e,
        });
      }
      const loaded = loadAnsibleYaml(text, file);
      data = loaded.value ?? {};
      for (const [k, p] of loaded.positions?.keys ?? []) lines[k] = p.line;
    } else if (arg[0] === '/' || arg[0] === '.') {
      throw new UsageError('extra-vars-path', `-e ${arg}: to read variables from a file, prefix it with @ (-e @${arg})`);
    } else if (arg[0] === '{' || arg[0] === '[') {
      data = loadAnsibleYaml(arg, `-e argument #${index}`).value;
    } else {
      data = parseKeyValues(arg, index);
      lines = {};
    }
    if (!isPlainMapping(data)) {
      throw new UsageError('extra-vars-not-mapping', `-e ${arg}: extra vars must be a mapping of names to values, got ${describeType(data)}`, {
        location: file ? { file } : undefined,
      });
    }
    for (const [k, v] of Object.entries(data)) {
      vars[k] = v;
      const src: ExtraVarSource = { arg, index };
      if (file) src.file = file;
      if (lines[k] !== undefined) src.line = lines[k];
      sources[k] = src;
    }
  }
  return { vars, sources };
}

/** The extra vars as the top layer of a VarStore. */
export function extraVarsLayer(extra: ExtraVars): VarLayer {
  const origins: Record<string, { file?: string; line?: number }> = {};
  for (const [k, s] of Object.entries(extra.sources)) origins[k] = s.file ? { file: s.file, line: s.line } : {};
  return { level: 'extra', label: 'extra vars (-e)', vars: extra.vars, origins };
}

/** Label shown by `--explain` for an extra var: `-e @settings.yml` or `-e #2 (a=1)`. */
export function describeExtraSource(s: ExtraVarSource): string {
  return s.file ? `-e @${s.file}` : `-e argument #${s.index}`;
}

/** Ansible's parse_kv on an `-e` string: quote-aware split, escapes decoded, surrounding quotes removed. */
function parseKeyValues(arg: string, index: number): Record<string, string> {
  const out: Record<string, string> = {};
  for (const word of splitArgs(arg, index)) {
    const x = decodeEscapes(word);
    let pos = -1;
    for (let p = x.indexOf('=', 1); p >= 0; p = x.indexOf('=', p + 1)) {
      if (x[p - 1] !== '\\') {
        pos = p;
        break;
      }
    }
    if (pos < 0) {
      throw new UsageError('extra-vars-syntax', `-e ${arg}: expected key=value, got "${word}"`, {
        hint: 'use -e key=value, -e \'{"key": "value"}\' or -e @file.yml',
      });
    }
    out[x.slice(0, pos).trim()] = unquote(x.slice(pos + 1).trim());
  }
  return out;
}

/** Split on whitespace outside quotes and outside Jinja2 `{{ }}` / `{% %}` blocks (Ansible's split_args). */
function splitArgs(s: string, index: number): string[] {
  const words: string[] = [];
  let cur = '';
  let quote: string | null = null;
  let jinja = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    const two = s.slice(i, i + 2);
    if (!quote && (two === '{{' || two === '{%' || two === '{#')) {
      jinja++;
      cur += two;
      i++;
      continue;
    }
    if (!quote && jinja > 0 && (two === '}}' || two === '%}' || two === '#}')) {
      jinja--;
      cur += two;
      i++;
      continue;
    }
    if (c === '\\' && i + 1 < s.length) {
      cur += c + s[i + 1];
      i++;
      continue;
    }
    if (quote) {
      if (c === quote) quote = null;
      cur += c;
      continue;
    }
    if ((c === '"' || c === "'") && jinja === 0) {
      quote = c;
      cur += c;
      continue;
    }
    if (/\s/.test(c) && jinja === 0) {
      if (cur) words.push(cur);
      cur = '';
      continue;
    }
    cur += c;
  }
  if (quote) throw new UsageError('extra-vars-syntax', `-e argument #${index}: unclosed ${quote} quote`, { hint: 'quote the whole -e value for the shell, then the value inside' });
  if (cur) words.push(cur);
  return words;
}

function unquote(v: string): string {
  if (v.length >= 2 && (v[0] === '"' || v[0] === "'") && v[v.length - 1] === v[0] && v[v.length - 2] !== '\\') return v.slice(1, -1);
  return v;
}

const ESCAPES: Record<string, string> = { '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };

function decodeEscapes(s: string): string {
  return s.replace(/\\(U[0-9a-fA-F]{8}|u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|[0-7]{1,3}|[\\'"abfnrtv])/g, (m, e: string) => {
    if (e[0] === 'U' || e[0] === 'u' || e[0] === 'x') return String.fromCodePoint(parseInt(e.slice(1), 16));
    if (/^[0-7]/.test(e)) return String.fromCharCode(parseInt(e, 8));
    return ESCAPES[e] ?? m;
  });
}
