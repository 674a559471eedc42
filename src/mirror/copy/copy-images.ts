/**
 * The copy engine: (source → destination) pairs in, a report out.
 *
 * Order and safety contracts:
 *  - no-op first: the source and destination manifests are HEADed; equal digests ⇒ the image is skipped with no
 *    other request (a registry only accepts a manifest whose blobs exist, so the tree below is complete);
 *  - every blob streams through a VerifiedBlob (sha256 + size); a mismatch aborts that upload before its last
 *    chunk, so nothing wrong is committed, and is retried, then reported naming image and blob;
 *  - a blob is transferred once per destination store: concurrent needs wait on the first transfer (in-flight
 *    de-duplication), then are satisfied by HEAD (same repository) or a cross-repository mount (another one);
 *  - a manifest is pushed only after all its blobs, an index only after all its manifests;
 *  - one global limit on concurrent blob transfers and one per destination host.
 */
import { setMaxListeners } from 'node:events';
import type { Readable } from 'node:stream';
import pLimit, { type LimitFunction } from 'p-limit';
import { DciError, Interrupted, RegistryError, UsageError } from '../../core/errors.js';
import type { MirrorEvent } from '../../core/events.js';
import { isDigest, sha256Digest } from '../digest.js';
import { VerifiedBlob } from '../verified-blob.js';
import { isForeignLayer, parseManifest, type ParsedManifest } from '../media-types.js';
import { RegistryClient, type RegistryClientOptions } from '../registry/client.js';
import { RegistryRepository } from '../registry/repository.js';
import { withRetry, type RetryPolicy } from '../registry/retry.js';
import { TransportSet } from '../transports.js';
import type { Descriptor, ImageDestination, ImageSource, ManifestBlob } from '../types.js';
import { parsePlatforms, platformMatches, platformString, type PlatformFilter } from './platforms.js';
import type { CopyReport, ImageResult } from './report.js';

export interface CopyPair {
  source: string;
  destination: string;
}

export interface CopyOptions {
  /** Client options (auth, CA files, insecure hosts); ignored when `client` is given. */
  registry?: RegistryClientOptions;
  /** A client to reuse (its connections and token cache); not closed by copyImages. */
  client?: RegistryClient;
  /**
   * Concurrent blob transfers in total (default 16: on the 60-image bench, 16/16 beat 8/6 in most paired rounds at
   * load 10-15 on 2 cores — more transfers keep both registries busy while one waits on the disk or the scheduler).
   */
  concurrency?: number;
  /** Concurrent blob transfers per destination host (default 16). */
  perHostConcurrency?: number;
  /** Images copied at once (default 8; manifests are small, blobs are bounded by the limits above). */
  imageConcurrency?: number;
  /**
   * Images whose presence at the destination is checked at once (default 32): the check is one or two HEADs, and a
   * re-mirror is made of nothing else, so it runs wider than the copying.
   */
  checkConcurrency?: number;
  /** Keep only these platforms of an index (os/arch[/variant]); default: all platforms, indexes unchanged. */
  platforms?: string[];
  onEvent?: (event: MirrorEvent) => void;
  signal?: AbortSignal;
  /** Label of progress events (default 'mirror'). */
  group?: string;
  progressIntervalMs?: number;
  /** Stop at the first failed image (default false: copy everything possible, report failures). */
  failFast?: boolean;
  /**
   * Registry → registry blobs through the blob relay (default true; see registry/blob-relay.ts). false: every blob
   * through node:http streams, the path the relay falls back to (tests compare the two).
   */
  relay?: boolean;
}

interface Job {
  pair: CopyPair;
  src: ImageSource;
  srcRef: string;
  dst: ImageDestination;
  dstRef: string;
  image: string;
}

class BlobOutcome {
  constructor(readonly how: 'copied' | 'mounted' | 'skipped') {}
}

