/** DCI calls go through HTTP(S)_PROXY from the environment (as `requests` does for the original agent), and NO_PROXY bypasses it. */
import { createServer, request as httpRequest, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeDciServer, type FakeDciServer } from '../../helpers/fake-dci-server.js';
import { clientFor } from './helpers.js';

/** A minimal forward proxy: CONNECT tunnels and absolute-form requests; it records what it relayed. */
async function startProxy(): Promise<{ url: string; seen: string[]; close: () => Promise<void> }> {
  const seen: string[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    const target = new URL(req.url ?? '');
    const up = httpRequest({ host: target.hostname, port: target.port, path: target.pathname + target.search, method: req.method, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    req.pipe(up);
  });
  server.on('connect', (req, client: Socket, head: Buffer) => {
    seen.push(`CONNECT ${req.url}`);
    const [host, port] = String(req.url).split(':');
    const up = connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      up.write(head);
      up.pipe(client);
      client.pipe(up);
    });
    sockets.add(up).add(client);
    up.on('error', () => client.destroy());
    client.on('error', () => up.destroy());
  });
  server.on('connection', (s: Socket) => sockets.add(s));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        for (const s of sockets) s.destroy();
      }),
  };
}

const KEYS = ['HTTP_PROXY', 'http_proxy', 'HTTPS_PROXY', 'https_proxy', 'NO_PROXY', 'no_proxy'];
let saved: Record<string, string | undefined>;
let fake: FakeDciServer;
beforeEach(async () => {
  saved = Object.fromEntries(KEYS.map((k) => [k, process.env[k]]));
  for (const k of KEYS) delete process.env[k];
  fake = await startFakeDciServer();
});
afterEach(async () => {
  for (const k of KEYS) {
    if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
  }
  await fake.close();
});

describe('proxies from the environment', () => {
  it('uses HTTP_PROXY, and the signature still verifies (Host stays the API host)', async () => {
    const proxy = await startProxy();
    try {
      process.env.HTTP_PROXY = proxy.url;
      const client = clientFor(fake);
      await client.whoami();
      await client.close();
      expect(proxy.seen.length).toBeGreaterThan(0);
      expect(proxy.seen.join('\n')).toContain(`127.0.0.1:${fake.port}`);
      expect(fake.requests.at(-1)).toMatchObject({ status: 200 });
      expect(fake.requests.at(-1)?.headers.host).toBe(`127.0.0.1:${fake.port}`);
    } finally {
      await proxy.close();
    }
  });

  it('NO_PROXY bypasses the proxy', async () => {
    const proxy = await startProxy();
    try {
      process.env.http_proxy = proxy.url;
      process.env.no_proxy = '127.0.0.1';
      const client = clientFor(fake);
      await client.whoami();
      await client.close();
      expect(proxy.seen).toEqual([]);
      expect(fake.requests.at(-1)).toMatchObject({ status: 200 });
    } finally {
      await proxy.close();
    }
  });
});
