/**
 * from-disk of an incremental archive: an image new in the archive may be built on layers — or, for a multi-arch
 * index, on child manifests — only its base archive carried. Those are in the registry already (the base was
 * imported), but in the repositories of the base's images, and a registry answers per repository. Before copying,
 * each such layer is mounted into the repository that needs it, and each such child manifest is read from the
 * repository that has it (digest checked), its blobs mounted, and pushed by digest, so the copy finds it present.
 * The repositories are found from what the base archives carried (their content manifests, recorded in this
 * archive's refs.json), not from the current inventory, which may have dropped the image that brought a layer:
 * each base reference's manifest is looked for (HEAD by digest) where an import would have put it, and only a
 * repository the registry answers for is read and mounted from. When none of those places has it (the base was
 * imported with another `local_repo` or `dci_mirror_repo_prefix`), the registry's repository list is searched for
 * repositories named like a base reference under another prefix (./base-search.ts), each checked the same way.
 * What is found nowhere is one clear error: the image, the blob or manifest, and the archive to import first (and,
 * when the registry would not list its repositories, the variables to set back).
 */
import { createHash } from 'node:crypto';
import { PayloadError } from '../../core/errors.js';
import { isForeignLayer, parseManifest } from '../media-types.js';
import type { TransportSet } from '../transports.js';
import type { Descriptor, ImageDestination, ImageSource } from '../types.js';
import type { BaseSet } from './layout-store.js';
import { eachLimited, plausibleRepositories, refusedHint, registryLocation, registryRepositories, SEARCH_CONCURRENCY, type RepositoryList } from './base-search.js';