export class CopyEngine {
  private readonly global: LimitFunction;
  private readonly imageLimit: LimitFunction;
  private readonly perHost = new Map<string, LimitFunction>();
  private readonly perHostN: number;
  /** store + repo + digest → the promise that makes that blob present there. */
  private readonly blobJobs = new Map<string, Promise<BlobOutcome>>();
  /** store + digest → first repository (and its promise) that received the blob in this run. */
  private readonly storeBlobs = new Map<string, { repository: string; done: Promise<BlobOutcome> }>();
  private readonly manifestJobs = new Map<string, Promise<void>>();
  private readonly counted = new Set<string>();
  private readonly filters: PlatformFilter[] | undefined;
  private readonly started = Date.now();
  private lastProgress = 0;
  readonly report: CopyReport;
  private imagesDone = 0;
  /** Destination probes that found a blob present / missing (decides whether downloads start with the probe). */
  private probesPresent = 0;
  private probesMissing = 0;
  private bytesDone = 0;
  private bytesTotal = 0;

  constructor(
    private readonly transports: TransportSet,
    private readonly options: CopyOptions,
    private readonly retry: RetryPolicy,
    imagesTotal: number,
  ) {
    this.global = pLimit(options.concurrency ?? 16);
    this.imageLimit = pLimit(options.imageConcurrency ?? 8);
    this.perHostN = options.perHostConcurrency ?? 16;
    this.filters = options.platforms?.length ? parsePlatforms(options.platforms) : undefined;
    this.report = {
      images: { total: imagesTotal, copied: 0, skipped: 0, failed: 0 },
      manifests: { pushed: 0, skipped: 0 },
      blobs: { copied: 0, mounted: 0, skipped: 0, bytesCopied: 0, bytesMounted: 0, bytesSkipped: 0 },
      bytes: 0,
      durationMs: 0,
      throughputBps: 0,
      retries: 0,
      platforms: this.filters ? { mode: 'filtered', requested: this.filters.map((f) => f.text), indexesRewritten: 0 } : { mode: 'all' },
      requests: {},
      results: [],
      failures: [],
    };
  }

  private get group(): string {
    return this.options.group ?? 'mirror';
  }

  private emit(e: MirrorEvent): void {
    this.options.onEvent?.(e);
  }

  private progress(force = false): void {
    const now = Date.now();
    if (!force && now - this.lastProgress < (this.options.progressIntervalMs ?? 200)) return;
    this.lastProgress = now;
    const secs = Math.max(0.001, (now - this.started) / 1000);
    this.emit({ type: 'mirror-progress', group: this.group, imagesDone: this.imagesDone, imagesTotal: this.report.images.total, bytesDone: this.bytesDone, bytesTotal: this.bytesTotal, rateBps: Math.round(this.report.bytes / secs) });
  }

  private hostLimit(storeKey: string): LimitFunction {
    let l = this.perHost.get(storeKey);
    if (!l) {
      l = pLimit(this.perHostN);
      this.perHost.set(storeKey, l);
    }
    return l;
  }

  private checkAbort(): void {
    if (this.options.signal?.aborted) throw new Interrupted('mirror interrupted');
  }

  /** Copy one (source → destination) pair; never throws, records the result. */
  async copyPair(pair: CopyPair): Promise<ImageResult> {
    let result: ImageResult;
    try {
      this.checkAbort();
      const job = this.openJob(pair);
      result = await this.copyTop(job);
    } catch (e) {
      const err = e instanceof DciError ? e : new RegistryError('mirror-failed', `${pair.source}: ${(e as Error)?.message ?? String(e)}`, { cause: e });
      if (err instanceof Interrupted) throw err;
      result = { source: pair.source, destination: pair.destination, status: 'failed', platforms: this.filters ? this.filters.map((f) => f.text) : 'all', error: { code: err.code, message: err.message, blob: err.location?.blob } };
      this.report.failures.push({ source: pair.source, destination: pair.destination, code: err.code, message: err.message, blob: err.location?.blob });
      if (this.options.failFast) {
        this.finishImage(result);
        throw err;
      }
    }
    this.finishImage(result);
    return result;
  }

