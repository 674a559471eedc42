/**
 * One signed HTTP exchange with the control server, with the retry policy. Every attempt is signed afresh
 * (a retry after minutes would otherwise carry an expired X-DCI-Date). undici is loaded lazily; proxies come
 * from HTTPS_PROXY / HTTP_PROXY / NO_PROXY (any case) through undici's EnvHttpProxyAgent — signing is
 * unaffected because the Host header stays the API host.
 *
 * Retry rules (dci-api.md §5):
 *  - `idempotent` calls (GET/PUT/DELETE, and POSTs the server refuses to duplicate with a 409) are retried on
 *    5xx, 429, timeouts and connection errors, with exponential backoff and jitter (Retry-After honoured);
 *  - `recoverable` POSTs (jobs, jobstates, files: the server would create a second row) are retried freely only
 *    when the request provably never reached the server (connection refused, DNS). After an ambiguous failure
 *    (5xx, reset, timeout) the caller's `recover()` first looks for the row the lost attempt may have created;
 *    only when there is none is the POST sent again.
 * Response bodies are never logged: older servers echoed the remoteci secret in job payloads.
 */
import type { Dispatcher } from 'undici';
import type { SecretRegistry } from '../../core/secrets.js';
import type { DciCredentials } from './credentials.js';
import { DciCredentialsRejected, DciHttpError } from './errors.js';
import { signRequest } from './signing.js';

export interface DciRetryPolicy {
  /** Extra attempts after the first. */
  retries: number;
  minDelayMs: number;
  maxDelayMs: number;
}

export const DCI_DEFAULT_RETRY_POLICY: DciRetryPolicy = { retries: 5, minDelayMs: 500, maxDelayMs: 30_000 };

export interface DciHttpOptions {
  credentials: DciCredentials;
  retry?: Partial<DciRetryPolicy>;
  /** Headers/body timeout for metadata calls (default 2 min) and uploads (default 10 min). */
  timeoutMs?: number;
  uploadTimeoutMs?: number;
  userAgent?: string;
  clientVersion?: string;
  /** The signing clock (tests move it). */
  now?: () => Date;
  /** One-line notices (retries); never bodies. */
  log?: (line: string) => void;
  secrets?: SecretRegistry;
  /** Use this dispatcher instead of the env-proxy agent. */
  dispatcher?: Dispatcher;
  /** Injected sleep (tests). */
  sleep?: (ms: number) => Promise<void>;
}

export type DciRetryMode = 'idempotent' | 'recoverable';

export interface DciRequest<R = never> {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Path under /api/v1, e.g. `/jobs/<id>`. */
  path: string;
  query?: Record<string, string | number | undefined>;
  json?: unknown;
  /** Raw bytes (file uploads); `contentType` then defaults to application/octet-stream. */
  body?: Uint8Array;
  contentType?: string;
  headers?: Record<string, string>;
  retry: DciRetryMode;
  /** Recoverable POSTs: find what a lost attempt created; a value ends the call as if it had succeeded. */
  recover?: () => Promise<R | undefined>;
  /** Statuses returned to the caller instead of thrown (e.g. 409 handled by the caller). */
  accept?: number[];
  upload?: boolean;
  /** Override the policy's number of retries (0: one attempt, e.g. a reachability probe). */
  retries?: number;
  /** Override the headers/body timeout of this request (ms). */
  timeoutMs?: number;
}

export interface DciResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  etag?: string;
}

export type DciResult<R> = { kind: 'response'; response: DciResponse } | { kind: 'recovered'; value: R };

/** Connection errors where nothing reached the server: any request may be re-sent. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT', 'EHOSTUNREACH', 'ENETUNREACH']);
/** Errors where the request may have been processed. */
const AMBIGUOUS_CODES = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT', 'UND_ERR_CLOSED']);

function errorCode(e: unknown): string | undefined {
  let cur: unknown = e;
  for (let i = 0; i < 4 && cur && typeof cur === 'object'; i++) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code === 'string' && (NOT_SENT_CODES.has(code) || AMBIGUOUS_CODES.has(code))) return code;
    cur = (cur as { cause?: unknown }).cause;
  }
  return undefined;
}

export function parseDciServerMessage(body: Buffer): string {
  try {
    const j = JSON.parse(body.toString('utf8')) as { message?: unknown; payload?: { error?: unknown } };
    const base = typeof j.message === 'string' ? j.message : '';
    const detail = j.payload && typeof j.payload.error === 'string' ? `: ${j.payload.error}` : '';
    return (base + detail).slice(0, 300);
  } catch {
    // HTML error pages (413, 500) or proxies: keep the status only.
    return '';
  }
}

