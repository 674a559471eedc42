/**
 * nunjucks, taught Jinja2/Python semantics. nunjucks parses almost the same language as Jinja2 but compiles it to
 * plain JavaScript operators (`[] ` is true, `[1] + [2]` is "12", `{k: v}` uses "k" literally, `(1, 2)` is 2).
 * We keep nunjucks' lexer, parser and code generator, and subclass the parser (slices `x[1:]`, `x.0`) and the
 * compiler so operators, truth tests, filters, tests and name lookups call our Python-semantics helpers through
 * `env.py`. nunjucks' own Environment/Template are bypassed: we run the compiled root function directly with our
 * context, which also avoids copying the variables on every render.
 *
 * nunjucks is loaded lazily (first template), as the project keeps startup light.
 */
import { createRequire } from 'node:module';

/* The nunjucks internals we touch, typed loosely: they are not part of @types/nunjucks. */
export interface NjNode {
  typename: string;
  lineno: number;
  colno: number;
  children: NjNode[];
  value: unknown;
  [field: string]: unknown;
}
type NodeCtor = new (lineno: number, colno: number, ...fields: unknown[]) => NjNode;
interface NjToken {
  type: string;
  value: string;
  lineno: number;
  colno: number;
}
interface NjFrame {
  lookup(name: string): unknown;
  set(name: string, v: unknown, resolveUp?: boolean): void;
  push(isolate?: boolean): NjFrame;
  topLevel?: boolean;
}
interface NjParserBase {
  tokens: unknown;
  extensions: unknown[];
  peekToken(): NjToken;
  nextToken(): NjToken;
  skip(type: string): boolean;
  fail(msg: string, lineno?: number, colno?: number): never;
  parseExpression(): NjNode;
  parseSignature(): NjNode;
  parseAsRoot(): NjNode;
}
interface NjCompilerBase {
  _emit(code: string): void;
  _emitLine(code: string): void;
  compile(node: NjNode, frame: NjFrame): void;
  _compileExpression(node: NjNode, frame: NjFrame): void;
  _compileAggregate(node: NjNode, frame: NjFrame, start?: string, end?: string): void;
  getCode(): string;
}
interface Nunjucks {
  lexer: { lex(src: string, opts: object): unknown } & Record<string, string>;
  parser: { Parser: new (tokens: unknown) => NjParserBase };
  compiler: { Compiler: new (name: string, throwOnUndefined: boolean) => NjCompilerBase };
  nodes: Record<string, NodeCtor> & { Node: { extend(name: string, props: object): NodeCtor } };
  runtime: Record<string, unknown> & { Frame: new () => NjFrame };
}

export type RootFn = (
  env: unknown,
  context: unknown,
  frame: NjFrame,
  runtime: unknown,
  cb: (err: unknown, res?: string) => void,
) => void;

export interface CompiledTemplate {
  /** True when the template is exactly one `{{ expression }}`: the root stores the value in `context.native`. */
  native: boolean;
  /**
   * The single expression ends in a filter whose text result must stay text (Ansible's STRING_TYPE_FILTERS:
   * string, to_json, to_nice_json, to_yaml, to_nice_yaml), i.e. no literal_eval of `{...}`.
   */
  keepString: boolean;
  root: RootFn;
}

export interface CompileOptions {
  trimBlocks: boolean;
  lstripBlocks: boolean;
  /** Ansible's backslash handling for playbook strings: string literals inside `{{ }}` are raw. */
  rawVarStrings: boolean;
}

export interface NunjucksPy {
  compile(src: string, opts: CompileOptions, name: string): CompiledTemplate;
  newFrame(): NjFrame;
  /** nunjucks' runtime module, for the compiled code's `runtime.*` helpers we do not replace. */
  runtime: Record<string, unknown>;
}

const STRING_TYPE_FILTERS = new Set(['string', 'to_json', 'to_nice_json', 'to_yaml', 'to_nice_yaml', 'ppretty', 'json']);

