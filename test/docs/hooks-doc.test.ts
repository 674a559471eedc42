/** docs/hooks.md lists the supported subset: every module, keyword, filter, test and lookup of the code. */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../helpers/cli.js';
import { MODULES } from '../../src/modules/index.js';
import { BLOCK_ONLY_KEYWORDS, COMMON_KEYWORDS, PLAY_KEYWORDS, TASK_ONLY_KEYWORDS, WITH_LOOPS } from '../../src/engine/loader/keywords.js';
import { FILTERS } from '../../src/engine/template/filters/index.js';
import { TESTS } from '../../src/engine/template/tests.js';

const doc = readFileSync(join(REPO_ROOT, 'docs', 'hooks.md'), 'utf8');
const section = (title: string): string => {
  const start = doc.indexOf(`**${title}`);
  return doc.slice(start, doc.indexOf('\n\n', start));
};
const words = (s: string): Set<string> => new Set(s.replace(/[`*()]/g, ' ').split(/[\s,;:.]+/).filter(Boolean));

describe('docs/hooks.md', () => {
  it.each([
    ['Modules', MODULES.map((m) => m.name)],
    ['Play keywords', [...PLAY_KEYWORDS]],
    ['Task and block keywords', [...COMMON_KEYWORDS, ...TASK_ONLY_KEYWORDS, ...BLOCK_ONLY_KEYWORDS]],
    ['Loops', [...WITH_LOOPS]],
    ['Filters', Object.keys(FILTERS)],
    ['Tests', Object.keys(TESTS)],
  ])('lists every name of %s', (title, names) => {
    const listed = words(section(title));
    expect(names.filter((n) => !listed.has(n))).toEqual([]);
  });
  it('lists the lookups the engine knows', () => {
    const src = readFileSync(join(REPO_ROOT, 'src', 'engine', 'template', 'lookups.ts'), 'utf8');
    const table = /const LOOKUPS[^{]*\{([\s\S]*?)\n\};/.exec(src)?.[1] ?? '';
    const names = [...table.matchAll(/^ {2}(\w+)[:(,]/gm)].map((m) => m[1]);
    expect(names.length).toBeGreaterThan(5);
    const listed = words(section('Lookups'));
    expect(names.filter((n) => !listed.has(n))).toEqual([]);
  });
});
