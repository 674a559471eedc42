/**
 * Ansible's INI value typing: `InventoryModule._parse_value` runs Python's `ast.literal_eval` on each value and keeps
 * the original string when that fails. So `port=5000` is an int, `x=True` a bool, `y=[1,2]` a list, `v=4.10` the
 * float 4.1, but `a=true`, `a=01`, `a=1+2` and `a=foo` stay strings. This is a parser for exactly the literal subset
 * Python accepts (numbers with `_`, hex/octal/binary, floats, strings with prefixes and escapes, adjacent string
 * concatenation, tuples, lists, dicts, sets, True/False/None, unary sign on numbers, `#` comments); anything else
 * returns the input unchanged, as Ansible does. Complex numbers (which JSON cannot carry) also stay strings.
 */

type Tok =
  | { t: 'num'; v: number }
  | { t: 'str'; v: string; bytes: boolean }
  | { t: 'name'; v: string }
  | { t: 'op'; v: string }
  | { t: 'end' };

class NotLiteral extends Error {}

/** Python's `ast.literal_eval(text)` as Ansible uses it; returns `text` itself when it is not a literal. */
export function pythonLiteral(text: string): unknown {
  try {
    const toks = tokenize(text.replace(/^[ \t]+/, ''));
    const p = new Parser(toks);
    return p.top();
  } catch (e) {
    if (e instanceof NotLiteral) return text;
    throw e;
  }
}

const DIGITPART = '[0-9](?:_?[0-9])*';
const NUMBER_RE = new RegExp(
  '^(?:' +
    [
      `0[xX](?:_?[0-9a-fA-F])+`,
      `0[oO](?:_?[0-7])+`,
      `0[bB](?:_?[01])+`,
      // floats first (longest match): exponent floats, point floats
      `(?:(?:${DIGITPART})?\\.${DIGITPART}|${DIGITPART}\\.)(?:[eE][+-]?${DIGITPART})?`,
      `${DIGITPART}[eE][+-]?${DIGITPART}`,
      `${DIGITPART}`,
    ].join('|') +
    ')',
);

function tokenize(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  let depth = 0;
  while (i < src.length) {
    const c = src[i];
    if (c === ' ' || c === '\t' || c === '\f') {
      i++;
      continue;
    }
    if (c === '\n' || c === '\r') {
      // Newlines only continue a statement inside brackets; a second logical line is a syntax error for eval().
      if (depth === 0 && src.slice(i).trim() !== '' && !src.slice(i).trim().startsWith('#')) throw new NotLiteral();
      i++;
      continue;
    }
    if (c === '#') {
      const nl = src.indexOf('\n', i);
      i = nl < 0 ? src.length : nl;
      continue;
    }
    if (c === '\\' && src[i + 1] === '\n') {
      i += 2;
      continue;
    }
    const strStart = /^([rRbBuUfF]{0,2})(['"])/.exec(src.slice(i));
    if (strStart && isStringPrefix(strStart[1])) {
      const prefix = strStart[1].toLowerCase();
      if (prefix.includes('f')) throw new NotLiteral(); // an f-string is not a literal
      const raw = prefix.includes('r');
      const bytes = prefix.includes('b');
      i += strStart[1].length;
      const q = src[i];
      const triple = src.startsWith(q.repeat(3), i);
      const delim = triple ? q.repeat(3) : q;
      i += delim.length;
      let body = '';
      for (;;) {
        if (i >= src.length) throw new NotLiteral();
        if (src.startsWith(delim, i)) {
          i += delim.length;
          break;
        }
        const ch = src[i];
        if (ch === '\\') {
          if (i + 1 >= src.length) throw new NotLiteral();
          body += ch + src[i + 1];
          i += 2;
          continue;
        }
        if (!triple && ch === '\n') throw new NotLiteral();
        body += ch;
        i++;
      }
      if (bytes && /[^\x00-\x7f]/.test(body)) throw new NotLiteral(); // bytes can only contain ASCII literal characters
      out.push({ t: 'str', v: raw ? body : unescape(body, bytes), bytes });
      continue;
    }
    if (/[0-9.]/.test(c)) {
      const m = NUMBER_RE.exec(src.slice(i));
      if (!m) throw new NotLiteral();
      let lit = m[0];
      const end = i + lit.length;
      // Python 3 refuses decimal ints with leading zeros ("01"), unless they are all zeros.
      if (/^0[0-9_]*$/.test(lit) && /[1-9]/.test(lit)) throw new NotLiteral();
      const next = src[end];
      if (next === 'j' || next === 'J') throw new NotLiteral(); // complex: not representable in JSON
      if (next !== undefined && /[A-Za-z0-9_]/.test(next)) throw new NotLiteral();
      lit = lit.replace(/_/g, '');
      let v: number;
      if (/^0[xX]/.test(lit)) v = parseInt(lit.slice(2), 16);
      else if (/^0[oO]/.test(lit)) v = parseInt(lit.slice(2), 8);
      else if (/^0[bB]/.test(lit)) v = parseInt(lit.slice(2), 2);
      else v = Number(lit);
      out.push({ t: 'num', v });
      i = end;
      continue;
    }
    if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i));
      out.push({ t: 'name', v: m![0] });
      i += m![0].length;
      continue;
    }
    if ('()[]{},:+-'.includes(c)) {
      if ('([{'.includes(c)) depth++;
      if (')]}'.includes(c)) depth--;
      out.push({ t: 'op', v: c });
      i++;
      continue;
    }
    throw new NotLiteral();
  }
  out.push({ t: 'end' });
  return out;
}

