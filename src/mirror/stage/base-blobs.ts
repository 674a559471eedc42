/**
 * from-disk of an incremental archive: an image new in the archive may be built on layers only its base archive
 * carried. Those layers are in the registry already (the base was imported), but in the repositories of the base's
 * images, and a registry answers per repository. Before copying, each such layer is mounted into the repository
 * that needs it from a repository that has it (found by reading the manifests of the base's images there). A
 * layer found nowhere is one clear error: the image, the blob, and the archive to import first.
 */
import { PayloadError } from '../../core/errors.js';
import { parseManifest } from '../media-types.js';
import type { TransportSet } from '../transports.js';
import type { Descriptor, ImageDestination, ImageSource } from '../types.js';
import type { BaseSet } from './layout-store.js';

export interface PremountInput {
  transports: TransportSet;
  bases: BaseSet;
  /** Pairs about to be copied: archive location → registry location, and the reference they stand for. */
  pairs: Array<{ source: string; destination: string; ref: string }>;
  /** Registry locations (`docker://…`) of the base's images, checked present. */
  baseImages: string[];
  registry: string;
  signal?: AbortSignal;
}

/** Config and layer descriptors of an image (children of an index included) read from `src`. */
async function blobsOf(src: ImageSource, ref: string, where: string, signal?: AbortSignal): Promise<Descriptor[]> {
  const m = await src.getManifest(ref, signal);
  const parsed = parseManifest(m.bytes, m.mediaType, where);
  if (parsed.kind === 'image') return [parsed.config, ...parsed.layers];
  const out: Descriptor[] = [];
  for (const d of parsed.manifests) out.push(...(await blobsOf(src, d.digest, where, signal)));
  return out;
}

/** Returns how many blobs were mounted. */
export async function premountBaseBlobs(o: PremountInput): Promise<number> {
  // 1. Blobs the pairs need that the archive does not hold but a base did.
  const needs: Array<{ pair: PremountInput['pairs'][number]; desc: Descriptor }> = [];
  for (const pair of o.pairs) {
    const s = o.transports.source(pair.source);
    const local = s.transport as ImageSource & Partial<Pick<ImageDestination, 'hasBlob'>>;
    if (!local.hasBlob) continue; // not a layout: nothing can be missing from an archive
    let descs: Descriptor[];
    try {
      descs = await blobsOf(s.transport, s.digest ?? s.tag ?? 'latest', pair.ref, o.signal);
    } catch {
      continue; // reported by the copy itself, with its own words
    }
    for (const desc of descs) if (o.bases.blobOwner.has(desc.digest) && !(await local.hasBlob(desc, o.signal))) needs.push({ pair, desc });
  }
  if (!needs.length) return 0;

  // 2. Where the registry holds them: the repositories of the base's images.
  const where = new Map<string, string>();
  const wanted = new Set(needs.map((n) => n.desc.digest));
  for (const image of o.baseImages) {
    if ([...wanted].every((d) => where.has(d))) break;
    const s = o.transports.source(image);
    try {
      for (const d of await blobsOf(s.transport, s.digest ?? s.tag ?? 'latest', image, o.signal)) if (wanted.has(d.digest) && !where.has(d.digest)) where.set(d.digest, s.location.transport === 'docker' ? s.location.ref.repository : '');
    } catch {
      // an unreadable base image cannot help; the blob is then reported below
    }
  }

  // 3. Mount each into the repository that needs it.
  let mounted = 0;
  for (const { pair, desc } of needs) {
    const d = o.transports.destination(pair.destination).transport;
    if (await d.hasBlob(desc, o.signal)) continue;
    const from = where.get(desc.digest);
    if (from && d.mountBlob && (await d.mountBlob(desc, from, o.signal))) {
      mounted++;
      continue;
    }
    const base = o.bases.blobOwner.get(desc.digest)!;
    throw new PayloadError('base-archive-not-imported', `${pair.ref}: blob ${desc.digest} is neither in this archive nor in the registry ${o.registry}: it came with the base archive ${base.name}`, {
      hint: `import archive ${base.name} first (mirror from-disk --archive ${base.name}), then this one`,
      location: { image: pair.ref, blob: desc.digest },
    });
  }
  return mounted;
}
