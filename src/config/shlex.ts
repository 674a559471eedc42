/**
 * Python's `shlex.split(line, comments=True)` (POSIX mode), which Ansible's INI plugin uses to cut a host line into
 * the host pattern and its `key=value` words: quotes group words and are removed, a backslash escapes the next
 * character (inside double quotes only `"` and `\`), and `#` starts a comment wherever a word can continue.
 */
export class ShlexError extends Error {}

const WHITESPACE = ' \t\r\n';

export function shlexSplit(line: string): string[] {
  const tokens: string[] = [];
  let state: ' ' | 'a' | '"' | "'" | '\\' = ' ';
  let escapedState = 'a' as 'a' | '"' | "'";
  let token = '';
  let quoted = false;
  const emit = (): void => {
    if (token !== '' || quoted) tokens.push(token);
    token = '';
    quoted = false;
  };
  let i = 0;
  for (; i <= line.length; i++) {
    const c = i < line.length ? line[i] : '';
    if (state === ' ' || state === 'a') {
      if (c === '') break;
      if (WHITESPACE.includes(c)) {
        emit();
        state = ' ';
      } else if (c === '#') {
        // comment: skip to the end of the line
        const nl = line.indexOf('\n', i);
        if (nl < 0) break;
        i = nl;
        emit();
        state = ' ';
      } else if (c === '\\') {
        escapedState = 'a';
        state = '\\';
      } else if (c === '"' || c === "'") {
        quoted = true;
        state = c;
      } else {
        token += c;
        state = 'a';
      }
    } else if (state === '"' || state === "'") {
      if (c === '') throw new ShlexError('No closing quotation');
      if (c === state) state = 'a';
      else if (c === '\\' && state === '"') {
        escapedState = state;
        state = '\\';
      } else token += c;
    } else {
      // escape
      if (c === '') throw new ShlexError('No escaped character');
      if (escapedState === '"' && c !== '"' && c !== '\\') token += '\\';
      token += c;
      state = escapedState;
    }
  }
  emit();
  return tokens;
}
