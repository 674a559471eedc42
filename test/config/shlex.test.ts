/** Host-line splitting against Python's own `shlex.split(line, comments=True)` (what Ansible's INI plugin uses). */
import { describe, expect, it } from 'vitest';
import { shlexSplit, ShlexError } from '../../src/config/shlex.js';
import { run } from './fixtures.js';

const LINES = [
  'host a=1 b=2',
  'host a="x y" b=\'p q\'',
  'host a=b#comment c=d',
  'host # a comment',
  'host a=x\\ y',
  'host a="esc \\" q" b="back\\\\slash" c="keep\\n"',
  "host a='no \\escape'",
  'host a=""',
  'host a=x"y z"w',
  '  spaced   host  ',
  'h "" x',
  'host a=\\#notcomment',
];

describe('shlexSplit', () => {
  it('splits host lines exactly like Python shlex (posix, comments)', async () => {
    const script = 'import json,shlex,sys\nprint(json.dumps([shlex.split(l, comments=True) for l in json.load(sys.stdin)]))';
    const expected = JSON.parse(await run('python3', ['-c', script], { input: JSON.stringify(LINES) })) as string[][];
    for (const [i, l] of LINES.entries()) expect(shlexSplit(l), l).toEqual(expected[i]);
  });

  it('reports an unclosed quote', () => {
    expect(() => shlexSplit('host a="open')).toThrow(ShlexError);
    expect(() => shlexSplit('host a="open')).toThrow('No closing quotation');
  });
});
