/**
 * A fault-injecting proxy between the mirror and real registries: the mirror either completes with every digest
 * verified, or fails naming the image and blob — and a corrupt blob is never committed on the destination.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { startRegistry, type TestRegistry } from '../helpers/registry.js';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.js';
import { writeOciLayout, imageSetSpecs, pushLayout, MT, type GeneratedLayout } from '../helpers/oci-images.js';
import { copyImages, verifyImages, type CopyPair } from './mirror-api.js';

let work: string;
let layout: GeneratedLayout;
let a: TestRegistry;
let b: TestRegistry;
let srcProxy: FaultProxy;
let dstProxy: FaultProxy;
let n = 0;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'mirror-faults-'));
  [a, b] = await Promise.all([startRegistry(), startRegistry()]);
  layout = await writeOciLayout(join(work, 'src'), { seed: 'faults', images: imageSetSpecs({ seed: 'faults', count: 4, totalBytes: 4 << 20, multiArchEvery: 0 }) });
  await pushLayout(layout.dir, { host: a.host, repository: 'src/app' });
  srcProxy = await startFaultProxy(a.url);
  dstProxy = await startFaultProxy(b.url);
});

afterAll(async () => {
  await srcProxy?.close();
  await dstProxy?.close();
  await Promise.all([a, b].map((r) => r?.stop()));
  await rm(work, { recursive: true, force: true });
});

beforeEach(() => {
  srcProxy.clear();
  dstProxy.clear();
});

const registry = (): { plainHttp: string[]; retry: { attempts: number; baseMs: number; maxMs: number } } => ({ plainHttp: [a.host, b.host, srcProxy.host, dstProxy.host], retry: { attempts: 4, baseMs: 20, maxMs: 200 } });

/** Copy image #i through the source proxy into a fresh destination repository. */
function pairFor(i: number, viaDstProxy = false): CopyPair {
  n++;
  return { source: `docker://${srcProxy.host}/src/app:${layout.images[i].tag}`, destination: `docker://${viaDstProxy ? dstProxy.host : b.host}/faults/r${n}:v1` };
}

/** A layer used by exactly one image (so a failure touches one image only). */
function uniqueLayer(): { image: number; digest: string; size: number } {
  for (let i = 0; i < layout.images.length; i++) {
    for (const l of layout.images[i].manifests[0].layers) {
      if (layout.images.filter((x) => x.blobs.includes(l.digest)).length === 1 && l.size > 50_000) return { image: i, digest: l.digest, size: l.size };
    }
  }
  throw new Error('no unique layer in the fixture');
}

async function verifyOk(pairs: CopyPair[]): Promise<void> {
  const v = await verifyImages(pairs.map((p) => p.destination.replace(dstProxy.host, b.host)), { registry: registry() });
  expect(v.problems).toEqual([]);
}

