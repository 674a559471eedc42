/**
 * Client transport options against real registries: insecure hosts (TLS unverified, plain-HTTP fallback),
 * HTTP(S)_PROXY / NO_PROXY through a real CONNECT proxy, and bearer-token refresh after a 401.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRegistry, type TestRegistry } from '../helpers/registry.js';
import { startConnectProxy, type ConnectProxy } from '../helpers/fault-proxy.js';
import { writeOciLayout, imageSetSpecs, pushLayout, type GeneratedLayout } from '../helpers/oci-images.js';
import { copyImages, createRegistryClient, verifyImages } from './mirror-api.js';

let work: string;
let layout: GeneratedLayout;
let a: TestRegistry;
let tls: TestRegistry;
let tok: TestRegistry;
let proxy: ConnectProxy;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'mirror-opts-'));
  [a, tls, tok] = await Promise.all([startRegistry(), startRegistry({ kind: 'tls-htpasswd' }), startRegistry({ kind: 'token' })]);
  proxy = await startConnectProxy();
  layout = await writeOciLayout(join(work, 'src'), { seed: 'opts', images: imageSetSpecs({ seed: 'opts', count: 2, totalBytes: 1 << 20, multiArchEvery: 0 }) });
  await pushLayout(layout.dir, { host: a.host, repository: 'src/app' });
});

afterAll(async () => {
  await proxy?.close();
  await Promise.all([a, tls, tok].map((r) => r?.stop()));
  await rm(work, { recursive: true, force: true });
});

const tag = (): string => layout.images[0].tag;

describe('insecure registries', () => {
  it('--insecure skips TLS verification (no CA given) and still authenticates', async () => {
    const r = await copyImages([{ source: `docker://${a.host}/src/app:${tag()}`, destination: `docker://${tls.host}/insecure/app:1` }], { registry: { plainHttp: [a.host], insecure: [tls.host], authFile: tls.authFile } });
    expect(r.failures).toEqual([]);
  });

  it('--insecure falls back to plain HTTP for a registry without TLS', async () => {
    const client = createRegistryClient({ insecure: [a.host] });
    try {
      const v = await verifyImages([`docker://${a.host}/src/app:${tag()}`], { client });
      expect(v.ok).toBe(true);
      expect(v.blobs).toBe(layout.images[0].blobs.length);
    } finally {
      await client.close();
    }
  });
});

describe('ping', () => {
  it('answers for anonymous, basic and bearer registries, and names refused credentials', async () => {
    const client = createRegistryClient({ plainHttp: [a.host, tok.host], caFiles: { [tls.host]: tls.caFile! }, authFile: [tls.authFile!, tok.authFile!] });
    try {
      expect(await client.ping(a.host)).toEqual({ authScheme: 'none' });
      expect(await client.ping(tls.host)).toEqual({ authScheme: 'basic' });
      expect(await client.ping(tok.host)).toEqual({ authScheme: 'bearer' });
    } finally {
      await client.close();
    }
    const anon = createRegistryClient({ caFiles: { [tls.host]: tls.caFile! } });
    try {
      await expect(anon.ping(tls.host)).rejects.toThrow(/refused access .* \(401\)/);
    } finally {
      await anon.close();
    }
  });
});

describe('proxies', () => {
  it('HTTPS_PROXY tunnels registry traffic, NO_PROXY bypasses it', async () => {
    const saved = { HTTPS_PROXY: process.env.HTTPS_PROXY, NO_PROXY: process.env.NO_PROXY, https_proxy: process.env.https_proxy, no_proxy: process.env.no_proxy };
    try {
      process.env.HTTPS_PROXY = proxy.url;
      delete process.env.NO_PROXY;
      delete process.env.no_proxy;
      delete process.env.https_proxy;
      const registry = { plainHttp: [a.host], caFiles: { [tls.host]: tls.caFile! }, authFile: tls.authFile };
      const r = await copyImages([{ source: `docker://${a.host}/src/app:${tag()}`, destination: `docker://${tls.host}/proxied/app:1` }], { registry });
      expect(r.failures).toEqual([]);
      expect(proxy.tunnels).toContain(tls.host);
      const before = proxy.tunnels.length;
      process.env.NO_PROXY = '127.0.0.1';
      const r2 = await copyImages([{ source: `docker://${a.host}/src/app:${layout.images[1].tag}`, destination: `docker://${tls.host}/proxied/app:2` }], { registry });
      expect(r2.failures).toEqual([]);
      expect(proxy.tunnels.length).toBe(before);
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });
});

describe('bearer tokens', () => {
  it('a rejected cached token is refreshed once and the request succeeds', async () => {
    const statuses: number[] = [];
    const client = createRegistryClient({ plainHttp: [a.host, tok.host], authFile: tok.authFile, onRequest: (r) => statuses.push(r.status) });
    try {
      const r = await copyImages([{ source: `docker://${a.host}/src/app:${tag()}`, destination: `docker://${tok.host}/team/app:1` }], { client });
      expect(r.failures).toEqual([]);
      // Poison every cached token (as if revoked or expired server-side): the next request gets a 401.
      const tokens = (client as unknown as { tokens: Map<string, { token: string; expiresAt: number }> }).tokens;
      expect(tokens.size).toBeGreaterThan(0);
      for (const t of tokens.values()) t.token = 'revoked';
      const fetchesBefore = tok.tokenIssuer!.requests.length;
      const repo = client.repository(tok.host, 'team/app');
      repo.writeIntent = true; // same scopes as the poisoned destination token
      statuses.length = 0;
      const head = await repo.headManifest('1');
      expect(head?.digest).toBe(layout.images[0].digest);
      expect(statuses).toEqual([401, 200]);
      expect(tok.tokenIssuer!.requests.length).toBe(fetchesBefore + 1);
    } finally {
      await client.close();
    }
  });
});
