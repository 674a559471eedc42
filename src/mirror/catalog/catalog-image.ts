/**
 * Read the file-based catalog out of a catalog image: the image config's
 * `operators.operatorframework.io.index.configs.v1` label names the catalog root (usually `/configs`), whose
 * files are rebuilt from the layers (whiteouts applied) and parsed.
 */
import { PayloadError } from '../../core/errors.js';
import { inspectImage, type InspectedImage } from '../release/image-read.js';
import type { LayerLimits } from '../release/layer-walk.js';
import type { ImageSource, Platform } from '../types.js';
import type { DeclarativeConfig } from './fbc-model.js';
import { parseFbcFiles } from './fbc-parse.js';
import { readImageDir } from './image-fs.js';

export const CONFIGS_LABEL = 'operators.operatorframework.io.index.configs.v1';
const DATABASE_LABEL = 'operators.operatorframework.io.index.database.v1';

export interface CatalogImage {
  image: string;
  resolved: InspectedImage;
  /** The label value, e.g. `/configs`. */
  configsDir: string;
  /** Catalog files, relative to configsDir. */
  files: Map<string, Buffer>;
  fbc: DeclarativeConfig;
}

export interface ReadCatalogOptions {
  platform?: Partial<Platform>;
  limits?: Partial<LayerLimits>;
}

/** The catalog root named by the image's label; a clear error for SQLite catalogs or plain images. */
export function catalogConfigsDir(resolved: InspectedImage): string {
  const labels = resolved.configJson.config?.Labels ?? {};
  const dir = labels[CONFIGS_LABEL];
  if (typeof dir === 'string' && dir.trim() !== '') {
    const clean = dir.trim();
    if (clean.split('/').includes('..')) {
      throw new PayloadError('catalog-invalid', `${resolved.image}: label ${CONFIGS_LABEL}="${dir}" climbs out of the image root`, { location: { image: resolved.image } });
    }
    return clean.startsWith('/') ? clean : `/${clean}`;
  }
  if (labels[DATABASE_LABEL]) {
    throw new PayloadError('catalog-sqlite', `${resolved.image} is a SQLite-based catalog (label ${DATABASE_LABEL}); only file-based catalogs can be filtered`, {
      hint: 'use a catalog for OpenShift 4.11 or later (file-based), or migrate it with `opm migrate`',
      location: { image: resolved.image },
    });
  }
  throw new PayloadError('catalog-not-a-catalog', `${resolved.image} has no ${CONFIGS_LABEL} label: it is not a file-based catalog image`, {
    hint: 'check operators_index / custom_catalogs: they must name catalog (index) images',
    location: { image: resolved.image },
  });
}

/** `source` is the catalog's repository, `ref` a tag or digest in it, `image` the full reference. */
export async function readCatalogImage(source: ImageSource, ref: string, image: string, options: ReadCatalogOptions = {}): Promise<CatalogImage> {
  const resolved = await inspectImage(source, ref, image, options.platform);
  const configsDir = catalogConfigsDir(resolved);
  const files = await readImageDir(source, resolved, configsDir, options.limits);
  if (files.size === 0) {
    throw new PayloadError('catalog-empty', `${image}: ${configsDir} holds no files`, {
      hint: 'the catalog image is empty or its label points at the wrong directory',
      location: { image },
    });
  }
  const fbc = await parseFbcFiles(files, image);
  return { image, resolved, configsDir, files, fbc };
}