const LITERAL_NAMES: Record<string, string> = {
  True: 'true',
  true: 'true',
  False: 'false',
  false: 'false',
  None: 'null',
  none: 'null',
};

interface Tokenizer {
  _parseString(delim: string): string;
  in_code: boolean;
  str: string;
  index: number;
  lineno: number;
  colno: number;
  forward(): void;
  nextToken(): NjToken | null;
}

/**
 * Jinja2's lexer balances braces inside `{{ }}`, so `{{ {'a': {'b': 1}} }}` works; nunjucks' ends the expression
 * at the first `}}`. Wrap the tokenizer: inside open braces, `}` is always a closing brace.
 */
function balancedBraces(t: Tokenizer, rawVarStrings: boolean): Tokenizer {
  const next = t.nextToken.bind(t);
  let depth = 0;
  let inVar = false;
  // String literals: Python escapes (`\\d` stays `\\d`, nunjucks would drop the backslash). Inside `{{ }}` Ansible
  // doubles backslashes before Jinja2 sees them (ansible.template._escape_backslashes), so there they are raw.
  t._parseString = (delim: string): string => {
    t.forward();
    let out = '';
    const raw = rawVarStrings && inVar;
    while (t.index < t.str.length && t.str.charAt(t.index) !== delim) {
      const c = t.str.charAt(t.index);
      if (c === '\\' && !raw && t.index + 1 < t.str.length) {
        t.forward();
        out += pyEscape(t);
        continue;
      }
      out += c;
      t.forward();
    }
    t.forward();
    return out;
  };
  t.nextToken = () => {
    if (t.in_code && depth > 0 && t.str.charAt(t.index) === '}') {
      const tok = { type: 'right-curly', value: '}', lineno: t.lineno, colno: t.colno };
      t.forward();
      depth--;
      return tok;
    }
    const tok = next();
    if (tok?.type === 'variable-start') inVar = true;
    else if (tok?.type === 'block-start') inVar = false;
    if (tok?.type === 'left-curly') depth++;
    else if (tok?.type === 'right-curly') depth--;
    else if (tok?.type === 'variable-end' || tok?.type === 'block-end') depth = 0;
    return tok;
  };
  return t;
}

/** One Python string escape after a backslash (the tokenizer stands on the character after it). */
function pyEscape(t: Tokenizer): string {
  const e = t.str.charAt(t.index);
  const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', v: '\v', '\n': '' };
  if (e in simple) {
    t.forward();
    return simple[e];
  }
  const hexLen = e === 'x' ? 2 : e === 'u' ? 4 : e === 'U' ? 8 : 0;
  if (hexLen) {
    const hex = t.str.slice(t.index + 1, t.index + 1 + hexLen);
    if (/^[0-9a-fA-F]+$/.test(hex) && hex.length === hexLen) {
      for (let i = 0; i <= hexLen; i++) t.forward();
      return String.fromCodePoint(parseInt(hex, 16));
    }
  }
  const oct = /^[0-7]{1,3}/.exec(t.str.slice(t.index, t.index + 3));
  if (oct) {
    for (let i = 0; i < oct[0].length; i++) t.forward();
    return String.fromCharCode(parseInt(oct[0], 8));
  }
  // Unknown escapes keep their backslash, as in Python.
  return '\\';
}

let loaded: NunjucksPy | undefined;

