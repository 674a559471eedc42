import { describe, expect, it } from 'vitest';
import { parseReference, parseImageLocation, formatReference, readReference, splitPullSpec, CONTAINERS_RULES, MIRROR_RULES } from '../../src/core/image-reference.js';
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

describe('one parser, two sets of rules', () => {
  const read = (s: string, rules: typeof MIRROR_RULES): unknown => {
    const r = readReference(s, rules);
    return r.ok ? r.ref : r.problem.kind;
  };

  it('the mirror client lower-cases hosts and treats registry-1.docker.io as Docker Hub; containers/image keeps both as written', () => {
    expect(read('Quay.IO/a/b:1', MIRROR_RULES)).toEqual({ registry: 'quay.io', repository: 'a/b', tag: '1', digest: undefined });
    expect(read('Quay.IO/a/b:1', CONTAINERS_RULES)).toMatchObject({ registry: 'Quay.IO', repository: 'a/b' });
    expect(read('registry-1.docker.io/redis', MIRROR_RULES)).toMatchObject({ registry: 'docker.io', repository: 'library/redis' });
    expect(read('registry-1.docker.io/redis', CONTAINERS_RULES)).toMatchObject({ registry: 'registry-1.docker.io', repository: 'redis' });
    expect(read('index.docker.io/redis', CONTAINERS_RULES)).toMatchObject({ registry: 'docker.io', repository: 'library/redis' });
  });

  it('digests: sha256 only for the client, the distribution grammar for mirror-set matching; image IDs and docker:// by reader', () => {
    const sha512 = `sha512:${'b'.repeat(128)}`;
    expect(read(`quay.io/a/b@${sha512}`, MIRROR_RULES)).toBe('digest');
    expect(read(`quay.io/a/b@${sha512}`, CONTAINERS_RULES)).toMatchObject({ digest: sha512 });
    expect(read('a'.repeat(64), CONTAINERS_RULES)).toBe('image-id');
    expect(read('a'.repeat(64), MIRROR_RULES)).toMatchObject({ registry: 'docker.io', repository: `library/${'a'.repeat(64)}` });
    expect(read(' docker://busybox ', MIRROR_RULES)).toMatchObject({ registry: 'docker.io', repository: 'library/busybox' });
    expect(read('docker://busybox', CONTAINERS_RULES)).toBe('registry');
  });

  it('splitPullSpec takes a spec apart as written; a bare host:port keeps its port only when asked', () => {
    expect(splitPullSpec(`busybox:1@${D}`)).toEqual({ repository: 'busybox', tag: '1', digest: D });
    expect(splitPullSpec('reg.local:5000')).toEqual({ repository: 'reg.local', tag: '5000', digest: undefined });
    expect(splitPullSpec('reg.local:5000', { tagNeedsPath: true })).toEqual({ repository: 'reg.local:5000', tag: undefined, digest: undefined });
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
