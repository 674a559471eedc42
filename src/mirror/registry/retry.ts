/**
 * Retry with exponential backoff and full jitter. What is worth retrying: 5xx, 429 (honouring Retry-After),
 * connection resets/refusals, timeouts, and a digest mismatch (a flaky proxy); never 4xx user errors.
 */
import { DigestMismatch, RegistryError, type DciErrorOptions } from '../../core/errors.js';

export interface RetryPolicy {
  /** Total attempts (first try included). */
  attempts: number;
  baseMs: number;
  maxMs: number;
  /** Longest Retry-After we are willing to wait. */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, baseMs: 250, maxMs: 8000, maxRetryAfterMs: 60_000 };

/** An HTTP-level registry failure, carrying whether it is worth retrying. */
export class RegistryHttpError extends RegistryError {
  constructor(
    code: string,
    message: string,
    readonly status: number,
    readonly transient: boolean,
    readonly retryAfterMs: number | undefined,
    options: DciErrorOptions = {},
  ) {
    super(code, message, options);
  }
}

const TRANSIENT_CODES = new Set([
  'ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'ECONNABORTED', 'EHOSTUNREACH', 'ENETUNREACH',
  'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CLOSED',
  'UND_ERR_RES_CONTENT_LENGTH_MISMATCH', 'UND_ERR_REQ_CONTENT_LENGTH_MISMATCH', 'ERR_STREAM_PREMATURE_CLOSE', 'UND_ERR_ABORTED',
]);

export function parseRetryAfter(v: string | string[] | undefined): number | undefined {
  const s = Array.isArray(v) ? v[0] : v;
  if (!s) return undefined;
  if (/^\d+$/.test(s.trim())) return Number(s.trim()) * 1000;
  const t = Date.parse(s);
  return Number.isNaN(t) ? undefined : Math.max(0, t - Date.now());
}

/** Whether an error is transient, and how long the server asked us to wait. */
export function classify(e: unknown): { retry: boolean; afterMs?: number } {
  if (e instanceof RegistryHttpError) return { retry: e.transient, afterMs: e.retryAfterMs };
  if (e instanceof DigestMismatch) return { retry: true };
  if (e instanceof RegistryError) {
    const cause = (e as Error).cause;
    return cause ? classify(cause) : { retry: false };
  }
  const code = (e as { code?: string } | null)?.code;
  if (code && TRANSIENT_CODES.has(code)) return { retry: true };
  const cause = (e as { cause?: unknown } | null)?.cause;
  if (cause && cause !== e) return classify(cause);
  return { retry: false };
}

export function backoffMs(attempt: number, p: RetryPolicy): number {
  const cap = Math.min(p.maxMs, p.baseMs * 2 ** (attempt - 1));
  return Math.floor(cap / 2 + Math.random() * (cap / 2));
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(t);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Run `fn` until it succeeds, a non-transient error, or the budget is spent. `onRetry` sees each failure that will
 * be retried (for counting and events). The last error is rethrown as is.
 */
export async function withRetry<T>(
  fn: (attempt: number) => Promise<T>,
  policy: RetryPolicy,
  options: { signal?: AbortSignal; onRetry?: (e: unknown, attempt: number, waitMs: number) => void } = {},
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (e) {
      if (options.signal?.aborted) throw e;
      const c = classify(e);
      if (!c.retry || attempt >= policy.attempts) throw e;
      const wait = c.afterMs !== undefined ? Math.min(c.afterMs, policy.maxRetryAfterMs) : backoffMs(attempt, policy);
      options.onRetry?.(e, attempt, wait);
      await sleep(wait, options.signal);
    }
  }
}
