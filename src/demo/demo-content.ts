/**
 * The demo lab's content, generated locally and deterministically (same bytes every time, no network): a small
 * OpenShift release (a release image whose top layer holds a real-shaped `release-manifests/image-references` and
 * `release-metadata`, plus its component images sharing a base layer) and an operator catalog image (a file-based
 * catalog with three packages, channels with replaces chains, bundle and operand images). It is written as a
 * mirror archive — the format `mirror to-disk` produces — so the demo exercises the real from-disk path:
 * read the payload, filter the catalog, copy by digest, rebuild the pruned catalog, write the mirror sets.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { OciLayout } from '../mirror/oci-layout/layout.js';
import { MEDIA_TYPES } from '../mirror/media-types.js';
import type { Descriptor } from '../mirror/types.js';
import { buildDirectoryLayer, type BuiltBlobLayer } from '../mirror/catalog/layer-build.js';
import { writeFbcFiles } from '../mirror/catalog/fbc-write.js';
import { normalizeCatalog, type FbcBundle, type FbcChannel, type FbcPackage } from '../mirror/catalog/fbc-model.js';
import { layoutTag, writeLayoutRefs } from '../mirror/stage/layout-store.js';

export interface DemoContentOptions {
  version: string;
  /** Number of release components (a real release has ~190). */
  components?: number;
}

export interface DemoContent {
  dir: string;
  releaseImage: string;
  catalogImage: string;
  refs: Record<string, string>;
  images: number;
}

const RELEASE_REPO = 'quay.io/openshift-release-dev/ocp-release';
const CONTENT_REPO = 'quay.io/openshift-release-dev/ocp-v4.0-art-dev';
const COMPONENT_NAMES = [
  'cluster-version-operator', 'etcd', 'hyperkube', 'machine-config-operator', 'cli', 'installer', 'baremetal-installer', 'oauth-server',
  'console', 'cluster-network-operator', 'ovn-kubernetes', 'coredns', 'haproxy-router', 'prometheus', 'must-gather', 'tools',
  'machine-os-content', 'rhel-coreos', 'cluster-ingress-operator', 'cluster-storage-operator', 'kube-proxy', 'pod', 'multus-cni', 'keepalived-ipfailover',
];

const sha = (b: Buffer | string) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

interface Built {
  manifestDigest: string;
}

class Writer {
  readonly refs: Record<string, string> = {};
  images = 0;
  constructor(readonly layout: OciLayout) {}

  async blob(data: Buffer, mediaType: string): Promise<Descriptor> {
    const desc: Descriptor = { mediaType, digest: sha(data), size: data.length };
    if (!(await this.layout.hasBlob(desc))) await this.layout.putBlob(desc, Readable.from([data]));
    return desc;
  }

  /** Push one image (layers + config + manifest) under the layout tag of every reference given. */
  async image(layers: BuiltBlobLayer[], config: Record<string, unknown>, refs: (digest: string) => string[]): Promise<Built> {
    const layerDescs: Descriptor[] = [];
    for (const l of layers) layerDescs.push(await this.blob(l.blob, 'application/vnd.oci.image.layer.v1.tar+gzip'));
    const cfg = Buffer.from(
      JSON.stringify({
        architecture: 'amd64',
        os: 'linux',
        created: '2026-01-01T00:00:00Z',
        ...config,
        rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
      }),
    );
    const cfgDesc = await this.blob(cfg, MEDIA_TYPES.ociConfig);
    const manifest = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MEDIA_TYPES.ociManifest, config: cfgDesc, layers: layerDescs }));
    const digest = sha(manifest);
    for (const ref of refs(digest)) {
      const tag = layoutTag(ref);
      await this.layout.putManifest(tag, { bytes: manifest, mediaType: MEDIA_TYPES.ociManifest, digest });
      this.refs[ref] = tag;
    }
    this.images++;
    return { manifestDigest: digest };
  }
}

function fileMap(entries: Record<string, string>): Map<string, Buffer> {
  return new Map(Object.entries(entries).map(([k, v]) => [k, Buffer.from(v)]));
}