export class DciHttp {
  readonly credentials: DciCredentials;
  private readonly retry: DciRetryPolicy;
  private readonly options: DciHttpOptions;
  private dispatcher: Dispatcher | undefined;
  private ownsDispatcher = false;

  constructor(options: DciHttpOptions) {
    this.options = options;
    this.credentials = options.credentials;
    this.retry = { ...DCI_DEFAULT_RETRY_POLICY, ...options.retry };
    this.dispatcher = options.dispatcher;
    options.secrets?.add(options.credentials.secret);
  }

  private async getDispatcher(): Promise<Dispatcher> {
    if (!this.dispatcher) {
      const { EnvHttpProxyAgent } = await import('undici');
      this.dispatcher = new EnvHttpProxyAgent();
      this.ownsDispatcher = true;
    }
    return this.dispatcher;
  }

  async close(): Promise<void> {
    if (this.ownsDispatcher && this.dispatcher) await this.dispatcher.close();
    this.dispatcher = undefined;
    this.ownsDispatcher = false;
  }

  buildUrl(path: string, query?: DciRequest['query']): URL {
    const url = new URL(this.credentials.apiUrl + path);
    for (const [k, v] of Object.entries(query ?? {})) {
      // Never send an empty parameter: the server would verify a different signature (dci-api.md §1.5).
      if (v === undefined || v === '') continue;
      url.searchParams.set(k, String(v));
    }
    return url;
  }

  private delay(attempt: number, retryAfter?: string | string[]): number {
    const ra = Array.isArray(retryAfter) ? retryAfter[0] : retryAfter;
    if (ra && /^\d+$/.test(ra)) return Math.min(Number(ra) * 1000, this.retry.maxDelayMs);
    const base = Math.min(this.retry.minDelayMs * 2 ** attempt, this.retry.maxDelayMs);
    return Math.round(base / 2 + (Math.random() * base) / 2);
  }

  private sleep(ms: number): Promise<void> {
    return this.options.sleep ? this.options.sleep(ms) : new Promise((r) => setTimeout(r, ms));
  }

  private note(line: string): void {
    this.options.log?.(this.options.secrets ? this.options.secrets.redact(line) : line);
  }

  /** Send with signing and retries; throws DciHttpError / DciCredentialsRejected for final failures. */
  async send<R = never>(req: DciRequest<R>): Promise<DciResult<R>> {
    const url = this.buildUrl(req.path, req.query);
    const body = req.json !== undefined ? Buffer.from(JSON.stringify(req.json), 'utf8') : req.body;
    const contentType = req.contentType ?? (req.json !== undefined ? 'application/json' : body ? 'application/octet-stream' : 'application/json');
    const what = `${req.method} ${url.pathname}`;
    const timeout = req.timeoutMs ?? (req.upload ? (this.options.uploadTimeoutMs ?? 600_000) : (this.options.timeoutMs ?? 120_000));
    const { request } = await import('undici');
    let ambiguous = false;
    for (let attempt = 0; ; attempt++) {
      const last = attempt >= (req.retries ?? this.retry.retries);
      if (ambiguous && req.recover) {
        // A previous attempt may have been processed: look for its result before sending again.
        let found: R | undefined;
        try {
          found = await req.recover();
        } catch (e) {
          // The look-up failed (server gone): the POST may still have been stored; callers that keep it for later
          // must check before re-sending, so the failure says so.
          if (!(e instanceof DciHttpError) || e instanceof DciCredentialsRejected) throw e;
          throw new DciHttpError(e.code, `${e.message} (while checking whether an earlier ${what} had gone through)`, e.status, e.serverMessage, {
            hint: e.hint,
            cause: e,
            mayHaveReachedServer: true,
          });
        }
        if (found !== undefined) {
          this.note(`DCI ${what}: the earlier attempt had gone through; not sending it again`);
          return { kind: 'recovered', value: found };
        }
      }
      const signed = signRequest({
        method: req.method,
        url,
        body: body ?? '',
        clientId: this.credentials.clientId,
        secret: this.credentials.secret,
        date: (this.options.now ?? (() => new Date()))(),
      });
      const headers: Record<string, string> = {
        ...req.headers,
        'Content-Type': contentType,
        'User-Agent': this.options.userAgent ?? 'dci-agent-ts',
        'Client-Version': this.options.clientVersion ?? 'dci-agent-ts',
        ...signed,
      };
      let status: number;
      let resHeaders: DciResponse['headers'];
      let resBody: Buffer;
      try {
        const res = await request(url, {
          method: req.method,
          headers,
          body,
          dispatcher: await this.getDispatcher(),
          headersTimeout: timeout,
          bodyTimeout: timeout,
        });
        status = res.statusCode;
        resHeaders = res.headers;
        resBody = Buffer.from(await res.body.arrayBuffer());
      } catch (e) {
        const code = errorCode(e);
        if (!code) throw e;
        const notSent = NOT_SENT_CODES.has(code);
        const mayRetry = notSent || req.retry === 'idempotent' || req.recover !== undefined;
        if (!notSent) ambiguous = true;
        if (!mayRetry || last) {
          const found = await this.lastChanceRecover(req, ambiguous);
          if (found !== undefined) return { kind: 'recovered', value: found };
          throw new DciHttpError('dci-unreachable', `cannot reach the DCI control server at ${this.credentials.csUrl} (${what}: ${code})`, 0, '', {
            hint: 'check DCI_CS_URL, the network and the HTTPS_PROXY / NO_PROXY settings',
            cause: e,
            mayHaveReachedServer: ambiguous,
          });
        }
        const wait = this.delay(attempt);
        this.note(`DCI ${what}: ${code}, retrying in ${(wait / 1000).toFixed(1)} s (attempt ${attempt + 2}/${this.retry.retries + 1})`);
        await this.sleep(wait);
        continue;
      }
      if (status < 400 || req.accept?.includes(status)) {
        const etag = resHeaders['etag'];
        return { kind: 'response', response: { status, headers: resHeaders, body: resBody, etag: typeof etag === 'string' ? etag : undefined } };
      }
      const serverMessage = parseDciServerMessage(resBody);
      const retryable = status >= 500 || status === 429;
      if (retryable && !last && (req.retry === 'idempotent' || req.recover !== undefined)) {
        // A 5xx on a POST may come after the row was written: recover() is consulted before the next send.
        if (req.method === 'POST') ambiguous = true;
        const wait = this.delay(attempt, resHeaders['retry-after']);
        this.note(`DCI ${what}: HTTP ${status}, retrying in ${(wait / 1000).toFixed(1)} s (attempt ${attempt + 2}/${this.retry.retries + 1})`);
        await this.sleep(wait);
        continue;
      }
      if (retryable && req.method === 'POST') {
        const found = await this.lastChanceRecover(req, true);
        if (found !== undefined) return { kind: 'recovered', value: found };
      }
      throw this.httpError(what, status, serverMessage);
    }
  }

