// The layer walker refuses hostile tar entries from their headers, before reading data, and never writes.
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { DigestMismatch, PayloadError } from '../../../src/core/errors.js';
import { VerifiedBlob } from '../../../src/mirror/verified-blob.js';
import { normaliseLayerPath, symlinkEscapes, walkLayer } from '../../../src/mirror/release/index.js';
import { gzLayer, hostileManifestLayers, tarBuffer } from '../../helpers/release-fixtures.js';

const opts = { image: 'reg.example/ocp-release:4.16.3-x86_64', layer: 'sha256:' + 'a'.repeat(64) };

async function walk(blob: Buffer, extra: Partial<Parameters<typeof walkLayer>[1]> = {}) {
  const files = new Map<string, string>();
  const result = await walkLayer(Readable.from([blob]), {
    ...opts,
    want: () => true,
    onFile: (e, c) => files.set(e.path, c.toString()),
    ...extra,
  });
  return { files, result };
}

describe('layer paths', () => {
  it('normalises ./ prefixes and refuses absolute and .. paths', () => {
    expect(normaliseLayerPath('./release-manifests/x')).toBe('release-manifests/x');
    expect(normaliseLayerPath('release-manifests/')).toBe('release-manifests');
    expect(normaliseLayerPath('/etc/passwd')).toBeUndefined();
    expect(normaliseLayerPath('a/../../b')).toBeUndefined();
    expect(normaliseLayerPath('a/b..c')).toBe('a/b..c');
  });
  it('detects symlinks that climb above the root', () => {
    expect(symlinkEscapes('release-manifests/x', '../../etc/passwd')).toBe(true);
    expect(symlinkEscapes('release-manifests/x', '../usr/bin/y')).toBe(false);
    expect(symlinkEscapes('bin', 'usr/bin')).toBe(false);
    expect(symlinkEscapes('lib/x', '/usr/lib/x')).toBe(false);
  });
});

describe('walkLayer', () => {
  it('hands over wanted files from gzip and plain tar layers', async () => {
    const entries = [
      { name: './release-manifests/', type: 'directory' as const },
      { name: './release-manifests/image-references', content: '{"kind":"ImageStream"}' },
      { name: 'usr/bin/tool', content: 'x'.repeat(3000) },
      { name: 'usr/bin/link', type: 'symlink' as const, linkname: '/usr/bin/tool' },
    ];
    const gz = await walk(gzLayer(entries).blob, { want: (e) => e.path.startsWith('release-manifests/') });
    expect([...gz.files.keys()]).toEqual(['release-manifests/image-references']);
    expect(gz.result.entries).toBe(4);
    const plain = await walk(tarBuffer(entries));
    expect(plain.files.get('usr/bin/tool')).toHaveLength(3000);
  });

  it('stops early when done() says so', async () => {
    const blob = gzLayer([{ name: 'a', content: '1' }, { name: 'b', content: '2' }, { name: 'c', content: '3' }]).blob;
    const seen: string[] = [];
    const { result } = await walk(blob, { onEntry: (e) => seen.push(e.path), done: () => seen.length === 1 });
    expect(seen).toEqual(['a']);
    expect(result.stoppedEarly).toBe(true);
    // The source is released (for a registry blob, its connection), not left paused.
    const src = Readable.from([blob]);
    await walkLayer(src, { ...opts, done: () => true });
    expect(src.destroyed).toBe(true);
  });

  for (const [name, entries] of Object.entries(hostileManifestLayers())) {
    it(`refuses a hostile layer: ${name}`, async () => {
      const err = await walk(gzLayer(entries).blob).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(PayloadError);
      const msg = (err as Error).message;
      expect(msg).toContain(opts.image);
      expect(msg).toContain(opts.layer);
      expect(msg).toMatch(/entry "/);
      expect((err as PayloadError).location?.blob).toBe(opts.layer);
    });
  }

  it('refuses a 2 GiB header at once, without waiting for 2 GiB of data', async () => {
    const t0 = Date.now();
    const err = await walk(gzLayer(hostileManifestLayers()['2 GiB header on another file']).blob).catch((e: unknown) => e);
    expect((err as PayloadError).code).toBe('layer-too-large');
    expect((err as Error).message).toContain('usr/share/bomb.bin');
    expect(Date.now() - t0).toBeLessThan(2000);
  });

  it('stops a real decompression bomb at the layer budget', async () => {
    const bomb = gzipSync(tarBuffer([{ name: 'zeros', content: Buffer.alloc(32 << 20) }]));
    expect(bomb.length).toBeLessThan(200_000);
    const err = await walk(bomb, { limits: { maxLayerBytes: 8 << 20 }, want: () => false }).catch((e: unknown) => e);
    expect((err as PayloadError).code).toBe('layer-too-large');
  });

  it('caps a wanted file at maxFileBytes', async () => {
    const blob = gzLayer([{ name: 'release-manifests/image-references', content: Buffer.alloc(2 << 20, 0x20) }]).blob;
    const err = await walk(blob, { limits: { maxFileBytes: 1 << 20 } }).catch((e: unknown) => e);
    expect((err as PayloadError).code).toBe('layer-too-large');
    expect((err as Error).message).toContain('release-manifests/image-references');
  });

  it('passes a digest mismatch from the verifying stream through unchanged', async () => {
    const blob = gzLayer([{ name: 'a', content: 'x'.repeat(100_000) }]).blob;
    const verifier = new VerifiedBlob(Readable.from([blob]), { digest: 'sha256:' + 'b'.repeat(64), size: blob.length, image: opts.image });
    const err = await walkLayer(verifier, { ...opts, want: () => true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DigestMismatch);
  });

  it('reports a truncated layer clearly', async () => {
    const blob = gzLayer([{ name: 'a', content: 'x'.repeat(10_000) }]).blob;
    const err = await walk(blob.subarray(0, blob.length - 40)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PayloadError);
    expect((err as PayloadError).code).toBe('layer-unreadable');
  });
});
