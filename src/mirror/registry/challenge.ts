/**
 * WWW-Authenticate parsing (RFC 7235 auth-params: `Bearer realm="...",service="...",scope="..."`), enough for
 * registries: one or more challenges, quoted strings with backslash escapes.
 */
export interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

export function parseChallenges(header: string | string[] | undefined): Challenge[] {
  if (!header) return [];
  const text = Array.isArray(header) ? header.join(', ') : header;
  const out: Challenge[] = [];
  const re = /\s*([A-Za-z][\w!#$%&'*+.^`|~-]*)(?:\s+|$)/y;
  let i = 0;
  while (i < text.length) {
    re.lastIndex = i;
    const m = re.exec(text);
    if (!m) break;
    const ch: Challenge = { scheme: m[1].toLowerCase(), params: {} };
    i = re.lastIndex;
    // auth-params: name=value pairs separated by commas, until the next scheme token.
    for (;;) {
      const pm = /\s*([\w!#$%&'*+.^`|~-]+)\s*=\s*("((?:[^"\\]|\\.)*)"|[^,\s]*)\s*,?/y;
      pm.lastIndex = i;
      const p = pm.exec(text);
      if (!p) break;
      ch.params[p[1].toLowerCase()] = p[3] !== undefined ? p[3].replace(/\\(.)/g, '$1') : p[2];
      i = pm.lastIndex;
    }
    out.push(ch);
    while (i < text.length && /[\s,]/.test(text[i])) i++;
  }
  return out;
}
