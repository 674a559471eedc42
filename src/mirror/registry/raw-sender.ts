/**
 * The registry client's sender for the small exchanges — HEADs, manifest and tag GETs, upload POSTs, manifest PUTs,
 * DELETEs, token requests — on bare keep-alive connections (./raw-http.ts, shared with the blob relay): each
 * response read whole (Content-Length or chunked) and handed out as a Buffer-backed body with the same helpers as
 * node:http's (dump/text/json, async iteration).
 *
 * Why: after the blob relay, node:http's per-request work (request and agent objects, URL conversion, header
 * objects, socket and stream events) was most of the client CPU left for the ~650 small requests of the bench's fresh
 * copy; a bare request costs a write of its head and one parse of the answer.
 *
 * What it leaves to node:http (./node-http.ts): request bodies that are streams (blob uploads on the ordinary path),
 * blob GETs (streamed and resumed with Range), and an answer that ends only when the server closes (sent again there
 * when the request can be repeated; for a POST the status is kept and the body dropped).
 */
import type { IncomingHttpHeaders } from 'node:http';
import { Readable } from 'node:stream';
import type { SecureContext } from 'node:tls';
import { followRedirects, type HttpResponse, type HttpSender, type ResponseBody, type SendOptions } from './node-http.js';
import type { RawHead, RawOrigin, RawPool } from './raw-http.js';

export interface RawSenderOptions {
  pool: RawPool;
  secureContext?: SecureContext;
  rejectUnauthorized?: boolean;
  /** Where streamed exchanges go. */
  fallback: HttpSender;
  /** Largest response body read whole (tag lists of big repositories included). */
  maxBody?: number;
}

/** Tag lists are read up to 64 MiB (repository.ts); a little more for the JSON around them. */
const MAX_BODY = 65 << 20;
const REPEATABLE = new Set(['GET', 'HEAD', 'PUT', 'DELETE']);

function bufferBody(buf: Buffer): ResponseBody {
  // Readable.from does not iterate a Buffer: it is one chunk.
  const r = Readable.from(buf.length ? [buf] : []);
  return Object.assign(r, {
    dump: async (): Promise<void> => {
      r.destroy();
    },
    text: async (): Promise<string> => buf.toString('utf8'),
    json: async (): Promise<unknown> => JSON.parse(buf.toString('utf8')),
  });
}

function abortError(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : Object.assign(new Error('the request was aborted'), { name: 'AbortError', code: 'ABORT_ERR' });
}

export class RawHttpSender implements HttpSender {
  constructor(private readonly o: RawSenderOptions) {}

  send(url: string | URL, options: SendOptions): Promise<HttpResponse> {
    const u = typeof url === 'string' ? new URL(url) : url;
    const streamed = options.body !== undefined && typeof options.body !== 'string' && !Buffer.isBuffer(options.body);
    if (streamed || (options.method === 'GET' && u.pathname.includes('/blobs/'))) return this.o.fallback.send(u, options);
    return followRedirects((x, opts) => this.once(x, opts, false), u, options);
  }

  close(): Promise<void> {
    return this.o.fallback.close();
  }

  private origin(u: URL): RawOrigin {
    const https = u.protocol === 'https:';
    return {
      scheme: https ? 'https' : 'http',
      host: u.hostname.replace(/^\[(.*)\]$/, '$1'),
      port: u.port ? Number(u.port) : https ? 443 : 80,
      ...(https && this.o.secureContext ? { secureContext: this.o.secureContext } : {}),
      ...(https && this.o.rejectUnauthorized === false ? { rejectUnauthorized: false } : {}),
    };
  }

  private once(u: URL, o: SendOptions, freshConnection: boolean): Promise<HttpResponse> {
    const signal = o.signal;
    if (signal?.aborted) return Promise.reject(abortError(signal));
    const body = o.body === undefined ? undefined : Buffer.isBuffer(o.body) ? o.body : Buffer.from(o.body as string);
    const maxBody = this.o.maxBody ?? MAX_BODY;
    return new Promise<HttpResponse>((resolve, reject) => {
      const conn = this.o.pool.acquire(this.origin(u), freshConnection);
      let head: RawHead | undefined;
      const chunks: Buffer[] = [];
      let size = 0;
      let settled = false;
      const settle = (r: HttpResponse | Error | Promise<HttpResponse>): void => {
        if (settled) return;
        settled = true;
        signal?.removeEventListener('abort', onAbort);
        if (r instanceof Error) reject(r);
        else resolve(r);
      };
      const onAbort = (): void => {
        conn.destroy();
        settle(abortError(signal!));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      const headers: Record<string, string> = { ...o.headers };
      if (body || o.method === 'POST' || o.method === 'PUT' || o.method === 'PATCH') headers['content-length'] ??= String(body?.length ?? 0);
      conn.socket.cork();
      conn.send(o.method, `${u.pathname}${u.search}`, headers, {
        onHead: (h) => {
          head = h;
        },
        onBody: (c) => {
          size += c.length;
          if (size > maxBody) {
            conn.destroy();
            settle(Object.assign(new Error(`${u.host} sent a response body larger than ${maxBody} bytes for ${o.method} ${u.pathname}`), { code: 'ERR_RESPONSE_TOO_LARGE' }));
            return false;
          }
          chunks.push(Buffer.from(c)); // a copy: the connection's read buffer is reused
          return true;
        },
        onEnd: () => {
          const h = head!;
          if (!h.framed) {
            // Ends only when the server closes: node:http reads such answers.
            if (REPEATABLE.has(o.method)) return settle(this.o.fallback.send(u, { ...o, body }));
            return settle({ statusCode: h.status, headers: Object.fromEntries(h.headers) as IncomingHttpHeaders, body: bufferBody(Buffer.alloc(0)) });
          }
          this.o.pool.release(conn);
          settle({ statusCode: h.status, headers: Object.fromEntries(h.headers) as IncomingHttpHeaders, body: bufferBody(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)) });
        },
        onError: (e) => {
          if (settled) return;
          // A kept-alive connection the server closed while it sat in the pool: the request never reached it.
          if (conn.reused && conn.responseBytes === 0 && !freshConnection) return settle(this.once(u, o, true));
          settle(e);
        },
      });
      if (body?.length) conn.socket.write(body);
      conn.socket.uncork();
    });
  }
}
