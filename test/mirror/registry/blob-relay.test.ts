/**
 * The blob relay between real docker-registry processes: registry → registry blobs go through it (not silently
 * through the fallback) over plain HTTP, TLS + htpasswd and token auth, in both directions; a big layer crosses
 * with the source paused under back-pressure; a kept-alive source connection the registry dropped (restart) is
 * replaced; a source that redirects is left to the ordinary path; an abort mid-blob commits nothing; a corrupt
 * source blob is never committed.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi, type MockInstance } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, connect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { Transform } from 'node:stream';
import { join } from 'node:path';
import { request } from 'undici';
import { startRegistry, type TestRegistry } from '../../helpers/registry.js';
import { startFaultProxy, type FaultProxy } from '../../helpers/fault-proxy.js';
import { writeOciLayout, imageSetSpecs, pushLayout, type GeneratedLayout } from '../../helpers/oci-images.js';
import { copyImages, verifyImages, type CopyPair, type RegistryClientOptions } from '../mirror-api.js';
import { RegistryRepository } from '../../../src/mirror/registry/repository.js';

let work: string;
let layout: GeneratedLayout;
let a: TestRegistry;
let b: TestRegistry;
let tls: TestRegistry;
let tok: TestRegistry;
let srcProxy: FaultProxy;
let n = 0;
const BIG = 16 << 20;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'blob-relay-'));
  [a, b, tls, tok] = await Promise.all([startRegistry(), startRegistry(), startRegistry({ kind: 'tls-htpasswd' }), startRegistry({ kind: 'token' })]);
  layout = await writeOciLayout(join(work, 'src'), {
    seed: 'blob-relay',
    images: [
      ...imageSetSpecs({ seed: 'blob-relay', count: 4, totalBytes: 3 << 20, multiArchEvery: 3 }),
      { tag: 'big', layers: () => [{ key: 'big-layer', size: BIG }, { key: 'big-small', size: 1000 }] },
    ],
  });
  await pushLayout(layout.dir, { host: a.host, repository: 'src/app' });
  srcProxy = await startFaultProxy(a.url);
}, 120_000);

afterAll(async () => {
  await srcProxy?.close();
  await Promise.all([a, b, tls, tok].map((r) => r?.stop()));
  await rm(work, { recursive: true, force: true });
});

let relaySpy: MockInstance<RegistryRepository['relayFrom']>;
beforeAll(() => {
  relaySpy = vi.spyOn(RegistryRepository.prototype, 'relayFrom');
});
afterEach(() => {
  relaySpy.mockClear();
  srcProxy.clear();
});

/** What each relayFrom call of the last copy came to: true (relayed), false (declined), or the error. */
async function relayOutcomes(): Promise<unknown[]> {
  return Promise.all(relaySpy.mock.results.map((r) => Promise.resolve(r.value).catch((e: unknown) => e)));
}

/** Copy, check that every fresh blob went through the relay (none declined or failed), and verify the result. */
async function copyAllRelayed(ps: CopyPair[], registry: RegistryClientOptions): Promise<void> {
  const report = await copyImages(ps, { registry });
  expect(report.failures).toEqual([]);
  const outcomes = await relayOutcomes();
  expect(outcomes.length).toBe(report.blobs.copied);
  expect(outcomes.every((x) => x === true)).toBe(true);
  expect((await verifyImages(ps.map((p) => p.destination), { registry })).problems).toEqual([]);
}

const tags = (): string[] => layout.images.filter((i) => i.tag !== 'big').map((i) => i.tag);
const pairs = (from: string, fromRepo: string, to: string): CopyPair[] => {
  n++;
  return tags().map((t) => ({ source: `docker://${from}/${fromRepo}:${t}`, destination: `docker://${to}/relay${n}/app:${t}` }));
};

