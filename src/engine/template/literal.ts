/**
 * Python's `ast.literal_eval` for the strings Ansible converts after templating: a rendered string that starts
 * with `[` or `{` or is `True`/`False` becomes a list/dict/bool when it parses as a Python literal
 * (`"{{ x | to_json }}"` of a JSON without true/false/null becomes a dict, as in Ansible). Anything else → undefined.
 */
import { mkFloat } from './py.js';

const FAIL = Symbol('fail');

export function literalEval(src: string): unknown {
  let i = 0;
  const n = src.length;
  const ws = (): void => {
    while (i < n && /\s/.test(src[i])) i++;
  };
  const fail = (): never => {
    throw FAIL;
  };

  const parseString = (): string => {
    let out = '';
    // Adjacent literals concatenate: 'a' 'b'.
    while (i < n && (src[i] === "'" || src[i] === '"' || ((src[i] === 'r' || src[i] === 'u') && (src[i + 1] === "'" || src[i + 1] === '"')))) {
      let raw = false;
      if (src[i] === 'r') raw = true;
      if (src[i] === 'r' || src[i] === 'u') i++;
      const q = src[i];
      const triple = src.startsWith(q.repeat(3), i);
      const end = triple ? q.repeat(3) : q;
      i += end.length;
      for (;;) {
        if (i >= n) fail();
        if (src.startsWith(end, i)) {
          i += end.length;
          break;
        }
        const c = src[i];
        if (!triple && c === '\n') fail();
        if (c === '\\' && !raw) {
          const e = src[i + 1];
          i += 2;
          const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', '0': '\0', a: '\x07', b: '\b', f: '\f', v: '\v', '\n': '' };
          if (e in simple) out += simple[e];
          else if (e === 'x' || e === 'u' || e === 'U') {
            const len = e === 'x' ? 2 : e === 'u' ? 4 : 8;
            const hex = src.slice(i, i + len);
            if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== len) fail();
            out += String.fromCodePoint(parseInt(hex, 16));
            i += len;
          } else out += '\\' + e;
          continue;
        }
        out += c;
        i++;
      }
      ws();
    }
    return out;
  };

  const parseValue = (): unknown => {
    ws();
    if (i >= n) fail();
    const c = src[i];
    if (c === '[' || c === '(') {
      const close = c === '[' ? ']' : ')';
      i++;
      const out: unknown[] = [];
      ws();
      while (src[i] !== close) {
        out.push(parseValue());
        ws();
        if (src[i] === ',') {
          i++;
          ws();
        } else if (src[i] !== close) fail();
      }
      i++;
      return out;
    }
    if (c === '{') {
      i++;
      const out: Record<string, unknown> = {};
      ws();
      if (src[i] === '}') {
        i++;
        return out;
      }
      const first = parseValue();
      ws();
      if (src[i] !== ':') {
        // A set literal: we have no sets, lists are the nearest.
        const items = [first];
        while (src[i] === ',') {
          i++;
          ws();
          if (src[i] === '}') break;
          items.push(parseValue());
          ws();
        }
        if (src[i] !== '}') fail();
        i++;
        return items;
      }
      let key: unknown = first;
      for (;;) {
        ws();
        if (src[i] !== ':') fail();
        i++;
        if (key !== null && typeof key === 'object') fail();
        out[typeof key === 'string' ? key : key === true ? 'True' : key === false ? 'False' : key === null ? 'None' : String(key)] = parseValue();
        ws();
        if (src[i] === ',') {
          i++;
          ws();
        }
        if (src[i] === '}') {
          i++;
          return out;
        }
        key = parseValue();
      }
    }
    if (c === "'" || c === '"' || ((c === 'r' || c === 'u') && (src[i + 1] === "'" || src[i + 1] === '"'))) return parseString();
    const m = /^(?:True|False|None|true|false|null)\b|^[-+]?(?:0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|(?:\d[\d_]*\.?[\d_]*|\.\d[\d_]*)(?:[eE][-+]?\d+)?)/.exec(src.slice(i));
    if (!m || m[0] === '' || m[0] === '+' || m[0] === '-') return fail();
    i += m[0].length;
    const t = m[0];
    // Ansible maps JSON's true/false/null too (Json2Python in ansible.template.native_helpers).
    if (t === 'True' || t === 'true') return true;
    if (t === 'False' || t === 'false') return false;
    if (t === 'None' || t === 'null') return null;
    const clean = t.replace(/_/g, '');
    if (/^[-+]?0[xXoObB]/.test(clean)) {
      const neg = clean.startsWith('-');
      const body = clean.replace(/^[-+]/, '');
      const base = /[xX]/.test(body[1]) ? 16 : /[oO]/.test(body[1]) ? 8 : 2;
      const v = parseInt(body.slice(2), base);
      return neg ? -v : v;
    }
    // 7.0 is a float in Python.
    return /[.eE]/.test(clean) ? mkFloat(Number(clean)) : Number(clean);
  };

  try {
    const v = parseValue();
    ws();
    if (i !== n) return undefined;
    return v;
  } catch (e) {
    if (e === FAIL) return undefined;
    throw e;
  }
}

/** Ansible's post-template conversion of a string result (both its native and non-native modes do this). */
export function convertRendered(out: string): unknown {
  if (out === 'True') return true;
  if (out === 'False') return false;
  const c = out[0];
  if (c !== '[' && c !== '{') return out;
  const v = literalEval(out);
  return v === undefined ? out : v;
}