  private finishImage(result: ImageResult): void {
    this.report.results.push(result);
    this.report.images[result.status]++;
    this.imagesDone++;
    this.emit({ type: 'mirror-image', group: this.group, source: result.source, destination: result.destination, status: result.status, msg: result.error?.message });
    this.progress(this.imagesDone === this.report.images.total);
  }

  private openJob(pair: CopyPair): Job {
    const s = this.transports.source(pair.source);
    const d = this.transports.destination(pair.destination);
    const srcRef = s.digest ?? s.tag ?? (s.location.transport === 'docker' ? 'latest' : undefined);
    if (!srcRef) throw new UsageError('bad-image-reference', `${pair.source}: name the image in the layout (oci:DIR:TAG or oci:DIR@sha256:...)`, { hint: 'a layout can hold many images' });
    const dstRef = d.tag ?? d.digest ?? s.tag ?? s.digest ?? 'latest';
    return { pair, src: s.transport, srcRef, dst: d.transport, dstRef, image: pair.source };
  }

  private async copyTop(job: Job): Promise<ImageResult> {
    const { src, dst, srcRef, dstRef } = job;
    const base = { source: job.pair.source, destination: job.pair.destination };
    if (!this.filters) {
      // The destination first: when it lacks the image, the copy reads the source manifest anyway, so a HEAD of the
      // source would be a request for nothing (one per image of a fresh mirror; in a lab the source is the remote,
      // rate-limited side). A source named by digest needs no request at all (release payloads are mirrored so).
      const dh = await dst.headManifest(dstRef, this.options.signal);
      const sh = !dh ? undefined : isDigest(srcRef) ? { digest: srcRef } : await src.headManifest(srcRef, this.options.signal);
      if (sh && dh && sh.digest === dh.digest) {
        this.report.manifests.skipped++;
        return { ...base, status: 'skipped', digest: dh.digest, platforms: 'all' };
      }
    }
    return this.imageLimit(() => this.copyImage(job, base));
  }

  /** The copy proper, once the image is known to be missing (or when platforms are filtered). */
  private async copyImage(job: Job, base: { source: string; destination: string }): Promise<ImageResult> {
    const { src, dst, srcRef, dstRef, image } = job;
    this.checkAbort();
    const m = await src.getManifest(srcRef, this.options.signal);
    const parsed = parseManifest(m.bytes, m.mediaType, image);
    let top: ManifestBlob = m;
    let topParsed: ParsedManifest = parsed;
    let platforms: ImageResult['platforms'] = 'all';
    let rewritten = false;
    if (this.filters && parsed.kind === 'index') {
      const filters = this.filters;
      const kept = parsed.manifests.filter((d) => platformMatches(d.platform, filters));
      if (kept.length === 0) {
        throw new UsageError('no-matching-platform', `${image}: none of its platforms (${parsed.manifests.map((d) => platformString(d.platform)).join(', ')}) matches ${filters.map((f) => f.text).join(', ')}`, {
          hint: 'change --platform or copy all platforms',
          location: { image },
        });
      }
      platforms = kept.map((d) => platformString(d.platform));
      if (kept.length !== parsed.manifests.length) {
        const bytes = Buffer.from(JSON.stringify({ ...parsed.raw, manifests: kept }));
        top = { bytes, mediaType: m.mediaType, digest: sha256Digest(bytes) };
        topParsed = { ...parsed, manifests: kept };
        rewritten = true;
      }
    }
    if (isDigest(dstRef) && dstRef !== top.digest) {
      throw new UsageError('digest-not-preserved', `${job.pair.destination}: destination digest ${dstRef} differs from the copied manifest ${top.digest}`, {
        hint: rewritten ? 'filtering platforms re-writes the index: give the destination a tag instead of a digest' : 'give the destination a tag, or the source digest',
        location: { image },
      });
    }
    if (this.filters) {
      const dh = await dst.headManifest(dstRef, this.options.signal);
      if (dh?.digest === top.digest) {
        this.report.manifests.skipped++;
        return { ...base, status: 'skipped', digest: top.digest, platforms, indexRewritten: rewritten };
      }
    }
    await this.copyTree(job, topParsed);
    this.checkAbort();
    await withRetry(() => dst.putManifest(dstRef, top, { signal: this.options.signal }), this.retry, { signal: this.options.signal, onRetry: () => this.report.retries++ });
    this.report.manifests.pushed++;
    if (rewritten && this.report.platforms.mode === 'filtered') this.report.platforms.indexesRewritten++;
    return { ...base, status: 'copied', digest: top.digest, platforms, indexRewritten: rewritten };
  }

