/**
 * HTTP for uri/get_url, from the controller, through undici (loaded lazily). TLS is verified by default against
 * the system CAs or `ca_path`; redirects follow Ansible's `follow_redirects` (safe = GET/HEAD only).
 */
import { readFile } from 'node:fs/promises';
import type { Dispatcher } from 'undici';
import { ModuleError } from '../../core/errors.js';

export interface HttpRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
  body?: string | Buffer;
  validateCerts: boolean;
  caPath?: string;
  clientCert?: string;
  clientKey?: string;
  timeoutMs: number;
  followRedirects: 'safe' | 'all' | 'none' | 'urllib2';
  signal?: AbortSignal;
}

export interface HttpResponse {
  status: number;
  url: string;
  redirected: boolean;
  headers: Record<string, string>;
  body: Buffer;
  elapsedMs: number;
}

export class HttpFailure extends Error {}

export async function httpRequest(req: HttpRequest): Promise<HttpResponse> {
  const { Agent, request } = await import('undici');
  const connect: Record<string, unknown> = { rejectUnauthorized: req.validateCerts };
  if (req.caPath) connect.ca = await readFile(req.caPath).catch((e: NodeJS.ErrnoException) => {
    throw new ModuleError('ca-path', `cannot read ca_path ${req.caPath}: ${e.code ?? e.message}`);
  });
  if (req.clientCert) connect.cert = await readFile(req.clientCert);
  if (req.clientKey) connect.key = await readFile(req.clientKey);
  const agent = new Agent({ connect, headersTimeout: req.timeoutMs, bodyTimeout: req.timeoutMs, connectTimeout: req.timeoutMs });
  const started = Date.now();
  let url = req.url;
  let method = req.method.toUpperCase();
  let body = req.body;
  let redirected = false;
  try {
    for (let hop = 0; ; hop++) {
      let res: Dispatcher.ResponseData;
      try {
        res = await request(url, { method: method as Dispatcher.HttpMethod, headers: req.headers, body, dispatcher: agent, signal: req.signal });
      } catch (e) {
        const err = e as Error & { code?: string; cause?: { code?: string; message?: string } };
        const detail = err.cause?.message ?? err.message;
        throw new HttpFailure(`Request failed: ${err.code ?? err.cause?.code ?? ''} ${detail}`.replace(/\s+/g, ' ').trim());
      }
      const location = res.headers.location;
      const canFollow = req.followRedirects === 'all' || ((req.followRedirects === 'safe' || req.followRedirects === 'urllib2') && (method === 'GET' || method === 'HEAD'));
      if (res.statusCode >= 300 && res.statusCode < 400 && location && canFollow && hop < 10) {
        await res.body.dump();
        url = new URL(String(location), url).toString();
        redirected = true;
        if (res.statusCode === 303) {
          method = 'GET';
          body = undefined;
        }
        continue;
      }
      const buf = Buffer.from(await res.body.arrayBuffer());
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : String(v);
      return { status: res.statusCode, url, redirected, headers, body: buf, elapsedMs: Date.now() - started };
    }
  } finally {
    await agent.close().catch(() => undefined);
  }
}

export function basicAuth(user: string | undefined, password: string | undefined): Record<string, string> {
  if (user === undefined) return {};
  return { authorization: `Basic ${Buffer.from(`${user}:${password ?? ''}`).toString('base64')}` };
}

/** Python's http.client reason phrases for the common codes (Ansible puts them in `msg`). */
export const REASONS: Record<number, string> = {
  200: 'OK', 201: 'Created', 202: 'Accepted', 204: 'No Content', 301: 'Moved Permanently', 302: 'Found', 303: 'See Other',
  304: 'Not Modified', 307: 'Temporary Redirect', 308: 'Permanent Redirect', 400: 'Bad Request', 401: 'Unauthorized',
  403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed', 409: 'Conflict', 500: 'Internal Server Error',
  502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout',
};
