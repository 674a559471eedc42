/** The README's precedence table is written from PRECEDENCE_LEVELS: this keeps the two in step. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PRECEDENCE_LEVELS } from '../../src/config/index.js';
import { REPO_ROOT } from '../helpers/cli.js';

describe('README variable precedence', () => {
  it('lists every level of PRECEDENCE_LEVELS, in the same order', async () => {
    const readme = await readFile(join(REPO_ROOT, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Inventories and variable precedence'));
    const rows = [...section.matchAll(/^\| (\d+) \| ([^|]+) \|/gm)].map((m) => [Number(m[1]), m[2].trim()]);
    expect(rows).toEqual(PRECEDENCE_LEVELS.map((l, i) => [i + 1, l.title]));
  });
});
