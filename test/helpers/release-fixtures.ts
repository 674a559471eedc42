/**
 * Release-payload fixtures: hand-written tar layers (so tests can also make hostile ones: `../` names, absolute
 * names, escaping links, a header announcing 2 GiB), small images built in memory and pushed to a real
 * docker-registry over the Distribution API, and a synthetic OpenShift release: N component images (sharing a
 * base layer) in one repository by digest, plus a release image whose top layer holds a real-shaped
 * `release-manifests/image-references` ImageStream and `release-metadata`.
 * Also a minimal plain-HTTP ImageSource/ImageDestination for tests (the project's registry client replaces it
 * where available).
 */
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import type { Descriptor, ImageDestination, ImageSource, ManifestBlob, ManifestHead } from '../../src/mirror/types.js';
import { MT, formatMediaTypes, imageConfigBytes, imageManifestJson, sha256 } from './image-json.js';
import { tarBuffer, type TarEntrySpec } from './tar.js';

export { MT, sha256, tarBuffer, type TarEntrySpec };

// ---------------------------------------------------------------------------------------------------------
// layers

export interface BuiltLayer {
  blob: Buffer;
  digest: string;
  diffId: string;
}

export function gzLayer(entries: TarEntrySpec[]): BuiltLayer {
  const tar = tarBuffer(entries);
  const blob = gzipSync(tar, { level: 6 });
  return { blob, digest: sha256(blob), diffId: sha256(tar) };
}

// ---------------------------------------------------------------------------------------------------------
// images in memory

export interface BuiltImage {
  manifest: ManifestBlob;
  config: Buffer;
  configDigest: string;
  layers: BuiltLayer[];
}

export function buildImage(layers: BuiltLayer[], opts: { config?: Record<string, unknown>; architecture?: string; format?: 'oci' | 'docker' } = {}): BuiltImage {
  const format = opts.format ?? 'oci';
  const types = formatMediaTypes(format);
  const config = imageConfigBytes({ architecture: opts.architecture ?? 'amd64', os: 'linux', config: opts.config, diffIds: layers.map((l) => l.diffId), createdBy: 'fixture layer' });
  const configDigest = sha256(config);
  const manifest = imageManifestJson(
    format,
    { mediaType: types.config, digest: configDigest, size: config.length },
    layers.map((l) => ({ mediaType: types.layer, digest: l.digest, size: l.blob.length })),
  );
  const bytes = Buffer.from(JSON.stringify(manifest));
  return { manifest: { bytes, mediaType: manifest.mediaType, digest: sha256(bytes) }, config, configDigest, layers };
}

// ---------------------------------------------------------------------------------------------------------
// a plain-HTTP registry client for fixtures and tests

/** Fail on a bad status. `drain`: read the (unused) body so the connection goes back to the pool. */
async function check(res: Response, what: string, drain = true): Promise<void> {
  if (!res.ok) throw new Error(`${what}: HTTP ${res.status} ${await res.text().catch(() => '')}`);
  if (drain) await res.arrayBuffer().catch(() => undefined);
}

export async function pushBlob(host: string, repo: string, blob: Buffer, digest = sha256(blob)): Promise<string> {
  const head = await fetch(`http://${host}/v2/${repo}/blobs/${digest}`, { method: 'HEAD' });
  await head.arrayBuffer();
  if (head.ok) return digest;
  const start = await fetch(`http://${host}/v2/${repo}/blobs/uploads/`, { method: 'POST' });
  await check(start, `start upload to ${repo}`);
  const loc = new URL(start.headers.get('location') as string, `http://${host}`);
  loc.searchParams.set('digest', digest);
  const put = await fetch(loc, { method: 'PUT', body: blob, headers: { 'content-type': 'application/octet-stream' } });
  await check(put, `upload ${digest} to ${repo}`);
  return digest;
}

export async function pushManifest(host: string, repo: string, ref: string, m: ManifestBlob): Promise<void> {
  const res = await fetch(`http://${host}/v2/${repo}/manifests/${ref}`, { method: 'PUT', body: m.bytes, headers: { 'content-type': m.mediaType } });
  await check(res, `put manifest ${repo}:${ref}`);
}