  /** Before giving up on a POST that may have been processed, look once more for what it created. */
  private async lastChanceRecover<R>(req: DciRequest<R>, ambiguous: boolean): Promise<R | undefined> {
    if (!ambiguous || !req.recover) return undefined;
    try {
      return await req.recover();
    } catch {
      return undefined;
    }
  }

  private httpError(what: string, status: number, serverMessage: string): DciHttpError {
    const clean = this.options.secrets ? this.options.secrets.redact(serverMessage) : serverMessage;
    const c = this.credentials;
    if (/signature is expired/.test(clean)) {
      return new DciCredentialsRejected('dci-credentials-rejected', `DCI rejected the credentials (${clean}) for ${c.clientId} at ${c.csUrl}`, status, clean, {
        hint: 'the clock of this machine is more than 15 minutes away from the server: synchronise it (chrony/NTP) and retry',
      });
    }
    if (/HmacMechanism failed|identity does not exists|remoteci not found|Authorization/.test(clean) || status === 401) {
      return new DciCredentialsRejected(
        'dci-credentials-rejected',
        `DCI rejected the credentials (${clean || `HTTP ${status}`}) for ${c.clientId} at ${c.csUrl}, read from ${c.source}`,
        status,
        clean,
        {
          hint: 'check DCI_CLIENT_ID and DCI_API_SECRET against the remoteci page of the DCI web UI, that the remoteci and its team are active, and that DCI_CS_URL is the right server',
        },
      );
    }
    if (status === 412 && /team .* not active|disabled/.test(clean)) {
      return new DciCredentialsRejected('dci-credentials-rejected', `DCI rejected the credentials (${clean}) for ${c.clientId} at ${c.csUrl}`, status, clean, {
        hint: 'ask the DCI administrators to re-enable the remoteci or its team',
      });
    }
    return new DciHttpError(`dci-http-${status}`, `DCI ${what} failed: HTTP ${status}${clean ? ` ${clean}` : ''}`, status, clean, {
      exitCode: status >= 500 ? 1 : 2,
    });
  }
}

/** Parse a JSON response body (DCI envelopes). */
export function parseDciJson<T>(res: DciResponse): T {
  return JSON.parse(res.body.toString('utf8')) as T;
}
