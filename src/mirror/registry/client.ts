/**
 * The registry HTTP client: one per run, shared by every repository. It owns per-host HTTP senders, learns each
 * host's auth scheme from its first 401 (no separate /v2/ ping, so a no-op mirror costs only HEADs), fetches and
 * caches bearer tokens per (host, scopes), sends basic credentials where the host asks for them, replays a request
 * once after a 401 (token refresh), and retries transient failures of replayable requests with backoff.
 */
import type { Readable } from 'node:stream';
import { RegistryError } from '../../core/errors.js';
import { globalSecrets, type SecretRegistry } from '../../core/secrets.js';
import { apiHost } from '../../core/image-reference.js';
import { parseChallenges, type Challenge } from './challenge.js';
import { CredentialStore, type AuthEntries, type Credential } from './credentials.js';
import type { RelayEndpoint } from './blob-relay.js';
import { createSender, proxyConfigured, tlsOptions, type TlsOptions } from './dispatcher.js';
import type { HttpResponse, HttpSender } from './node-http.js';
import { RawPool } from './raw-http.js';
import { DEFAULT_RETRY, RegistryHttpError, parseRetryAfter, withRetry, type RetryPolicy } from './retry.js';
import { RegistryRepository, readCapped } from './repository.js';

export interface RegistryClientOptions {
  /** Pull secret / auth.json / docker config.json file(s); the first file that has a key wins. */
  authFile?: string | string[];
  /** In-memory `auths` entries (same shape as the files), checked before the files. */
  auths?: AuthEntries;
  /** host[:port] → PEM CA bundle trusted for that host (in addition to the system roots). */
  caFiles?: Record<string, string>;
  /** Hosts whose TLS certificate is not verified; plain HTTP is tried when TLS fails. */
  insecure?: string[];
  /** Hosts spoken to over plain HTTP. */
  plainHttp?: string[];
  /** Connections per host (default 32; the copy engine limits concurrent transfers separately). */
  connectionsPerHost?: number;
  retry?: Partial<RetryPolicy>;
  /** Headers and body inactivity timeout, ms (default 60 s). */
  timeoutMs?: number;
  userAgent?: string;
  secrets?: SecretRegistry;
  /** Observe every HTTP exchange with a registry (tests and benchmarks count requests). */
  onRequest?: (info: { method: string; url: string; status: number }) => void;
}

export interface RequestSpec {
  method: 'GET' | 'HEAD' | 'PUT' | 'POST' | 'PATCH' | 'DELETE';
  /** Path starting with /v2/, or an absolute URL (upload locations). */
  path: string;
  headers?: Record<string, string>;
  /** A Buffer/string body is replayable (retried, re-sent after a 401); a stream is sent once. */
  body?: Buffer | string | Readable;
  scopes: string[];
  signal?: AbortSignal;
  /** Retry transient failures (default: true for replayable requests). */
  retry?: boolean;
  /** For error messages. */
  what: string;
}

interface HostState {
  registry: string;
  scheme: 'https' | 'http';
  /** Decided for insecure hosts after the first request. */
  schemeSettled: boolean;
  sender: Promise<HttpSender>;
  challenge?: Challenge;
  /** Uploads use PATCH chunks + PUT when the host refused a monolithic PUT. */
  chunkedUploads: boolean;
}

interface CachedToken {
  token: string;
  expiresAt: number;
}

const TLS_VERIFY_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'CERT_UNTRUSTED', 'UNABLE_TO_GET_ISSUER_CERT',
]);

function errCode(e: unknown): string | undefined {
  let cur: unknown = e;
  for (let i = 0; i < 4 && cur; i++) {
    const c = (cur as { code?: unknown }).code;
    if (typeof c === 'string') return c;
    cur = (cur as { cause?: unknown }).cause;
  }
  return undefined;
}

function looksLikePlainHttp(e: unknown): boolean {
  const code = errCode(e);
  const msg = String((e as Error)?.message ?? '');
  return code === 'EPROTO' || code === 'ERR_SSL_WRONG_VERSION_NUMBER' || /wrong version number|packet length too long|ECONNRESET/i.test(msg) || code === 'ECONNRESET';
}

export class RegistryClient {
  readonly retryPolicy: RetryPolicy;
  /** Requests by method, for reports and tests. */
  readonly requestCounts: Record<string, number> = {};
  private readonly hosts = new Map<string, HostState>();
  private readonly senders = new Map<string, Promise<HttpSender>>();
  private readonly tokens = new Map<string, CachedToken>();
  private readonly tokenRequests = new Map<string, Promise<CachedToken>>();
  private readonly creds: CredentialStore;
  private credsReady: Promise<void> | undefined;
  private readonly timeoutMs: number;
  private pool: RawPool | undefined;
  /** Per host: its TLS settings, made once (the CA bundle read and its SecureContext built) for the senders and the relay. */
  private readonly hostTls = new Map<string, TlsOptions>();