/** Push an image built in memory; `ref` is a tag, or omitted to push by digest only. Returns the digest. */
export async function pushImage(host: string, repo: string, image: BuiltImage, ref?: string): Promise<string> {
  for (const l of image.layers) await pushBlob(host, repo, l.blob, l.digest);
  await pushBlob(host, repo, image.config, image.configDigest);
  await pushManifest(host, repo, ref ?? image.manifest.digest, image.manifest);
  return image.manifest.digest;
}

const ACCEPT = [MT.ociIndex, MT.dockerList, MT.ociManifest, MT.dockerManifest].join(', ');

/** Test-only ImageSource + ImageDestination for one repository of a plain-HTTP registry. */
export function plainRepo(host: string, repository: string): ImageSource & ImageDestination {
  const base = `http://${host}/v2/${repository}`;
  return {
    description: `docker://${host}/${repository}`,
    storeKey: `docker://${host}`,
    repository,
    async headManifest(ref: string): Promise<ManifestHead | undefined> {
      const res = await fetch(`${base}/manifests/${ref}`, { method: 'HEAD', headers: { accept: ACCEPT } });
      await res.arrayBuffer();
      if (res.status === 404) return undefined;
      await check(res, `HEAD ${repository}:${ref}`);
      return { digest: res.headers.get('docker-content-digest') as string, mediaType: res.headers.get('content-type') as string };
    },
    async getManifest(ref: string): Promise<ManifestBlob> {
      const res = await fetch(`${base}/manifests/${ref}`, { headers: { accept: ACCEPT } });
      await check(res, `GET ${repository}:${ref}`, false);
      const bytes = Buffer.from(await res.arrayBuffer());
      const digest = sha256(bytes);
      if (ref.startsWith('sha256:') && digest !== ref) throw new Error(`manifest ${ref} hashes to ${digest}`);
      return { bytes, mediaType: (res.headers.get('content-type') ?? '').split(';')[0], digest };
    },
    async getBlob(desc: Descriptor): Promise<Readable> {
      const res = await fetch(`${base}/blobs/${desc.digest}`);
      await check(res, `GET blob ${desc.digest}`, false);
      return Readable.fromWeb(res.body as import('node:stream/web').ReadableStream<Uint8Array>);
    },
    async hasBlob(desc: Descriptor): Promise<boolean> {
      const res = await fetch(`${base}/blobs/${desc.digest}`, { method: 'HEAD' });
      await res.arrayBuffer();
      return res.ok;
    },
    async mountBlob(desc: Descriptor, fromRepository: string): Promise<boolean> {
      const res = await fetch(`${base}/blobs/uploads/?mount=${desc.digest}&from=${fromRepository}`, { method: 'POST' });
      await res.arrayBuffer();
      return res.status === 201;
    },
    async putBlob(desc: Descriptor, data: Readable): Promise<void> {
      const chunks: Buffer[] = [];
      for await (const c of data) chunks.push(c as Buffer);
      await pushBlob(host, repository, Buffer.concat(chunks), desc.digest);
    },
    async putManifest(ref: string, manifest: ManifestBlob): Promise<void> {
      await pushManifest(host, repository, ref, manifest);
    },
    async close(): Promise<void> {},
  };
}

// ---------------------------------------------------------------------------------------------------------
// a synthetic OpenShift release

/** Real OpenShift component names (a subset of a 4.16 payload), cycled with a suffix past the list. */
const COMPONENTS = [
  'agent-installer-api-server', 'agent-installer-csr-approver', 'agent-installer-node-agent', 'baremetal-installer',
  'baremetal-machine-controllers', 'baremetal-operator', 'cli', 'cli-artifacts', 'cloud-credential-operator',
  'cluster-authentication-operator', 'cluster-autoscaler', 'cluster-baremetal-operator', 'cluster-bootstrap',
  'cluster-config-api', 'cluster-dns-operator', 'cluster-etcd-operator', 'cluster-image-registry-operator',
  'cluster-ingress-operator', 'cluster-kube-apiserver-operator', 'cluster-machine-approver', 'cluster-monitoring-operator',
  'cluster-network-operator', 'cluster-node-tuning-operator', 'cluster-samples-operator', 'cluster-storage-operator',
  'cluster-version-operator', 'console', 'console-operator', 'coredns', 'etcd', 'haproxy-router', 'hyperkube', 'installer',
  'installer-artifacts', 'ironic', 'ironic-agent', 'keepalived-ipfailover', 'kube-rbac-proxy', 'machine-config-operator',
  'machine-os-images', 'multus-cni', 'must-gather', 'oauth-server', 'ovn-kubernetes', 'pod', 'prometheus', 'rhel-coreos',
  'tools',
];

