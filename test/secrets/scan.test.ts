/** The scanner finds a secret raw, base64-encoded alone, and inside any longer base64 text (every alignment). */
import { describe, expect, it } from 'vitest';
import { findLeaks } from './scan.js';

describe('findLeaks', () => {
  const secret = 'Kube-Admin-Pw-2208';
  it.each(['', 'u:', 'us:', 'use:', 'a much longer prefix before the password '])('finds it base64-encoded after %j', (prefix) => {
    const text = `auth: ${Buffer.from(`${prefix}${secret} and a suffix`).toString('base64')}`;
    expect(findLeaks('t', text, [secret]).length).toBeGreaterThan(0);
  });
  it('finds it raw and says nothing for clean text or redacted text', () => {
    expect(findLeaks('t', `x ${secret} y`, [secret])).toHaveLength(1);
    expect(findLeaks('t', 'password ********', [secret])).toEqual([]);
    expect(findLeaks('t', Buffer.from('nothing to see').toString('base64'), [secret])).toEqual([]);
  });
});