  constructor(readonly options: RegistryClientOptions = {}) {
    this.retryPolicy = { ...DEFAULT_RETRY, ...options.retry };
    this.timeoutMs = options.timeoutMs ?? 60_000;
    this.creds = new CredentialStore(options.secrets ?? globalSecrets);
    if (options.auths) this.creds.addEntries(options.auths, '<auths>');
  }

  /** A repository handle (source and destination) on this client. */
  repository(registry: string, repository: string): RegistryRepository {
    return new RegistryRepository(this, registry, repository);
  }

  private loadCreds(): Promise<void> {
    this.credsReady ??= (async () => {
      const files = this.options.authFile === undefined ? [] : Array.isArray(this.options.authFile) ? this.options.authFile : [this.options.authFile];
      for (const f of files) await this.creds.addFile(f);
    })();
    return this.credsReady;
  }

  async credentialFor(registry: string, repository?: string): Promise<Credential | undefined> {
    await this.loadCreds();
    return this.creds.lookup(registry, repository);
  }

  private hostState(registry: string): HostState {
    let h = this.hosts.get(registry);
    if (!h) {
      const plain = this.options.plainHttp?.includes(registry) ?? false;
      const insecure = this.options.insecure?.includes(registry) ?? false;
      h = {
        registry,
        scheme: plain ? 'http' : 'https',
        schemeSettled: !insecure || plain,
        sender: this.senderFor(registry),
        chunkedUploads: false,
      };
      this.hosts.set(registry, h);
    }
    return h;
  }

  /** HTTP sender keyed by host[:port] (registries and token realms alike). */
  private senderFor(hostPort: string): Promise<HttpSender> {
    let d = this.senders.get(hostPort);
    if (!d) {
      d = createSender({
        caFile: this.options.caFiles?.[hostPort],
        insecure: this.options.insecure?.includes(hostPort) ?? false,
        connections: this.options.connectionsPerHost ?? 32,
        timeoutMs: this.timeoutMs,
        pool: this.rawPool(),
        tls: () => this.tlsFor(hostPort),
      });
      this.senders.set(hostPort, d);
    }
    return d;
  }

  useChunkedUploads(registry: string): boolean {
    return this.hostState(registry).chunkedUploads;
  }

  preferChunkedUploads(registry: string): void {
    this.hostState(registry).chunkedUploads = true;
  }

  baseUrl(registry: string): string {
    const h = this.hostState(registry);
    return `${h.scheme}://${apiHost(registry)}`;
  }

  /**
   * `GET /v2/` with credentials: checks that a host speaks the Distribution API and accepts our credentials
   * (a copy does not need it; it is for `check`-style commands and clear early errors).
   */
  async ping(registry: string, signal?: AbortSignal): Promise<{ authScheme: string }> {
    const res = await this.request(registry, { method: 'GET', path: '/v2/', scopes: [], signal, what: `ping ${registry}` });
    if (res.statusCode !== 200) throw await statusError(res, registry, 'ping', `${registry}/v2/`);
    await res.body.dump();
    return { authScheme: this.hostState(registry).challenge?.scheme ?? 'none' };
  }

  /**
   * Every repository of a registry (`GET /v2/_catalog`, following `Link: <...>; rel="next"` pagination). Many
   * registries refuse it (Quay without the scope, registries with the catalog disabled): the refusal is the usual
   * RegistryError (`registry-unauthorized` for 401/403, `registry-not-found` for 404) for the caller to weigh.
   */
  async listRepositories(registry: string, signal?: AbortSignal): Promise<string[]> {
    const repositories: string[] = [];
    let path: string | undefined = '/v2/_catalog?n=1000';
    const pages = new Set<string>();
    while (path) {
      const res = await this.request(registry, { method: 'GET', path, scopes: ['registry:catalog:*'], signal, what: `list repositories of ${registry}` });
      if (res.statusCode !== 200) throw await statusError(res, registry, 'list repositories', `${registry}/v2/_catalog`);
      const text = (await readCapped(res.body, 64 << 20, undefined, 'repository list')).toString('utf8');
      let body: { repositories?: unknown };
      try {
        body = JSON.parse(text) as { repositories?: unknown };
      } catch {
        throw new RegistryError('registry-protocol', `${registry} answered its repository list (/v2/_catalog) with something that is not JSON`, { location: { host: registry } });
      }
      if (Array.isArray(body.repositories)) repositories.push(...body.repositories.filter((r): r is string => typeof r === 'string'));
      const raw = res.headers.link;
      const link = Array.isArray(raw) ? raw[0] : raw;
      const next = link ? /<([^>]+)>\s*;\s*rel="?next"?/.exec(link)?.[1] : undefined;
      path = next ? new URL(next, this.baseUrl(registry)).toString() : undefined;
      // A registry that links a page to itself would otherwise be read forever.
      if (path && pages.has(path)) break;
      if (path) pages.add(path);
    }
    return repositories;
  }