  private async copyTree(job: Job, parsed: ParsedManifest): Promise<void> {
    // allSettled, not all: a failed blob must not leave its siblings running after the image is reported (and
    // after copyImages closed the connections they use).
    const work: Array<Promise<unknown>> =
      parsed.kind === 'index'
        ? parsed.manifests.map((d) => this.copyChild(job, d))
        : [parsed.config, ...parsed.layers.filter((l) => !isForeignLayer(l))].map((b) => this.ensureBlob(job, b));
    const settled = await Promise.allSettled(work);
    const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }

  /** A manifest referenced by an index: pushed by digest after its own blobs/children. */
  private copyChild(job: Job, desc: Descriptor): Promise<void> {
    const key = `${job.dst.storeKey}\0${job.dst.repository}\0${desc.digest}`;
    let p = this.manifestJobs.get(key);
    if (!p) {
      p = (async () => {
        if (await job.dst.headManifest(desc.digest, this.options.signal)) {
          this.report.manifests.skipped++;
          return;
        }
        const m = await job.src.getManifest(desc.digest, this.options.signal);
        const parsed = parseManifest(m.bytes, m.mediaType ?? desc.mediaType, `${job.image}@${desc.digest}`);
        await this.copyTree(job, parsed);
        this.checkAbort();
        await withRetry(() => job.dst.putManifest(desc.digest, m, { signal: this.options.signal, child: true }), this.retry, { signal: this.options.signal, onRetry: () => this.report.retries++ });
        this.report.manifests.pushed++;
      })();
      this.manifestJobs.set(key, p);
    }
    return p;
  }

  private ensureBlob(job: Job, desc: Descriptor): Promise<BlobOutcome> {
    const dst = job.dst;
    const key = `${dst.storeKey}\0${dst.repository}\0${desc.digest}`;
    const existing = this.blobJobs.get(key);
    if (existing) return existing;
    const storeKey = `${dst.storeKey}\0${desc.digest}`;
    const first = this.storeBlobs.get(storeKey);
    const p = (async (): Promise<BlobOutcome> => {
      if (!this.counted.has(storeKey)) {
        this.counted.add(storeKey);
        this.bytesTotal += desc.size;
      }
      // Another repository of this store is already getting the blob: wait, then mount from it directly (a mount of
      // a blob the repository already has also succeeds, so no HEAD is needed first).
      if (first) {
        const ok = await first.done.then(() => true, () => false);
        this.checkAbort();
        if (ok && dst.mountBlob && first.repository !== dst.repository && (await dst.mountBlob(desc, first.repository, this.options.signal))) {
          return this.count('mounted', desc, false);
        }
      }
      const how = await this.global(() => this.hostLimit(dst.storeKey)(() => this.transfer(job, desc)));
      return this.count(how, desc, how === 'skipped' && !first);
    })();
    this.blobJobs.set(key, p);
    if (!first) this.storeBlobs.set(storeKey, { repository: dst.repository, done: p });
    return p;
  }

  private count(how: BlobOutcome['how'], desc: Descriptor, addDone: boolean): BlobOutcome {
    const b = this.report.blobs;
    if (how === 'copied') {
      b.copied++;
      b.bytesCopied += desc.size;
    } else if (how === 'mounted') {
      b.mounted++;
      b.bytesMounted += desc.size;
    } else {
      b.skipped++;
      b.bytesSkipped += desc.size;
    }
    if (addDone) this.bytesDone += desc.size;
    this.progress();
    return new BlobOutcome(how);
  }

