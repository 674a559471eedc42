/**
 * Catalog fixtures: a small hand-shaped file-based catalog (several packages, replaces chains with skips and
 * prerelease versions, a deprecated bundle and channel, related images by digest), a generator for big catalogs
 * (the benchmark's 500 packages / 5,000 bundles), and a catalog image pushed to a real registry the way
 * `opm generate dockerfile` builds one: an opm base layer (with a stale /tmp/cache), the catalog under
 * /configs split over layers (JSON and YAML files, an .indexignore, a whiteout that replaces a package),
 * label `operators.operatorframework.io.index.configs.v1=/configs`, `Cmd serve /configs --cache-dir=/tmp/cache`.
 */
import { createHash } from 'node:crypto';
import { dump } from 'js-yaml';
import type { DeclarativeConfig, FbcBundle, FbcChannelEntry } from '../../src/mirror/catalog/fbc-model.js';
import { buildImage, gzLayer, pushImage, pushManifest, sha256, type BuiltImage, type TarEntrySpec } from './release-fixtures.js';

const digestOf = (s: string): string => `sha256:${createHash('sha256').update(s).digest('hex')}`;

function bundle(pkg: string, name: string, version: string, registry: string, extraImages = 1, objects = 0): FbcBundle {
  const image = `${registry}/operators/${pkg}-bundle@${digestOf(`${name}:bundle`)}`;
  const related = Array.from({ length: extraImages }, (_, i) => ({ name: `operand-${i}`, image: `${registry}/operators/${pkg}-operand-${i}@${digestOf(`${name}:${i}`)}` }));
  return {
    schema: 'olm.bundle',
    name,
    package: pkg,
    image,
    properties: [
      { type: 'olm.package', value: { packageName: pkg, version } },
      { type: 'olm.gvk', value: { group: `${pkg}.example.com`, kind: 'Thing', version: 'v1' } },
      ...Array.from({ length: objects }, (_, i) => ({ type: 'olm.bundle.object', value: { data: Buffer.from(`{"kind":"CustomResourceDefinition","n":${i},"b":"${name}"}`.padEnd(2048, ' ')).toString('base64') } })),
    ],
    relatedImages: [{ name: '', image }, ...related],
  };
}

/**
 * Packages:
 *  - `etcd`: default `stable` = 0.9.0 ← 0.9.2 (skips 0.9.1) ← 0.9.4; `alpha` = 0.10.0 ← 0.10.1; 0.9.1 only skipped;
 *  - `jaeger-product`: the shape of the real jaeger catalog (prerelease versions, a skip on the chain);
 *  - `legacy-operator`: default `stable`; `v1` channel deprecated, bundle 1.0.0 deprecated, package deprecation;
 *  - `tiny`: one bundle, and an extra schema (`olm.template.example`) tied to it.
 */