function isStringPrefix(p: string): boolean {
  const l = p.toLowerCase();
  return ['', 'r', 'u', 'b', 'br', 'rb', 'f', 'fr', 'rf'].includes(l);
}

const SIMPLE_ESCAPES: Record<string, string> = {
  '\n': '',
  '\\': '\\',
  "'": "'",
  '"': '"',
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
};

function unescape(body: string, bytes: boolean): string {
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c !== '\\') {
      out += c;
      continue;
    }
    const n = body[i + 1];
    if (n in SIMPLE_ESCAPES) {
      out += SIMPLE_ESCAPES[n];
      i++;
    } else if (/[0-7]/.test(n)) {
      const m = /^[0-7]{1,3}/.exec(body.slice(i + 1))![0];
      out += String.fromCharCode(parseInt(m, 8));
      i += m.length;
    } else if (n === 'x') {
      const m = /^[0-9a-fA-F]{2}/.exec(body.slice(i + 2));
      if (!m) throw new NotLiteral();
      out += String.fromCharCode(parseInt(m[0], 16));
      i += 3;
    } else if (!bytes && (n === 'u' || n === 'U')) {
      const len = n === 'u' ? 4 : 8;
      const m = new RegExp(`^[0-9a-fA-F]{${len}}`).exec(body.slice(i + 2));
      if (!m) throw new NotLiteral();
      out += String.fromCodePoint(parseInt(m[0], 16));
      i += 1 + len;
    } else if (!bytes && n === 'N') {
      throw new NotLiteral(); // \N{NAME}: would need the Unicode name table
    } else {
      out += c; // unknown escapes keep their backslash
    }
  }
  return out;
}

class Parser {
  private i = 0;
  constructor(private readonly toks: Tok[]) {}

  private peek(): Tok {
    return this.toks[this.i];
  }
  private isOp(v: string): boolean {
    const t = this.peek();
    return t.t === 'op' && t.v === v;
  }
  private expectOp(v: string): void {
    if (!this.isOp(v)) throw new NotLiteral();
    this.i++;
  }

