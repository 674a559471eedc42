/**
 * Build and push the pruned catalog image the way oc-mirror v2 does (`imagebuilder/catalog_builder.go`): the
 * original image's layers, then a layer holding only the whiteout `.wh.<configs>` (the old catalog disappears),
 * then a layer with the filtered catalog; config `Cmd = ["serve", <configs>]` (no `--cache-dir`, so `opm serve`
 * rebuilds its cache at start instead of enforcing the stale `/tmp/cache` of the original image), the configs
 * label kept, diff_ids and history extended. A multi-arch catalog gets every platform rebuilt and a new index.
 * Blobs and manifests go through the ImageSource/ImageDestination interfaces; originals are verified on the way.
 */
import { PayloadError } from '../../core/errors.js';
import { sha256Digest } from '../digest.js';
import { MEDIA_TYPES, parseManifest } from '../media-types.js';
import { openVerifiedBlob, readManifestChild, type ImageConfigJson } from '../release/image-read.js';
import type { Descriptor, ImageDestination, ImageSource, ManifestBlob, Platform } from '../types.js';
import { CONFIGS_LABEL } from './catalog-image.js';
import type { DeclarativeConfig } from './fbc-model.js';
import { writeFbcFiles } from './fbc-write.js';
import { buildDirectoryLayer, buildWhiteoutLayer, type BuiltBlobLayer } from './layer-build.js';
import { assertValidCatalog } from './validate.js';

export interface RebuildCatalogOptions {
  /** The original catalog's repository, and the tag or digest of the image in it. */
  source: ImageSource;
  sourceRef: string;
  /** Full reference of the original, for messages. */
  image: string;
  /** Where the pruned image goes, and under which tag. */
  destination: ImageDestination;
  destinationTag: string;
  /** The filtered catalog (validated here before anything is pushed). */
  fbc: DeclarativeConfig;
  /** Catalog root inside the image (the label value), default `/configs`. */
  configsDir?: string;
  /** When source and destination share a registry: the source repository, to mount blobs instead of copying. */
  mountFrom?: string;
  /** Skip the validity check (only for tests of invalid catalogs). */
  skipValidation?: boolean;
}

export interface RebuiltCatalog {
  /** Digest of what the tag points at (the index for multi-arch). */
  digest: string;
  mediaType: string;
  tag: string;
  platforms: Array<{ platform?: Platform; digest: string }>;
  /** The two layers added on top of the original image. */
  whiteoutLayer: { digest: string; diffId: string };
  catalogLayer: { digest: string; diffId: string; size: number };
  /** Catalog files written (relative to the configs dir). */
  files: string[];
}

const AUTHOR = 'dci-agent-ts';

async function ensureBlob(o: RebuildCatalogOptions, desc: Descriptor): Promise<void> {
  if (await o.destination.hasBlob(desc)) return;
  if (o.mountFrom && o.destination.mountBlob && (await o.destination.mountBlob(desc, o.mountFrom))) return;
  await o.destination.putBlob(desc, await openVerifiedBlob(o.source, desc, o.image));
}

async function putBuffer(o: RebuildCatalogOptions, desc: Descriptor, bytes: Buffer): Promise<void> {
  if (await o.destination.hasBlob(desc)) return;
  const { Readable } = await import('node:stream');
  await o.destination.putBlob(desc, Readable.from([bytes]));
}

function layerMediaType(manifestMediaType: string): string {
  return manifestMediaType === MEDIA_TYPES.dockerManifest ? 'application/vnd.docker.image.rootfs.diff.tar.gzip' : 'application/vnd.oci.image.layer.v1.tar+gzip';
}

