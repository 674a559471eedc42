/**
 * Copies between real docker-registry processes: plain → plain (with cross-repo mounts and a HEAD-only no-op),
 * → TLS + htpasswd (CA and credentials from an auth file), → token auth; every manifest and blob is read back
 * and hashed on the destination. Also the failures a user sees: untrusted TLS, wrong password, missing image.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRegistry, type TestRegistry } from '../helpers/registry.js';
import { writeOciLayout, imageSetSpecs, pushLayout, MT, type GeneratedLayout, type ImageSpec } from '../helpers/oci-images.js';
import { copyImages, verifyImages, ImageReader, createRegistryClient, type CopyPair, type MirrorEvent } from './mirror-api.js';

let work: string;
let layout: GeneratedLayout;
let a: TestRegistry;
let b: TestRegistry;
let tls: TestRegistry;
let tok: TestRegistry;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'mirror-copy-'));
  [a, b, tls, tok] = await Promise.all([startRegistry(), startRegistry({ accessLog: true }), startRegistry({ kind: 'tls-htpasswd' }), startRegistry({ kind: 'token' })]);
  // imageSetSpecs mixes OCI and Docker schema 2 manifests and OCI indexes; add a Docker manifest list too.
  const dockerList: ImageSpec = {
    tag: 'docker-list',
    format: 'docker',
    platforms: [{ os: 'linux', architecture: 'amd64' }, { os: 'linux', architecture: 'arm64', variant: 'v8' }],
    layers: (p) => [{ key: 'shared-0-amd64', size: 4096 }, { key: `dl-${p.architecture}`, size: 30_000 }],
  };
  layout = await writeOciLayout(join(work, 'src'), { seed: 'registry-copy', images: [...imageSetSpecs({ seed: 'registry-copy', count: 7, totalBytes: 6 << 20 }), dockerList] });
  await pushLayout(layout.dir, { host: a.host, repository: 'src/app' });
});

afterAll(async () => {
  await Promise.all([a, b, tls, tok].map((r) => r?.stop()));
  await rm(work, { recursive: true, force: true });
});

const plain = (): { plainHttp: string[] } => ({ plainHttp: [a.host, b.host, tok.host] });

describe('registry → registry', () => {
  it('copies every image into separate repositories, mounting shared blobs, and the copy verifies', async () => {
    const pairs: CopyPair[] = layout.images.map((i) => ({ source: `docker://${a.host}/src/app:${i.tag}`, destination: `docker://${b.host}/mirror/${i.tag}:v1` }));
    const events: MirrorEvent[] = [];
    const report = await copyImages(pairs, { registry: plain(), onEvent: (e) => events.push(e) });
    expect(report.failures).toEqual([]);
    expect(report.images).toEqual({ total: 8, copied: 8, skipped: 0, failed: 0 });
    // Each distinct blob crossed the wire once; every other need was a mount into another repository.
    expect(report.blobs.copied).toBe(layout.blobCount);
    expect(report.blobs.bytesCopied).toBe(layout.blobBytes);
    expect(report.blobs.mounted).toBeGreaterThan(0);
    expect(report.platforms).toEqual({ mode: 'all' });
    // Digests preserved.
    for (const r of report.results) expect(r.digest).toBe(layout.images.find((i) => r.source.endsWith(`:${i.tag}`))?.digest);
    const v = await verifyImages(pairs.map((p) => p.destination), { registry: plain() });
    expect(v.problems).toEqual([]);
    expect(v.manifests).toBe(layout.images.reduce((n, i) => n + i.manifests.length + (i.manifests.length > 1 ? 1 : 0), 0));
    // Progress events for the renderer, ending with the totals.
    const last = events.filter((e) => e.type === 'mirror-progress').at(-1);
    expect(last).toMatchObject({ imagesDone: 8, imagesTotal: 8, bytesDone: layout.blobBytes, bytesTotal: layout.blobBytes });
    expect(events.filter((e) => e.type === 'mirror-image')).toHaveLength(8);
    expect(events.at(-1)?.type).toBe('mirror-report');
  });

  it('pushes blobs before their manifest, manifests before their index (Docker manifest list)', async () => {
    const img = layout.images.find((i) => i.tag === 'docker-list')!;
    expect(img.mediaType).toBe(MT.dockerList);
    const log: Array<{ method: string; url: string; status: number }> = [];
    const report = await copyImages([{ source: `docker://${a.host}/src/app:docker-list`, destination: `docker://${b.host}/order/app:v1` }], { registry: { ...plain(), onRequest: (r) => log.push(r) } });
    expect(report.failures).toEqual([]);
    expect(report.results[0].digest).toBe(img.digest);
    const toB = log.filter((r) => r.url.includes(`${b.host}/v2/order/app/`));
    // When each blob became present: its upload PUT (…?digest=…) or its mount (POST → 201).
    const present = (digest: string): number => toB.findIndex((r) => r.url.includes(digest.slice(7)) && ((r.method === 'PUT' && r.url.includes('/blobs/uploads/')) || (r.method === 'POST' && r.status === 201)));
    const childPuts = img.manifests.map((m) => {
      const put = toB.findIndex((r) => r.method === 'PUT' && r.url.endsWith(`/manifests/${m.digest}`));
      const blobs = [m.config.digest, ...m.layers.map((l) => l.digest)].map(present);
      expect(blobs.every((i) => i >= 0 && i < put)).toBe(true);
      return put;
    });
    const indexPut = toB.findIndex((r) => r.method === 'PUT' && r.url.endsWith('/manifests/v1'));
    expect(indexPut).toBe(toB.length - 1);
    expect(indexPut).toBeGreaterThan(Math.max(...childPuts));
  });

  it('a fresh blob costs one POST (present? else an upload session) and one PUT on the destination, no HEAD', async () => {
    const img = layout.images.find((i) => i.manifests.length === 1)!;
    const blobs = new Set([img.manifests[0].config.digest, ...img.manifests[0].layers.map((l) => l.digest)]);
    const log: Array<{ method: string; url: string; status: number }> = [];
    const registry = { ...plain(), onRequest: (r: { method: string; url: string; status: number }) => log.push(r) };
    const first = await copyImages([{ source: `docker://${a.host}/src/app:${img.tag}`, destination: `docker://${b.host}/probe/app:v1` }], { registry });
    expect(first.failures).toEqual([]);
    expect(first.blobs).toMatchObject({ copied: blobs.size, skipped: 0, mounted: 0 });
    // The destination lacked the image: its manifest is read from the source once (GET), never HEAD first.
    expect(log.filter((r) => r.url.includes(`${a.host}/v2/src/app/manifests/`)).map((r) => r.method)).toEqual(['GET']);
    const toB = log.filter((r) => r.url.includes(`${b.host}/v2/probe/app/blobs/`));
    expect(toB.filter((r) => r.method === 'HEAD')).toEqual([]);
    const probes = toB.filter((r) => r.method === 'POST');
    expect(probes.map((r) => new URL(r.url).searchParams.get('from'))).toEqual([...blobs].map(() => 'probe/app'));
    expect(probes.every((r) => r.status === 202)).toBe(true);
    expect(toB.filter((r) => r.method === 'PUT')).toHaveLength(blobs.size);
    // Each blob was downloaded once from the source (the download starts with the probe, it is not repeated).
    expect(log.filter((r) => r.method === 'GET' && r.url.includes(`${a.host}/v2/src/app/blobs/`))).toHaveLength(blobs.size);
    // Same image under another tag of the same repository: every blob answers 201 (present) and nothing is uploaded.
    log.length = 0;
    // One transfer at a time: the first probe starts its source download alongside (nothing known yet), finds the
    // blob present and drops it; after that, probes that keep finding blobs present start no download.
    const second = await copyImages([{ source: `docker://${a.host}/src/app:${img.tag}`, destination: `docker://${b.host}/probe/app:v2` }], { registry, concurrency: 1, perHostConcurrency: 1 });
    expect(second.blobs).toMatchObject({ copied: 0, skipped: blobs.size });
    const again = log.filter((r) => r.url.includes(`${b.host}/v2/probe/app/blobs/`));
    expect(again.map((r) => `${r.method} ${r.status}`)).toEqual([...blobs].map(() => 'POST 201'));
    expect(blobs.size).toBeGreaterThan(2);
    expect(log.filter((r) => r.method === 'GET' && r.url.includes(`${a.host}/v2/src/app/blobs/`)).length).toBeLessThanOrEqual(1);
    expect((await verifyImages([`docker://${b.host}/probe/app:v1`, `docker://${b.host}/probe/app:v2`], { registry: plain() })).problems).toEqual([]);
  });

  it('re-running the same mirror is a no-op made only of HEAD requests', async () => {
    const pairs: CopyPair[] = layout.images.map((i) => ({ source: `docker://${a.host}/src/app:${i.tag}`, destination: `docker://${b.host}/mirror/${i.tag}:v1` }));
    const seen: string[] = [];
    const report = await copyImages(pairs, { registry: { ...plain(), onRequest: (r) => seen.push(r.method) } });
    expect(report.images.skipped).toBe(8);
    expect(report.blobs).toMatchObject({ copied: 0, mounted: 0, skipped: 0 });
    expect(new Set(seen)).toEqual(new Set(['HEAD']));
    expect(seen).toHaveLength(16);
  });

  it('a no-op by digest costs one HEAD per image (on the destination only)', async () => {
    const pairs: CopyPair[] = layout.images.map((i) => ({ source: `docker://${a.host}/src/app@${i.digest}`, destination: `docker://${b.host}/mirror/${i.tag}:v1` }));
    const seen: string[] = [];
    const report = await copyImages(pairs, { registry: { ...plain(), onRequest: (r) => seen.push(`${r.method} ${r.url.includes(b.host) ? 'dst' : 'src'}`) } });
    expect(report.images.skipped).toBe(layout.images.length);
    expect(seen).toEqual(layout.images.map(() => 'HEAD dst'));
  });

  it('filters platforms and says the index was re-written', async () => {
    const multi = layout.images.find((i) => i.manifests.length > 1);
    expect(multi).toBeDefined();
    const dst = `docker://${b.host}/filtered/app:${multi!.tag}`;
    const report = await copyImages([{ source: `docker://${a.host}/src/app:${multi!.tag}`, destination: dst }], { registry: plain(), platforms: ['linux/arm64'] });
    expect(report.results[0]).toMatchObject({ status: 'copied', platforms: ['linux/arm64'], indexRewritten: true });
    expect(report.results[0].digest).not.toBe(multi!.digest);
    expect(report.platforms).toEqual({ mode: 'filtered', requested: ['linux/arm64'], indexesRewritten: 1 });
    const r = ImageReader.open(dst, { registry: plain() });
    try {
      await expect(r.manifest({ platform: 'linux/amd64' })).rejects.toThrow(/has no linux\/amd64 image \(it has linux\/arm64\)/);
      const m = await r.manifest({ platform: 'linux/arm64' });
      expect(m.digest).toBe(multi!.manifests.find((x) => x.platform.architecture === 'arm64')!.digest);
    } finally {
      await r.close();
    }
  });

  it('reads an image for payload readers: manifest by platform, config JSON, verified layer stream', async () => {
    const img = layout.images[0];
    const r = ImageReader.open(`docker://${a.host}/src/app:${img.tag}`, { registry: plain() });
    try {
      const m = await r.manifest();
      expect(m.topDigest).toBe(img.digest);
      const cfg = await r.config<{ config: { Labels: Record<string, string> }; rootfs: { diff_ids: string[] } }>(m);
      expect(cfg.config.Labels['dci.test/tag']).toBe(img.tag);
      let n = 0;
      for await (const c of await r.blob(m.layers[0])) n += (c as Buffer).length;
      expect(n).toBe(m.layers[0].size);
    } finally {
      await r.close();
    }
  });

  it('fails clearly for a missing image and keeps copying the others', async () => {
    const report = await copyImages(
      [
        { source: `docker://${a.host}/src/app:does-not-exist`, destination: `docker://${b.host}/mirror/missing:v1` },
        { source: `docker://${a.host}/src/app:${layout.images[1].tag}`, destination: `docker://${b.host}/mirror/other:v1` },
      ],
      { registry: plain() },
    );
    expect(report.images).toMatchObject({ copied: 1, failed: 1 });
    expect(report.failures[0]).toMatchObject({ code: 'registry-not-found' });
    expect(report.failures[0].message).toMatch(/src\/app:does-not-exist not found/);
  });
});

describe('TLS + htpasswd registry', () => {
  it('copies with the CA bundle and credentials from an auth file, and verifies', async () => {
    const pairs = layout.images.slice(0, 4).map((i) => ({ source: `docker://${a.host}/src/app:${i.tag}`, destination: `docker://${tls.host}/ocp/app:${i.tag}` }));
    const registry = { plainHttp: [a.host], caFiles: { [tls.host]: tls.caFile! }, authFile: tls.authFile };
    const report = await copyImages(pairs, { registry });
    expect(report.failures).toEqual([]);
    const v = await verifyImages(pairs.map((p) => p.destination), { registry });
    expect(v.ok).toBe(true);
    expect(v.blobs).toBeGreaterThan(0);
  });

  it('refuses an untrusted certificate and says how to fix it', async () => {
    const report = await copyImages([{ source: `docker://${a.host}/src/app:${layout.images[0].tag}`, destination: `docker://${tls.host}/ocp/x:1` }], { registry: { plainHttp: [a.host], authFile: tls.authFile, retry: { attempts: 1 } } });
    expect(report.failures[0].code).toBe('registry-tls');
    expect(report.failures[0].message).toMatch(/TLS certificate of 127\.0\.0\.1:\d+ not trusted/);
  });

  it('reports refused credentials without printing the password', async () => {
    const bad = join(work, 'bad-auth.json');
    await writeFile(bad, JSON.stringify({ auths: { [tls.host]: { auth: Buffer.from('testuser:wrong-password-xyz').toString('base64') } } }));
    const report = await copyImages([{ source: `docker://${a.host}/src/app:${layout.images[0].tag}`, destination: `docker://${tls.host}/ocp/x:1` }], { registry: { plainHttp: [a.host], caFiles: { [tls.host]: tls.caFile! }, authFile: bad } });
    expect(report.failures[0].code).toBe('registry-unauthorized');
    expect(report.failures[0].message).not.toContain('wrong-password-xyz');
  });
});

describe('token-auth registry', () => {
  it('gets bearer tokens per scope (cached), copies and verifies', async () => {
    const pairs = layout.images.slice(0, 5).map((i) => ({ source: `docker://${a.host}/src/app:${i.tag}`, destination: `docker://${tok.host}/team/app:${i.tag}` }));
    const client = createRegistryClient({ plainHttp: [a.host, tok.host], authFile: tok.authFile });
    try {
      const report = await copyImages(pairs, { client });
      expect(report.failures).toEqual([]);
      const v = await verifyImages(pairs.map((p) => p.destination), { client });
      expect(v.ok).toBe(true);
    } finally {
      await client.close();
    }
    const reqs = tok.tokenIssuer!.requests;
    expect(reqs.every((r) => r.user === tok.username)).toBe(true);
    expect(reqs.some((r) => r.scopes.includes('repository:team/app:pull,push'))).toBe(true);
    // One repository, one scope: the token is cached, not fetched per request.
    expect(reqs.filter((r) => r.scopes.join(' ') === 'repository:team/app:pull,push').length).toBeLessThanOrEqual(2);
  });

  it('without credentials the token server refuses and the error says to add them', async () => {
    const report = await copyImages([{ source: `docker://${a.host}/src/app:${layout.images[0].tag}`, destination: `docker://${tok.host}/team/other:1` }], { registry: { plainHttp: [a.host, tok.host] } });
    expect(report.failures[0].code).toBe('registry-unauthorized');
  });
});
