/**
 * from-disk of an incremental archive: an image new in the archive may be built on layers — or, for a multi-arch
 * index, on child manifests — only its base archive carried. Those are in the registry already (the base was
 * imported), but in the repositories of the base's images, and a registry answers per repository. Before copying,
 * each such layer is mounted into the repository that needs it, and each such child manifest is read from the
 * repository that has it (digest checked), its blobs mounted, and pushed by digest, so the copy finds it present.
 * The repositories are found by reading the manifests of the base's images there. What is found nowhere is one
 * clear error: the image, the blob or manifest, and the archive to import first.
 */
import { createHash } from 'node:crypto';
import { PayloadError } from '../../core/errors.js';
import { isForeignLayer, parseManifest } from '../media-types.js';
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

type Pair = PremountInput['pairs'][number];
type Local = ImageSource & Partial<Pick<ImageDestination, 'hasBlob'>>;
interface Need {
  pair: Pair;
  desc: Descriptor;
  /** A child manifest of an index (pushed), not a blob (mounted). */
  manifest: boolean;
}
/** Where the registry holds a digest: a repository and its `docker://host/repo` location. */
interface Place {
  repository: string;
  location: string;
}

/** Config and layer descriptors, and the child manifests, of an image (children of an index included). */
async function treeOf(src: ImageSource, ref: string, where: string, signal?: AbortSignal, out: { blobs: Descriptor[]; manifests: Descriptor[] } = { blobs: [], manifests: [] }) {
  const m = await src.getManifest(ref, signal);
  const parsed = parseManifest(m.bytes, m.mediaType, where);
  if (parsed.kind === 'image') {
    out.blobs.push(parsed.config, ...parsed.layers);
    return out;
  }
  for (const d of parsed.manifests) {
    out.manifests.push(d);
    await treeOf(src, d.digest, where, signal, out);
  }
  return out;
}

/** What of `ref` in the archive is missing from it but came with a base (an absent child is not walked into). */
async function missingFromArchive(local: Local & { hasBlob: NonNullable<Local['hasBlob']> }, ref: string, o: PremountInput, pair: Pair, needs: Need[]): Promise<void> {
  const m = await local.getManifest(ref, o.signal);
  const parsed = parseManifest(m.bytes, m.mediaType, pair.ref);
  if (parsed.kind === 'image') {
    for (const desc of [parsed.config, ...parsed.layers]) if (o.bases.blobOwner.has(desc.digest) && !(await local.hasBlob(desc, o.signal))) needs.push({ pair, desc, manifest: false });
    return;
  }
  for (const d of parsed.manifests) {
    if (o.bases.blobOwner.has(d.digest) && !(await local.hasBlob(d, o.signal))) needs.push({ pair, desc: d, manifest: true });
    else await missingFromArchive(local, d.digest, o, pair, needs);
  }
}

function notImported(o: PremountInput, pair: Pair, digest: string, what: 'blob' | 'manifest'): PayloadError {
  const base = o.bases.blobOwner.get(digest);
  const name = base?.name ?? 'its base';
  return new PayloadError('base-archive-not-imported', `${pair.ref}: ${what} ${digest} is neither in this archive nor in the registry ${o.registry}: it came with the base archive ${name}`, {
    hint: `import archive ${name} first (mirror from-disk --archive ${name}), then this one`,
    location: { image: pair.ref, blob: digest },
  });
}

/** How many blobs were mounted and child manifests pushed. */
export interface Premounted {
  blobs: number;
  manifests: number;
}

export async function premountBaseBlobs(o: PremountInput): Promise<Premounted> {
  // 1. Blobs and child manifests the pairs need that the archive does not hold but a base did.
  const needs: Need[] = [];
  for (const pair of o.pairs) {
    const s = o.transports.source(pair.source);
    const local = s.transport as Local;
    if (!local.hasBlob) continue; // not a layout: nothing can be missing from an archive
    try {
      await missingFromArchive(local as Local & { hasBlob: NonNullable<Local['hasBlob']> }, s.digest ?? s.tag ?? 'latest', o, pair, needs);
    } catch {
      continue; // reported by the copy itself, with its own words
    }
  }
  const placed: Premounted = { blobs: 0, manifests: 0 };
  if (!needs.length) return placed;

  // 2. Where the registry holds them: the repositories of the base's images.
  const where = new Map<string, Place>();
  const wanted = new Set(needs.map((n) => n.desc.digest));
  for (const image of o.baseImages) {
    if ([...wanted].every((d) => where.has(d))) break;
    const s = o.transports.source(image);
    if (s.location.transport !== 'docker') continue;
    const place = { repository: s.location.ref.repository, location: image.replace(/@[^/]*$/, '') };
    try {
      const tree = await treeOf(s.transport, s.digest ?? s.tag ?? 'latest', image, o.signal);
      // A child manifest brings its blobs: what it stands on is in the same repository.
      for (const d of [...tree.manifests, ...tree.blobs]) if (!where.has(d.digest)) where.set(d.digest, place);
    } catch {
      // an unreadable base image cannot help; what it would have held is then reported below
    }
  }

  // 3. Mount each blob into the repository that needs it; push each child manifest there by digest.
  const mount = async (dst: ImageDestination, desc: Descriptor, pair: Pair, from: Place | undefined, what: 'blob' | 'manifest'): Promise<void> => {
    if (await dst.hasBlob(desc, o.signal)) return;
    if (from && dst.mountBlob && (await dst.mountBlob(desc, from.repository, o.signal))) {
      placed.blobs++;
      return;
    }
    throw notImported(o, pair, desc.digest, what);
  };
  const pushChild = async (dst: ImageDestination, desc: Descriptor, pair: Pair): Promise<void> => {
    if (await dst.headManifest(desc.digest, o.signal)) return;
    const from = where.get(desc.digest);
    if (!from) throw notImported(o, pair, desc.digest, 'manifest');
    const m = await o.transports.source(`${from.location}@${desc.digest}`).transport.getManifest(desc.digest, o.signal);
    const actual = `sha256:${createHash('sha256').update(m.bytes).digest('hex')}`;
    if (actual !== desc.digest) {
      throw new PayloadError('digest-mismatch', `${pair.ref}: manifest ${desc.digest} read from ${from.location} has digest ${actual}`, { hint: 'the registry content is damaged: import the base archive again', location: { image: pair.ref, blob: desc.digest } });
    }
    const parsed = parseManifest(m.bytes, m.mediaType ?? desc.mediaType, `${pair.ref}@${desc.digest}`);
    if (parsed.kind === 'image') for (const b of [parsed.config, ...parsed.layers.filter((l) => !isForeignLayer(l))]) await mount(dst, b, pair, where.get(b.digest) ?? from, 'blob');
    else for (const c of parsed.manifests) await pushChild(dst, c, pair);
    await dst.putManifest(desc.digest, m, { signal: o.signal, child: true });
    placed.manifests++;
  };
  for (const { pair, desc, manifest } of needs) {
    const dst = o.transports.destination(pair.destination).transport;
    if (manifest) await pushChild(dst, desc, pair);
    else await mount(dst, desc, pair, where.get(desc.digest), 'blob');
  }
  return placed;
}
