/**
 * The bare-connection sender for small registry exchanges, against a local HTTP server that answers the ways real
 * servers do: chunked bodies, close-delimited bodies, keep-alive connections closed while idle, redirects to another
 * origin, slow answers, oversized bodies — and what it hands to node:http (streams, blob GETs).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Readable } from 'node:stream';
import { NodeHttpSender, type HttpSender, type SendOptions } from '../../../src/mirror/registry/node-http.js';
import { RawPool } from '../../../src/mirror/registry/raw-http.js';
import { RawHttpSender } from '../../../src/mirror/registry/raw-sender.js';

type Handler = (req: IncomingMessage, res: ServerResponse, body: Buffer) => void;
let handler: Handler;
let server: Server;
let base: string;
const sockets = new Set<Socket>();
let connections = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handler(req, res, Buffer.concat(chunks)));
  });
  server.on('connection', (s: Socket) => {
    connections++;
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

let pool: RawPool;
let fallbackCalls: string[];
let sender: RawHttpSender;
const newSender = (timeoutMs = 5000, maxBody?: number): void => {
  pool = new RawPool(timeoutMs);
  fallbackCalls = [];
  const node = new NodeHttpSender({ connections: 4, timeoutMs });
  const fallback: HttpSender = {
    send: (url, o: SendOptions) => {
      fallbackCalls.push(`${o.method} ${new URL(url).pathname}`);
      return node.send(url, o);
    },
    close: () => node.close(),
  };
  sender = new RawHttpSender({ pool, fallback, ...(maxBody ? { maxBody } : {}) });
};
afterEach(async () => {
  await sender?.close();
  pool?.close();
});

describe('RawHttpSender', () => {
  it('reads Content-Length and chunked bodies, sends a Buffer body with its length, and reuses the connection', async () => {
    newSender();
    handler = (req, res, body) => {
      if (req.url === '/v2/a/tags/list') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"name":"a",'); // several chunks: Transfer-Encoding chunked
        setTimeout(() => res.end(`"tags":[${Array.from({ length: 500 }, (_, i) => `"t${i}"`).join(',')}]}`), 5);
      } else res.end(JSON.stringify({ method: req.method, len: req.headers['content-length'], body: body.toString() }));
    };
    const before = connections;
    const put = await sender.send(`${base}/v2/a/manifests/x`, { method: 'PUT', headers: { 'content-type': 'x/y' }, body: Buffer.from('manifest-bytes') });
    expect(await put.body.json()).toEqual({ method: 'PUT', len: '14', body: 'manifest-bytes' });
    const tags = await sender.send(`${base}/v2/a/tags/list`, { method: 'GET', headers: {} });
    expect(tags.headers['transfer-encoding']).toBe('chunked');
    expect(((await tags.body.json()) as { tags: string[] }).tags).toHaveLength(500);
    const head = await sender.send(`${base}/v2/a/manifests/x`, { method: 'HEAD', headers: {} });
    expect(head.statusCode).toBe(200);
    expect(connections - before).toBe(1);
    expect(fallbackCalls).toEqual([]);
  });

  it('leaves streamed bodies and blob GETs to node:http, and re-sends a close-delimited GET there', async () => {
    newSender();
    handler = (req, res) => {
      if (req.url === '/old') {
        // No Content-Length, no chunks: the body ends when the server closes.
        res.socket!.end('HTTP/1.1 200 OK\r\nconnection: close\r\n\r\nuntil-close');
        return;
      }
      res.end('ok');
    };
    await (await sender.send(`${base}/v2/a/blobs/sha256:${'0'.repeat(64)}`, { method: 'GET', headers: {} })).body.text();
    await (await sender.send(`${base}/v2/a/blobs/uploads/x`, { method: 'PUT', headers: { 'content-length': '2' }, body: Readable.from([Buffer.from('ab')]) })).body.text();
    const old = await sender.send(`${base}/old`, { method: 'GET', headers: {} });
    expect(await old.body.text()).toBe('until-close');
    expect(fallbackCalls).toEqual([`GET /v2/a/blobs/sha256:${'0'.repeat(64)}`, 'PUT /v2/a/blobs/uploads/x', 'GET /old']);
  });

  it('a kept-alive connection the server closed while idle is replaced without an error', async () => {
    newSender();
    handler = (_req, res) => res.end('fine');
    expect(await (await sender.send(`${base}/one`, { method: 'GET', headers: {} })).body.text()).toBe('fine');
    // The server drops its idle connections; one of ours may still be in the pool when the next request goes out.
    for (const s of sockets) s.destroy();
    const res = await sender.send(`${base}/two`, { method: 'POST', headers: {} });
    expect(await res.body.text()).toBe('fine');
  });

  it('follows a redirect to another origin without the Authorization header', async () => {
    newSender();
    const seen: Array<{ url?: string; auth?: string }> = [];
    handler = (req, res) => {
      seen.push({ url: req.url, auth: req.headers.authorization });
      if (req.url === '/v2/a/manifests/r') {
        res.writeHead(307, { location: `${base.replace('127.0.0.1', 'localhost')}/landed` }).end();
      } else res.end('landed');
    };
    const res = await sender.send(`${base}/v2/a/manifests/r`, { method: 'GET', headers: { authorization: 'Bearer secret' } });
    expect(await res.body.text()).toBe('landed');
    expect(seen).toEqual([{ url: '/v2/a/manifests/r', auth: 'Bearer secret' }, { url: '/landed', auth: undefined }]);
  });

  it('an abort, a silent server and an oversized body each end the request with a clear error', async () => {
    newSender(300, 1024);
    handler = (req, res) => {
      if (req.url === '/big') res.end(Buffer.alloc(4096, 1));
      // '/slow': never answers
    };
    const stop = new AbortController();
    const aborted = sender.send(`${base}/slow`, { method: 'GET', headers: {}, signal: stop.signal });
    setTimeout(() => stop.abort(), 20);
    await expect(aborted).rejects.toMatchObject({ name: 'AbortError' });
    await expect(sender.send(`${base}/slow`, { method: 'GET', headers: {} })).rejects.toMatchObject({ code: 'ETIMEDOUT' });
    await expect(sender.send(`${base}/big`, { method: 'GET', headers: {} })).rejects.toThrow(/larger than 1024 bytes/);
  });
});
