/** The corpus itself: big enough, every group run by exactly one test file, names unique. */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { CASE_GROUPS } from './cases/index.js';

describe('bad-input corpus', () => {
  const all = Object.values(CASE_GROUPS).flat();
  it('has at least 50 cases with unique names', () => {
    expect(all.length).toBeGreaterThanOrEqual(50);
    expect(new Set(all.map((c) => c.name)).size).toBe(all.length);
  });
  it('every case names a file or says it is an option error, and lines come with a file', () => {
    for (const c of all) if (c.line !== undefined) expect(c.file, c.name).not.toBeNull();
  });
  it('every group is run by exactly one of the two test files', () => {
    const files = ['config-inputs.test.ts', 'pipeline-inputs.test.ts'].map((f) => readFileSync(new URL(f, import.meta.url), 'utf8'));
    for (const group of Object.keys(CASE_GROUPS)) expect(files.filter((f) => f.includes(`'${group}'`) || f.includes(` ${group},`) || f.includes(` ${group} }`)).length, group).toBe(1);
  });
});