export interface PremountInput {
  transports: TransportSet;
  bases: BaseSet;
  /** Pairs about to be copied: archive location → registry location, and the reference they stand for. */
  pairs: Array<{ source: string; destination: string; ref: string }>;
  /** Registry locations (`docker://…@digest`) of the base's images in the current mapping, checked present. */
  baseImages: string[];
  /**
   * Where an import may have put a reference a base archive carried: registry locations (`docker://host/repo`,
   * no tag or digest), in the order to try. Each is checked with the registry (its manifest by the recorded
   * digest) before it is read.
   */
  baseLocations?: (ref: string) => string[];
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
/** Where the registry holds a digest: a repository and its `docker://host/repo` location (first found first). */
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

function notImported(o: PremountInput, pair: Pair, digest: string, what: 'blob' | 'manifest', searched?: RepositoryList): PayloadError {
  const base = o.bases.blobOwner.get(digest);
  const name = base?.name ?? 'its base';
  const refused = searched?.refused ? `; ${refusedHint(o.registry, searched.refused)}` : '';
  return new PayloadError('base-archive-not-imported', `${pair.ref}: ${what} ${digest} is neither in this archive nor in the registry ${o.registry}: it came with the base archive ${name}`, {
    hint: `import archive ${name} first (mirror from-disk --archive ${name}), then this one${refused}`,
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

  // 2. Where the registry holds them: the repositories of the base's images, read until every digest is placed.
  const where = new Map<string, Place[]>();
  const wanted = new Set(needs.map((n) => n.desc.digest));
  const unplaced = (): boolean => [...wanted].some((d) => !where.has(d));
  const read = new Set<string>();
  /** The registry's repository list, when the search came to it. */
  let searched: RepositoryList | undefined;
  const readBaseImage = async (image: string, verify: boolean): Promise<void> => {
    if (read.has(image)) return;
    read.add(image);
    const s = o.transports.source(image);
    if (s.location.transport !== 'docker') return;
    const place = { repository: s.location.ref.repository, location: image.replace(/@[^/]*$/, '') };
    try {
      const ref = s.digest ?? s.tag ?? 'latest';
      // Never assumed: a candidate repository counts only when the registry has the recorded manifest there.
      if (verify && (await s.transport.headManifest(ref, o.signal))?.digest !== s.digest) return;
      const tree = await treeOf(s.transport, ref, image, o.signal);
      // A child manifest brings its blobs: what it stands on is in the same repository.
      for (const d of [...tree.manifests, ...tree.blobs]) {
        const list = where.get(d.digest) ?? [];
        if (!list.some((p) => p.repository === place.repository)) list.push(place);
        where.set(d.digest, list);
      }
    } catch {
      // an unreadable base image cannot help; what it would have held is then reported below
    }
  };
  for (const image of o.baseImages) {
    if (!unplaced()) break;
    await readBaseImage(image, false);
  }
  // What the base archives carried, the archives owning a wanted digest first.
  const owners = new Set([...wanted].map((d) => o.bases.blobOwner.get(d)));
  const entries = [...o.bases.entries].sort((a, b) => Number(owners.has(b)) - Number(owners.has(a)));
  const refs = entries.flatMap((e) => Object.entries(e.digests).map(([ref, digest]) => ({ ref, digest, locations: o.baseLocations?.(ref) ?? [] })));
  // Every reference's likeliest place before anyone's second choice (a HEAD that misses is cheap, reading a whole
  // image is not).
  const rounds = Math.max(0, ...refs.map((r) => r.locations.length));
  search: for (let i = 0; i < rounds; i++) {
    for (const r of refs) {
      if (!unplaced()) break search;
      if (r.locations[i]) await readBaseImage(`${r.locations[i]}@${r.digest}`, true);
    }
  }
  if (unplaced()) {
    // Imported under other names: the registry's own list, read only now (and once per run), names the candidates.
    searched = await registryRepositories(o.transports.client, o.registry, o.signal);
    const list = searched.repositories ?? [];
    const tries = refs.flatMap((r) => plausibleRepositories(list, r.ref).map((repository) => `${registryLocation(o.registry, repository)}@${r.digest}`));
    await eachLimited(tries, SEARCH_CONCURRENCY, (image) => readBaseImage(image, true), () => !unplaced());
  }

  // 3. Mount each blob into the repository that needs it; push each child manifest there by digest.
  const mount = async (dst: ImageDestination, desc: Descriptor, pair: Pair, from: Place[], what: 'blob' | 'manifest'): Promise<void> => {
    if (await dst.hasBlob(desc, o.signal)) return;
    // The registry answers 201 only when it holds the blob in that repository: a mount is its own check.
    for (const p of from) {
      if (dst.mountBlob && (await dst.mountBlob(desc, p.repository, o.signal))) {
        placed.blobs++;
        return;
      }
    }
    throw notImported(o, pair, desc.digest, what, searched);
  };
  const pushChild = async (dst: ImageDestination, desc: Descriptor, pair: Pair): Promise<void> => {
    if (await dst.headManifest(desc.digest, o.signal)) return;
    const places = where.get(desc.digest) ?? [];
    const from = places[0];
    if (!from) throw notImported(o, pair, desc.digest, 'manifest', searched);
    const m = await o.transports.source(`${from.location}@${desc.digest}`).transport.getManifest(desc.digest, o.signal);
    const actual = `sha256:${createHash('sha256').update(m.bytes).digest('hex')}`;
    if (actual !== desc.digest) {
      throw new PayloadError('digest-mismatch', `${pair.ref}: manifest ${desc.digest} read from ${from.location} has digest ${actual}`, { hint: 'the registry content is damaged: import the base archive again', location: { image: pair.ref, blob: desc.digest } });
    }
    const parsed = parseManifest(m.bytes, m.mediaType ?? desc.mediaType, `${pair.ref}@${desc.digest}`);
    if (parsed.kind === 'image') for (const b of [parsed.config, ...parsed.layers.filter((l) => !isForeignLayer(l))]) await mount(dst, b, pair, where.get(b.digest) ?? [from], 'blob');
    else for (const c of parsed.manifests) await pushChild(dst, c, pair);
    await dst.putManifest(desc.digest, m, { signal: o.signal, child: true });
    placed.manifests++;
  };
  for (const { pair, desc, manifest } of needs) {
    const dst = o.transports.destination(pair.destination).transport;
    if (manifest) await pushChild(dst, desc, pair);
    else await mount(dst, desc, pair, where.get(desc.digest) ?? [], 'blob');
  }
  return placed;
}
