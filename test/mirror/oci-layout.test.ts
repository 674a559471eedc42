/**
 * Disk transports for air gaps: registry → OCI layout → archive → registry, with digests preserved, interrupted
 * writes resumed, and corruption on disk detected (never pushed).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm, readdir, open, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRegistry, type TestRegistry } from '../helpers/registry.js';
import { writeOciLayout, imageSetSpecs, pushLayout, type GeneratedLayout } from '../helpers/oci-images.js';
import { copyImages, verifyImages, OciLayout, extractArchive, scanTar } from './mirror-api.js';

let work: string;
let layout: GeneratedLayout;
let a: TestRegistry;
let b: TestRegistry;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'mirror-oci-'));
  [a, b] = await Promise.all([startRegistry(), startRegistry()]);
  layout = await writeOciLayout(join(work, 'src'), { seed: 'oci-layout', images: imageSetSpecs({ seed: 'oci-layout', count: 6, totalBytes: 6 << 20 }) });
  await pushLayout(layout.dir, { host: a.host, repository: 'src/app' });
});

afterAll(async () => {
  await Promise.all([a, b].map((r) => r?.stop()));
  await rm(work, { recursive: true, force: true });
});

const registry = (): { plainHttp: string[] } => ({ plainHttp: [a.host, b.host] });

describe('mirror to disk and back', () => {
  it('registry → layout → archive → registry keeps every digest and verifies', async () => {
    const disk = join(work, 'disk');
    const toDisk = layout.images.map((i) => ({ source: `docker://${a.host}/src/app:${i.tag}`, destination: `oci:${disk}:${i.tag}` }));
    const r1 = await copyImages(toDisk, { registry: registry() });
    expect(r1.failures).toEqual([]);
    expect(await new OciLayout(disk).tags()).toEqual(expect.arrayContaining(layout.images.map((i) => i.tag)));
    expect((await verifyImages(toDisk.map((p) => p.destination))).ok).toBe(true);
    // Re-running to disk is a no-op.
    const again = await copyImages(toDisk, { registry: registry() });
    expect(again.images.skipped).toBe(layout.images.length);

    // Pack into an archive (oci-archive destination), then read it in place and push to another registry.
    const tar = join(work, 'mirror.tar');
    const r2 = await copyImages(layout.images.map((i) => ({ source: `oci:${disk}:${i.tag}`, destination: `oci-archive:${tar}:${i.tag}` })));
    expect(r2.failures).toEqual([]);
    expect((await stat(tar)).size).toBeGreaterThan(layout.blobBytes);
    await expect(stat(`${tar}.layout`)).rejects.toThrow();
    const fromDisk = layout.images.map((i) => ({ source: `oci-archive:${tar}:${i.tag}`, destination: `docker://${b.host}/mirror/app:${i.tag}` }));
    const r3 = await copyImages(fromDisk, { registry: registry() });
    expect(r3.failures).toEqual([]);
    for (const r of r3.results) expect(r.digest).toBe(layout.images.find((i) => r.destination.endsWith(`:${i.tag}`))?.digest);
    const v = await verifyImages(fromDisk.map((p) => p.destination), { registry: registry() });
    expect(v.problems).toEqual([]);
    expect(v.blobs).toBe(layout.blobCount);

    // extractArchive gives back a layout with the same content.
    const unpacked = join(work, 'unpacked');
    await extractArchive(tar, unpacked);
    expect((await verifyImages(layout.images.map((i) => `oci:${unpacked}:${i.tag}`))).ok).toBe(true);
  });

  it('an interrupted copy to disk leaves nothing half-written and resumes', async () => {
    const disk = join(work, 'resume');
    const pairs = layout.images.map((i) => ({ source: `docker://${a.host}/src/app:${i.tag}`, destination: `oci:${disk}:${i.tag}` }));
    const stop = new AbortController();
    const first = await copyImages(pairs, {
      registry: registry(),
      concurrency: 2,
      signal: stop.signal,
      progressIntervalMs: 0,
      onEvent: (e) => {
        if (e.type === 'mirror-progress' && e.bytesDone > layout.blobBytes / 4) stop.abort();
      },
    }).catch((e: Error) => e);
    expect(first).toBeInstanceOf(Error);
    expect((first as Error).message).toMatch(/interrupted/);
    // Every blob file present is complete and correct (temp files aside).
    const files = (await readdir(join(disk, 'blobs', 'sha256'))).filter((f) => !f.startsWith('.'));
    expect(files.length).toBeLessThan(layout.blobCount + layout.images.length * 2);
    const resumed = await copyImages(pairs, { registry: registry() });
    expect(resumed.failures).toEqual([]);
    expect(resumed.blobs.skipped).toBeGreaterThan(0);
    const v = await verifyImages(pairs.map((p) => p.destination));
    expect(v.problems).toEqual([]);
    expect(await new OciLayout(disk).cleanTemp()).toBeGreaterThanOrEqual(0);
  });

  it('a blob corrupted on disk is found by verify and never pushed', async () => {
    const disk = join(work, 'corrupt');
    const img = layout.images[2];
    await copyImages([{ source: `docker://${a.host}/src/app:${img.tag}`, destination: `oci:${disk}:${img.tag}` }], { registry: registry() });
    const layer = img.manifests[0].layers.at(-1)!;
    const fh = await open(join(disk, 'blobs', 'sha256', layer.digest.slice(7)), 'r+');
    const buf = Buffer.alloc(1);
    await fh.read(buf, 0, 1, 100);
    buf[0] ^= 0xff;
    await fh.write(buf, 0, 1, 100);
    await fh.close();

    const v = await verifyImages([`oci:${disk}:${img.tag}`]);
    expect(v.ok).toBe(false);
    expect(v.problems).toEqual([expect.objectContaining({ problem: 'corrupt', digest: layer.digest })]);

    const r = await copyImages([{ source: `oci:${disk}:${img.tag}`, destination: `docker://${b.host}/corrupt/app:v1` }], { registry: { ...registry(), retry: { attempts: 2, baseMs: 10 } } });
    expect(r.failures[0]).toMatchObject({ code: 'digest-mismatch', blob: layer.digest });
    const { request } = await import('undici');
    const head = await request(`${b.url}/v2/corrupt/app/blobs/${layer.digest}`, { method: 'HEAD' });
    expect(head.statusCode).toBe(404);
  });

  it('extracting an archive with a corrupt blob fails naming it', async () => {
    const disk = join(work, 'arc-src');
    const img = layout.images[0];
    const tar = join(work, 'bad.tar');
    await copyImages([{ source: `docker://${a.host}/src/app:${img.tag}`, destination: `oci-archive:${tar}:${img.tag}` }], { registry: registry() });
    const layer = img.manifests[0].layers[0];
    const entry = (await scanTar(tar)).get(`blobs/sha256/${layer.digest.slice(7)}`)!;
    const fh = await open(tar, 'r+');
    await fh.write(Buffer.from([0x42]), 0, 1, entry.offset + 10);
    await fh.close();
    await expect(extractArchive(tar, join(work, 'bad-out'))).rejects.toThrow(new RegExp(layer.digest));
    await writeFile(join(work, 'x'), '');
    expect(disk).toBeTruthy();
  });
  it('a copy whose source cannot be read creates no destination layout, and leaves an existing one as it was', async () => {
    const fresh = join(work, 'never-made');
    const r = await copyImages([{ source: `docker://${a.host}/src/app:no-such-tag`, destination: `oci:${fresh}:x` }], { registry: registry() });
    expect(r.failures).toHaveLength(1);
    await expect(stat(fresh)).rejects.toThrow(/ENOENT/);

    const existing = join(work, 'existing');
    const img = layout.images[1];
    await copyImages([{ source: `docker://${a.host}/src/app:${img.tag}`, destination: `oci:${existing}:${img.tag}` }], { registry: registry() });
    const before = (await readdir(join(existing, 'blobs', 'sha256'))).sort();
    const again = await copyImages([{ source: `docker://${a.host}/src/app:no-such-tag`, destination: `oci:${existing}:y` }], { registry: registry() });
    expect(again.failures).toHaveLength(1);
    expect((await readdir(join(existing, 'blobs', 'sha256'))).sort()).toEqual(before);
    expect(await new OciLayout(existing).tags()).toEqual([img.tag]);
  });
});
