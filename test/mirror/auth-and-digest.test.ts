import { describe, expect, it, onTestFinished } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createHash } from 'node:crypto';
import { CredentialStore, normalizeAuthKey } from '../../src/mirror/registry/credentials.js';
import { parseChallenges } from '../../src/mirror/registry/challenge.js';
import { VerifiedBlob } from '../../src/mirror/verified-blob.js';
import { parseManifest } from '../../src/mirror/media-types.js';
import { classify, parseRetryAfter, RegistryHttpError } from '../../src/mirror/registry/retry.js';
import { SecretRegistry } from '../../src/core/secrets.js';

const b64 = (s: string): string => Buffer.from(s).toString('base64');

describe('credentials', () => {
  it('picks the longest host/path match like containers/image', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'auth-'));
    onTestFinished(() => rm(dir, { recursive: true, force: true }));
    const f = join(dir, 'auth.json');
    await writeFile(f, JSON.stringify({ auths: { 'quay.io': { auth: b64('host:h') }, 'quay.io/team': { auth: b64('team:s3cret-team-pw') }, 'quay.io/team/app': { auth: b64('app:a') }, 'https://index.docker.io/v1/': { auth: b64('hub:x') } } }));
    const secrets = new SecretRegistry();
    const s = new CredentialStore(secrets);
    await s.addFile(f);
    expect(s.lookup('quay.io', 'team/app')?.username).toBe('app');
    expect(s.lookup('quay.io', 'team/other')?.username).toBe('team');
    expect(s.lookup('quay.io', 'teamx/app')?.username).toBe('host');
    expect(s.lookup('docker.io', 'library/busybox')?.username).toBe('hub');
    expect(s.lookup('registry.local:5000', 'x')).toBeUndefined();
    // passwords are registered for redaction
    expect(secrets.redact('password s3cret-team-pw here')).not.toContain('s3cret-team-pw');
    expect(normalizeAuthKey('HTTPS://Quay.IO/Team/')).toBe('quay.io/Team');
  });

  it('reports an unreadable or malformed auth file clearly', async () => {
    const s = new CredentialStore(new SecretRegistry());
    await expect(s.addFile('/nonexistent/auth.json')).rejects.toThrow(/cannot read registry auth file \/nonexistent\/auth\.json/);
    const dir = await mkdtemp(join(tmpdir(), 'auth-'));
    onTestFinished(() => rm(dir, { recursive: true, force: true }));
    await writeFile(join(dir, 'a.json'), '{nope');
    await expect(s.addFile(join(dir, 'a.json'))).rejects.toThrow(/not valid JSON/);
    await writeFile(join(dir, 'b.json'), JSON.stringify({ auths: { 'x.io': { auth: b64('nocolon') } } }));
    await expect(s.addFile(join(dir, 'b.json'))).rejects.toThrow(/does not decode to user:password/);
  });
});

describe('WWW-Authenticate', () => {
  it('parses bearer and basic challenges with quoted params', () => {
    expect(parseChallenges('Bearer realm="https://auth.io/token",service="registry.io",scope="repository:a/b:pull,push"')).toEqual([
      { scheme: 'bearer', params: { realm: 'https://auth.io/token', service: 'registry.io', scope: 'repository:a/b:pull,push' } },
    ]);
    expect(parseChallenges('Basic realm="dci \\"test\\""')).toEqual([{ scheme: 'basic', params: { realm: 'dci "test"' } }]);
    expect(parseChallenges(undefined)).toEqual([]);
  });
});

describe('retry classification', () => {
  it('retries 5xx/429/resets, honours Retry-After, not 4xx', () => {
    expect(classify(new RegistryHttpError('x', 'm', 503, true, undefined))).toEqual({ retry: true, afterMs: undefined });
    expect(classify(Object.assign(new Error('reset'), { code: 'ECONNRESET' })).retry).toBe(true);
    expect(classify(new RegistryHttpError('x', 'm', 404, false, undefined)).retry).toBe(false);
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter(new Date(Date.now() + 5000).toUTCString())).toBeGreaterThan(3000);
  });
});

describe('VerifiedBlob', () => {
  const data = Buffer.alloc(300_000, 7);
  const digest = `sha256:${createHash('sha256').update(data).digest('hex')}`;
  const chunks = (b: Buffer): Readable => Readable.from([b.subarray(0, 100_000), b.subarray(100_000, 200_000), b.subarray(200_000)]);

  it('passes correct bytes through unchanged', async () => {
    let got = Buffer.alloc(0);
    await pipeline(new VerifiedBlob(chunks(data), { digest, size: data.length, image: 'img' }), new Writable({ write: (c: Buffer, _e, cb) => ((got = Buffer.concat([got, c])), cb()) }));
    expect(got.equals(data)).toBe(true);
  });

  it('never lets the last chunk of wrong bytes through, and names image and blob', async () => {
    const bad = Buffer.from(data);
    bad[250_000] ^= 1;
    let received = 0;
    const p = pipeline(new VerifiedBlob(chunks(bad), { digest, size: data.length, image: 'quay.io/a/b:1' }), new Writable({ write: (c: Buffer, _e, cb) => ((received += c.length), cb()) }));
    await expect(p).rejects.toThrow(new RegExp(`blob ${digest} of quay.io/a/b:1: content hashes to sha256:`));
    expect(received).toBeLessThan(data.length);
  });

  it('releases the download when its reader stops early', async () => {
    const source = chunks(data);
    const v = new VerifiedBlob(source, { digest, size: data.length, image: 'img' });
    await new Promise<void>((resolve) => v.once('readable', () => resolve()));
    v.destroy();
    await new Promise((resolve) => setImmediate(resolve));
    expect(source.destroyed).toBe(true);
  });

  it('fails on short and long bodies', async () => {
    await expect(pipeline(new VerifiedBlob(Readable.from([data.subarray(0, 10)]), { digest, size: data.length, image: 'i' }), new Writable({ write: (_c, _e, cb) => cb() }))).rejects.toThrow(/10 bytes instead of the 300000 announced/);
    await expect(pipeline(new VerifiedBlob(chunks(Buffer.concat([data, data])), { digest, size: data.length, image: 'i' }), new Writable({ write: (_c, _e, cb) => cb() }))).rejects.toThrow(/more than the 300000 bytes/);
  });
});

describe('parseManifest', () => {
  it('refuses schema 1 with a clear error, and unknown types', () => {
    expect(() => parseManifest(Buffer.from(JSON.stringify({ schemaVersion: 1, name: 'a', fsLayers: [] })), 'application/vnd.docker.distribution.manifest.v1+prettyjws', 'quay.io/a:1')).toThrow(/quay\.io\/a:1: Docker schema 1 manifests are not supported/);
    expect(() => parseManifest(Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/x-foo' })), undefined, 'i')).toThrow(/unsupported manifest media type application\/x-foo/);
  });
  it('refuses descriptors whose digest could escape a layout directory', () => {
    const m = { schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: { mediaType: 'x', digest: 'sha256:../../etc/passwd', size: 1 }, layers: [] };
    expect(() => parseManifest(Buffer.from(JSON.stringify(m)), undefined, 'i')).toThrow(/not a valid sha256 digest/);
  });
});
