/** Python `re` patterns and replacements in JavaScript RegExp terms (named groups, `\g<1>`, inline flags). */
import { PyError } from './py.js';

const cache = new Map<string, RegExp>();

export function pyRegExp(pattern: string, flags = ''): RegExp {
  const key = `${flags}\0${pattern}`;
  let re = cache.get(key);
  if (re) return re;
  let src = pattern;
  let f = flags;
  // Leading inline flags `(?i)` / `(?ms)` are Python-only syntax.
  const inline = /^\(\?([aiLmsux]+)\)/.exec(src);
  if (inline) {
    src = src.slice(inline[0].length);
    for (const c of inline[1]) if ('ims'.includes(c) && !f.includes(c)) f += c;
  }
  src = src
    .replace(/\(\?P<(\w+)>/g, '(?<$1>')
    .replace(/\(\?P=(\w+)\)/g, '\\k<$1>')
    .replace(/\\A/g, '^')
    .replace(/\\Z/g, '$');
  try {
    re = new RegExp(src, f);
  } catch (e) {
    throw new PyError(`invalid regular expression ${JSON.stringify(pattern)}: ${(e as Error).message}`);
  }
  if (cache.size > 2000) cache.clear();
  cache.set(key, re);
  return re;
}

export function reFlags(kw: Record<string, unknown>): string {
  return (kw.ignorecase === true ? 'i' : '') + (kw.multiline === true ? 'm' : '');
}

/** Python `re.sub` replacement template: `\1`, `\g<1>`, `\g<name>`, `\n`, `\\`. */
export function expandReplacement(repl: string, m: RegExpExecArray | string[], groups: Record<string, string | undefined> | undefined): string {
  return repl.replace(/\\(g<(\w+)>|\d{1,2}|n|t|r|\\|.)/g, (all, e: string, g: string | undefined) => {
    if (g !== undefined) return /^\d+$/.test(g) ? (m[Number(g)] ?? '') : (groups?.[g] ?? '');
    if (/^\d+$/.test(e)) return m[Number(e)] ?? '';
    if (e === 'n') return '\n';
    if (e === 't') return '\t';
    if (e === 'r') return '\r';
    if (e === '\\') return '\\';
    return all;
  });
}