export function componentNames(n: number): string[] {
  return Array.from({ length: n }, (_, i) => (i < COMPONENTS.length ? COMPONENTS[i] : `${COMPONENTS[i % COMPONENTS.length]}-x${Math.floor(i / COMPONENTS.length)}`));
}

export interface ReleaseFixture {
  host: string;
  version: string;
  /** `host/openshift-release-dev/ocp-release:<version>-x86_64` */
  releaseRef: string;
  releaseRepo: string;
  releaseDigest: string;
  componentRepo: string;
  components: Array<{ name: string; image: string; digest: string }>;
  imageReferences: Record<string, unknown>;
}

export interface ReleaseFixtureOptions {
  host: string;
  components?: number;
  version?: string;
  /** Extra tar entries appended to the release-manifests layer (hostile fixtures). */
  extraEntries?: TarEntrySpec[];
  /** Replace the release-manifests layer entirely. */
  manifestsLayer?: TarEntrySpec[];
  tag?: string;
  /** Push the release image as a 2-arch index (amd64 + arm64), like a `multi` payload. */
  multiArch?: boolean;
}

/** The ImageStream `oc adm release new` writes, for the given components. */
export function imageReferencesDoc(version: string, components: Array<{ name: string; image: string }>): Record<string, unknown> {
  return {
    kind: 'ImageStream',
    apiVersion: 'image.openshift.io/v1',
    metadata: {
      name: version,
      creationTimestamp: null,
      annotations: { 'release.openshift.io/from-image-stream': 'ocp/4.16-art-latest-2024-07-01-000000' },
    },
    spec: {
      lookupPolicy: { local: false },
      tags: components.map((c) => ({
        name: c.name,
        annotations: {
          'io.openshift.build.commit.id': sha256(c.name).slice(7, 47),
          'io.openshift.build.source-location': `https://github.com/openshift/${c.name}`,
        },
        from: { kind: 'DockerImage', name: c.image },
        generation: null,
        importPolicy: {},
        referencePolicy: { type: 'Source' },
      })),
    },
    status: { dockerImageRepository: '' },
  };
}

/** Push N component images (a shared base layer + one own layer each; every 5th shares its own layer with the
 * previous one) and a release image pointing at them by digest. */