  /** eval input: a single expression or a bare tuple (`1, 2`). */
  top(): unknown {
    if (this.peek().t === 'end') throw new NotLiteral(); // empty input is a SyntaxError
    const first = this.expr();
    if (this.isOp(',')) {
      const items = [first];
      while (this.isOp(',')) {
        this.i++;
        if (this.peek().t === 'end') break;
        items.push(this.expr());
      }
      if (this.peek().t !== 'end') throw new NotLiteral();
      return items;
    }
    if (this.peek().t !== 'end') throw new NotLiteral();
    return first;
  }

  private expr(): unknown {
    const t = this.peek();
    if (t.t === 'op' && (t.v === '+' || t.v === '-')) {
      this.i++;
      const n = this.peek();
      // literal_eval allows a sign only directly on a number (not on a bool, not twice).
      if (n.t !== 'num') throw new NotLiteral();
      this.i++;
      this.noBinaryOp();
      return t.v === '-' ? -n.v : n.v;
    }
    const v = this.atom();
    this.noBinaryOp();
    return v;
  }

  /** `1+2`, `1-2`: literal_eval only allows real+complex, which stays a string here. */
  private noBinaryOp(): void {
    if (this.isOp('+') || this.isOp('-')) throw new NotLiteral();
  }

  private atom(): unknown {
    const t = this.peek();
    switch (t.t) {
      case 'num':
        this.i++;
        return t.v;
      case 'str': {
        let s = '';
        const bytes = t.bytes;
        while (this.peek().t === 'str') {
          const part = this.peek() as { t: 'str'; v: string; bytes: boolean };
          if (part.bytes !== bytes) throw new NotLiteral(); // mixing bytes and str is a SyntaxError
          s += part.v;
          this.i++;
        }
        return s;
      }
      case 'name':
        this.i++;
        if (t.v === 'True') return true;
        if (t.v === 'False') return false;
        if (t.v === 'None') return null;
        if (t.v === 'set' && this.isOp('(')) {
          this.i++;
          this.expectOp(')');
          return [];
        }
        throw new NotLiteral();
      case 'op':
        if (t.v === '(') return this.paren();
        if (t.v === '[') return this.list();
        if (t.v === '{') return this.brace();
        throw new NotLiteral();
      default:
        throw new NotLiteral();
    }
  }

  private paren(): unknown {
    this.expectOp('(');
    if (this.isOp(')')) {
      this.i++;
      return [];
    }
    const first = this.expr();
    if (this.isOp(')')) {
      this.i++;
      return first;
    }
    const items = [first];
    while (this.isOp(',')) {
      this.i++;
      if (this.isOp(')')) break;
      items.push(this.expr());
    }
    this.expectOp(')');
    return items;
  }

  private list(): unknown[] {
    this.expectOp('[');
    const items: unknown[] = [];
    while (!this.isOp(']')) {
      items.push(this.expr());
      if (this.isOp(',')) this.i++;
      else break;
    }
    this.expectOp(']');
    return items;
  }

  private brace(): unknown {
    this.expectOp('{');
    if (this.isOp('}')) {
      this.i++;
      return {};
    }
    const firstKey = this.expr();
    if (this.isOp(':')) {
      const out: Record<string, unknown> = {};
      let key: unknown = firstKey;
      for (;;) {
        this.expectOp(':');
        out[dictKey(key)] = this.expr();
        if (!this.isOp(',')) break;
        this.i++;
        if (this.isOp('}')) break;
        key = this.expr();
      }
      this.expectOp('}');
      return out;
    }
    // A set: JSON has no sets, a list is the closest shape.
    const items = [firstKey];
    while (this.isOp(',')) {
      this.i++;
      if (this.isOp('}')) break;
      items.push(this.expr());
    }
    this.expectOp('}');
    return items;
  }
}

/** Python dict keys become JSON object keys the way `json.dumps` writes them. */
function dictKey(k: unknown): string {
  if (typeof k === 'string') return k;
  if (k === true) return 'true';
  if (k === false) return 'false';
  if (k === null) return 'null';
  if (typeof k === 'number') return String(k);
  throw new NotLiteral(); // a list or tuple key: unhashable / not JSON
}
