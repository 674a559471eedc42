/**
 * Location-string entry points for catalogs over the mirror library's transports: read a catalog image, and
 * rebuild a pruned one from a source location to a destination location (`docker://host/repo:tag`, `oci:DIR:tag`).
 */
import { PayloadError } from '../../core/errors.js';
import { transportsFor, type OpenOptions } from '../release/open-release.js';
import { readCatalogImage, type CatalogImage, type ReadCatalogOptions } from './catalog-image.js';
import type { DeclarativeConfig } from './fbc-model.js';
import { rebuildCatalogImage, type RebuiltCatalog } from './rebuild.js';

export async function readCatalog(location: string, options: OpenOptions & ReadCatalogOptions): Promise<CatalogImage> {
  const { transports, owned } = transportsFor(options);
  try {
    const s = transports.source(location);
    return await readCatalogImage(s.transport, s.digest ?? s.tag ?? 'latest', location.replace(/^docker:\/\//, ''), options);
  } finally {
    if (owned) await transports.close();
  }
}

export interface RebuildCatalogAtOptions extends OpenOptions {
  /** The original catalog, e.g. `docker://registry.redhat.io/redhat/redhat-operator-index:v4.16`. */
  source: string;
  /** Where the pruned image goes, with its tag, e.g. `docker://mirror:5000/redhat/redhat-operator-index:v4.16`. */
  destination: string;
  fbc: DeclarativeConfig;
  configsDir?: string;
}

export async function rebuildCatalog(o: RebuildCatalogAtOptions): Promise<RebuiltCatalog> {
  const { transports, owned } = transportsFor(o);
  try {
    const src = transports.source(o.source);
    const dst = transports.destination(o.destination);
    if (!dst.tag) {
      throw new PayloadError('catalog-destination-tag', `${o.destination}: the pruned catalog destination needs a tag`, { hint: 'add :TAG to the destination (e.g. the original tag)' });
    }
    const srcLoc = src.location;
    const dstLoc = dst.location;
    const sameRegistry = srcLoc.transport === 'docker' && dstLoc.transport === 'docker' && srcLoc.ref.registry === dstLoc.ref.registry;
    return await rebuildCatalogImage({
      source: src.transport,
      sourceRef: src.digest ?? src.tag ?? 'latest',
      image: o.source.replace(/^docker:\/\//, ''),
      destination: dst.transport,
      destinationTag: dst.tag,
      fbc: o.fbc,
      configsDir: o.configsDir,
      mountFrom: sameRegistry && srcLoc.transport === 'docker' ? srcLoc.ref.repository : undefined,
    });
  } finally {
    if (owned) await transports.close();
  }
}
