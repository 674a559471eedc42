/** Module boolean arguments: ansible-core's rule (config ansibleBool) plus the engine's two documented leniencies. */
import { describe, expect, it } from 'vitest';
import { bool, toBool } from '../../../src/modules/lib/args.js';
import { ansibleBool } from '../../../src/config/index.js';

describe('toBool (module arguments)', () => {
  it('agrees with ansibleBool on every value ansible-core accepts', () => {
    const accepted = ['yes', 'On', ' TRUE ', '1', 'y', 't', 1, true, 'no', 'Off', 'false', '0', 'n', 'f', 0, false];
    expect(accepted.map(toBool)).toEqual(accepted.map(ansibleBool));
    expect(accepted.map(toBool)).not.toContain(undefined);
  });

  it('an empty string is false and any other number its truthiness (ansible-core refuses both)', () => {
    expect([' ', '', 2, -1, 0.5].map(toBool)).toEqual([false, false, true, true, true]);
    expect(['', 2].map(ansibleBool)).toEqual([undefined, undefined]);
  });

  it('the bool schema refuses a word that is no boolean, saying what it got', () => {
    const r = bool.safeParse('maybe');
    expect(r.success).toBe(false);
    expect(r.error?.issues[0].message).toBe('expected a boolean (yes/no/true/false), got "maybe"');
  });
});