  /** Send a request with auth; retries transient failures of replayable requests. Caller consumes the body. */
  async request(registry: string, spec: RequestSpec): Promise<HttpResponse> {
    const replayable = spec.body === undefined || typeof spec.body === 'string' || Buffer.isBuffer(spec.body);
    if (!(spec.retry ?? replayable)) return this.checkedSend(registry, spec, replayable);
    return withRetry(() => this.checkedSend(registry, spec, replayable), this.retryPolicy, { signal: spec.signal });
  }

  /** One attempt (+ one auth replay): turns 5xx/429 into transient errors. */
  private async checkedSend(registry: string, spec: RequestSpec, replayable: boolean): Promise<HttpResponse> {
    const res = await this.sendWithAuth(registry, spec, replayable);
    if (res.statusCode >= 500 || res.statusCode === 429) {
      const detail = await readErrorBody(res);
      throw new RegistryHttpError(
        res.statusCode === 429 ? 'registry-throttled' : 'registry-server-error',
        `${spec.what}: ${registry} answered ${res.statusCode}${detail ? ` (${detail})` : ''}`,
        res.statusCode,
        true,
        parseRetryAfter(res.headers['retry-after']),
        { hint: 'the registry is failing or throttling; it was retried with backoff — try again later or lower --concurrency', location: { host: registry } },
      );
    }
    return res;
  }

  private async sendWithAuth(registry: string, spec: RequestSpec, replayable: boolean): Promise<HttpResponse> {
    const h = this.hostState(registry);
    let authz = await this.authorization(h, spec.scopes, false);
    let res = await this.sendOnce(h, spec, authz);
    if (res.statusCode === 401 && replayable) {
      const challenges = parseChallenges(res.headers['www-authenticate']);
      await res.body.dump();
      const ch = challenges.find((c) => c.scheme === 'bearer') ?? challenges.find((c) => c.scheme === 'basic');
      if (ch) h.challenge = ch;
      // Sent before the challenge was known, or with a token another request has replaced since: the credentials
      // in hand now will do. Only a refused current token is fetched again (concurrent first requests would
      // otherwise each refresh the token the first of them fetched).
      const sent = authz;
      authz = await this.authorization(h, spec.scopes, false);
      if (authz === sent) authz = await this.authorization(h, spec.scopes, true);
      if (authz) res = await this.sendOnce(h, spec, authz);
      else res = await this.sendOnce(h, spec, undefined);
    }
    return res;
  }

  private async sendOnce(h: HostState, spec: RequestSpec, authz: string | undefined): Promise<HttpResponse> {
    const sender = await h.sender;
    const headers: Record<string, string> = { 'user-agent': this.options.userAgent ?? 'dci-agent-ts', ...spec.headers };
    if (authz) headers.authorization = authz;
    const url = spec.path.startsWith('http://') || spec.path.startsWith('https://') ? spec.path : `${h.scheme}://${apiHost(h.registry)}${spec.path}`;
    try {
      const res = await sender.send(url, { method: spec.method, headers, body: spec.body, signal: spec.signal });
      h.schemeSettled = true;
      this.requestCounts[spec.method] = (this.requestCounts[spec.method] ?? 0) + 1;
      this.options.onRequest?.({ method: spec.method, url, status: res.statusCode });
      return res;
    } catch (e) {
      if (!h.schemeSettled && h.scheme === 'https' && looksLikePlainHttp(e) && (spec.body === undefined || typeof spec.body === 'string' || Buffer.isBuffer(spec.body))) {
        // An insecure registry that speaks plain HTTP (what `--insecure HOST` allows).
        h.scheme = 'http';
        h.schemeSettled = true;
        return this.sendOnce(h, { ...spec, path: spec.path.replace(/^https:/, 'http:') }, authz);
      }
      throw this.transportError(h.registry, spec.what, e);
    }
  }

