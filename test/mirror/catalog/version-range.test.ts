// Masterminds/semver v3.3 range semantics (what oc-mirror uses), where they differ from npm semver.
import { describe, expect, it } from 'vitest';
import { parseLooseVersion, parseStrictVersion, parseVersionRange } from '../../../src/mirror/catalog/index.js';

const t = (range: string, version: string): boolean => parseVersionRange(range).test(parseStrictVersion(version)!);

describe('version ranges', () => {
  it('checks prereleases per comparator', () => {
    expect(t('>=1.34.1-5 <=1.42.0-5', '1.40.0-3')).toBe(true); // npm semver says false
    expect(t('>=1.0.0', '1.5.0-1')).toBe(false);
    expect(t('>=0.10.0-mas', '0.11.0-mas')).toBe(true);
    expect(t('<=0.8.0+0.1634606167.p', '0.8.0+0.1634606167.p')).toBe(true);
    expect(t('<=0.8.0+0.1634606167.p', '0.8.0-0.1634606167.p')).toBe(false);
  });
  it('supports AND with spaces or commas, OR, hyphen ranges, x-ranges, ~ and ^', () => {
    expect(t('>=1.0.0, <2.0.0', '1.9.9')).toBe(true);
    expect(t('>=1.0.0 <2.0.0', '2.0.0')).toBe(false);
    expect(t('<1.0.0 || >=3.0.0', '3.1.0')).toBe(true);
    expect(t('1.2 - 1.4.5', '1.4.5')).toBe(true);
    expect(t('1.2 - 1.4.5', '1.4.6')).toBe(false);
    expect(t('1.2.x', '1.2.9')).toBe(true);
    expect(t('1.2.x', '1.3.0')).toBe(false);
    expect(t('~1.2.3', '1.2.9')).toBe(true);
    expect(t('~1.2.3', '1.3.0')).toBe(false);
    expect(t('^1.2.3', '1.9.0')).toBe(true);
    expect(t('^0.2.3', '0.3.0')).toBe(false);
    expect(t('!=1.2.3', '1.2.3')).toBe(false);
    expect(t('>1.2', '1.2.9')).toBe(false);
    expect(t('>1.2', '1.3.0')).toBe(true);
    expect(t('<=1.2', '1.2.9')).toBe(true);
  });
  it('parses bundle versions strictly and range operands loosely', () => {
    expect(parseStrictVersion('v1.0.0')).toBeUndefined();
    expect(parseStrictVersion('1.0')).toBeUndefined();
    expect(parseStrictVersion('01.0.0')).toBeUndefined();
    expect(parseStrictVersion('1.42.0-5+0.1687199951.p')).toMatchObject({ prerelease: '5', build: '0.1687199951.p' });
    expect(parseLooseVersion('v1.2')).toMatchObject({ major: 1, minor: 2, patch: 0 });
    expect(() => parseVersionRange('something-isnt-right')).toThrow(/improper constraint/);
  });
});