// Registry → registry blobs go through the blob relay by default and through node:http streams on its retries (and
// with relay: false): every fault must be handled the same way on both paths.
describe.each([
  { path: 'blob relay', relay: true },
  { path: 'node:http streams', relay: false },
])('through the $path', ({ relay }) => {
  describe('transient failures are retried and the result verifies', () => {
    it('503s on manifests and blobs', async () => {
      const l = uniqueLayer();
      srcProxy.add({ method: 'GET', path: /\/manifests\//, fault: { kind: 'status', status: 503 }, times: 2 });
      srcProxy.add({ method: 'GET', path: new RegExp(l.digest), fault: { kind: 'status', status: 502 }, times: 2 });
      const pair = pairFor(l.image);
      const report = await copyImages([pair], { registry: registry(), relay });
      expect(report.failures).toEqual([]);
      expect(srcProxy.log.filter((e) => e.fault === 'status')).toHaveLength(4);
      await verifyOk([pair]);
    });

    it('429 with Retry-After is honoured', async () => {
      const l = uniqueLayer();
      srcProxy.add({ method: 'GET', path: new RegExp(l.digest), fault: { kind: 'status', status: 429, retryAfter: 1 }, times: 1 });
      const pair = pairFor(l.image);
      const t0 = Date.now();
      const report = await copyImages([pair], { registry: registry(), relay });
      expect(report.failures).toEqual([]);
      expect(report.retries + srcProxy.log.filter((e) => e.fault === 'status').length).toBeGreaterThanOrEqual(1);
      // backoff alone would be ≤ 200 ms here: the second second comes from Retry-After.
      expect(Date.now() - t0).toBeGreaterThanOrEqual(1000);
      await verifyOk([pair]);
    });

    it('a connection dropped mid-blob is resumed with a Range request', async () => {
      const l = uniqueLayer();
      srcProxy.add({ method: 'GET', path: new RegExp(`/blobs/${l.digest}`), fault: { kind: 'drop', afterBytes: Math.floor(l.size / 3) }, times: 1 });
      const pair = pairFor(l.image);
      const report = await copyImages([pair], { registry: registry(), relay });
      expect(report.failures).toEqual([]);
      const gets = srcProxy.log.filter((e) => e.method === 'GET' && e.path.includes(l.digest));
      expect(gets).toHaveLength(2);
      expect(gets[1].range).toMatch(/^bytes=\d+-$/);
      expect(Number(/bytes=(\d+)-/.exec(gets[1].range!)![1])).toBeGreaterThan(0);
      await verifyOk([pair]);
    });

    it('a truncated body is completed (or re-fetched) and verified', async () => {
      const l = uniqueLayer();
      srcProxy.add({ method: 'GET', path: new RegExp(`/blobs/${l.digest}`), fault: { kind: 'truncate', afterBytes: 1000 }, times: 1 });
      const pair = pairFor(l.image);
      const report = await copyImages([pair], { registry: registry(), relay });
      expect(report.failures).toEqual([]);
      await verifyOk([pair]);
    });

    it('503s on the destination upload', async () => {
      dstProxy.add({ method: 'PUT', path: /\/blobs\/uploads\//, fault: { kind: 'status', status: 503 }, times: 2 });
      dstProxy.add({ method: 'POST', path: /\/blobs\/uploads\//, fault: { kind: 'status', status: 500 }, times: 1 });
      const pair = pairFor(0, true);
      const report = await copyImages([pair], { registry: registry(), relay });
      expect(report.failures).toEqual([]);
      expect(report.retries).toBeGreaterThanOrEqual(2);
      await verifyOk([pair]);
    });

    it('a registry refusing monolithic uploads gets PATCH + PUT instead', async () => {
      dstProxy.add({ method: 'PUT', path: /\/blobs\/uploads\/.*digest=/, fault: { kind: 'status', status: 405 }, times: 1 });
      const pair = pairFor(3, true);
      const report = await copyImages([pair], { registry: registry(), relay });
      expect(report.failures).toEqual([]);
      expect(dstProxy.log.some((e) => e.method === 'PATCH' && e.status === 202)).toBe(true);
      await verifyOk([pair]);
    });

    it('bytes corrupted once are caught, retried, and the copy verifies', async () => {
      const l = uniqueLayer();
      srcProxy.add({ method: 'GET', path: new RegExp(`/blobs/${l.digest}`), fault: { kind: 'corrupt' }, times: 1 });
      const pair = pairFor(l.image);
      const report = await copyImages([pair], { registry: registry(), relay });
      expect(report.failures).toEqual([]);
      expect(report.retries).toBeGreaterThanOrEqual(1);
      await verifyOk([pair]);
    });
  });

  describe('persistent failures name the image and blob', () => {
    it('a blob whose bytes never match its digest fails its image and is never committed', async () => {
      const l = uniqueLayer();
      srcProxy.add({ method: 'GET', path: new RegExp(`/blobs/${l.digest}`), fault: { kind: 'corrupt' } });
      const bad = pairFor(l.image);
      const other = pairFor(layout.images.findIndex((_, i) => i !== l.image && !layout.images[i].blobs.includes(l.digest)));
      const report = await copyImages([bad, other], { registry: registry(), relay });
      expect(report.images).toMatchObject({ copied: 1, failed: 1 });
      const f = report.failures[0];
      expect(f).toMatchObject({ code: 'digest-mismatch', source: bad.source, blob: l.digest });
      expect(f.message).toContain(l.digest);
      expect(f.message).toContain(`src/app:${layout.images[l.image].tag}`);
      // Not on the destination: neither the blob nor the manifest.
      const repo = bad.destination.replace(`docker://${b.host}/`, '').replace(':v1', '');
      const head = await request(`${b.url}/v2/${repo}/blobs/${l.digest}`, { method: 'HEAD' });
      expect(head.statusCode).toBe(404);
      const mh = await request(`${b.url}/v2/${repo}/manifests/v1`, { method: 'HEAD' });
      expect(mh.statusCode).toBe(404);
    });

    it('the retry budget is bounded and the error names image and blob', async () => {
      const l = uniqueLayer();
      srcProxy.add({ method: 'GET', path: new RegExp(`/blobs/${l.digest}`), fault: { kind: 'status', status: 503 } });
      const report = await copyImages([pairFor(l.image)], { registry: registry(), relay });
      expect(report.failures[0].blob).toBe(l.digest);
      expect(report.failures[0].message).toMatch(new RegExp(`blob ${l.digest} of .*src/app:${layout.images[l.image].tag}.*gave up after 4 attempts`));
      expect(srcProxy.log.filter((e) => e.path.includes(l.digest)).length).toBe(4);
    });

    it('schema 1 and oversized manifests are refused clearly', async () => {
      srcProxy.add({ path: /\/manifests\/old$/, fault: { kind: 'respond', status: 200, headers: { 'content-type': 'application/vnd.docker.distribution.manifest.v1+prettyjws' }, body: JSON.stringify({ schemaVersion: 1, name: 'x', tag: 'old', fsLayers: [] }) } });
      srcProxy.add({ path: /\/manifests\/huge$/, fault: { kind: 'respond', status: 200, headers: { 'content-type': MT.ociManifest }, body: Buffer.alloc(5 << 20, 32) } });
      const report = await copyImages(
        [
          { source: `docker://${srcProxy.host}/src/app:old`, destination: `docker://${b.host}/faults/old:v1` },
          { source: `docker://${srcProxy.host}/src/app:huge`, destination: `docker://${b.host}/faults/huge:v1` },
        ],
        { registry: registry(), relay },
      );
      const byCode = Object.fromEntries(report.failures.map((f) => [f.code, f.message]));
      expect(byCode['manifest-schema1']).toMatch(/src\/app:old: Docker schema 1 manifests are not supported/);
      expect(byCode['manifest-too-large']).toMatch(/larger than 4194304 bytes/);
    });
  });
});