export async function pushReleaseFixture(o: ReleaseFixtureOptions): Promise<ReleaseFixture> {
  const version = o.version ?? '4.16.3';
  const n = o.components ?? 40;
  const releaseRepo = 'openshift-release-dev/ocp-release';
  const componentRepo = 'openshift-release-dev/ocp-v4.0-art-dev';
  const base = gzLayer([{ name: 'usr/', type: 'directory' }, { name: 'usr/lib/os-release', content: 'ID="rhel"\nVERSION_ID="9.4"\n' }]);
  const images: Array<{ name: string; img: BuiltImage }> = [];
  let shared: BuiltLayer | undefined;
  for (const [i, name] of componentNames(n).entries()) {
    const own = i % 5 === 4 && shared ? shared : gzLayer([{ name: `usr/bin/${name}`, content: `#!/bin/sh\necho ${name} ${version}\n`, mode: 0o755 }]);
    shared = own;
    images.push({ name, img: buildImage([base, own], { config: { Labels: { 'io.openshift.build.name': name } } }) });
  }
  // The shared base first, then the components 8 at a time.
  await pushBlob(o.host, componentRepo, base.blob, base.digest);
  const { default: pLimit } = await import('p-limit');
  const limit = pLimit(8);
  const components: ReleaseFixture['components'] = await Promise.all(
    images.map(({ name, img }) =>
      limit(async () => {
        const digest = await pushImage(o.host, componentRepo, img);
        return { name, image: `${o.host}/${componentRepo}@${digest}`, digest };
      }),
    ),
  );
  const imageReferences = imageReferencesDoc(version, components);
  const metadata = { kind: 'cincinnati-metadata-v0', version, previous: ['4.16.1', '4.16.2'], metadata: { url: `https://access.redhat.com/errata/RHSA-2024:0000` } };
  const manifestsLayer = gzLayer(
    o.manifestsLayer ?? [
      { name: 'release-manifests/', type: 'directory' },
      { name: 'release-manifests/0000_00_cluster-version-operator_00_namespace.yaml', content: 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: openshift-cluster-version\n' },
      { name: 'release-manifests/image-references', content: JSON.stringify(imageReferences, null, 2) },
      { name: 'release-manifests/release-metadata', content: JSON.stringify(metadata) },
      ...(o.extraEntries ?? []),
    ],
  );
  const cvo = gzLayer([{ name: 'usr/bin/cluster-version-operator', content: '#!/bin/sh\n', mode: 0o755 }]);
  const release = buildImage([base, cvo, manifestsLayer], {
    config: { Labels: { 'io.openshift.release': version }, Entrypoint: ['/usr/bin/cluster-version-operator'] },
  });
  const tag = o.tag ?? (o.multiArch ? `${version}-multi` : `${version}-x86_64`);
  let releaseDigest: string;
  if (o.multiArch) {
    const arm = buildImage([base, cvo, manifestsLayer], {
      architecture: 'arm64',
      config: { Labels: { 'io.openshift.release': version }, Entrypoint: ['/usr/bin/cluster-version-operator'] },
    });
    await pushImage(o.host, releaseRepo, release);
    await pushImage(o.host, releaseRepo, arm);
    const index = {
      schemaVersion: 2,
      mediaType: MT.ociIndex,
      manifests: [release, arm].map((m, i) => ({
        mediaType: m.manifest.mediaType,
        digest: m.manifest.digest,
        size: m.manifest.bytes.length,
        platform: { os: 'linux', architecture: i === 0 ? 'amd64' : 'arm64' },
      })),
    };
    const bytes = Buffer.from(JSON.stringify(index));
    releaseDigest = sha256(bytes);
    await pushManifest(o.host, releaseRepo, tag, { bytes, mediaType: MT.ociIndex, digest: releaseDigest });
  } else {
    releaseDigest = await pushImage(o.host, releaseRepo, release, tag);
  }
  return {
    host: o.host,
    version,
    releaseRef: `${o.host}/${releaseRepo}:${tag}`,
    releaseRepo,
    releaseDigest,
    componentRepo,
    components,
    imageReferences,
  };
}

/** Hostile release-manifests layers, by name. Each must be refused. */
export function hostileManifestLayers(version = '4.16.3'): Record<string, TarEntrySpec[]> {
  const refs = JSON.stringify(imageReferencesDoc(version, []));
  return {
    'dot-dot path': [
      { name: 'release-manifests/', type: 'directory' },
      { name: 'release-manifests/../../../../tmp/dci-escape', content: 'pwned' },
      { name: 'release-manifests/image-references', content: refs },
    ],
    'absolute path': [
      { name: '/etc/dci-escape', content: 'pwned' },
      { name: 'release-manifests/image-references', content: refs },
    ],
    'symlink escape': [
      { name: 'release-manifests/', type: 'directory' },
      { name: 'release-manifests/image-references', type: 'symlink', linkname: '../../../../../etc/passwd' },
    ],
    'hard link escape': [
      { name: 'release-manifests/', type: 'directory' },
      { name: 'release-manifests/image-references', type: 'link', linkname: '../../etc/shadow' },
    ],
    '2 GiB header': [
      { name: 'release-manifests/', type: 'directory' },
      { name: 'release-manifests/image-references', headerSize: 2 * 1024 * 1024 * 1024 },
    ],
    '2 GiB header on another file': [
      { name: 'usr/share/bomb.bin', headerSize: 2 * 1024 * 1024 * 1024 },
      { name: 'release-manifests/image-references', content: refs },
    ],
  };
}
