/**
 * Read a release payload's `release-manifests/image-references` and `release-metadata` without unpacking the
 * image: layers are streamed from the top one down (oc writes release-manifests into the top layer, so usually
 * only that small layer is read) until both files are found, through the safe layer walker.
 */
import { PayloadError } from '../../core/errors.js';
import type { ImageSource, Platform } from '../types.js';
import { parseImageReferences, parseReleaseMetadata, type ImageReferences, type ReleaseMetadata } from './image-references.js';
import { openVerifiedBlob, inspectImage } from './image-read.js';
import { walkLayer, type LayerLimits } from './layer-walk.js';

const REFS = 'release-manifests/image-references';
const META = 'release-manifests/release-metadata';

export interface ReadReleaseOptions {
  /** Platform to read from a multi-arch release (default linux/amd64). */
  platform?: Partial<Platform>;
  /** Per-file and per-layer byte caps (defaults: 64 MiB per file, 1 GiB per layer). */
  limits?: Partial<LayerLimits>;
}

export interface ReleasePayload {
  /** The release image as given. */
  image: string;
  /** Digest the reference resolved to (the index for a multi-arch release). */
  digest: string;
  mediaType: string;
  isIndex: boolean;
  /** Architecture of the image read (config `architecture`, e.g. amd64). */
  architecture: string;
  /** Label `io.openshift.release` when present. */
  releaseLabel?: string;
  imageReferences: ImageReferences;
  metadata?: ReleaseMetadata;
  /** Digests of the layers streamed to find the files (top first). */
  layersRead: string[];
}

/**
 * `source` is the release image's repository; `ref` a tag or digest in it; `image` the full reference (for
 * messages).
 */
export async function readReleasePayload(source: ImageSource, ref: string, image: string, options: ReadReleaseOptions = {}): Promise<ReleasePayload> {
  const resolved = await inspectImage(source, ref, image, options.platform);
  const found = new Map<string, { text: string; layer: string }>();
  const hidden = new Set<string>();
  const layersRead: string[] = [];
  for (let i = resolved.layers.length - 1; i >= 0 && !(found.has(REFS) && found.has(META)); i--) {
    const layer = resolved.layers[i];
    layersRead.push(layer.digest);
    const stream = await openVerifiedBlob(source, layer, image);
    const whiteouts = new Set<string>();
    await walkLayer(stream, {
      image,
      layer: layer.digest,
      limits: options.limits,
      want: (e) => (e.path === REFS || e.path === META) && !found.has(e.path) && !hidden.has(e.path),
      onEntry: (e) => {
        if ((e.path === REFS || e.path === META) && e.type !== 'file' && !found.has(e.path) && !hidden.has(e.path)) {
          throw new PayloadError('release-payload-invalid', `${image}: layer ${layer.digest}: entry "${e.path}" is a ${e.type}, not a regular file`, {
            hint: 'release-manifests files must be regular files; links are never followed',
            location: { image, blob: layer.digest },
          });
        }
        if (e.path === 'release-manifests/.wh..wh..opq' || e.path === '.wh.release-manifests') whiteouts.add('*');
        if (e.path === 'release-manifests/.wh.image-references') whiteouts.add(REFS);
        if (e.path === 'release-manifests/.wh.release-metadata') whiteouts.add(META);
      },
      onFile: (e, content) => found.set(e.path, { text: content.toString('utf8'), layer: layer.digest }),
      // Keep reading the rest of the top layer only while something is still missing.
      done: () => found.has(REFS) && found.has(META),
    });
    // A whiteout in this layer hides the file in every lower layer.
    for (const w of whiteouts) for (const p of w === '*' ? [REFS, META] : [w]) if (!found.has(p)) hidden.add(p);
  }
  const refs = found.get(REFS);
  if (!refs) {
    throw new PayloadError('release-payload-invalid', `${image} has no ${REFS}: it is not an OpenShift release image`, {
      hint: 'point the release at an ocp-release image (e.g. quay.io/openshift-release-dev/ocp-release:4.16.3-x86_64)',
      location: { image },
    });
  }
  const meta = found.get(META);
  return {
    image,
    digest: resolved.topDigest,
    mediaType: resolved.topMediaType,
    isIndex: resolved.index !== undefined,
    architecture: resolved.configJson.architecture ?? resolved.platform?.architecture ?? 'amd64',
    releaseLabel: resolved.configJson.config?.Labels?.['io.openshift.release'],
    imageReferences: parseImageReferences(refs.text, { image, layer: refs.layer }),
    metadata: meta ? parseReleaseMetadata(meta.text, { image, layer: meta.layer }) : undefined,
    layersRead,
  };
}
