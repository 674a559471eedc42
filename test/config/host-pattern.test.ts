import { describe, expect, it } from 'vitest';
import { HostPatternError, parseHostPattern } from '../../src/config/host-pattern.js';

describe('parseHostPattern', () => {
  it.each([
    ['worker-[0:2]', ['worker-0', 'worker-1', 'worker-2']],
    ['node[01:10:3]', ['node01', 'node04', 'node07', 'node10']],
    ['db-[a:c]', ['db-a', 'db-b', 'db-c']],
    ['r[1:2]-[a:b]', ['r1-a', 'r1-b', 'r2-a', 'r2-b']],
    ['h[:2]', ['h0', 'h1', 'h2']],
    ['plain', ['plain']],
  ])('expands %s', (pattern, hosts) => {
    expect(parseHostPattern(pattern)).toEqual({ hosts });
  });

  it('splits ports off names, ranges and bracketed IPv6, not off bare IPv6', () => {
    expect(parseHostPattern('web[1:2]:2222')).toEqual({ hosts: ['web1', 'web2'], port: 2222 });
    expect(parseHostPattern('my_host:22')).toEqual({ hosts: ['my_host'], port: 22 });
    expect(parseHostPattern('[fe80::1]:2202')).toEqual({ hosts: ['fe80::1'], port: 2202 });
    expect(parseHostPattern('fe80::2')).toEqual({ hosts: ['fe80::2'] });
  });

  it.each([
    ['x[3:1]', 'host range "x[3:1]" does not expand to any host (is the start after the end?)'],
    ['x[a:1]', 'host range [a:1] mixes letters and numbers or is not a range (use [0:9] or [a:f])'],
    ['x[01:100]', 'host range [01:100] must use equal-length begin and end (zero padding)'],
    ['x[1:3', 'host range in "x[1:3" has no closing "]"'],
    ['x[1:]', 'host range [1:] must specify an end value'],
    ['x[1:4:0]', 'host range [1:4:0] has an invalid step "0"'],
    ['x[c:a]', 'host range [c:a] must have begin <= end'],
  ])('refuses %s', (pattern, message) => {
    expect(() => parseHostPattern(pattern)).toThrow(HostPatternError);
    expect(() => parseHostPattern(pattern)).toThrow(message);
  });
});
