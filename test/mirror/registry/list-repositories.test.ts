/**
 * RegistryClient.listRepositories against real docker-registry processes: every repository, once, across pages
 * (`Link: rel="next"`, the next page answered by the registry itself); the catalog scope asked of a token server;
 * and the refusals a caller must tell apart (401 without credentials, 404 from a registry with no catalog).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegistryError } from '../../../src/core/errors.js';
import { RegistryClient } from '../../../src/mirror/registry/client.js';
import { startRegistry, type TestRegistry } from '../../helpers/registry.js';
import { startFaultProxy, type FaultProxy } from '../../helpers/fault-proxy.js';
import { buildImage, gzLayer, pushImage } from '../../helpers/release-fixtures.js';

let plain: TestRegistry;
let token: TestRegistry;
let proxy: FaultProxy;
const repos = ['alpha/one', 'beta/two', 'p1/lab/x', 'zeta'];
const clients: RegistryClient[] = [];
const client = (options: ConstructorParameters<typeof RegistryClient>[0]): RegistryClient => {
  const c = new RegistryClient({ retry: { attempts: 1 }, ...options });
  clients.push(c);
  return c;
};

beforeAll(async () => {
  [plain, token] = await Promise.all([startRegistry(), startRegistry({ kind: 'token' })]);
  const image = buildImage([gzLayer([{ name: 'a.txt', content: 'listed' }])]);
  for (const r of repos) await pushImage(plain.host, r, image, 'v1');
  proxy = await startFaultProxy(plain.url);
}, 60_000);

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await proxy?.close();
  await Promise.all([plain?.stop(), token?.stop()]);
});

describe('RegistryClient.listRepositories', () => {
  it('lists every repository of a registry', async () => {
    expect(await client({ plainHttp: [plain.host] }).listRepositories(plain.host)).toEqual(repos);
  }, 30_000);

  it('follows rel="next" pages: the second page is the registry answering ?last=', async () => {
    proxy.clear();
    // The first page stops after two repositories and links to the rest, as a registry with a page limit does.
    proxy.add({
      method: 'GET',
      path: /^\/v2\/_catalog\?n=1000$/,
      times: 1,
      fault: { kind: 'respond', status: 200, headers: { 'content-type': 'application/json', link: '</v2/_catalog?last=beta%2Ftwo&n=1000>; rel="next"' }, body: JSON.stringify({ repositories: repos.slice(0, 2) }) },
    });
    expect(await client({ plainHttp: [proxy.host] }).listRepositories(proxy.host)).toEqual(repos);
    expect(proxy.log.filter((e) => e.path.startsWith('/v2/_catalog')).map((e) => [e.path, e.status])).toEqual([
      ['/v2/_catalog?n=1000', 200],
      ['/v2/_catalog?last=beta%2Ftwo&n=1000', 200],
    ]);
  }, 30_000);

  it('a page that links to itself ends the listing instead of looping', async () => {
    proxy.clear();
    proxy.add({
      method: 'GET',
      path: /^\/v2\/_catalog/,
      fault: { kind: 'respond', status: 200, headers: { 'content-type': 'application/json', link: '</v2/_catalog?last=x&n=1000>; rel="next"' }, body: JSON.stringify({ repositories: ['x'] }) },
    });
    expect(await client({ plainHttp: [proxy.host] }).listRepositories(proxy.host)).toEqual(['x', 'x']);
    expect(proxy.log.length).toBe(2);
  }, 30_000);

  it('asks a token server for the registry:catalog:* scope, and is refused (401) without credentials', async () => {
    const withCreds = client({ plainHttp: [token.host], authFile: token.authFile });
    expect(await withCreds.listRepositories(token.host)).toEqual([]);
    expect(token.tokenIssuer?.requests.some((r) => r.scopes.includes('registry:catalog:*') && r.user)).toBe(true);
    const e = await client({ plainHttp: [token.host] }).listRepositories(token.host).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(RegistryError);
    expect((e as RegistryError).code).toBe('registry-unauthorized');
    expect((e as RegistryError).message).toContain('(401)');
  }, 30_000);

  it('a registry without a catalog (404) is a registry-not-found error, not a crash on its body', async () => {
    proxy.clear();
    proxy.add({ method: 'GET', path: /^\/v2\/_catalog/, fault: { kind: 'status', status: 404, body: '404 page not found' } });
    const e = await client({ plainHttp: [proxy.host] }).listRepositories(proxy.host).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(RegistryError);
    expect((e as RegistryError).code).toBe('registry-not-found');
  }, 30_000);

  it('an answer that is not JSON is a registry-protocol error naming the registry', async () => {
    proxy.clear();
    proxy.add({ method: 'GET', path: /^\/v2\/_catalog/, fault: { kind: 'respond', status: 200, headers: { 'content-type': 'text/html' }, body: '<html>login</html>' } });
    const e = await client({ plainHttp: [proxy.host] }).listRepositories(proxy.host).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(RegistryError);
    expect((e as RegistryError).code).toBe('registry-protocol');
    expect((e as RegistryError).message).toContain(proxy.host);
  }, 30_000);
});
