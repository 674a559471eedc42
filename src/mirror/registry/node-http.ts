/**
 * Registry HTTP on node:http / node:https keep-alive agents: the direct path (no proxy configured).
 *
 * Why not undici here: loading undici costs ~0.1–0.15 s of CPU per process (a no-op re-mirror is mostly start-up),
 * and streaming 400 MB through it took about twice the CPU of node:http on the dev machine (0.9 s vs 0.4 s to
 * download the bench's 323 blobs). undici stays in use for proxies (EnvHttpProxyAgent), see ./dispatcher.ts.
 *
 * Contract (the same as the undici path): TLS verified against the system roots plus the host's CA bundle, off only
 * for insecure hosts; redirects followed (at most 5) for requests whose body can be replayed, dropping
 * Authorization when the origin changes (blob storage may redirect to S3-like backends); a request whose socket is
 * silent for `timeoutMs` (headers or body) fails with ETIMEDOUT; the caller consumes or dumps every body.
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { Readable } from 'node:stream';
import type { SecureContext } from 'node:tls';

/** A response body: a Readable (async iterable) with undici's helpers, so both paths look the same to callers. */
export type ResponseBody = Readable & {
  /** Discard the rest of the body (small bodies are drained to keep the connection, big ones close it). */
  dump(): Promise<void>;
  text(): Promise<string>;
  json(): Promise<unknown>;
};

export interface HttpResponse {
  statusCode: number;
  headers: IncomingHttpHeaders;
  body: ResponseBody;
}

export interface SendOptions {
  method: string;
  headers: Record<string, string>;
  body?: Buffer | string | Readable;
  signal?: AbortSignal;
}

/** What the registry client needs from an HTTP stack (node:http here, undici behind a proxy). */
export interface HttpSender {
  send(url: string | URL, options: SendOptions): Promise<HttpResponse>;
  close(): Promise<void>;
}

export interface NodeSenderOptions {
  secureContext?: SecureContext;
  rejectUnauthorized?: boolean;
  connections: number;
  timeoutMs: number;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 5;
/** Bodies larger than this are not drained by dump(): closing the connection is cheaper than reading them. */
const DUMP_LIMIT = 256 << 10;

function readAll(res: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.once('end', () => resolve(Buffer.concat(chunks)));
    res.once('error', reject);
  });
}

function dump(res: IncomingMessage, head: boolean): Promise<void> {
  // `complete` (all parsed) is not enough: the socket goes back to the pool only once 'end' was emitted, which needs
  // the body to be consumed.
  if (res.readableEnded || res.destroyed) return Promise.resolve();
  // A HEAD response has no body whatever its Content-Length says.
  const len = Number(res.headers['content-length'] ?? NaN);
  if (!head && !(len <= DUMP_LIMIT)) {
    res.destroy();
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    res.once('end', resolve);
    res.once('close', resolve);
    res.once('error', () => resolve());
    res.resume();
  });
}

function asResponse(res: IncomingMessage, method: string): HttpResponse {
  const body = Object.assign(res, {
    dump: () => dump(res, method === 'HEAD'),
    text: async () => (await readAll(res)).toString('utf8'),
    json: async (): Promise<unknown> => JSON.parse((await readAll(res)).toString('utf8')),
  });
  return { statusCode: res.statusCode ?? 0, headers: res.headers, body };
}

function timeoutError(ms: number): Error {
  return Object.assign(new Error(`no data from the server for ${Math.round(ms / 1000)} s`), { code: 'ETIMEDOUT' });
}

/**
 * Send, following redirects for requests whose body can be replayed (at most 5), dropping Authorization when the
 * origin changes; 303 turns the request into a GET.
 */
export async function followRedirects(once: (u: URL, o: SendOptions) => Promise<HttpResponse>, url: string | URL, options: SendOptions): Promise<HttpResponse> {
  let u = typeof url === 'string' ? new URL(url) : url;
  let opts = options;
  for (let hops = 0; ; hops++) {
    const res = await once(u, opts);
    const loc = res.headers.location;
    const replayable = opts.body === undefined || typeof opts.body === 'string' || Buffer.isBuffer(opts.body);
    if (!REDIRECTS.has(res.statusCode) || !loc || !replayable || hops >= MAX_REDIRECTS) return res;
    await res.body.dump();
    const next = new URL(loc, u);
    const headers = { ...opts.headers };
    if (next.origin !== u.origin) delete headers.authorization;
    opts = res.statusCode === 303 && opts.method !== 'HEAD' ? { ...opts, method: 'GET', body: undefined, headers } : { ...opts, headers };
    u = next;
  }
}

export class NodeHttpSender implements HttpSender {
  private readonly http: HttpAgent;
  private readonly https: HttpsAgent;

  constructor(private readonly o: NodeSenderOptions) {
    const common = { keepAlive: true, maxSockets: o.connections, maxFreeSockets: o.connections, scheduling: 'lifo' as const };
    this.http = new HttpAgent(common);
    this.https = new HttpsAgent({
      ...common,
      ...(o.secureContext ? { secureContext: o.secureContext } : {}),
      ...(o.rejectUnauthorized === false ? { rejectUnauthorized: false } : {}),
    });
  }

  send(url: string | URL, options: SendOptions): Promise<HttpResponse> {
    return followRedirects((u, o) => this.once(u, o), url, options);
  }

  private once(u: URL, o: SendOptions): Promise<HttpResponse> {
    const tls = u.protocol === 'https:';
    return new Promise<HttpResponse>((resolve, reject) => {
      // `timeout` is the socket's inactivity limit from before the connect on: connecting, waiting for headers, and
      // silence while the body streams.
      const req = (tls ? httpsRequest : httpRequest)(u, { method: o.method, headers: o.headers, agent: tls ? this.https : this.http, signal: o.signal, timeout: this.o.timeoutMs });
      req.on('timeout', () => req.destroy(timeoutError(this.o.timeoutMs)));
      req.once('response', (res) => resolve(asResponse(res, o.method)));
      // Stays attached after the response: a late socket error then reaches the body (as "aborted"), not the process.
      req.on('error', reject);
      const body = o.body;
      if (body === undefined) req.end();
      else if (typeof body === 'string' || Buffer.isBuffer(body)) req.end(body);
      else {
        // A failing body (a digest mismatch in the verifier) destroys the request: the server sees a cut upload and
        // commits nothing. The body may already have failed (a small corrupt blob fails while the upload opens).
        const fail = (e: unknown): void => {
          req.destroy(e instanceof Error ? e : Object.assign(new Error('the request body closed before its end'), { code: 'ERR_STREAM_PREMATURE_CLOSE' }));
        };
        if (body.errored || body.destroyed) return fail(body.errored);
        body.once('error', fail);
        body.once('close', () => {
          if (!body.readableEnded) fail(body.errored);
        });
        body.pipe(req);
      }
    });
  }

  async close(): Promise<void> {
    this.http.destroy();
    this.https.destroy();
  }
}
