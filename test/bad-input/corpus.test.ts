/** The corpus itself: big enough, every case in exactly one test file, names unique. */
import { describe, expect, it } from 'vitest';
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
});