export function sampleCatalog(registry = 'registry.example.com'): DeclarativeConfig {
  const e = (name: string, replaces?: string, skips?: string[]): FbcChannelEntry => ({ name, ...(replaces ? { replaces } : {}), ...(skips ? { skips } : {}) });
  const j = (v: string) => `jaeger-operator.v${v}`;
  return {
    packages: [
      { schema: 'olm.package', name: 'etcd', defaultChannel: 'stable', description: 'etcd operator' },
      { schema: 'olm.package', name: 'jaeger-product', defaultChannel: 'stable' },
      { schema: 'olm.package', name: 'legacy-operator', defaultChannel: 'stable' },
      { schema: 'olm.package', name: 'tiny', defaultChannel: 'fast' },
    ],
    channels: [
      { schema: 'olm.channel', name: 'stable', package: 'etcd', entries: [e('etcd.v0.9.0'), e('etcd.v0.9.2', 'etcd.v0.9.0', ['etcd.v0.9.1']), e('etcd.v0.9.4', 'etcd.v0.9.2'), e('etcd.v0.9.1')] },
      { schema: 'olm.channel', name: 'alpha', package: 'etcd', entries: [e('etcd.v0.10.0', 'etcd.v0.9.4'), e('etcd.v0.10.1', 'etcd.v0.10.0')] },
      {
        schema: 'olm.channel',
        name: 'stable',
        package: 'jaeger-product',
        entries: [
          { ...e(j('1.30.2')), skipRange: '>=1.13.0 <1.30.2' },
          { ...e(j('1.34.1-5'), j('1.30.2')), skipRange: '>=1.13.0 <1.34.1-5' },
          { ...e(j('1.42.0-5')), skipRange: '>=1.13.0 <1.42.0-5' },
          { ...e(j('1.42.0-5-0.1687199951.p'), j('1.34.1-5'), [j('1.42.0-5')]), skipRange: '>=1.13.0 <1.42.0-5' },
          { ...e(j('1.47.1-5'), j('1.42.0-5-0.1687199951.p')), skipRange: '>=1.13.0 <1.47.1-5' },
          { ...e(j('1.51.0-1'), j('1.47.1-5')), skipRange: '>=1.13.0 <1.51.0-1' },
        ],
      },
      { schema: 'olm.channel', name: 'v1', package: 'legacy-operator', entries: [e('legacy.v1.0.0'), e('legacy.v1.1.0', 'legacy.v1.0.0')] },
      { schema: 'olm.channel', name: 'stable', package: 'legacy-operator', entries: [e('legacy.v2.0.0', 'legacy.v1.1.0')] },
      { schema: 'olm.channel', name: 'fast', package: 'tiny', entries: [e('tiny.v1.0.0')] },
    ],
    bundles: [
      ...['0.9.0', '0.9.1', '0.9.2', '0.9.4', '0.10.0', '0.10.1'].map((v) => bundle('etcd', `etcd.v${v}`, v, registry, 2)),
      ...(
        [
          ['1.30.2', '1.30.2'],
          ['1.34.1-5', '1.34.1-5'],
          ['1.42.0-5', '1.42.0-5'],
          ['1.42.0-5-0.1687199951.p', '1.42.0-5+0.1687199951.p'],
          ['1.47.1-5', '1.47.1-5'],
          ['1.51.0-1', '1.51.0-1'],
        ] as const
      ).map(([n, v]) => bundle('jaeger-product', j(n), v, registry, 3)),
      ...['1.0.0', '1.1.0', '2.0.0'].map((v) => bundle('legacy-operator', `legacy.v${v}`, v, registry, 1)),
      bundle('tiny', 'tiny.v1.0.0', '1.0.0', registry, 0),
    ],
    deprecations: [
      {
        schema: 'olm.deprecations',
        package: 'legacy-operator',
        entries: [
          { reference: { schema: 'olm.package' }, message: 'legacy-operator is deprecated; use etcd' },
          { reference: { schema: 'olm.channel', name: 'v1' }, message: 'channel v1 is no longer maintained' },
          { reference: { schema: 'olm.bundle', name: 'legacy.v1.0.0' }, message: 'legacy.v1.0.0 has a known CVE' },
        ],
      },
    ],
    others: [{ schema: 'olm.template.example', package: 'tiny', name: 'tiny-template', value: { x: 1 } }],
  };
}

/**
 * A big catalog for the benchmark: `packages` packages with `bundles` bundles each, spread over 3 channels
 * (stable = full chain with a skip every 4th, fast = the last 3, candidate = the last one), and `objects`
 * 2 KiB olm.bundle.object properties per bundle (real catalogs carry the CSV and CRDs there).
 */
