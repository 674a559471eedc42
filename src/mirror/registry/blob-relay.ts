/**
 * The blob relay: a registry → registry blob copy as one GET on the source and one monolithic PUT on the
 * destination, over bare keep-alive connections (./raw-http.ts), each chunk hashed and written on from the source
 * connection's read buffer before the next read. Reading stops while a write is pending, so the buffer is never
 * refilled under bytes the kernel has not taken yet.
 *
 * The same guarantees as the ordinary path (VerifiedBlob + putBlob):
 *  - every byte is hashed as it passes; more bytes than the descriptor says is a mismatch at once;
 *  - the last chunk is written only after the whole blob hashed right: a corrupt blob never completes its
 *    upload (the PUT is cut short, the registry commits nothing) and the error is a DigestMismatch naming image
 *    and blob;
 *  - a stalled connection fails after the client's timeout; an abort destroys both connections.
 *
 * What the relay leaves to the ordinary path (result `relayed: false`, nothing sent to the destination, the upload
 * session still unused): a source that does not answer 200 with a Content-Length equal to the blob's size (a
 * redirect to blob storage, a 401 asking for a new token, chunked framing, a 5xx to retry with backoff), or a
 * source connection that fails before answering. Once the PUT has started, a failure is an error: the caller
 * cancels the session and retries on the ordinary path.
 */
import { createHash } from 'node:crypto';
import { DigestMismatch } from '../../core/errors.js';
import type { VerifyTarget } from '../digest.js';
import { errorDetail } from './client.js';
import type { RawConnection, RawHead, RawOrigin, RawPool } from './raw-http.js';
import { backoffMs, classify, parseRetryAfter, RegistryHttpError, type RetryPolicy } from './retry.js';

export interface RelayEndpoint {
  origin: RawOrigin;
  /** Request target: path and query. */
  target: string;
  /** user-agent, authorization, … (no host, no content-length: the relay sets them). */
  headers: Record<string, string>;
  /** For error messages and the request log. */
  registry: string;
  url: string;
}

export interface RelayOptions {
  /** Budget and backoff for resuming the source after a dropped connection (the client's policy). */
  policy: RetryPolicy;
  signal?: AbortSignal;
  onBytes?: (n: number) => void;
  /** Every request sent, with its status (counted like the ordinary path's). */
  onRequest?: (method: string, url: string, status: number) => void;
}

export type RelayResult = { relayed: true; storedAs?: string } | { relayed: false; reason: string };

/** Answers to a monolithic PUT that mean "upload in chunks" (as putBlob reads them). */
export const UPLOAD_MODE_REFUSED = new Set([405, 415, 501]);

/** At most this much of an error body is kept for the message. */
const ERROR_BODY = 4 << 10;

