/**
 * One watch request that settles exactly once: on a decision of the event handler, on a timeout, on an abort, or
 * when the watch ends (closed by the server, failed mid-stream, or failed to start). Whatever settles it clears the
 * timer, drops the abort listener and aborts the watch connection, so no request or timer outlives the wait.
 * The callers (K8sClient.nextChange, K8sClient.waitFor) decide what an event or an end means; this owns the cleanup.
 */
import type { Watch } from '@kubernetes/client-node';

export type WatchQuery = Parameters<Watch['watch']>[1];

/** Handed to the event handler to end the wait; only the first call of either counts. */
export interface WatchSettle<T> {
  resolve(value: T): void;
  reject(error: Error): void;
}

export interface WatchOnceOptions<T> {
  /** Resolve with `timedOut` after this long (the watch is aborted). */
  timeoutMs: number;
  timedOut: T;
  /** Aborting rejects with the signal's reason; an already aborted signal rejects before any request is made. */
  signal?: AbortSignal;
  /** Each watch event (type, object) until the wait settles; events that arrive later are dropped. */
  onEvent(type: string, obj: unknown, settle: WatchSettle<T>): void;
  /**
   * The value when the watch ends before anything else settled it: `error` is null when the server closed the
   * stream, an Error when the connection failed or the watch could not be started (never null then).
   */
  onEnd(error: unknown): T;
}

export function watchOnce<T>(watch: Pick<Watch, 'watch'>, path: string, query: WatchQuery, opts: WatchOnceOptions<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const { signal } = opts;
    let settled = false;
    let ctrl: AbortController | undefined;
    const finish = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      ctrl?.abort();
      fn();
    };
    const settle: WatchSettle<T> = {
      resolve: (value) => finish(() => resolve(value)),
      reject: (error) => finish(() => reject(error)),
    };
    const onAbort = (): void => settle.reject(signal?.reason as Error);
    const timer = setTimeout(() => settle.resolve(opts.timedOut), opts.timeoutMs);
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    watch
      .watch(
        path,
        query,
        (type: string, obj: unknown) => {
          if (!settled) opts.onEvent(type, obj, settle);
        },
        // Also called after we abort the connection ourselves: that end is not news.
        (err: unknown) => {
          if (!settled) settle.resolve(opts.onEnd(err));
        },
      )
      .then(
        (c) => {
          ctrl = c;
          // The library hands the controller back only once the response headers arrive: a wait settled before
          // that (timeout, abort) closes the connection now.
          if (settled) c.abort();
        },
        (e: unknown) => {
          if (!settled) settle.resolve(opts.onEnd(e ?? new Error('the watch could not be started')));
        },
      );
  });
}