describe('registry → registry blobs go through the relay', () => {
  it.each([
    { kind: 'plain', reg: (): TestRegistry => b, opts: (): RegistryClientOptions => ({ plainHttp: [a.host, b.host] }) },
    { kind: 'TLS + htpasswd', reg: (): TestRegistry => tls, opts: (): RegistryClientOptions => ({ plainHttp: [a.host], caFiles: { [tls.host]: tls.caFile! }, authFile: tls.authFile }) },
    { kind: 'token auth', reg: (): TestRegistry => tok, opts: (): RegistryClientOptions => ({ plainHttp: [a.host, tok.host], authFile: tok.authFile }) },
  ])('$kind, there and back: every fresh blob relayed, every digest verified', async ({ reg, opts }) => {
    const there = pairs(a.host, 'src/app', reg().host);
    await copyAllRelayed(there, opts());
    relaySpy.mockClear();
    await copyAllRelayed(pairs(reg().host, `relay${n}/app`, a.host), opts());
  }, 60_000);

  it(`a ${BIG >> 20} MiB layer crosses whole and verifies`, async () => {
    const pair = { source: `docker://${a.host}/src/app:big`, destination: `docker://${b.host}/relay-big/app:big` };
    const report = await copyImages([pair], { registry: { plainHttp: [a.host, b.host] } });
    expect(report.failures).toEqual([]);
    expect(report.blobs.bytesCopied).toBeGreaterThan(BIG);
    expect(await relayOutcomes()).toEqual([true, true, true]); // config, the big layer, the small one
    expect((await verifyImages([pair.destination], { registry: { plainHttp: [b.host] } })).problems).toEqual([]);
  }, 60_000);

  it('a destination that reads slowly gets every byte right (the source waits for each pending write)', async () => {
    // A TCP relay in front of registry B that takes 64 KiB every 2 ms: our writes back up, so the relay must stop
    // reading the source until each write is done (its read buffer is reused).
    const slow = createServer((client) => {
      const upstream = connect(b.port, '127.0.0.1');
      const throttle = new Transform({
        highWaterMark: 16 << 10,
        transform(chunk: Buffer, _enc, cb) {
          setTimeout(() => cb(null, chunk), chunk.length > 16 << 10 ? 2 : 0);
        },
      });
      client.pipe(throttle).pipe(upstream).pipe(client);
      const end = (): void => {
        client.destroy();
        upstream.destroy();
      };
      client.on('error', end);
      upstream.on('error', end);
      client.on('close', end);
    });
    await new Promise<void>((r) => slow.listen(0, '127.0.0.1', r));
    const host = `127.0.0.1:${(slow.address() as AddressInfo).port}`;
    try {
      const pair = { source: `docker://${a.host}/src/app:big`, destination: `docker://${host}/relay-slow/app:big` };
      const report = await copyImages([pair], { registry: { plainHttp: [a.host, host] } });
      expect(report.failures).toEqual([]);
      expect(await relayOutcomes()).toEqual([true, true, true]);
      expect((await verifyImages([`docker://${b.host}/relay-slow/app:big`], { registry: { plainHttp: [b.host] } })).problems).toEqual([]);
    } finally {
      slow.close();
    }
  }, 60_000);

  it('a kept-alive source connection the registry dropped is replaced, and the blob still relays', async () => {
    const client = (await import('../mirror-api.js')).createRegistryClient({ plainHttp: [a.host, b.host] });
    try {
      const first = pairs(a.host, 'src/app', b.host).slice(0, 1);
      expect((await copyImages(first, { client })).failures).toEqual([]);
      await a.restart(); // its idle keep-alive connections in our pool are now dead
      relaySpy.mockClear();
      const second = pairs(a.host, 'src/app', b.host).slice(0, 1);
      const report = await copyImages(second, { client });
      expect(report.failures).toEqual([]);
      expect(report.retries).toBe(0);
      const outcomes = await relayOutcomes();
      expect(outcomes.length).toBeGreaterThan(0);
      expect(outcomes.every((x) => x === true)).toBe(true);
    } finally {
      await client.close();
    }
  }, 60_000);
});

describe('what the relay leaves to the ordinary path, and what it refuses', () => {
  it('a source that redirects the blob is declined (nothing sent) and the ordinary path follows the redirect', async () => {
    const layer = layout.images[0].manifests[0].layers[0];
    srcProxy.add({ method: 'GET', path: new RegExp(`/blobs/${layer.digest}$`), fault: { kind: 'respond', status: 307, headers: { location: `${a.url}/v2/src/app/blobs/${layer.digest}` }, body: '' } });
    const pair = { source: `docker://${srcProxy.host}/src/app:${layout.images[0].tag}`, destination: `docker://${b.host}/relay-redirect/app:1` };
    const report = await copyImages([pair], { registry: { plainHttp: [a.host, b.host, srcProxy.host] } });
    expect(report.failures).toEqual([]);
    const outcomes = await relayOutcomes();
    expect(outcomes.filter((x) => x === false)).toHaveLength(1);
    expect(outcomes.filter((x) => x === true).length).toBe(report.blobs.copied - 1);
    // One 307 declined by the relay (nothing sent to the destination), one followed by node:http.
    expect(srcProxy.log.filter((e) => e.path.includes(layer.digest) && e.status === 307)).toHaveLength(2);
    expect((await verifyImages([pair.destination], { registry: { plainHttp: [b.host] } })).problems).toEqual([]);
  }, 60_000);

  it('a corrupt source blob is never committed: the relay cuts the PUT before its last bytes', async () => {
    const big = layout.images.find((i) => i.tag === 'big')!;
    const layer = [...big.manifests[0].layers].sort((x, y) => y.size - x.size)[0];
    srcProxy.add({ method: 'GET', path: new RegExp(`/blobs/${layer.digest}`), fault: { kind: 'corrupt', offset: layer.size - 10 } });
    const repo = 'relay-corrupt/app';
    const report = await copyImages([{ source: `docker://${srcProxy.host}/src/app:big`, destination: `docker://${b.host}/${repo}:big` }], { registry: { plainHttp: [a.host, b.host, srcProxy.host], retry: { attempts: 2, baseMs: 10, maxMs: 20 } } });
    expect(report.failures).toHaveLength(1);
    expect(report.failures[0]).toMatchObject({ code: 'digest-mismatch', blob: layer.digest });
    expect((await relayOutcomes()).some((x) => (x as { code?: string })?.code === 'digest-mismatch')).toBe(true);
    const head = await request(`${b.url}/v2/${repo}/blobs/${layer.digest}`, { method: 'HEAD' });
    expect(head.statusCode).toBe(404);
  }, 60_000);

  it('an abort mid-blob stops both connections and commits nothing', async () => {
    const big = layout.images.find((i) => i.tag === 'big')!;
    const layer = [...big.manifests[0].layers].sort((x, y) => y.size - x.size)[0];
    const stop = new AbortController();
    const repo = 'relay-abort/app';
    const run = copyImages([{ source: `docker://${a.host}/src/app:big`, destination: `docker://${b.host}/${repo}:big` }], {
      registry: { plainHttp: [a.host, b.host] },
      signal: stop.signal,
      progressIntervalMs: 0,
      onEvent: (e) => {
        if (e.type === 'mirror-progress' && e.bytesDone > BIG / 4) stop.abort();
      },
    });
    await expect(run).rejects.toThrow(/interrupted/);
    const head = await request(`${b.url}/v2/${repo}/blobs/${layer.digest}`, { method: 'HEAD' });
    expect(head.statusCode).toBe(404);
  }, 60_000);
});
