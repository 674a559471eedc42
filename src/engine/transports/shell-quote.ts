/**
 * POSIX shell quoting and Python-shlex-style splitting. Commands cross a shell on the remote side (ssh exec
 * always goes through the login shell) and for `become` (sudo sh -c), so every argv element is quoted with
 * single quotes — the only quoting with no special characters inside.
 */

const SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** Quote one word for /bin/sh: `it's` → `'it'"'"'s'`. */
export function shellQuote(word: string): string {
  if (word === '') return "''";
  if (SAFE.test(word)) return word;
  return `'${word.replace(/'/g, `'"'"'`)}'`;
}

/** Quote an argv list into one command line. */
export function quoteArgv(argv: readonly string[]): string {
  return argv.map(shellQuote).join(' ');
}

/** Environment variable names a shell can export; anything else would be a syntax (or injection) hazard. */
export const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** `export A='x' B='y'; ` prefix for a remote command. Throws on names that are not identifiers. */
export function exportPrefix(env: Record<string, string> | undefined): string {
  if (!env) return '';
  const parts: string[] = [];
  for (const [name, value] of Object.entries(env)) {
    if (!ENV_NAME.test(name)) throw new Error(`environment variable name ${JSON.stringify(name)} is not a valid shell identifier`);
    parts.push(`${name}=${shellQuote(String(value))}`);
  }
  return parts.length ? `export ${parts.join(' ')}; ` : '';
}

/**
 * Split a command line like Python's `shlex.split` (POSIX mode), which is what Ansible's `command` module uses:
 * quotes group, backslash escapes outside single quotes, no variable expansion, no globbing.
 */
export function shlexSplit(line: string): string[] {
  const words: string[] = [];
  let cur = '';
  let inWord = false;
  let i = 0;
  while (i < line.length) {
    const c = line[i];
    if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) throw new Error(`no closing quotation in: ${line}`);
      cur += line.slice(i + 1, end);
      inWord = true;
      i = end + 1;
    } else if (c === '"') {
      i++;
      let closed = false;
      while (i < line.length) {
        const d = line[i];
        if (d === '"') {
          closed = true;
          i++;
          break;
        }
        if (d === '\\' && i + 1 < line.length && '\\"$`\n'.includes(line[i + 1])) {
          cur += line[i + 1];
          i += 2;
          continue;
        }
        cur += d;
        i++;
      }
      if (!closed) throw new Error(`no closing quotation in: ${line}`);
      inWord = true;
    } else if (c === '\\') {
      if (i + 1 < line.length) cur += line[i + 1];
      inWord = true;
      i += 2;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(cur);
      cur = '';
      inWord = false;
      i++;
    } else {
      cur += c;
      inWord = true;
      i++;
    }
  }
  if (inWord) words.push(cur);
  return words;
}
