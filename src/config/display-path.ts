/** Paths in messages: relative to the working directory when below it (shorter, what the user typed), else absolute. */
import { isAbsolute, relative, resolve } from 'node:path';

export function displayPath(path: string, cwd: string = process.cwd()): string {
  const abs = resolve(cwd, path);
  const rel = relative(cwd, abs);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : abs;
}