  /**
   * Stream one blob source → destination through the verifier, retrying transient failures — unless the destination
   * has it already ('skipped'). A registry destination answers both questions in one request (probeUpload: is it
   * there, else an upload session), so a fresh blob costs POST + PUT on the destination instead of HEAD + POST + PUT.
   */
  private async transfer(job: Job, desc: Descriptor): Promise<'copied' | 'skipped'> {
    // Registry → registry: the first attempt goes through the blob relay (bare connections, ~1/3 of the client CPU
    // of the streams below); its retries, and whatever it declines, through the ordinary path.
    let relay = this.options.relay !== false && job.src instanceof RegistryRepository && job.dst instanceof RegistryRepository;
    let partial = 0;
    let attempts = 0;
    let opened: string | undefined;
    let early: Promise<Readable> | undefined;
    try {
      if (job.dst instanceof RegistryRepository) {
        // The source GET starts with the destination probe, not after it: a fresh blob then waits one round trip
        // less. Only while probes mostly find blobs missing (a fresh mirror); a resumed mirror, where most blobs are
        // there, would open (and close) a download per present blob for nothing. Not for a registry → registry
        // copy that the relay takes (it opens its own GET once the upload session is there).
        if (!relay && this.probesMissing >= this.probesPresent) early = this.startDownload(job, desc);
        const probe = await job.dst.probeUpload(desc, this.options.signal).catch((e: unknown) => {
          discardDownload(early);
          throw e;
        });
        if (probe.present) {
          this.probesPresent++;
          discardDownload(early);
          return 'skipped';
        }
        this.probesMissing++;
        opened = probe.location;
      } else if (await job.dst.hasBlob(desc, this.options.signal)) {
        return 'skipped';
      }
      await withRetry(
        async (attempt) => {
          attempts = attempt;
          this.bytesDone -= partial;
          this.report.bytes -= partial;
          partial = 0;
          this.checkAbort();
          const onBytes = (n: number): void => {
            partial += n;
            this.bytesDone += n;
            this.report.bytes += n;
            this.progress();
          };
          if (relay && opened && job.src instanceof RegistryRepository && job.dst instanceof RegistryRepository) {
            relay = false; // one attempt
            const session = opened;
            opened = undefined;
            if (await job.dst.relayFrom(job.src, desc, session, job.image, { signal: this.options.signal, onBytes })) return;
            opened = session; // declined before sending anything: the session is still good
          }
          const pending = early;
          early = undefined; // a download serves one attempt
          const raw = await (pending ?? job.src.getBlob(desc, { signal: this.options.signal, retry: false }));
          // A download started early may have failed while the probe ran (its error was held, see startDownload).
          if (raw.destroyed) throw raw.errored ?? new Error(`download of ${desc.digest} closed before it was read`);
          const verifier = new VerifiedBlob(raw, { digest: desc.digest, size: desc.size, image: job.image }, onBytes);
          // Listen before the destination does: a small corrupt blob can fail verification while the destination
          // is still opening its upload, and the verifier's error explains the failure better than "aborted".
          let verifyError: unknown;
          verifier.on('error', (e) => (verifyError ??= e));
          const session = opened;
          opened = undefined; // an upload session serves one attempt
          try {
            if (session && job.dst instanceof RegistryRepository) await job.dst.putBlob(desc, verifier, this.options.signal, session);
            else await job.dst.putBlob(desc, verifier, this.options.signal);
          } catch (e) {
            // A destination that names the file it could not write (disk full) explains better than the same
            // error echoed on the verifier by the pipeline.
            throw e instanceof DciError && e.location?.file ? e : (verifyError ?? e);
          } finally {
            if (!raw.destroyed) raw.destroy();
          }
          if (verifyError) throw verifyError;
        },
        this.retry,
        { signal: this.options.signal, onRetry: () => this.report.retries++ },
      );
      return 'copied';
    } catch (e) {
      if (this.options.signal?.aborted) throw new Interrupted('mirror interrupted');
      if (e instanceof DciError && e.location?.blob) throw e;
      throw new RegistryError('blob-copy-failed', `blob ${desc.digest} of ${job.image}: ${(e as Error)?.message ?? String(e)} (${attempts > 1 ? `gave up after ${attempts} attempts` : 'not retried'})`, {
        hint: 'check both registries and the network; rerun the same command to resume (finished blobs are skipped)',
        location: { image: job.image, blob: desc.digest },
        cause: e,
      });
    } finally {
      discardDownload(early); // not taken (an interrupt before the first attempt)
    }
  }

