/**
 * One HTTP sender per registry host: with no proxy configured, bare keep-alive connections for the small exchanges
 * (./raw-sender.ts) and node:http(s) keep-alive agents for the streamed ones (./node-http.ts: cheaper to load and to
 * stream through than undici); behind a proxy, an undici dispatcher. Both: TLS verified against the system roots plus the host's own CA bundle
 * (when given), verification off only for hosts the user marked insecure, HTTP(S)_PROXY/NO_PROXY honoured through
 * EnvHttpProxyAgent, and redirects followed (blob storage may redirect to S3-like backends; undici drops the
 * Authorization header on cross-origin redirects). undici is imported lazily: commands that never touch a
 * registry do not pay for it.
 */
import { readFileSync } from 'node:fs';
import { rootCertificates, createSecureContext, type SecureContext } from 'node:tls';
import type { Dispatcher } from 'undici';
import { RegistryError } from '../../core/errors.js';
import { NodeHttpSender, type HttpResponse, type HttpSender, type SendOptions } from './node-http.js';
import type { RawPool } from './raw-http.js';
import { RawHttpSender } from './raw-sender.js';

export interface DispatcherOptions {
  /** PEM file with extra CA certificates for this host. */
  caFile?: string;
  /** Skip TLS verification (insecure registries only). */
  insecure?: boolean;
  connections: number;
  timeoutMs: number;
  /** Bare keep-alive connections for the small exchanges (./raw-sender.ts); without it, node:http for all. */
  pool?: RawPool;
  /** The host's TLS settings when the caller keeps them (one SecureContext per host, shared with the blob relay). */
  tls?: () => TlsOptions;
}

export type Undici = typeof import('undici');

let undiciPromise: Promise<Undici> | undefined;
export function loadUndici(): Promise<Undici> {
  undiciPromise ??= import('undici');
  return undiciPromise;
}

export function proxyConfigured(): boolean {
  const e = process.env;
  return Boolean(e.HTTPS_PROXY || e.https_proxy || e.HTTP_PROXY || e.http_proxy);
}

/** The sender for one host: node:http(s) directly, undici (EnvHttpProxyAgent) when a proxy is configured. */
export async function createSender(o: DispatcherOptions): Promise<HttpSender> {
  const tls = o.tls ? o.tls() : tlsOptions(o);
  if (!proxyConfigured()) {
    const node = new NodeHttpSender({ ...tls, connections: o.connections, timeoutMs: o.timeoutMs });
    return o.pool ? new RawHttpSender({ pool: o.pool, ...tls, fallback: node }) : node;
  }
  const undici = await loadUndici();
  const dispatcher = createDispatcher(undici, o, tls);
  return {
    send: async (url, options: SendOptions): Promise<HttpResponse> => {
      const res = await undici.request(url, { method: options.method as Dispatcher.HttpMethod, headers: options.headers, body: options.body, dispatcher, signal: options.signal });
      return res as unknown as HttpResponse; // undici's BodyReadable is a Readable with dump/text/json
    },
    close: () => dispatcher.close(),
  };
}

export interface TlsOptions {
  secureContext?: SecureContext;
  rejectUnauthorized?: boolean;
}

export function tlsOptions(o: DispatcherOptions): TlsOptions {
  let ca: string[] | undefined;
  if (o.caFile) {
    let pem: string;
    try {
      pem = readFileSync(o.caFile, 'utf8');
    } catch (e) {
      throw new RegistryError('ca-file-missing', `cannot read CA bundle ${o.caFile}: ${(e as Error).message}`, { hint: 'pass --ca HOST=FILE with a readable PEM file', location: { file: o.caFile }, cause: e });
    }
    // `ca` replaces Node's default roots, so keep them (and NODE_EXTRA_CA_CERTS is only applied to the defaults).
    ca = [...rootCertificates, pem];
    const extra = process.env.NODE_EXTRA_CA_CERTS;
    if (extra) {
      try {
        ca.push(readFileSync(extra, 'utf8'));
      } catch {
        // an unreadable NODE_EXTRA_CA_CERTS is Node's warning to give, not ours
      }
    }
  }
  // One SecureContext per host: passing `ca` to every connect would re-parse ~150 root certificates per TLS
  // connection (measured: ~1 s stalls when 30 connections open at once on 2 cores).
  return { ...(ca ? { secureContext: createSecureContext({ ca }) } : {}), ...(o.insecure ? { rejectUnauthorized: false } : {}) };
}

function createDispatcher(undici: Undici, o: DispatcherOptions, tls: TlsOptions): Dispatcher {
  const common = {
    connections: o.connections,
    keepAliveTimeout: 30_000,
    headersTimeout: o.timeoutMs,
    bodyTimeout: o.timeoutMs,
    connect: { ...tls, timeout: Math.min(o.timeoutMs, 30_000) },
  };
  const base: Dispatcher = new undici.EnvHttpProxyAgent({ ...common, requestTls: tls });
  return base.compose(undici.interceptors.redirect({ maxRedirections: 5 }));
}