export function loadNunjucksPy(): NunjucksPy {
  if (loaded) return loaded;
  // nunjucks is CommonJS; a synchronous require keeps the render path synchronous.
  const require = createRequire(import.meta.url);
  const nj = require('nunjucks') as Nunjucks;
  const lx = nj.lexer;
  const N = nj.nodes;
  const Truthy = N.Node.extend('PyTruthy', { fields: ['target'] });

  const lit = (t: NjToken | NjNode, v: unknown): NjNode => new N.Literal(t.lineno, t.colno, v);

  const LoopFilter = N.Node.extend('PyLoopFilter', { fields: ['arr', 'cond', 'names'] });
  const ParserBase = nj.parser.Parser.prototype as unknown as Record<string, (...a: unknown[]) => NjNode>;
  const NOT_AN_ARG = new Set(['else', 'or', 'and', 'if', 'is', 'not', 'in']);

  class PyParser extends (nj.parser.Parser as unknown as new (tokens: unknown) => NjParserBase) {
    noInlineIf = false;

    skipSymbol(name: string): boolean {
      return (ParserBase.skipSymbol as unknown as (this: PyParser, n: string) => boolean).call(this, name);
    }

    /** Float literals with an integral value (`7.0`) stay floats (nunjucks would make them the integer 7). */
    parsePrimary(noPostfix?: boolean): NjNode {
      const tok = this.peekToken();
      if (tok && tok.type === lx.TOKEN_FLOAT && Number.isInteger(parseFloat(tok.value))) {
        this.nextToken();
        const node = new N.FunCall(tok.lineno, tok.colno, new N.Symbol(tok.lineno, tok.colno, '__py_float'), new N.NodeList(tok.lineno, tok.colno, [lit(tok, parseFloat(tok.value))]));
        return noPostfix ? node : this.parsePostfix(node);
      }
      return ParserBase.parsePrimary.call(this, noPostfix);
    }

    parseCompare(): NjNode {
      return ParserBase.parseCompare.call(this);
    }

    /** `for x in seq if cond` (Jinja2 loop filter): the `if` belongs to the loop, not to an inline if. */
    parseInlineIf(): NjNode {
      if (this.noInlineIf) return (ParserBase.parseOr as () => NjNode).call(this);
      return ParserBase.parseInlineIf.call(this);
    }

    parseFor(): NjNode {
      const forTok = this.peekToken();
      if (forTok.value !== 'for') return ParserBase.parseFor.call(this);
      this.nextToken();
      const node = new N.For(forTok.lineno, forTok.colno);
      let name = this.parsePrimary();
      if (name.typename !== 'Symbol') this.fail('for: variable name expected', forTok.lineno, forTok.colno);
      if (this.peekToken().type === lx.TOKEN_COMMA) {
        const arr = new N.Array(name.lineno, name.colno);
        (arr as unknown as { addChild(c: NjNode): void }).addChild(name);
        while (this.skip(lx.TOKEN_COMMA)) (arr as unknown as { addChild(c: NjNode): void }).addChild(this.parsePrimary());
        name = arr;
      }
      node.name = name;
      if (!this.skipSymbol('in')) this.fail('for: expected "in"', forTok.lineno, forTok.colno);
      this.noInlineIf = true;
      try {
        node.arr = this.parseExpression();
      } finally {
        this.noInlineIf = false;
      }
      if (this.skipSymbol('if')) {
        const names = name.typename === 'Array' ? name.children.map((c) => String(c.value)) : [String(name.value)];
        node.arr = new LoopFilter(forTok.lineno, forTok.colno, node.arr, this.parseExpression(), names);
      }
      const p = this as unknown as Record<string, (...a: unknown[]) => NjNode>;
      p.advanceAfterBlockEnd.call(this, forTok.value);
      node.body = p.parseUntilBlocks.call(this, 'endfor', 'else');
      if (this.skipSymbol('else')) {
        p.advanceAfterBlockEnd.call(this, 'else');
        node.else_ = p.parseUntilBlocks.call(this, 'endfor');
      }
      p.advanceAfterBlockEnd.call(this);
      return node;
    }

    /** Tests: dotted names (`is ansible.builtin.version(...)`) and one argument without parentheses (`is divisibleby 3`). */
    parseIs(): NjNode {
      let node = this.parseCompare();
      if (!this.skipSymbol('is')) return node;
      const not = this.skipSymbol('not');
      const tok = this.nextToken();
      if (!tok || ![lx.TOKEN_SYMBOL, lx.TOKEN_BOOLEAN, lx.TOKEN_NONE].includes(tok.type)) this.fail('expected a test name after "is"', tok?.lineno, tok?.colno);
      let name = tok.value;
      while (this.peekToken().type === lx.TOKEN_OPERATOR && this.peekToken().value === '.') {
        this.nextToken();
        name += '.' + this.nextToken().value;
      }
      const sym = new N.Symbol(tok.lineno, tok.colno, name);
      let right: NjNode = sym;
      const next = this.peekToken();
      if (next.type === lx.TOKEN_LEFT_PAREN) {
        right = new N.FunCall(tok.lineno, tok.colno, sym, this.parseSignature());
      } else if (
        [lx.TOKEN_STRING, lx.TOKEN_INT, lx.TOKEN_FLOAT, lx.TOKEN_BOOLEAN, lx.TOKEN_NONE, lx.TOKEN_LEFT_BRACKET, lx.TOKEN_LEFT_CURLY].includes(next.type) ||
        (next.type === lx.TOKEN_SYMBOL && !NOT_AN_ARG.has(next.value))
      ) {
        right = new N.FunCall(tok.lineno, tok.colno, sym, new N.NodeList(tok.lineno, tok.colno, [this.parsePrimary()]));
      }
      node = new N.Is(node.lineno, node.colno, node, right);
      return not ? new N.Not(node.lineno, node.colno, node) : node;
    }

    /** Jinja2 postfix: calls, `x[i]`, slices `x[a:b:c]`, `x.name` and `x.0`. */
    parsePostfix(node: NjNode): NjNode {
      let tok = this.peekToken();
      while (tok) {
        if (tok.type === lx.TOKEN_LEFT_PAREN) {
          node = new N.FunCall(tok.lineno, tok.colno, node, this.parseSignature());
        } else if (tok.type === lx.TOKEN_LEFT_BRACKET) {
          node = this.parseSubscript(node, tok);
        } else if (tok.type === lx.TOKEN_OPERATOR && tok.value === '.') {
          this.nextToken();
          const val = this.nextToken();
          if (val.type === lx.TOKEN_SYMBOL) {
            node = new N.LookupVal(tok.lineno, tok.colno, node, lit(val, val.value));
          } else if (val.type === lx.TOKEN_INT || val.type === lx.TOKEN_FLOAT) {
            // `x.0.name` lexes as INT? or FLOAT "0." then a symbol.
            for (const part of val.value.split('.')) {
              if (part !== '') node = new N.LookupVal(tok.lineno, tok.colno, node, lit(val, Number(part)));
            }
            if (val.value.endsWith('.')) {
              const name = this.nextToken();
              if (name.type !== lx.TOKEN_SYMBOL && name.type !== lx.TOKEN_INT) this.fail(`expected name as lookup value, got ${name.value}`, name.lineno, name.colno);
              node = new N.LookupVal(tok.lineno, tok.colno, node, lit(name, name.type === lx.TOKEN_INT ? Number(name.value) : name.value));
            }
          } else {
            this.fail(`expected name as lookup value, got ${val.value}`, val.lineno, val.colno);
          }
        } else {
          break;
        }
        tok = this.peekToken();
      }
      return node;
    }

    /** Lists, tuples and dicts with Jinja2's rules: any expression as a dict key, trailing commas allowed. */
    parseAggregate(): NjNode | null {
      const tok = this.nextToken();
      let node: NjNode;
      let close: string;
      if (tok.type === lx.TOKEN_LEFT_PAREN) [node, close] = [new N.Group(tok.lineno, tok.colno), lx.TOKEN_RIGHT_PAREN];
      else if (tok.type === lx.TOKEN_LEFT_BRACKET) [node, close] = [new N.Array(tok.lineno, tok.colno), lx.TOKEN_RIGHT_BRACKET];
      else if (tok.type === lx.TOKEN_LEFT_CURLY) [node, close] = [new N.Dict(tok.lineno, tok.colno), lx.TOKEN_RIGHT_CURLY];
      else return null;
      const add = (n: NjNode): void => {
        (node as unknown as { addChild(c: NjNode): void }).addChild(n);
      };
      for (;;) {
        if (this.skip(close)) break;
        if (node.children.length > 0) {
          if (!this.skip(lx.TOKEN_COMMA)) this.fail('expected comma or closing bracket', tok.lineno, tok.colno);
          if (this.skip(close)) break;
        }
        if (node.typename === 'Dict') {
          const key = this.parseExpression();
          if (!this.skip(lx.TOKEN_COLON)) this.fail('expected colon after dict key', tok.lineno, tok.colno);
          add(new N.Pair(key.lineno, key.colno, key, this.parseExpression()));
        } else {
          add(this.parseExpression());
        }
      }
      return node;
    }

    parseSubscript(node: NjNode, open: NjToken): NjNode {
      this.nextToken();
      let start: NjNode | null = null;
      let stop: NjNode | null = null;
      let step: NjNode | null = null;
      let isSlice = false;
      if (this.skip(lx.TOKEN_COLON)) isSlice = true;
      else {
        start = this.parseExpression();
        if (this.skip(lx.TOKEN_COLON)) isSlice = true;
      }
      if (isSlice) {
        const p = this.peekToken();
        if (p.type !== lx.TOKEN_RIGHT_BRACKET && p.type !== lx.TOKEN_COLON) stop = this.parseExpression();
        if (this.skip(lx.TOKEN_COLON) && this.peekToken().type !== lx.TOKEN_RIGHT_BRACKET) step = this.parseExpression();
      }
      if (!this.skip(lx.TOKEN_RIGHT_BRACKET)) this.fail('expected ] after subscript', open.lineno, open.colno);
      if (!isSlice && start) return new N.LookupVal(open.lineno, open.colno, node, start);
      const args = [node, start ?? lit(open, null), stop ?? lit(open, null), step ?? lit(open, null)];
      return new N.FunCall(open.lineno, open.colno, new N.Symbol(open.lineno, open.colno, '__py_slice'), new N.NodeList(open.lineno, open.colno, args));
    }
  }

  const BIN: Record<string, string> = {
    Add: 'add',
    Sub: 'sub',
    Mul: 'mul',
    Div: 'div',
    FloorDiv: 'floorDiv',
    Mod: 'mod',
    Pow: 'pow',
    Concat: 'concat',
  };

  class PyCompiler extends (nj.compiler.Compiler as unknown as new (name: string, t: boolean) => NjCompilerBase) {
    native = false;

    private bin(node: NjNode, frame: NjFrame): void {
      this._emit(`env.py.${BIN[node.typename]}(`);
      this.compile(node.left as NjNode, frame);
      this._emit(', ');
      this.compile(node.right as NjNode, frame);
      this._emit(')');
    }

    compileAdd(n: NjNode, f: NjFrame): void {
      this.bin(n, f);
    }
    compileSub(n: NjNode, f: NjFrame): void {
      this.bin(n, f);
    }
    compileMul(n: NjNode, f: NjFrame): void {
      this.bin(n, f);
    }
    compileDiv(n: NjNode, f: NjFrame): void {
      this.bin(n, f);
    }
    compileFloorDiv(n: NjNode, f: NjFrame): void {
      this.bin(n, f);
    }
    compileMod(n: NjNode, f: NjFrame): void {
      this.bin(n, f);
    }
    compilePow(n: NjNode, f: NjFrame): void {
      this.bin(n, f);
    }
    compileConcat(n: NjNode, f: NjFrame): void {
      this.bin(n, f);
    }

    compileNeg(node: NjNode, frame: NjFrame): void {
      this._emit('env.py.neg(');
      this.compile(node.target as NjNode, frame);
      this._emit(')');
    }

    assertType(node: NjNode, ...types: unknown[]): void {
      if (node.typename === 'PyTruthy' || node.typename === 'PyLoopFilter') return;
      (PyCompiler.base.assertType as (this: NjCompilerBase, n: NjNode, ...t: unknown[]) => void).call(this, node, ...types);
    }

    compilePyTruthy(node: NjNode, frame: NjFrame): void {
      this._emit('env.py.truthy(');
      this.compile(node.target as NjNode, frame);
      this._emit(')');
    }

    compileNot(node: NjNode, frame: NjFrame): void {
      this._emit('!env.py.truthy(');
      this.compile(node.target as NjNode, frame);
      this._emit(')');
    }

    /** Python `or`/`and` return an operand, and only evaluate the right side when needed. */
    compileOr(node: NjNode, frame: NjFrame): void {
      this._emit('env.py.or(');
      this.compile(node.left as NjNode, frame);
      this._emit(', function() { return ');
      this.compile(node.right as NjNode, frame);
      this._emit('; })');
    }

    compileAnd(node: NjNode, frame: NjFrame): void {
      this._emit('env.py.and(');
      this.compile(node.left as NjNode, frame);
      this._emit(', function() { return ');
      this.compile(node.right as NjNode, frame);
      this._emit('; })');
    }

    compileIf(node: NjNode, frame: NjFrame, async?: boolean): void {
      node.cond = new Truthy(node.lineno, node.colno, node.cond);
      (PyCompiler.base.compileIf as (this: NjCompilerBase, n: NjNode, f: NjFrame, a?: boolean) => void).call(this, node, frame, async);
    }

    compileInlineIf(node: NjNode, frame: NjFrame): void {
      this._emit('(env.py.truthy(');
      this.compile(node.cond as NjNode, frame);
      this._emit(') ? ');
      this.compile(node.body as NjNode, frame);
      this._emit(' : ');
      if (node.else_) this.compile(node.else_ as NjNode, frame);
      else this._emit('env.py.undef("the inline if-expression on line ' + node.lineno + ' evaluated to false and no else section was defined.")');
      this._emit(')');
    }

    /** Chained comparisons (`1 < x < 3`) with Python equality and ordering. */
    compileCompare(node: NjNode, frame: NjFrame): void {
      this._emit('env.py.compare(');
      this.compile(node.expr as NjNode, frame);
      for (const op of node.ops as NjNode[]) {
        const t = String(op.type);
        const pyOp = t === '===' ? '==' : t === '!==' ? '!=' : t;
        this._emit(`, ${JSON.stringify(pyOp)}, `);
        this.compile(op.expr as NjNode, frame);
      }
      this._emit(')');
    }

    compileLookupVal(node: NjNode, frame: NjFrame): void {
      this._emit('env.py.member(context, ');
      this._compileExpression(node.target as NjNode, frame);
      this._emit(', ');
      this._compileExpression(node.val as NjNode, frame);
      this._emit(')');
    }

    compileIn(node: NjNode, frame: NjFrame): void {
      this._emit('env.py.in(');
      this.compile(node.left as NjNode, frame);
      this._emit(', ');
      this.compile(node.right as NjNode, frame);
      this._emit(')');
    }

    compileIs(node: NjNode, frame: NjFrame): void {
      const right = node.right as NjNode;
      const nameNode = right.name as NjNode | undefined;
      const name = String(nameNode ? nameNode.value : right.value);
      this._emit(`env.py.test(${JSON.stringify(name)}, context, `);
      this.compile(node.left as NjNode, frame);
      this._emit(', ');
      if (right.args) this._compileAggregate(right.args as NjNode, frame, '[', ']');
      else this._emit('[]');
      this._emit(')');
    }

    compileFilter(node: NjNode, frame: NjFrame): void {
      const name = String((node.name as NjNode).value);
      this._emit(`env.py.filter(${JSON.stringify(name)}, context, `);
      this._compileAggregate(node.args as NjNode, frame, '[', ']');
      this._emit(')');
    }

    compileSymbol(node: NjNode, frame: NjFrame): void {
      const name = String(node.value);
      const v = frame.lookup(name);
      if (v) this._emit(String(v));
      else if (Object.prototype.hasOwnProperty.call(LITERAL_NAMES, name)) this._emit(LITERAL_NAMES[name]);
      else this._emit(`env.py.lookup(context, frame, ${JSON.stringify(name)})`);
    }

    /** `(a, b)` is a tuple (a list for us); `(a)` is a parenthesised expression. */
    compileGroup(node: NjNode, frame: NjFrame): void {
      this._compileAggregate(node, frame, node.children.length > 1 ? '[' : '(', node.children.length > 1 ? ']' : ')');
    }

    /** Dict literals: keys are expressions (`{item.key: item.value}`), not names. */
    compileDict(node: NjNode, frame: NjFrame): void {
      this._emit('env.py.dict([');
      const kwargs = node.typename === 'KeywordArgs';
      node.children.forEach((pair, i) => {
        if (i > 0) this._emit(', ');
        const key = pair.key as NjNode;
        // f(name=value): the key is a name, not a variable.
        if (kwargs && key.typename === 'Symbol') this._emit(JSON.stringify(key.value));
        else this.compile(key, frame);
        this._emit(', ');
        this.compile(pair.value as NjNode, frame);
      });
      this._emit('])');
    }

    compileFor(node: NjNode, frame: NjFrame): void {
      const pair = (node.name as NjNode).typename === 'Array';
      node.arr = new N.FunCall(node.lineno, node.colno, new N.Symbol(node.lineno, node.colno, pair ? '__py_iter_pairs' : '__py_iter'), new N.NodeList(node.lineno, node.colno, [node.arr]));
      (PyCompiler.base.compileFor as (this: NjCompilerBase, n: NjNode, f: NjFrame) => void).call(this, node, frame);
    }

    /** Jinja2's loop object has more than nunjucks': previtem/nextitem (list loops), cycle(), depth. */
    _emitLoopBindings(node: NjNode, arr: string, i: string, len: string): void {
      (PyCompiler.base._emitLoopBindings as (this: NjCompilerBase, n: NjNode, a: string, i: string, l: string) => void).call(this, node, arr, i, len);
      this._emitLine(`if (Array.isArray(${arr})) { frame.set("loop.previtem", ${i} > 0 ? ${arr}[${i} - 1] : env.py.undef("there is no previous item")); frame.set("loop.nextitem", ${i} < ${len} - 1 ? ${arr}[${i} + 1] : env.py.undef("there is no next item")); }`);
      this._emitLine(`frame.set("loop.cycle", env.py.cycler(${i}));`);
      this._emitLine('frame.set("loop.depth", 1); frame.set("loop.depth0", 0);');
    }

    /** `seq if cond` of a for loop: filter the items with the loop names bound. */
    compilePyLoopFilter(node: NjNode, frame: NjFrame): void {
      const names = node.names as string[];
      this._emit('env.py.loopFilter(');
      this._compileExpression(node.arr as NjNode, frame);
      this._emit(`, ${names.length === 1 ? 'true' : 'false'}, function(it) { var f = frame.push(); `);
      if (names.length === 1) this._emit(`f.set(${JSON.stringify(names[0])}, it);`);
      else names.forEach((n, i) => this._emit(`f.set(${JSON.stringify(n)}, it[${i}]);`));
      this._emit(' return (function(frame) { return env.py.truthy(');
      const inner = frame.push();
      for (const n of names) inner.set(n, undefined);
      this.compile(node.cond as NjNode, inner);
      this._emit('); })(f); })');
    }

    /**
     * `{% set %}` with Jinja2 scoping: a set inside a loop does not leak out of it (use namespace()), and
     * `{% set ns.attr = v %}` assigns an attribute.
     */
    compileSet(node: NjNode, frame: NjFrame): void {
      const targets = node.targets as NjNode[];
      if (targets.length === 1 && targets[0].typename === 'LookupVal') {
        const tgt = targets[0];
        this._emit('env.py.setattr(');
        this._compileExpression(tgt.target as NjNode, frame);
        this._emit(', ');
        this._compileExpression(tgt.val as NjNode, frame);
        this._emit(', ');
        if (node.value) this._compileExpression(node.value as NjNode, frame);
        else this.compile(node.body as NjNode, frame);
        this._emitLine(');');
        return;
      }
      const f = frame as NjFrame & { get(n: string): unknown };
      const fresh: Array<[string, string]> = [];
      const ids = targets.map((tg) => {
        const name = String(tg.value);
        let id = f.get(name) as string | null | undefined;
        if (!id) {
          id = (this as unknown as { _tmpid(): string })._tmpid();
          this._emitLine(`var ${id};`);
          fresh.push([name, id]);
        }
        return id;
      });
      this._emit(`${ids.join(' = ')} = `);
      // The value is compiled before the names are bound here: `{% set c = c + 1 %}` reads the outer c.
      if (node.value) this._compileExpression(node.value as NjNode, frame);
      else this.compile(node.body as NjNode, frame);
      this._emitLine(';');
      for (const [name, id] of fresh) frame.set(name, id);
      targets.forEach((tg, i) => {
        const name = JSON.stringify(String(tg.value));
        this._emitLine(`frame.set(${name}, ${ids[i]});`);
        this._emitLine(`if(frame.topLevel) { context.setVariable(${name}, ${ids[i]}); }`);
      });
    }

    /** `{% include 'x.j2' %}`: rendered by the templar with the current variables (templates/ search path). */
    compileInclude(node: NjNode, frame: NjFrame): void {
      this._emit(`${(this as unknown as { buffer: string }).buffer} += env.py.include(context, frame, `);
      this._compileExpression(node.template as NjNode, frame);
      this._emitLine(`, ${node.ignoreMissing ? 'true' : 'false'});`);
    }

    compileOutput(node: NjNode, frame: NjFrame): void {
      if (this.native) {
        // Only the root output is native; outputs nested in it (`{% filter %}` bodies, captures) are text.
        this.native = false;
        this._emit('context.native = ');
        this._compileExpression(node.children[0], frame);
        this._emitLine(';');
        return;
      }
      (PyCompiler.base.compileOutput as (this: NjCompilerBase, n: NjNode, f: NjFrame) => void).call(this, node, frame);
    }

    static base = nj.compiler.Compiler.prototype as unknown as Record<string, unknown>;
  }

  loaded = {
    runtime: nj.runtime,
    newFrame: () => new nj.runtime.Frame(),
    compile(src: string, opts: CompileOptions, name: string): CompiledTemplate {
      const parser = new PyParser(balancedBraces(nj.lexer.lex(src, opts) as Tokenizer, opts.rawVarStrings));
      parser.extensions = [];
      // nunjucks' transformer only rewrites async filters and block super() calls, neither of which we have.
      const ast = parser.parseAsRoot();
      const c = new PyCompiler(name, false);
      const only = ast.children.length === 1 ? ast.children[0] : undefined;
      c.native = !!only && only.typename === 'Output' && only.children.length === 1 && only.children[0].typename !== 'TemplateData';
      const native = c.native;
      c.compile(ast, undefined as unknown as NjFrame);
      // Macros return nunjucks SafeString objects; Jinja2 macros return plain strings.
      const code = c.getCode().replace(/new runtime\.SafeString\(/g, 'String(');
      const props = new Function(code)() as { root: RootFn };
      c.native = native;
      const top = c.native ? only!.children[0] : undefined;
      const filterName = top?.typename === 'Filter' ? String((top.name as NjNode).value) : '';
      const keepString = STRING_TYPE_FILTERS.has(filterName.slice(filterName.lastIndexOf('.') + 1));
      return { native: c.native, keepString, root: props.root };
    },
  };
  return loaded;
}