  private transportError(registry: string, what: string, e: unknown): Error {
    const code = errCode(e);
    if (code && TLS_VERIFY_CODES.has(code)) {
      return new RegistryError('registry-tls', `${what}: TLS certificate of ${registry} not trusted (${code})`, {
        hint: `pass --ca ${registry}=CA.pem with the registry's CA bundle, or --insecure ${registry} to skip verification (not recommended)`,
        location: { host: registry },
        cause: e,
      });
    }
    if (e instanceof RegistryError) return e;
    if ((e as Error)?.name === 'AbortError' || code === 'UND_ERR_ABORTED' || code === 'ABORT_ERR') return e as Error;
    return new RegistryError('registry-unreachable', `${what}: ${registry}: ${(e as Error)?.message ?? String(e)}${code ? ` (${code})` : ''}`, {
      hint: 'check the registry address, that it is running, and any HTTP(S)_PROXY/NO_PROXY settings',
      location: { host: registry },
      cause: e,
    });
  }

  /** The Authorization header for a host and scopes, per the host's last challenge. */
  private async authorization(h: HostState, scopes: string[], refresh: boolean): Promise<string | undefined> {
    const ch = h.challenge;
    if (!ch) return undefined;
    const repo = scopes[0]?.split(':')[1];
    if (ch.scheme === 'basic') {
      const c = await this.credentialFor(h.registry, repo);
      if (!c) return undefined;
      return `Basic ${Buffer.from(`${c.username}:${c.password}`).toString('base64')}`;
    }
    if (ch.scheme === 'bearer') {
      const key = `${h.registry} ${[...scopes].sort().join(' ')}`;
      const cached = this.tokens.get(key);
      if (!refresh && cached && cached.expiresAt > Date.now()) return `Bearer ${cached.token}`;
      if (refresh) this.tokens.delete(key);
      let p = this.tokenRequests.get(key);
      if (!p) {
        p = this.fetchToken(h, ch, scopes, repo).finally(() => this.tokenRequests.delete(key));
        this.tokenRequests.set(key, p);
      }
      const t = await p;
      this.tokens.set(key, t);
      return `Bearer ${t.token}`;
    }
    return undefined;
  }

  private async fetchToken(h: HostState, ch: Challenge, scopes: string[], repo: string | undefined): Promise<CachedToken> {
    const realm = ch.params.realm;
    if (!realm) throw new RegistryError('registry-auth', `${h.registry} asked for a bearer token without a realm`, { location: { host: h.registry } });
    const url = new URL(realm);
    const sender = await this.senderFor(url.host);
    const cred = await this.credentialFor(h.registry, repo);
    const headers: Record<string, string> = { 'user-agent': this.options.userAgent ?? 'dci-agent-ts' };
    let res: HttpResponse;
    const secrets = this.options.secrets ?? globalSecrets;
    try {
      if (cred?.identityToken) {
        const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: cred.identityToken, client_id: 'dci-agent-ts', service: ch.params.service ?? '' });
        for (const s of scopes) form.append('scope', s);
        res = await sender.send(url, { method: 'POST', headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' }, body: form.toString() });
      } else {
        if (ch.params.service) url.searchParams.set('service', ch.params.service);
        for (const s of scopes) url.searchParams.append('scope', s);
        if (cred) headers.authorization = `Basic ${Buffer.from(`${cred.username}:${cred.password}`).toString('base64')}`;
        res = await sender.send(url, { method: 'GET', headers });
      }
    } catch (e) {
      throw this.transportError(url.host, `token request for ${h.registry}`, e);
    }
    if (res.statusCode !== 200) {
      const detail = await readErrorBody(res);
      throw new RegistryError('registry-unauthorized', `token server ${url.host} refused credentials for ${h.registry} (${res.statusCode}${detail ? `: ${detail}` : ''})`, {
        hint: cred ? `check the credentials for ${h.registry} in the auth file` : `add credentials for ${h.registry} to the auth file (--auth)`,
        location: { host: h.registry },
      });
    }
    const body = (await res.body.json()) as { token?: string; access_token?: string; expires_in?: number };
    const token = body.token ?? body.access_token;
    if (!token) throw new RegistryError('registry-auth', `token server ${url.host} returned no token for ${h.registry}`, { location: { host: h.registry } });
    secrets.add(token);
    const ttl = Math.max(60, body.expires_in ?? 60) * 1000;
    return { token, expiresAt: Date.now() + ttl - 10_000 };
  }

