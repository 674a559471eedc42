/**
 * Verify images where they are stored: every manifest (and index child) and every blob is read back and hashed.
 * Used after a mirror, after an interrupted run, and by tests; reports each missing or corrupt object.
 */
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pLimit from 'p-limit';
import { DciError } from '../core/errors.js';
import { VerifiedBlob } from './verified-blob.js';
import { isForeignLayer, parseManifest } from './media-types.js';
import { RegistryClient, type RegistryClientOptions } from './registry/client.js';
import { TransportSet } from './transports.js';
import type { ImageSource } from './types.js';

export interface VerifyProblem {
  image: string;
  digest?: string;
  problem: 'missing' | 'corrupt' | 'error';
  message: string;
}

export interface VerifyReport {
  images: number;
  manifests: number;
  blobs: number;
  bytes: number;
  problems: VerifyProblem[];
  ok: boolean;
}

export async function verifyImages(images: string[], options: { client?: RegistryClient; registry?: RegistryClientOptions; concurrency?: number; signal?: AbortSignal } = {}): Promise<VerifyReport> {
  const client = options.client ?? new RegistryClient(options.registry);
  const transports = new TransportSet(client);
  const limit = pLimit(options.concurrency ?? 8);
  const report: VerifyReport = { images: images.length, manifests: 0, blobs: 0, bytes: 0, problems: [], ok: true };
  const seen = new Set<string>();
  const problem = (image: string, e: unknown, digest?: string): void => {
    const code = e instanceof DciError ? e.code : '';
    const kind: VerifyProblem['problem'] = code === 'digest-mismatch' ? 'corrupt' : /not-found|missing|unknown/.test(code) ? 'missing' : 'error';
    report.problems.push({ image, digest: digest ?? (e instanceof DciError ? e.location?.blob : undefined), problem: kind, message: (e as Error).message });
  };

  const checkManifest = async (src: ImageSource, store: string, ref: string, image: string): Promise<void> => {
    let m;
    try {
      m = await src.getManifest(ref, options.signal);
    } catch (e) {
      problem(image, e, ref.startsWith('sha256:') ? ref : undefined);
      return;
    }
    report.manifests++;
    const parsed = parseManifest(m.bytes, m.mediaType, image);
    if (parsed.kind === 'index') {
      await Promise.all(parsed.manifests.map((d) => checkManifest(src, store, d.digest, `${image}@${d.digest}`)));
      return;
    }
    const blobs = [parsed.config, ...parsed.layers.filter((l) => !isForeignLayer(l))];
    await Promise.all(
      blobs.map((d) =>
        limit(async () => {
          const key = `${store}\0${d.digest}`;
          if (seen.has(key)) return;
          seen.add(key);
          try {
            const raw = await src.getBlob(d, { signal: options.signal });
            let n = 0;
            await pipeline(new VerifiedBlob(raw, { digest: d.digest, size: d.size, image }), new Writable({ write: (c: Buffer, _e, cb) => ((n += c.length), cb()) }));
            report.blobs++;
            report.bytes += n;
          } catch (e) {
            problem(image, e, d.digest);
          }
        }),
      ),
    );
  };

  try {
    await Promise.all(
      images.map(async (image) => {
        const s = transports.source(image);
        await checkManifest(s.transport, s.transport.description, s.digest ?? s.tag ?? 'latest', image);
      }),
    );
  } finally {
    await transports.close();
    if (!options.client) await client.close();
  }
  report.ok = report.problems.length === 0;
  return report;
}
