/**
 * Module boolean arguments: ansible-core's check_type_bool (strict, the config ansibleBool rule) for module
 * arguments, boolean(strict=False) for arguments only an action plugin reads. The oracle comparison is in
 * bool-oracle.test.ts; these pin the messages and the edge cases without running ansible.
 */
import { describe, expect, it } from 'vitest';
import { bool, looseBool, toBool } from '../../../src/modules/lib/args.js';
import { ansibleBool } from '../../../src/config/index.js';

describe('toBool (module arguments)', () => {
  it('is the config ansibleBool rule on every value but null (ansible-core: not given, read as false)', () => {
    const values = ['yes', 'On', ' TRUE ', '1', 'y', 't', 1, 1.0, true, 'no', 'Off', 'false', '0', 'n', 'f', 0, -0, false, '', ' ', 2, -1, 0.5, NaN, 'maybe', [], {}];
    expect(values.map(toBool)).toEqual(values.map(ansibleBool));
    expect(toBool(null)).toBe(false);
  });

  it('refuses what ansible-core refuses: empty strings, numbers other than 0/1, unknown words', () => {
    expect([' ', '', 2, -1, 0.5, '2', 'maybe', 'ＹＥＳ'].map(toBool)).toEqual(Array(8).fill(undefined));
  });

  it('strips white space the Python way (str.strip), not the JavaScript way (trim)', () => {
    expect(['\x1cyes', 'no\x85', '\u3000on\t'].map(toBool)).toEqual([true, false, true]);
    expect(toBool('\ufeffyes')).toBeUndefined();
  });

  it('the bool schema refuses a word that is no boolean, saying what it got', () => {
    const r = bool.safeParse('maybe');
    expect(r.success).toBe(false);
    expect(r.error?.issues[0].message).toBe('expected a boolean (true/false, yes/no, on/off, y/n, t/f or 1/0, any case), got string "maybe"');
    expect(bool.safeParse(2).error?.issues[0].message).toMatch(/got number 2$/);
    expect(bool.safeParse([true]).error?.issues[0].message).toMatch(/got a list$/);
    expect(bool.safeParse(null).data).toBe(false);
  });
});

describe('looseBool (arguments read by an action plugin, boolean(strict=False))', () => {
  it('a true word is true, anything else false; lists and mappings are refused', () => {
    expect(['yes', 'TRUE', 1, true].map((v) => looseBool.parse(v))).toEqual([true, true, true, true]);
    expect(['maybe', '', 2, 0.5, null, 'no', false].map((v) => looseBool.parse(v))).toEqual(Array(7).fill(false));
    expect(looseBool.safeParse([]).success).toBe(false);
    expect(looseBool.safeParse({}).success).toBe(false);
  });
});
