/**
 * Ansible's `key=value` argument strings (`debug: msg="hello {{ x }}" verbosity=0`, `command: ls chdir=/tmp`).
 * Tokens are split on whitespace outside quotes and outside `{{ }}` / `{% %}` blocks, quotes around a value are
 * removed, and backslash-escaped quotes are kept literal — as Ansible's split_args/parse_kv do.
 */

/** Split a free-form string into tokens, keeping quoted parts and Jinja2 blocks whole. */
export function splitArgs(s: string): string[] {
  return splitArgsWithOffsets(s).map((t) => t.text);
}

interface Token {
  text: string;
  start: number;
  end: number;
}

function splitArgsWithOffsets(s: string): Token[] {
  const tokens: Token[] = [];
  let cur = '';
  const push = (end: number) => {
    if (cur) tokens.push({ text: cur, start: end - cur.length, end });
    cur = '';
  };
  let quote: string | null = null;
  let jinja = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    const two = s.slice(i, i + 2);
    if (quote) {
      if (c === '\\' && i + 1 < s.length) {
        cur += c + s[i + 1];
        i++;
        continue;
      }
      if (c === quote && jinja === 0) quote = null;
      cur += c;
      continue;
    }
    if (two === '{{' || two === '{%' || two === '{#') {
      jinja++;
      cur += two;
      i++;
      continue;
    }
    if (jinja > 0 && (two === '}}' || two === '%}' || two === '#}')) {
      jinja--;
      cur += two;
      i++;
      continue;
    }
    if (jinja === 0 && (c === '"' || c === "'")) {
      quote = c;
      cur += c;
      continue;
    }
    if (jinja === 0 && /\s/.test(c)) {
      push(i);
      continue;
    }
    cur += c;
  }
  push(s.length);
  return tokens;
}

function unquote(v: string): string {
  if (v.length >= 2 && (v[0] === '"' || v[0] === "'") && v[v.length - 1] === v[0]) {
    const q = v[0];
    return v.slice(1, -1).replace(new RegExp(`\\\\${q}`, 'g'), q);
  }
  return v;
}

const KEY = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s;

/** Keys that command-like modules take out of their free-form string (Ansible's RAW_PARAM_MODULES handling). */
export const COMMAND_KV_KEYS = new Set(['creates', 'removes', 'chdir', 'executable', 'warn', 'stdin', 'stdin_add_newline', 'strip_empty_ends', 'argv']);

/**
 * Parse `k=v k2="v 2"` into an object. With `rawKey`, tokens that are not `k=v` for a key in `rawKeys` are
 * joined back (original spacing inside tokens kept) into `obj[rawKey]`.
 */
export function parseKv(s: string, rawKey?: string, rawKeys: Set<string> = COMMAND_KV_KEYS): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  // The raw part keeps the original text (newlines of a multi-line shell script included): only the ranges of
  // the extracted k=v tokens are cut out.
  let raw = '';
  let last = 0;
  let anyRaw = false;
  for (const tok of splitArgsWithOffsets(s)) {
    const m = KEY.exec(tok.text);
    if (m && (!rawKey || rawKeys.has(m[1]))) {
      out[m[1]] = unquote(m[2]);
      raw += s.slice(last, tok.start);
      last = tok.end;
    } else anyRaw = true;
  }
  raw += s.slice(last);
  if (anyRaw) out[rawKey ?? '_raw_params'] = raw.trim();
  return out;
}