  /** A source download opened ahead of its use; an error before a reader is attached is held on the stream. */
  private startDownload(job: Job, desc: Descriptor): Promise<Readable> {
    const p = job.src.getBlob(desc, { signal: this.options.signal, retry: false }).then((raw) => {
      raw.on('error', () => undefined); // read back from raw.errored by the attempt that takes it
      return raw;
    });
    p.catch(() => undefined); // awaited (and its error reported) by the attempt that takes it, or discarded
    return p;
  }

  finish(requests: Record<string, number>): CopyReport {
    const r = this.report;
    r.durationMs = Date.now() - this.started;
    r.throughputBps = Math.round(r.bytes / Math.max(0.001, r.durationMs / 1000));
    r.requests = { ...requests };
    this.progress(true);
    this.emit({ type: 'mirror-report', group: this.group, report: r as unknown as Record<string, unknown> });
    return r;
  }
}

/** Close a download started ahead of a probe that found the blob present (or failed). */
function discardDownload(p: Promise<Readable> | undefined): void {
  p?.then(
    (raw) => raw.destroy(),
    () => undefined,
  );
}

/**
 * Copy images. Resolves with a report (failures listed in `report.failures`, one per failed image, naming image
 * and blob); rejects only for an interrupt (signal) or, with failFast, the first failure.
 */
export async function copyImages(pairs: CopyPair[], options: CopyOptions = {}): Promise<CopyReport> {
  const client = options.client ?? new RegistryClient(options.registry);
  const transports = new TransportSet(client);
  const before = { ...client.requestCounts };
  // Our own signal, so that a fail-fast stop or an interrupt ends every transfer before connections close.
  const stop = new AbortController();
  // Every in-flight request listens on it: hundreds is normal here, not a leak.
  setMaxListeners(0, stop.signal);
  const onAbort = (): void => stop.abort(options.signal?.reason);
  options.signal?.addEventListener('abort', onAbort, { once: true });
  if (options.signal?.aborted) stop.abort(options.signal.reason);
  const engine = new CopyEngine(transports, { ...options, signal: stop.signal }, client.retryPolicy, pairs.length);
  // Pairs are checked 32 at a time; the engine lets imageConcurrency of them on to the copy itself.
  const limit = pLimit(options.checkConcurrency ?? 32);
  try {
    const settled = await Promise.allSettled(
      pairs.map((p) =>
        limit(async () => {
          try {
            return await engine.copyPair(p);
          } catch (e) {
            stop.abort(e);
            throw e;
          }
        }),
      ),
    );
    const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw options.signal?.aborted ? new Interrupted('mirror interrupted') : failed.reason;
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    await transports.close();
    if (!options.client) await client.close();
  }
  const requests: Record<string, number> = {};
  for (const [k, v] of Object.entries(client.requestCounts)) requests[k] = v - (before[k] ?? 0);
  return engine.finish(requests);
}

/** Throw the first failure of a report as an error (for callers that want all-or-nothing). */
export function assertCopySucceeded(report: CopyReport): void {
  const f = report.failures[0];
  if (!f) return;
  throw new RegistryError(f.code, report.failures.length === 1 ? f.message : `${f.message} (and ${report.failures.length - 1} more failed images)`, {
    location: { image: f.source, blob: f.blob },
    exitCode: 1,
  });
}
