/**
 * A blob download that survives dropped connections: bytes flow straight from the current response body (no
 * per-chunk promises), and when the body fails or ends short, the download is re-opened from the last byte
 * received (a Range request; a server that ignores Range sends everything and the bytes already seen are
 * skipped). Gives up after the retry budget, or at once on a non-transient error.
 */
import { Readable } from 'node:stream';
import { backoffMs, classify, type RetryPolicy } from './retry.js';

export interface OpenedBody {
  body: Readable;
  /** Bytes at the start of `body` that were already delivered (server ignored Range). */
  skip: number;
}

export class ResumingBlobStream extends Readable {
  private body: Readable | undefined;
  private generation = 0;
  private offset = 0;
  private skip = 0;
  private failures = 0;

  constructor(
    first: OpenedBody,
    private readonly size: number,
    private readonly reopen: (offset: number) => Promise<OpenedBody>,
    private readonly policy: RetryPolicy,
    private readonly signal?: AbortSignal,
  ) {
    super({ highWaterMark: 256 << 10 });
    this.attach(first);
  }

  private attach(opened: OpenedBody): void {
    const gen = ++this.generation;
    const body = opened.body;
    this.body = body;
    this.skip = opened.skip;
    body.on('data', (raw: Buffer) => {
      if (gen !== this.generation) return;
      let chunk = raw;
      if (this.skip > 0) {
        const drop = Math.min(this.skip, chunk.length);
        this.skip -= drop;
        chunk = chunk.subarray(drop);
        if (chunk.length === 0) return;
      }
      this.offset += chunk.length;
      if (!this.push(chunk)) body.pause();
    });
    body.once('end', () => {
      if (gen !== this.generation) return;
      if (this.offset >= this.size) this.push(null);
      else this.fail(Object.assign(new Error(`download ended after ${this.offset} of ${this.size} bytes`), { code: 'UND_ERR_SOCKET' }));
    });
    body.on('error', (e) => {
      if (gen === this.generation) this.fail(e);
    });
  }

  private fail(e: unknown): void {
    this.generation++;
    this.body?.destroy();
    this.body = undefined;
    this.failures++;
    if (this.destroyed) return;
    if (this.signal?.aborted || !classify(e).retry || this.failures >= this.policy.attempts) {
      this.destroy(e as Error);
      return;
    }
    setTimeout(() => {
      if (this.destroyed) return;
      this.reopen(this.offset).then(
        (opened) => (this.destroyed ? opened.body.destroy() : this.attach(opened)),
        (err: unknown) => this.destroy(err as Error),
      );
    }, backoffMs(this.failures, this.policy));
  }

  override _read(): void {
    this.body?.resume();
  }

  override _destroy(err: Error | null, cb: (e?: Error | null) => void): void {
    this.generation++;
    this.body?.destroy();
    cb(err);
  }
}
