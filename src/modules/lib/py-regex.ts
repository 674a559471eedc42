/**
 * Python `re` patterns (what Ansible users write) to JavaScript RegExp: named groups `(?P<n>…)`, back-references
 * `(?P=n)`, inline flags at the start (`(?i)`), and `\Z`/`\A`. Replacement templates: `\1`, `\g<1>`, `\g<name>`.
 */
export function pyRegex(pattern: string, extraFlags = ''): RegExp {
  let src = pattern;
  let flags = extraFlags;
  const inline = /^\(\?([aiLmsux]+)\)/.exec(src);
  if (inline) {
    src = src.slice(inline[0].length);
    for (const f of inline[1]) if ('ims'.includes(f) && !flags.includes(f)) flags += f;
  }
  src = src
    .replace(/\(\?P<([A-Za-z_]\w*)>/g, '(?<$1>')
    .replace(/\(\?P=([A-Za-z_]\w*)\)/g, '\\k<$1>')
    .replace(/\\A/g, '^')
    .replace(/\\Z/g, '(?![\\s\\S])');
  if (!flags.includes('m')) src = pythonDollar(src);
  try {
    return new RegExp(src, flags);
  } catch (e) {
    throw new Error(`invalid regular expression ${JSON.stringify(pattern)}: ${(e as Error).message}`, { cause: e });
  }
}

/** Python's `match.expand(template)`. */
export function expandMatch(match: RegExpExecArray, template: string): string {
  return template.replace(/\\(?:g<(\w+)>|(\d{1,2}))|\\([\\nt])/g, (_m, g: string | undefined, d: string | undefined, esc: string | undefined) => {
    if (esc) return esc === 'n' ? '\n' : esc === 't' ? '\t' : '\\';
    const key = g ?? d!;
    const v = /^\d+$/.test(key) ? match[Number(key)] : match.groups?.[key];
    return v ?? '';
  });
}

/** Python's `$` (without MULTILINE) also matches just before a final newline; JavaScript's does not. */
function pythonDollar(src: string): string {
  let out = '';
  let inClass = false;
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (c === '\\') {
      out += c + (src[i + 1] ?? '');
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
    } else if (c === '[') {
      inClass = true;
    } else if (c === '$') {
      out += '(?=\\n?$)';
      continue;
    }
    out += c;
  }
  return out;
}