export function generateCatalog(o: { packages: number; bundles: number; objects?: number; registry?: string }): DeclarativeConfig {
  const reg = o.registry ?? 'registry.example.com';
  const fbc: DeclarativeConfig = { packages: [], channels: [], bundles: [], deprecations: [], others: [] };
  for (let p = 0; p < o.packages; p++) {
    const pkg = `operator-${String(p).padStart(4, '0')}`;
    fbc.packages.push({ schema: 'olm.package', name: pkg, defaultChannel: 'stable', description: `generated operator ${p}` });
    const names = Array.from({ length: o.bundles }, (_, i) => `${pkg}.v1.${i}.0`);
    const stable: FbcChannelEntry[] = names.map((n, i) => ({
      name: n,
      ...(i > 0 ? { replaces: names[i - (i % 4 === 0 && i > 1 ? 2 : 1)] } : {}),
      ...(i % 4 === 0 && i > 1 ? { skips: [names[i - 1]] } : {}),
    }));
    fbc.channels.push({ schema: 'olm.channel', name: 'stable', package: pkg, entries: stable });
    const tail = names.slice(-3);
    fbc.channels.push({ schema: 'olm.channel', name: 'fast', package: pkg, entries: tail.map((n, i) => ({ name: n, ...(i > 0 ? { replaces: tail[i - 1] } : {}) })) });
    fbc.channels.push({ schema: 'olm.channel', name: 'candidate', package: pkg, entries: [{ name: names[names.length - 1] }] });
    names.forEach((n, i) => fbc.bundles.push(bundle(pkg, n, `1.${i}.0`, reg, 2, o.objects ?? 1)));
    if (p % 10 === 0) {
      fbc.deprecations.push({ schema: 'olm.deprecations', package: pkg, entries: [{ reference: { schema: 'olm.bundle', name: names[0] }, message: 'old' }] });
    }
  }
  return fbc;
}

function jsonStream(objects: unknown[]): string {
  return objects.map((x) => JSON.stringify(x, null, 2)).join('\n') + '\n';
}

/** The catalog as files under /configs: JSON streams per package, one package as multi-doc YAML. */
export function catalogFiles(fbc: DeclarativeConfig, yamlPackage?: string): Record<string, string> {
  const files: Record<string, string> = {};
  const pkgs = fbc.packages.map((p) => p.name);
  for (const pkg of pkgs) {
    const docs = [
      ...fbc.packages.filter((x) => x.name === pkg),
      ...fbc.channels.filter((x) => x.package === pkg),
      ...fbc.bundles.filter((x) => x.package === pkg),
      ...fbc.deprecations.filter((x) => x.package === pkg),
      ...fbc.others.filter((x) => x.package === pkg),
    ];
    if (pkg === yamlPackage) files[`${pkg}/catalog.yaml`] = docs.map((d) => dump(d)).join('---\n');
    else files[`${pkg}/catalog.json`] = jsonStream(docs);
  }
  return files;
}

export interface CatalogImageFixture {
  ref: string;
  repo: string;
  tag: string;
  digest: string;
  fbc: DeclarativeConfig;
  image: BuiltImage;
}

export interface PushCatalogOptions {
  host: string;
  repo?: string;
  tag?: string;
  fbc?: DeclarativeConfig;
  format?: 'oci' | 'docker';
  /** Push a 2-arch index (amd64 + arm64) instead of a single manifest. */
  multiArch?: boolean;
}

/**
 * Push a catalog image. Layers: opm base (bin/opm, stale tmp/cache); configs layer 1 with every package
 * (`etcd` written with a wrong defaultChannel, `tiny` as YAML), noise files ignored by `.indexignore`;
 * configs layer 2 whiting out `configs/etcd` and adding the right one back. Reading it must give `fbc`.
 */