export async function generateDemoContent(dir: string, o: DemoContentOptions): Promise<DemoContent> {
  const layout = new OciLayout(dir, { create: true });
  const w = new Writer(layout);
  try {
    const base = await buildDirectoryLayer('usr/share/demo-base', fileMap({ 'os-release': 'NAME="Demo CoreOS"\nVERSION_ID="9.4"\n' }));

    // Release components: each is the shared base + its own small layer; referenced by digest only.
    const components: Array<{ name: string; image: string }> = [];
    for (const name of COMPONENT_NAMES.slice(0, o.components ?? 12)) {
      const own = await buildDirectoryLayer('usr/bin', fileMap({ [name]: `#!/bin/sh\necho "${name} ${o.version}"\n` }));
      const built = await w.image([base, own], { config: { Labels: { 'io.openshift.build.source-location': `https://github.com/openshift/${name}` } } }, (d) => [`${CONTENT_REPO}@${d}`]);
      components.push({ name, image: `${CONTENT_REPO}@${built.manifestDigest}` });
    }

    // The release image: base + release-manifests/ (what oc reads).
    const imageReferences = {
      kind: 'ImageStream',
      apiVersion: 'image.openshift.io/v1',
      metadata: { name: o.version, creationTimestamp: null, annotations: { 'release.openshift.io/from-image-stream': 'ocp/4-dev-preview' } },
      spec: {
        lookupPolicy: { local: false },
        tags: components.map((c) => ({ name: c.name, annotations: { 'io.openshift.build.commit.id': sha(c.name).slice(7, 47) }, from: { kind: 'DockerImage', name: c.image } })),
      },
    };
    const metadata = { kind: 'cincinnati-metadata-v0', version: o.version, previous: [], metadata: { url: `https://access.redhat.com/errata/DEMO-${o.version}` } };
    const manifests = await buildDirectoryLayer(
      'release-manifests',
      fileMap({ 'image-references': JSON.stringify(imageReferences, null, 2), 'release-metadata': JSON.stringify(metadata, null, 2), '0000_50_demo.yaml': 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: openshift-demo\n' }),
    );
    const releaseTag = `${RELEASE_REPO}:${o.version}-x86_64`;
    await w.image([base, manifests], { config: { Labels: { 'io.openshift.release': o.version } } }, (d) => [releaseTag, `${RELEASE_REPO}@${d}`]);

    // Operators: three packages, bundle + operand images by digest.
    const packages: FbcPackage[] = [];
    const channels: FbcChannel[] = [];
    const bundles: FbcBundle[] = [];
    const operators: Array<{ pkg: string; channel: string; versions: string[] }> = [
      { pkg: 'demo-operator', channel: 'stable', versions: ['1.0.0', '1.1.0', '1.2.0'] },
      { pkg: 'sriov-network-operator', channel: 'stable', versions: ['4.16.0', '4.16.1'] },
      { pkg: 'local-storage-operator', channel: 'stable', versions: ['4.16.0'] },
    ];
    for (const op of operators) {
      packages.push({ schema: 'olm.package', name: op.pkg, defaultChannel: op.channel } as FbcPackage);
      const entries: FbcChannel['entries'] = [];
      for (const [i, v] of op.versions.entries()) {
        const operand = await buildDirectoryLayer('usr/local/bin', fileMap({ [op.pkg]: `#!/bin/sh\necho "${op.pkg} ${v}"\n` }));
        const operandImage = await w.image([base, operand], {}, (d) => [`registry.redhat.io/demo/${op.pkg}@${d}`]);
        const csv = await buildDirectoryLayer('manifests', fileMap({ [`${op.pkg}.v${v}.clusterserviceversion.yaml`]: `kind: ClusterServiceVersion\nmetadata:\n  name: ${op.pkg}.v${v}\n` }));
        const bundle = await w.image([csv], { config: { Labels: { 'operators.operatorframework.io.bundle.package.v1': op.pkg } } }, (d) => [`registry.redhat.io/demo/${op.pkg}-bundle@${d}`]);
        const name = `${op.pkg}.v${v}`;
        entries.push({ name, ...(i > 0 ? { replaces: `${op.pkg}.v${op.versions[i - 1]}` } : {}) });
        bundles.push({
          schema: 'olm.bundle',
          name,
          package: op.pkg,
          image: `registry.redhat.io/demo/${op.pkg}-bundle@${bundle.manifestDigest}`,
          properties: [
            { type: 'olm.package', value: { packageName: op.pkg, version: v } },
            { type: 'olm.csv.metadata', value: { annotations: { description: `${op.pkg} (demo)` }, installModes: [{ type: 'AllNamespaces', supported: true }, { type: 'OwnNamespace', supported: true }] } },
          ],
          relatedImages: [
            { name: 'bundle', image: `registry.redhat.io/demo/${op.pkg}-bundle@${bundle.manifestDigest}` },
            { name: 'operator', image: `registry.redhat.io/demo/${op.pkg}@${operandImage.manifestDigest}` },
          ],
        } as FbcBundle);
      }
      channels.push({ schema: 'olm.channel', name: op.channel, package: op.pkg, entries } as FbcChannel);
    }
    const fbc = normalizeCatalog({ packages, channels, bundles });
    const configs = await buildDirectoryLayer('configs', writeFbcFiles(fbc));
    const opm = await buildDirectoryLayer('bin', fileMap({ opm: '#!/bin/sh\necho "opm (demo)"\n' }));
    const mm = o.version.split('.').slice(0, 2).join('.');
    const catalogImage = `registry.redhat.io/redhat/redhat-operator-index:v${mm}`;
    await w.image(
      [base, opm, configs],
      { config: { Entrypoint: ['/bin/opm'], Cmd: ['serve', '/configs', '--cache-dir=/tmp/cache'], Labels: { 'operators.operatorframework.io.index.configs.v1': '/configs' } } },
      () => [catalogImage],
    );

    await writeLayoutRefs(dir, { format: 'dci-agent-ts/layout-refs@1', refs: w.refs, createdAt: '2026-01-01T00:00:00Z' });
    return { dir, releaseImage: releaseTag, catalogImage, refs: w.refs, images: w.images };
  } finally {
    await layout.close();
  }
}