export function relayBlob(pool: RawPool, source: RelayEndpoint, destination: RelayEndpoint, blob: VerifyTarget, o: RelayOptions): Promise<RelayResult> {
  return new Promise<RelayResult>((resolve, reject) => {
    let settled = false;
    let get: RawConnection | undefined;
    let put: RawConnection | undefined;
    let putStarted = false;
    const hash = createHash('sha256');
    let bytes = 0;
    /** A write the kernel has not taken whole yet: the source's read buffer holds its bytes. */
    let writePending = false;
    let sourcePaused = false;
    let sourceDone = false;
    let allWritten = false;
    let putHead: RawHead | undefined;
    const errorBody: Buffer[] = [];

    const done = (r: RelayResult | Error): void => {
      if (settled) return;
      settled = true;
      o.signal?.removeEventListener('abort', onAbort);
      if (r instanceof Error) {
        get?.destroy();
        put?.destroy();
        reject(r);
      } else resolve(r);
    };
    /** Before the PUT started: leave the blob to the ordinary path. */
    const fallBack = (reason: string): void => {
      get?.destroy();
      done({ relayed: false, reason });
    };
    const onAbort = (): void => done(o.signal?.reason instanceof Error ? o.signal.reason : Object.assign(new Error('aborted'), { name: 'AbortError', code: 'ABORT_ERR' }));
    if (o.signal?.aborted) return onAbort();
    o.signal?.addEventListener('abort', onAbort, { once: true });

    const mismatch = (what: string): DigestMismatch =>
      new DigestMismatch('digest-mismatch', `blob ${blob.digest} of ${blob.image}: ${what}; not committed`, {
        hint: 'the source served bytes that do not match the digest; the blob was not stored — retry, and check the source registry or any proxy in between',
        location: { image: blob.image, blob: blob.digest },
      });

    const releaseSource = (): void => {
      // The source connection goes back only when its buffer holds nothing still being written.
      if (sourceDone && !writePending && get) {
        pool.release(get);
        get = undefined;
      }
    };
    const afterWrite = (): void => {
      writePending = false;
      // Also once settled: the destination may answer 201 before this callback runs (libuv reads before it reports
      // writes done), and the source connection still has to go back to the pool.
      if (sourcePaused && get) {
        // Reading again before the connection may go back to the pool: a paused idle connection would hang the next
        // request sent on it.
        sourcePaused = false;
        get.resume();
      }
      releaseSource();
    };
    /** Write a chunk of the source's buffer; false when the source must stop reading until it is written. */
    const forward = (chunk: Buffer): boolean => {
      // Only a write left pending resumes the source: the callback of a write done at once comes a tick later, when
      // another write may be the pending one.
      const write = { pending: false };
      put!.socket.write(chunk, () => {
        if (write.pending) afterWrite();
      });
      if (corked) {
        corked = false;
        put!.socket.uncork();
      }
      // Taken whole by the kernel already (the usual case on a drained socket): the buffer is free again.
      if (put!.socket.writableLength === 0) return true;
      write.pending = true;
      writePending = true;
      sourcePaused = true;
      return false;
    };

    /**
     * The PUT's head waits for the first body chunk and both go out in one write: one wake-up and one read less for
     * the destination registry per blob.
     */
    let corked = false;
    const startPut = (): void => {
      put = pool.acquire(destination.origin);
      putStarted = true;
      put.socket.cork();
      corked = true;
      put.send('PUT', destination.target, { ...destination.headers, 'content-type': 'application/octet-stream', 'content-length': String(blob.size) }, {
        onHead: (h) => {
          putHead = h;
          o.onRequest?.('PUT', destination.url, h.status);
        },
        onBody: (c) => {
          if (errorBody.reduce((n, b) => n + b.length, 0) < ERROR_BODY) errorBody.push(Buffer.from(c));
          return true;
        },
        onEnd: () => {
          const h = putHead!;
          if (h.status === 201 && allWritten) {
            pool.release(put!);
            put = undefined;
            const got = h.headers.get('docker-content-digest');
            return done({ relayed: true, ...(got ? { storedAs: got } : {}) });
          }
          // An answer before the last byte went out, or anything but 201: the upload failed.
          put?.destroy();
          const detail = errorDetail(Buffer.concat(errorBody).toString('utf8'));
          // 401: a token that expired mid-upload (the ordinary path refreshes it); 405/415/501: monolithic uploads refused
          // (the caller switches the host to chunked uploads).
          const transient = h.status >= 500 || h.status === 429 || h.status === 401 || UPLOAD_MODE_REFUSED.has(h.status) || (h.status === 201 && !allWritten);
          done(
            new RegistryHttpError(
              h.status === 429 ? 'registry-throttled' : h.status >= 500 ? 'registry-server-error' : UPLOAD_MODE_REFUSED.has(h.status) ? 'registry-upload-mode' : 'registry-upload-failed',
              `upload ${blob.digest} to ${blob.image}: ${destination.registry} answered ${h.status}${detail ? ` (${detail})` : ''}`,
              h.status,
              transient,
              parseRetryAfter(h.headers.get('retry-after')),
              { location: { host: destination.registry, image: blob.image, blob: blob.digest } },
            ),
          );
        },
        onError: (e) => done(e),
      });
      if (blob.size === 0) {
        corked = false;
        put.socket.uncork();
      }
    };

    /** Statuses worth another attempt (with Retry-After honoured) rather than a different path. */
    const sourceStatusError = (h: RawHead): RegistryHttpError =>
      new RegistryHttpError(h.status === 429 ? 'registry-throttled' : 'registry-server-error', `GET blob ${blob.digest} of ${blob.image}: ${source.registry} answered ${h.status}`, h.status, true, parseRetryAfter(h.headers.get('retry-after')), {
        location: { host: source.registry, image: blob.image, blob: blob.digest },
      });

    /**
     * The source GET from `offset` (a Range request when resuming after a dropped connection; a server that ignores
     * Range sends everything and the bytes already relayed are skipped).
     */
    const sendGet = (offset: number, allowStaleRetry: boolean): void => {
      const conn = pool.acquire(source.origin);
      get = conn;
      sourceDone = false;
      let skip = 0;
      conn.send('GET', source.target, offset > 0 ? { ...source.headers, range: `bytes=${offset}-` } : source.headers, {
        onHead: (h) => {
          o.onRequest?.('GET', source.url, h.status);
          if (offset === 0) {
            if (h.status >= 500 || h.status === 429) return done(sourceStatusError(h));
            if (h.status !== 200 || !h.framed || h.chunked || h.contentLength !== blob.size) {
              return fallBack(`the source answered ${h.status}${h.framed ? ` with ${h.contentLength} bytes` : ' without a Content-Length'}`);
            }
            if (blob.size === 0) {
              const got = `sha256:${hash.digest('hex')}`;
              if (got !== blob.digest) return done(mismatch(`content hashes to ${got}`));
              allWritten = true;
            }
            return startPut();
          }
          const range = /^bytes (\d+)-/.exec(h.headers.get('content-range') ?? '');
          if (h.status === 206 && h.framed && !h.chunked && range && Number(range[1]) === offset && h.contentLength === blob.size - offset) return;
          if (h.status === 200 && h.framed && !h.chunked && h.contentLength === blob.size) {
            skip = offset;
            return;
          }
          retryGet(h.status >= 500 || h.status === 429 ? sourceStatusError(h) : Object.assign(new Error(`resuming ${blob.digest} at byte ${offset}: ${source.registry} answered ${h.status}`), { code: 'ECONNRESET' }));
        },
        onBody: (raw) => {
          if (settled) return false;
          let chunk = raw;
          if (skip > 0) {
            const drop = Math.min(skip, chunk.length);
            skip -= drop;
            chunk = chunk.subarray(drop);
            if (chunk.length === 0) return true;
          }
          bytes += chunk.length;
          if (bytes > blob.size) {
            done(mismatch(`more than the ${blob.size} bytes announced`));
            return false;
          }
          hash.update(chunk);
          o.onBytes?.(chunk.length);
          if (bytes === blob.size) {
            const got = `sha256:${hash.digest('hex')}`;
            if (got !== blob.digest) {
              // The PUT is cut before its last bytes: the registry never sees a complete, committable upload.
              done(mismatch(`content hashes to ${got}`));
              return false;
            }
            allWritten = true;
          }
          return forward(chunk);
        },
        onEnd: () => {
          sourceDone = true;
          releaseSource();
        },
        onError: (e) => {
          if (settled) return;
          // A kept-alive connection the server had closed: one more try on a new one, nothing was sent yet.
          if (!putStarted && conn.reused && conn.responseBytes === 0 && allowStaleRetry) return sendGet(0, false);
          if (!putStarted) return fallBack(`the source connection failed: ${e.message}`);
          retryGet(e);
        },
      });
    };
    /** The source failed while the PUT is open: resume from the last byte relayed, within the retry budget. */
    const retryGet = (e: Error): void => {
      get?.destroy();
      get = undefined;
      resumes++;
      if (settled || !classify(e).retry || resumes >= o.policy.attempts) return done(e);
      const wait = setTimeout(() => {
        o.signal?.removeEventListener('abort', stopWaiting);
        if (!settled) sendGet(bytes, false);
      }, backoffMs(resumes, o.policy));
      const stopWaiting = (): void => clearTimeout(wait);
      o.signal?.addEventListener('abort', stopWaiting, { once: true });
    };
    let resumes = 0;
    sendGet(0, true);
  });
}
