/**
 * Runs every vector family file in VECTORS_DIR (default ../shared/vectors next to the repository) through
 * the handler registered for it in families.ts. An unknown family file, an unreadable file or a malformed
 * case fails; a case is skipped only when its family is registered as pending, with the written reason.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { FAMILIES, type VectorCase, type VectorFile } from './families.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const VECTORS_DIR = process.env.VECTORS_DIR ? resolve(process.env.VECTORS_DIR) : resolve(repoRoot, '..', 'shared', 'vectors');

function listFamilies(): string[] {
  return readdirSync(VECTORS_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort();
}

function caseProblem(c: unknown): string | undefined {
  const k = c as Partial<VectorCase> | null;
  if (!k || typeof k !== 'object') return 'a case is not an object';
  if (typeof k.name !== 'string' || k.name === '') return 'a case has no name';
  if (!('input' in k) || typeof k.input !== 'object' || k.input === null) return `case "${k.name}" has no input object`;
  if (!('expected' in k) && typeof k.error !== 'string') return `case "${k.name}" has neither expected nor error`;
  return undefined;
}

describe(`vector families in ${VECTORS_DIR}`, () => {
  const files = listFamilies();

  it('finds vector files', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  for (const fileName of files) {
    const family = basename(fileName, '.json');
    describe(family, () => {
      const handler = FAMILIES[family];
      let file: VectorFile | undefined;
      let readError: string | undefined;
      try {
        file = JSON.parse(readFileSync(join(VECTORS_DIR, fileName), 'utf8')) as VectorFile;
        if (!file || !Array.isArray(file.cases) || file.cases.length === 0) readError = 'no "cases" list (or it is empty)';
      } catch (e) {
        readError = (e as Error).message;
      }
      if (!handler) {
        it(`is a known family (register a handler for "${family}" in test/vectors/families.ts)`, () => {
          expect.fail(`no handler registered for vector family "${family}" (${fileName})`);
        });
        return;
      }
      if (readError !== undefined || !file) {
        it('is readable', () => expect.fail(`${fileName}: ${readError}`));
        return;
      }
      const loaded = file;
      loaded.cases.forEach((c, i) => {
        const problem = caseProblem(c);
        const title = `${i + 1}. ${typeof c?.name === 'string' ? c.name : '(unnamed)'}`;
        if (problem) {
          it(title, () => expect.fail(`${fileName}: ${problem}`));
        } else if (handler.pending !== undefined) {
          it.skip(`${title} — ${handler.pending}`, () => {});
        } else if (!handler.run) {
          it(title, () => expect.fail(`handler for ${family} has neither run nor a pending reason`));
        } else {
          const run = handler.run;
          it(title, async () => {
            await run(c, loaded);
          });
        }
      });
    });
  }
});
