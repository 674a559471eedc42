/**
 * One directory of an image's filesystem, rebuilt from its layers as a container runtime would: layers applied
 * bottom to top, OCI whiteouts honoured (`.wh.NAME` deletes NAME from lower layers, `.wh..wh..opq` empties its
 * directory of lower-layer content), hard links resolved inside the image, symbolic links not followed.
 * Only entries under the directory are kept, in memory; every layer goes through the safe layer walker.
 */
import { PayloadError } from '../../core/errors.js';
import { openVerifiedBlob, type InspectedImage } from '../release/image-read.js';
import { walkLayer, type LayerLimits } from '../release/layer-walk.js';
import type { ImageSource } from '../types.js';

/** Catalog files are bigger than release manifests: one package's catalog.json can be hundreds of MB. */
export const CATALOG_LAYER_LIMITS: LayerLimits = { maxFileBytes: 1 << 30, maxLayerBytes: 8 * 2 ** 30 };

const WH = '.wh.';
const OPAQUE = '.wh..wh..opq';

const under = (path: string, dir: string): boolean => dir === '' || path === dir || path.startsWith(`${dir}/`);

/**
 * Files under `dir` (a path inside the image without leading `/`, e.g. `configs`), keyed by their path
 * relative to `dir`.
 */
export async function readImageDir(
  source: ImageSource,
  image: InspectedImage,
  dir: string,
  limits: Partial<LayerLimits> = {},
): Promise<Map<string, Buffer>> {
  const root = dir.replace(/^\/+|\/+$/g, '');
  const acc = new Map<string, Buffer>(); // full image paths
  const effective = { ...CATALOG_LAYER_LIMITS, ...limits };
  for (const layer of image.layers) {
    const added = new Map<string, Buffer>();
    const removedPrefixes: string[] = [];
    const links: Array<{ path: string; target: string }> = [];
    const stream = await openVerifiedBlob(source, layer, image.image);
    await walkLayer(stream, {
      image: image.image,
      layer: layer.digest,
      limits: effective,
      onEntry: (e) => {
        const slash = e.path.lastIndexOf('/');
        const parent = slash >= 0 ? e.path.slice(0, slash) : '';
        const name = e.path.slice(slash + 1);
        if (name === OPAQUE) {
          // Lower-layer content of `parent` disappears (this layer's own entries stay).
          if (under(root, parent) || under(parent, root)) removedPrefixes.push(parent);
          return;
        }
        if (name.startsWith(WH)) {
          const target = (parent ? `${parent}/` : '') + name.slice(WH.length);
          if (under(root, target) || under(target, root)) removedPrefixes.push(target);
          return;
        }
        // A non-directory at the directory itself or above it replaces the whole tree.
        if (e.type !== 'directory' && (e.path === root || root.startsWith(`${e.path}/`))) {
          removedPrefixes.push(root);
          return;
        }
        if (e.type === 'link' && e.linkTarget && under(e.path, root)) links.push({ path: e.path, target: e.linkTarget });
      },
      want: (e) => under(e.path, root) && e.path !== root && !e.path.slice(e.path.lastIndexOf('/') + 1).startsWith(WH),
      onFile: (e, content) => added.set(e.path, content),
    });
    for (const prefix of removedPrefixes) {
      for (const p of [...acc.keys()]) if (under(p, prefix)) acc.delete(p);
    }
    for (const [p, c] of added) acc.set(p, c);
    for (const l of links) {
      const content = added.get(l.target) ?? acc.get(l.target);
      if (content === undefined) {
        throw new PayloadError('catalog-invalid', `${image.image}: layer ${layer.digest}: hard link "${l.path}" points at "${l.target}", which is not in the image`, {
          location: { image: image.image, blob: layer.digest },
        });
      }
      acc.set(l.path, content);
    }
  }
  const out = new Map<string, Buffer>();
  const prefix = root ? `${root}/` : '';
  for (const [p, c] of [...acc].sort(([a], [b]) => (a < b ? -1 : 1))) out.set(p.slice(prefix.length), c);
  return out;
}