/** Rebuild one platform manifest; returns the new manifest (pushed by digest). */
async function rebuildOne(o: RebuildCatalogOptions, blob: ManifestBlob, configsDir: string, whiteout: BuiltBlobLayer, catalog: BuiltBlobLayer): Promise<ManifestBlob> {
  const parsed = parseManifest(blob.bytes, blob.mediaType, o.image);
  if (parsed.kind !== 'image') throw new PayloadError('manifest-invalid', `${o.image}: expected an image manifest`);
  const configBytesStream = await openVerifiedBlob(o.source, parsed.config, o.image);
  const chunks: Buffer[] = [];
  for await (const c of configBytesStream) chunks.push(c as Buffer);
  const config = JSON.parse(Buffer.concat(chunks).toString('utf8')) as ImageConfigJson;
  const diffIds = config.rootfs?.diff_ids ?? [];
  if (diffIds.length !== parsed.layers.length) {
    throw new PayloadError('config-invalid', `${o.image}: config lists ${diffIds.length} diff_ids for ${parsed.layers.length} layers`, { location: { image: o.image } });
  }
  const created = config.created ?? '1970-01-01T00:00:00Z';
  const newConfig: ImageConfigJson = {
    ...config,
    config: {
      ...(config.config ?? {}),
      Cmd: ['serve', configsDir],
      Labels: { ...(config.config?.Labels ?? {}), [CONFIGS_LABEL]: configsDir },
    },
    rootfs: { type: 'layers', diff_ids: [...diffIds, whiteout.diffId, catalog.diffId] },
    history: [
      ...(config.history ?? []),
      { created, author: AUTHOR, created_by: `${AUTHOR}: remove ${configsDir}` },
      { created, author: AUTHOR, created_by: `${AUTHOR}: add filtered catalog to ${configsDir}` },
    ],
  };
  const configBytes = Buffer.from(JSON.stringify(newConfig));
  const mt = layerMediaType(parsed.mediaType);
  const whDesc: Descriptor = { mediaType: mt, digest: whiteout.digest, size: whiteout.blob.length };
  const catDesc: Descriptor = { mediaType: mt, digest: catalog.digest, size: catalog.blob.length };
  const configDesc: Descriptor = { mediaType: parsed.config.mediaType, digest: sha256Digest(configBytes), size: configBytes.length };
  for (const l of parsed.layers) await ensureBlob(o, l);
  await putBuffer(o, whDesc, whiteout.blob);
  await putBuffer(o, catDesc, catalog.blob);
  await putBuffer(o, configDesc, configBytes);
  const manifest = { ...parsed.raw, config: configDesc, layers: [...parsed.layers, whDesc, catDesc] };
  const bytes = Buffer.from(JSON.stringify(manifest));
  const out: ManifestBlob = { bytes, mediaType: parsed.mediaType, digest: sha256Digest(bytes) };
  await o.destination.putManifest(out.digest, out);
  return out;
}

export async function rebuildCatalogImage(o: RebuildCatalogOptions): Promise<RebuiltCatalog> {
  if (!o.skipValidation) assertValidCatalog(o.fbc);
  const configsDir = o.configsDir ?? '/configs';
  const files = writeFbcFiles(o.fbc);
  const whiteout = await buildWhiteoutLayer(configsDir);
  const catalog = await buildDirectoryLayer(configsDir, files);
  const top = await o.source.getManifest(o.sourceRef);
  const parsed = parseManifest(top.bytes, top.mediaType, o.image);
  const platforms: RebuiltCatalog['platforms'] = [];
  let pushed: ManifestBlob;
  if (parsed.kind === 'index') {
    const children: Descriptor[] = [];
    for (const d of parsed.manifests) {
      // Build attestations (platform unknown/unknown) describe the original image; they do not carry over.
      if (d.platform?.os === 'unknown' || d.annotations?.['vnd.docker.reference.type'] === 'attestation-manifest') continue;
      const child = await readManifestChild(o.source, o.image, d);
      const rebuilt = await rebuildOne(o, child, configsDir, whiteout, catalog);
      children.push({ ...d, mediaType: rebuilt.mediaType, digest: rebuilt.digest, size: rebuilt.bytes.length });
      platforms.push({ platform: d.platform, digest: rebuilt.digest });
    }
    if (children.length === 0) throw new PayloadError('catalog-invalid', `${o.image}: the index lists no platform image`, { location: { image: o.image } });
    const bytes = Buffer.from(JSON.stringify({ ...parsed.raw, manifests: children }));
    pushed = { bytes, mediaType: parsed.mediaType, digest: sha256Digest(bytes) };
  } else {
    pushed = await rebuildOne(o, top, configsDir, whiteout, catalog);
    platforms.push({ digest: pushed.digest });
  }
  await o.destination.putManifest(o.destinationTag, pushed);
  return {
    digest: pushed.digest,
    mediaType: pushed.mediaType,
    tag: o.destinationTag,
    platforms,
    whiteoutLayer: { digest: whiteout.digest, diffId: whiteout.diffId },
    catalogLayer: { digest: catalog.digest, diffId: catalog.diffId, size: catalog.blob.length },
    files: [...files.keys()],
  };
}