export async function pushCatalogImage(o: PushCatalogOptions): Promise<CatalogImageFixture> {
  const fbc = o.fbc ?? sampleCatalog(o.host);
  const repo = o.repo ?? 'redhat/redhat-operator-index';
  const tag = o.tag ?? 'v4.16';
  const files = catalogFiles(fbc, fbc.packages.some((p) => p.name === 'tiny') ? 'tiny' : undefined);
  const base = gzLayer([
    { name: 'bin/', type: 'directory' },
    { name: 'bin/opm', content: '#!/bin/sh\necho opm\n', mode: 0o755 },
    { name: 'bin/grpc_health_probe', content: '#!/bin/sh\n', mode: 0o755 },
    { name: 'tmp/', type: 'directory' },
    { name: 'tmp/cache/', type: 'directory' },
    { name: 'tmp/cache/digest', content: 'stale-cache-of-the-original-catalog' },
  ]);
  const broken = files['etcd/catalog.json']?.replace('"defaultChannel": "stable"', '"defaultChannel": "does-not-exist"');
  const first: TarEntrySpec[] = [
    { name: 'configs/', type: 'directory' },
    { name: 'configs/.indexignore', content: '# not catalog content\n*.md\nnotes/\n' },
    { name: 'configs/README.md', content: '# this is not JSON or YAML\n: : :\n' },
    { name: 'configs/notes/', type: 'directory' },
    { name: 'configs/notes/todo.json', content: 'not json at all {' },
    ...Object.entries(files).flatMap(([p, c]): TarEntrySpec[] => {
      const dir = `configs/${p.slice(0, p.lastIndexOf('/'))}/`;
      return [{ name: dir, type: 'directory' }, { name: `configs/${p}`, content: p === 'etcd/catalog.json' && broken ? broken : c }];
    }),
  ];
  const configsA = gzLayer(first);
  const second: TarEntrySpec[] = files['etcd/catalog.json']
    ? [{ name: 'configs/.wh.etcd' }, { name: 'configs/etcd/', type: 'directory' }, { name: 'configs/etcd/catalog.json', content: files['etcd/catalog.json'] }]
    : [{ name: 'configs/.keep', content: '' }];
  // The whiteout and the replacement live in separate layers (a whiteout only hides lower layers).
  const whiteout = gzLayer(second.slice(0, 1));
  const configsB = gzLayer(second.slice(1));
  const config = {
    Labels: { 'operators.operatorframework.io.index.configs.v1': '/configs', maintainer: 'fixture' },
    Entrypoint: ['/bin/opm'],
    Cmd: ['serve', '/configs', '--cache-dir=/tmp/cache'],
  };
  const layers = files['etcd/catalog.json'] ? [base, configsA, whiteout, configsB] : [base, configsA];
  const image = buildImage(layers, { config, format: o.format });
  let digest: string;
  if (o.multiArch) {
    const arm = buildImage(layers, { config, format: o.format, architecture: 'arm64' });
    await pushImage(o.host, repo, image);
    await pushImage(o.host, repo, arm);
    const docker = o.format === 'docker';
    const index = {
      schemaVersion: 2,
      mediaType: docker ? 'application/vnd.docker.distribution.manifest.list.v2+json' : 'application/vnd.oci.image.index.v1+json',
      manifests: [
        { mediaType: image.manifest.mediaType, digest: image.manifest.digest, size: image.manifest.bytes.length, platform: { os: 'linux', architecture: 'amd64' } },
        { mediaType: arm.manifest.mediaType, digest: arm.manifest.digest, size: arm.manifest.bytes.length, platform: { os: 'linux', architecture: 'arm64' } },
      ],
    };
    const bytes = Buffer.from(JSON.stringify(index));
    digest = sha256(bytes);
    await pushManifest(o.host, repo, tag, { bytes, mediaType: index.mediaType, digest });
  } else {
    digest = await pushImage(o.host, repo, image, tag);
  }
  return { ref: `${o.host}/${repo}:${tag}`, repo, tag, digest, fbc, image };
}

/**
 * Push a small real image for every bundle and related image of `fbc` (to the repository its reference names,
 * on `host`) and return the catalog with the references rewritten to the real digests.
 */
export async function withRealImages(host: string, fbc: DeclarativeConfig): Promise<DeclarativeConfig> {
  const out = structuredClone(fbc);
  const real = new Map<string, string>();
  const { default: pLimit } = await import('p-limit');
  const limit = pLimit(8);
  const refs = new Set<string>();
  for (const b of out.bundles) {
    if (b.image) refs.add(b.image);
    for (const r of b.relatedImages ?? []) refs.add(r.image);
  }
  await Promise.all(
    [...refs].map((ref) =>
      limit(async () => {
        const repoPath = ref.slice(ref.indexOf('/') + 1, ref.indexOf('@'));
        const img = buildImage([gzLayer([{ name: 'content', content: ref }])]);
        const digest = await pushImage(host, repoPath, img);
        real.set(ref, `${host}/${repoPath}@${digest}`);
      }),
    ),
  );
  for (const b of out.bundles) {
    if (b.image) b.image = real.get(b.image) as string;
    for (const r of b.relatedImages ?? []) r.image = real.get(r.image) as string;
  }
  return out;
}
