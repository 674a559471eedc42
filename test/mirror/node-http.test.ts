/**
 * The direct HTTP path of the registry client (node:http keep-alive agents): redirects and Authorization, silence
 * timeouts, a failing upload body cutting the request, HEAD responses freeing their connection.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { NodeHttpSender } from '../../src/mirror/registry/node-http.js';

const servers: Server[] = [];
const senders: NodeHttpSender[] = [];

async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ url: string; server: Server; connections: () => number }> {
  let n = 0;
  const server = createServer(handler);
  server.on('connection', () => n++);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  servers.push(server);
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, connections: () => n };
}

function sender(timeoutMs = 10_000): NodeHttpSender {
  const s = new NodeHttpSender({ connections: 4, timeoutMs });
  senders.push(s);
  return s;
}

afterEach(async () => {
  for (const s of senders.splice(0)) await s.close();
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

describe('registry HTTP without a proxy (node:http)', () => {
  it('follows a redirect to another origin without the Authorization header, and keeps it on the same origin', async () => {
    const seen: Array<{ path: string; auth?: string }> = [];
    const storage = await serve((req, res) => {
      seen.push({ path: req.url ?? '', auth: req.headers.authorization });
      res.end('blob bytes');
    });
    const registry = await serve((req, res) => {
      seen.push({ path: req.url ?? '', auth: req.headers.authorization });
      if (req.url === '/v2/r/blobs/a') res.writeHead(307, { location: `${storage.url}/s3/a` }).end();
      else if (req.url === '/v2/r/blobs/b') res.writeHead(302, { location: '/v2/r/blobs/b2' }).end();
      else res.end('same origin');
    });
    const s = sender();
    const a = await s.send(`${registry.url}/v2/r/blobs/a`, { method: 'GET', headers: { authorization: 'Bearer secret' } });
    expect(a.statusCode).toBe(200);
    expect(await a.body.text()).toBe('blob bytes');
    const b = await s.send(`${registry.url}/v2/r/blobs/b`, { method: 'GET', headers: { authorization: 'Bearer secret' } });
    expect(await b.body.text()).toBe('same origin');
    expect(seen).toEqual([
      { path: '/v2/r/blobs/a', auth: 'Bearer secret' },
      { path: '/s3/a', auth: undefined },
      { path: '/v2/r/blobs/b', auth: 'Bearer secret' },
      { path: '/v2/r/blobs/b2', auth: 'Bearer secret' },
    ]);
  });

  it('fails a silent server with ETIMEDOUT (a transient error) after the timeout', async () => {
    const silent = await serve(() => undefined);
    const t0 = Date.now();
    await expect(sender(300).send(`${silent.url}/v2/`, { method: 'GET', headers: {} })).rejects.toMatchObject({ code: 'ETIMEDOUT' });
    expect(Date.now() - t0).toBeLessThan(5000);
  });

  it('a body stream that fails cuts the upload: the server never gets the whole request, the error is the stream’s', async () => {
    let received = 0;
    let completed = false;
    const sink = await serve((req, res) => {
      req.on('data', (c: Buffer) => (received += c.length));
      req.on('end', () => {
        completed = true;
        res.end();
      });
    });
    const body = new Readable({ read() {} });
    const p = sender().send(`${sink.url}/upload`, { method: 'PUT', headers: { 'content-length': '1000000' }, body });
    body.push(Buffer.alloc(1000));
    setTimeout(() => body.destroy(new Error('digest mismatch')), 100);
    await expect(p).rejects.toThrow('digest mismatch');
    await new Promise((r) => setTimeout(r, 100));
    expect(completed).toBe(false);
    expect(received).toBeLessThan(1_000_000);
  });

  it('a body that already failed before the request is sent fails the request at once', async () => {
    const sink = await serve((_req, res) => res.end());
    const body = new Readable({ read() {} });
    body.on('error', () => undefined);
    body.destroy(new Error('mismatch before upload'));
    await expect(sender(30_000).send(`${sink.url}/upload`, { method: 'PUT', headers: { 'content-length': '10' }, body })).rejects.toThrow('mismatch before upload');
  });

  it('HEAD responses announcing a large body give their connection back (keep-alive reuse)', async () => {
    const reg = await serve((_req, res) => res.writeHead(200, { 'content-length': String(512 << 20), 'docker-content-digest': 'sha256:x' }).end());
    const s = sender();
    for (let i = 0; i < 5; i++) {
      const r = await s.send(`${reg.url}/v2/r/blobs/x`, { method: 'HEAD', headers: {} });
      expect(r.statusCode).toBe(200);
      await r.body.dump();
    }
    expect(reg.connections()).toBe(1);
  });
});
