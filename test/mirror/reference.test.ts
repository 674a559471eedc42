import { describe, expect, it } from 'vitest';
import { parseReference, parseImageLocation, formatReference } from '../../src/mirror/reference.js';
import { parseMapping } from '../../src/mirror/copy/mapping.js';
import { parsePlatforms, platformMatches } from '../../src/mirror/copy/platforms.js';

const D = `sha256:${'a'.repeat(64)}`;

describe('parseReference', () => {
  it('normalises Docker Hub names like the container tools', () => {
    expect(parseReference('busybox')).toEqual({ registry: 'docker.io', repository: 'library/busybox', tag: undefined, digest: undefined });
    expect(parseReference('docker://org/app:1.0')).toMatchObject({ registry: 'docker.io', repository: 'org/app', tag: '1.0' });
    expect(parseReference('index.docker.io/library/redis')).toMatchObject({ registry: 'docker.io', repository: 'library/redis' });
  });

  it('splits host:port, repository, tag and digest', () => {
    expect(parseReference(`registry.local:5000/ocp/release:4.14.38-x86_64@${D}`)).toEqual({ registry: 'registry.local:5000', repository: 'ocp/release', tag: '4.14.38-x86_64', digest: D });
    expect(parseReference('localhost/app')).toMatchObject({ registry: 'localhost', repository: 'app' });
    expect(formatReference(parseReference(`quay.io/a/b@${D}`))).toBe(`quay.io/a/b@${D}`);
  });

  it('refuses bad references with a message saying what is wrong', () => {
    expect(() => parseReference('quay.io/Org/App')).toThrow(/must be lower-case/);
    expect(() => parseReference('quay.io/a/b@sha256:1234')).toThrow(/not a sha256 digest/);
    expect(() => parseReference('quay.io/a/b:-bad')).toThrow(/tag "-bad" is not valid/);
    expect(() => parseReference('')).toThrow(/empty/);
    expect(() => parseReference('quay.io//b')).toThrow(/empty repository path/);
  });
});

describe('parseImageLocation', () => {
  it('recognises docker, oci and oci-archive transports', () => {
    expect(parseImageLocation('docker://quay.io/a/b:1')).toMatchObject({ transport: 'docker', ref: { repository: 'a/b', tag: '1' } });
    expect(parseImageLocation('oci:/tmp/lay:v1')).toEqual({ transport: 'oci', dir: '/tmp/lay', tag: 'v1', digest: undefined });
    expect(parseImageLocation(`oci:/tmp/lay@${D}`)).toEqual({ transport: 'oci', dir: '/tmp/lay', tag: undefined, digest: D });
    expect(parseImageLocation('oci:/tmp/lay')).toEqual({ transport: 'oci', dir: '/tmp/lay', tag: undefined, digest: undefined });
    expect(parseImageLocation('oci-archive:/x/a.tar:t')).toEqual({ transport: 'oci-archive', file: '/x/a.tar', tag: 't', digest: undefined });
    expect(() => parseImageLocation('ftp://x/y')).toThrow(/unsupported transport/);
  });
});

describe('parseMapping', () => {
  it('reads oc mapping lines and skips comments', () => {
    expect(parseMapping(`# c\nquay.io/a/b@${D}=reg:5000/a/b:v1\n\n  x/y:1 = reg:5000/x/y:1  \n`)).toEqual([
      { source: `quay.io/a/b@${D}`, destination: 'reg:5000/a/b:v1' },
      { source: 'x/y:1', destination: 'reg:5000/x/y:1' },
    ]);
  });
  it('names file and line of a bad entry', () => {
    expect(() => parseMapping('a/b:1=c/d:1\nnot-a-mapping\n', 'm.txt')).toThrow(/m\.txt:2: expected SOURCE=DESTINATION/);
    expect(() => parseMapping('a/B:1=c/d:1\n', 'm.txt')).toThrow(/m\.txt:1: .*lower-case/);
  });
});

describe('platform filters', () => {
  it('match os/arch and default arm64 variant', () => {
    const f = parsePlatforms(['linux/amd64', 'linux/arm64/v8']);
    expect(platformMatches({ os: 'linux', architecture: 'amd64' }, f)).toBe(true);
    expect(platformMatches({ os: 'linux', architecture: 'arm64' }, f)).toBe(true);
    expect(platformMatches({ os: 'linux', architecture: 's390x' }, f)).toBe(false);
    expect(platformMatches(undefined, f)).toBe(false);
    expect(() => parsePlatforms(['linux/'])).toThrow(/invalid platform/);
  });
});