  /**
   * How the blob relay (./blob-relay.ts) reaches a registry directly, with the headers this client would send;
   * undefined where it must not: a proxy is configured (the relay does not speak to proxies), the host's scheme is
   * still to be learnt (an insecure host answers TLS or plain HTTP on first contact), the host takes uploads in
   * chunks, or the URL is on another origin (an upload location on another host).
   */
  async relayEndpoint(registry: string, scopes: string[], pathOrUrl: string): Promise<RelayEndpoint | undefined> {
    if (proxyConfigured()) return undefined;
    const h = this.hostState(registry);
    if (!h.schemeSettled || h.chunkedUploads) return undefined;
    const base = new URL(`${h.scheme}://${apiHost(registry)}`);
    const url = new URL(pathOrUrl, base);
    if (url.origin !== base.origin) return undefined;
    const headers: Record<string, string> = { 'user-agent': this.options.userAgent ?? 'dci-agent-ts' };
    const authz = await this.authorization(h, scopes, false);
    if (authz) headers.authorization = authz;
    const tls = h.scheme === 'https' ? this.tlsFor(registry) : undefined;
    return {
      origin: { scheme: h.scheme, host: url.hostname.replace(/^\[(.*)\]$/, '$1'), port: url.port ? Number(url.port) : h.scheme === 'https' ? 443 : 80, ...tls },
      target: `${url.pathname}${url.search}`,
      headers,
      registry,
      url: url.toString(),
    };
  }

  private tlsFor(hostPort: string): TlsOptions {
    let tls = this.hostTls.get(hostPort);
    if (!tls) {
      tls = tlsOptions({ caFile: this.options.caFiles?.[hostPort], insecure: this.options.insecure?.includes(hostPort) ?? false, connections: 0, timeoutMs: this.timeoutMs });
      this.hostTls.set(hostPort, tls);
    }
    return tls;
  }

  /** Bare keep-alive connections of this client: the blob relay's and the small exchanges' (closed with the client). */
  rawPool(): RawPool {
    this.pool ??= new RawPool(this.timeoutMs);
    return this.pool;
  }

  /** Count a request sent outside the senders (the relay's), as sendOnce counts its own. */
  noteRequest(method: string, url: string, status: number): void {
    this.requestCounts[method] = (this.requestCounts[method] ?? 0) + 1;
    this.options.onRequest?.({ method, url, status });
  }

  async close(): Promise<void> {
    this.pool?.close();
    this.pool = undefined;
    const ds = await Promise.all([...this.senders.values()].map((d) => d.catch(() => undefined)));
    await Promise.all(ds.map((d) => d?.close().catch(() => undefined)));
    this.senders.clear();
    this.hosts.clear();
  }
}

/** The registry's error message (distribution `{"errors":[{code,message}]}`), at most 64 KiB read. */
export async function readErrorBody(res: HttpResponse): Promise<string> {
  let text = '';
  try {
    for await (const chunk of res.body) {
      if (text.length < 65536) text += (chunk as Buffer).toString('utf8');
    }
  } catch {
    return text.slice(0, 200);
  }
  return errorDetail(text);
}

/** A registry error body as one line: distribution's `{"errors":[{code,message}]}` as `CODE: message; …`, else its text. */
export function errorDetail(text: string): string {
  try {
    const j = JSON.parse(text) as { errors?: Array<{ code?: string; message?: string }> };
    if (j.errors?.length) return j.errors.map((e) => [e.code, e.message].filter(Boolean).join(': ')).join('; ');
  } catch {
    // not JSON
  }
  return text.trim().slice(0, 200);
}

/** Turn an unexpected status into a RegistryError that says what to do. */
export async function statusError(res: HttpResponse, registry: string, what: string, image: string, blob?: string): Promise<RegistryError> {
  const detail = await readErrorBody(res);
  const loc = { host: registry, image, ...(blob ? { blob } : {}) };
  const suffix = detail ? ` (${detail})` : '';
  if (res.statusCode === 401 || res.statusCode === 403) {
    return new RegistryError('registry-unauthorized', `${what}: ${registry} refused access to ${image} (${res.statusCode})${suffix}`, {
      hint: `give credentials for ${registry} with --auth FILE (pull secret / auth.json) and check they allow this repository`,
      location: loc,
    });
  }
  if (res.statusCode === 404) {
    return new RegistryError('registry-not-found', `${what}: ${image} not found on ${registry}${suffix}`, { hint: 'check the repository, tag or digest (private repositories may also answer 404 without credentials)', location: loc });
  }
  return new RegistryHttpError('registry-http', `${what}: ${registry} answered ${res.statusCode} for ${image}${suffix}`, res.statusCode, false, undefined, { location: loc });
}
