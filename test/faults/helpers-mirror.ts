/**
 * Shared pieces of the mirror fault suites: a small lab (a "connected" source registry, optionally behind the
 * fault-injecting proxy, and a lab registry) with a synthetic release, an operator catalog and additional images
 * with bigger layers; the lab inventory the `mirror images|to-disk` commands read; an independent verifier that
 * reads back every manifest and blob named by mapping.txt and hashes them (it does not use src/mirror, so a bug
 * there cannot hide itself); checks on the lab registry's storage directory; a seeded PRNG.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startRegistry, type TestRegistry } from '../helpers/registry.js';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.js';
import { buildImage, gzLayer, pushImage, pushReleaseFixture, type BuiltImage, type ReleaseFixture } from '../helpers/release-fixtures.js';
import { pushCatalogImage, sampleCatalog, withRealImages, type CatalogImageFixture } from '../helpers/catalog-fixtures.js';

export const sha256 = (b: Buffer | string): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

/** mulberry32: a tiny seeded PRNG, so a failing kill schedule can be replayed from the seed in the test name. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An image whose one layer is `size` bytes of random data (incompressible: the gzip layer is as big). */
export function bigImage(name: string, size: number): BuiltImage {
  return buildImage([gzLayer([{ name: `opt/${name}.bin`, content: randomBytes(size) }])], { config: { Labels: { 'fault-suite': name } } });
}

export interface ExtraImage {
  name: string;
  /** `host/extras/<name>:v1` (host = where the mirror reads it: the proxy when there is one). */
  ref: string;
  digest: string;
  /** The image's one layer (unique to it). */
  layer: { digest: string; size: number };
}

export interface MirrorLab {
  dir: string;
  source: TestRegistry;
  /** The proxy in front of `source` when asked for; every reference the mirror reads then names the proxy. */
  proxy?: FaultProxy;
  /** host:port the mirror reads from (proxy or source). */
  sourceHost: string;
  dest: TestRegistry;
  /** A proxy in front of `dest` when asked for (to count or fault the lab registry's requests). */
  destProxy?: FaultProxy;
  /** host:port the mirror writes to (dest proxy or dest). */
  destHost: string;
  release: ReleaseFixture;
  catalog?: CatalogImageFixture;
  extras: ExtraImage[];
  /** Push one more additional image (only the inventories that list it mirror it). */
  addExtra(name: string, size: number): Promise<ExtraImage>;
  /**
   * Write an inventory for `mirror images|to-disk`. `prefix` gives the release (`local_repo`) and the other images
   * (`dci_mirror_repo_prefix`) fresh repositories on the lab registry, so a run starts from nothing there.
   * `dest` names another lab registry instead (`host` the mirror writes to, `direct` the registry behind it);
   * `operators` the catalog's packages to mirror (default tiny and etcd).
   */
  inventory(name: string, o: { prefix: string; extras?: ExtraImage[]; dest?: { host: string; direct: string }; operators?: string[] }): Promise<string>;
  close(): Promise<void>;
}

export interface MirrorLabOptions {
  dir: string;
  proxy?: boolean;
  /** A proxy in front of the lab registry too. */
  destProxy?: boolean;
  components?: number;
  catalog?: boolean;
  /** Sizes of the additional images' single layers. */
  extraSizes?: number[];
  /** The release as a 2-arch index (amd64 + arm64), like a `multi` payload. */
  multiArch?: boolean;
}

export async function startMirrorLab(o: MirrorLabOptions): Promise<MirrorLab> {
  await mkdir(o.dir, { recursive: true });
  const [source, dest] = await Promise.all([startRegistry(), startRegistry()]);
  let proxy: FaultProxy | undefined;
  let destProxy: FaultProxy | undefined;
  try {
    proxy = o.proxy ? await startFaultProxy(source.url) : undefined;
    destProxy = o.destProxy ? await startFaultProxy(dest.url) : undefined;
    const destHost = destProxy?.host ?? dest.host;
    // Fixtures are pushed through the proxy (no rule yet): the references inside the release and the catalog then
    // name the host the mirror reads from, and every read of the mirror goes through the faults.
    const sourceHost = proxy?.host ?? source.host;
    const release = await pushReleaseFixture({ host: sourceHost, components: o.components ?? 6, multiArch: o.multiArch });
    const catalog = o.catalog ? await pushCatalogImage({ host: sourceHost, fbc: await withRealImages(sourceHost, sampleCatalog(sourceHost)) }) : undefined;
    const extras: ExtraImage[] = [];
    const addExtra = async (name: string, size: number): Promise<ExtraImage> => {
      const img = bigImage(name, size);
      const digest = await pushImage(sourceHost, `extras/${name}`, img, 'v1');
      const e = { name, ref: `${sourceHost}/extras/${name}:v1`, digest, layer: { digest: img.layers[0].digest, size: img.layers[0].blob.length } };
      extras.push(e);
      return e;
    };
    for (const [i, size] of (o.extraSizes ?? []).entries()) await addExtra(`big-${i}`, size);
    const defaultExtras = [...extras];
    return {
      dir: o.dir,
      source,
      proxy,
      sourceHost,
      dest,
      destProxy,
      destHost,
      release,
      catalog,
      extras,
      addExtra,
      async inventory(name, io) {
        const file = join(o.dir, name);
        const images = io.extras ?? defaultExtras;
        const to = io.dest ?? { host: destHost, direct: dest.host };
        const operators = catalog
          ? `    operators_index: ${catalog.ref}
    dci_operators:
${(io.operators ?? ['tiny', 'etcd']).map((op) => `      - name: ${op}\n`).join('')}`
          : '';
        await writeFile(
          file,
          `all:
  vars:
    cluster: faults
    ocp_version: "4.16.3"
    dci_disconnected: true
    local_registry_host: ${to.host.split(':')[0]}
    local_registry_port: ${to.host.split(':')[1]}
    local_repo: ${io.prefix}/ocp4/openshift4
    dci_mirror_repo_prefix: ${io.prefix}
    dci_plain_http_registries: ${JSON.stringify([...new Set([sourceHost, source.host, to.host, to.direct])])}
    ocp_release_image: ${release.releaseRef}
${operators}    dci_additional_images: ${JSON.stringify(images.map((e) => e.ref))}
  hosts:
    localhost:
      ansible_connection: local
`,
        );
        return file;
      },
      async close() {
        await proxy?.close();
        await destProxy?.close();
        await Promise.all([source.stop(), dest.stop()]);
      },
    };
  } catch (e) {
    await proxy?.close();
    await destProxy?.close();
    await Promise.all([source.stop(), dest.stop()]);
    throw e;
  }
}

// ---------------------------------------------------------------------------------------------------------
// reading back what the mirror wrote, without src/mirror

export interface Ref {
  host: string;
  repository: string;
  tag?: string;
  digest?: string;
}

export function parseRef(ref: string): Ref {
  const at = ref.indexOf('@');
  const digest = at >= 0 ? ref.slice(at + 1) : undefined;
  const name = at >= 0 ? ref.slice(0, at) : ref;
  const slash = name.indexOf('/');
  const colon = name.lastIndexOf(':');
  const tag = colon > slash ? name.slice(colon + 1) : undefined;
  return { host: name.slice(0, slash), repository: name.slice(slash + 1, colon > slash ? colon : undefined), tag, digest };
}

/** Every manifest and index media type (the Accept header of a registry read). */
export const ACCEPT = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

export interface Problem {
  image: string;
  digest?: string;
  problem: 'missing' | 'corrupt' | 'wrong-digest' | 'error';
  detail: string;
}

export interface ReadBack {
  images: number;
  manifests: number;
  blobs: number;
  bytes: number;
  problems: Problem[];
}

export interface MappingLine {
  source: string;
  destination: string;
}

export function parseMapping(text: string): MappingLine[] {
  return text
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => {
      const i = l.indexOf('=');
      return { source: l.slice(0, i), destination: l.slice(i + 1) };
    });
}

/** The digest a reference has on its registry (by digest: itself; by tag: a GET of the manifest, hashed). */
export async function digestOf(ref: string, hostMap: Record<string, string> = {}): Promise<string | undefined> {
  const r = parseRef(ref);
  if (r.digest) return r.digest;
  const res = await fetch(`http://${hostMap[r.host] ?? r.host}/v2/${r.repository}/manifests/${r.tag ?? 'latest'}`, { headers: { accept: ACCEPT } });
  if (!res.ok) {
    await res.arrayBuffer().catch(() => undefined);
    return undefined;
  }
  return sha256(Buffer.from(await res.arrayBuffer()));
}

/**
 * For every mapping line: the destination's manifest (by its tag, or the source digest) read back and hashed;
 * equal to the source digest unless the line is in `rebuilt` (the pruned catalog is a new image); then every child
 * manifest and every blob below it read back, hashed and sized. `hostMap` reads the source through another host
 * (the registry behind the proxy, so verification does not meet the faults).
 */
export async function readBackMapping(lines: MappingLine[], o: { rebuilt?: Set<string>; hostMap?: Record<string, string> } = {}): Promise<ReadBack> {
  const out: ReadBack = { images: 0, manifests: 0, blobs: 0, bytes: 0, problems: [] };
  const seenBlobs = new Set<string>();
  const checkManifest = async (image: string, host: string, repository: string, ref: string, expect?: string): Promise<void> => {
    const res = await fetch(`http://${host}/v2/${repository}/manifests/${ref}`, { headers: { accept: ACCEPT } });
    if (!res.ok) {
      await res.arrayBuffer().catch(() => undefined);
      out.problems.push({ image, digest: expect ?? ref, problem: res.status === 404 ? 'missing' : 'error', detail: `manifest ${repository}:${ref}: HTTP ${res.status}` });
      return;
    }
    const bytes = Buffer.from(await res.arrayBuffer());
    const got = sha256(bytes);
    out.manifests++;
    if (ref.startsWith('sha256:') && got !== ref) out.problems.push({ image, digest: ref, problem: 'corrupt', detail: `manifest ${ref} hashes to ${got}` });
    if (expect && got !== expect) out.problems.push({ image, digest: expect, problem: 'wrong-digest', detail: `${repository}:${ref} is ${got}, the source is ${expect}` });
    const m = JSON.parse(bytes.toString('utf8')) as { manifests?: Array<{ digest: string }>; config?: { digest: string; size: number }; layers?: Array<{ digest: string; size: number }> };
    if (m.manifests) {
      for (const c of m.manifests) await checkManifest(`${image}@${c.digest}`, host, repository, c.digest);
      return;
    }
    for (const b of [m.config, ...(m.layers ?? [])]) {
      if (!b) continue;
      const key = `${host}/${repository}@${b.digest}`;
      if (seenBlobs.has(key)) continue;
      seenBlobs.add(key);
      const br = await fetch(`http://${host}/v2/${repository}/blobs/${b.digest}`);
      if (!br.ok) {
        await br.arrayBuffer().catch(() => undefined);
        out.problems.push({ image, digest: b.digest, problem: br.status === 404 ? 'missing' : 'error', detail: `blob ${b.digest} in ${repository}: HTTP ${br.status}` });
        continue;
      }
      const data = Buffer.from(await br.arrayBuffer());
      out.blobs++;
      out.bytes += data.length;
      const bg = sha256(data);
      if (bg !== b.digest || data.length !== b.size) out.problems.push({ image, digest: b.digest, problem: 'corrupt', detail: `blob ${b.digest} in ${repository}: ${data.length} bytes hashing to ${bg} (expected ${b.size})` });
    }
  };
  await Promise.all(
    lines.map(async (line) => {
      out.images++;
      const src = await digestOf(line.source, o.hostMap);
      if (!src) {
        out.problems.push({ image: line.source, problem: 'error', detail: `cannot read the source ${line.source}` });
        return;
      }
      const d = parseRef(line.destination);
      const ref = d.digest ?? d.tag ?? src;
      await checkManifest(line.destination, d.host, d.repository, ref, o.rebuilt?.has(line.source) ? undefined : src);
    }),
  );
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// the lab registry's storage (distribution's filesystem driver layout)

function storageRoot(reg: TestRegistry): string {
  return join(reg.dataDir, 'docker', 'registry', 'v2');
}

/** Whether the registry committed a blob with this digest anywhere (its global blob store). */
export function blobCommitted(reg: TestRegistry, digest: string): boolean {
  const hex = digest.slice(7);
  return existsSync(join(storageRoot(reg), 'blobs', 'sha256', hex.slice(0, 2), hex, 'data'));
}

async function walk(dir: string, visit: (path: string, name: string) => Promise<void> | void): Promise<void> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) await walk(p, visit);
    else await visit(p, e.name);
  }
}

/**
 * Repositories that link the blob as a layer, and manifests (any repository) whose content names it.
 * Both must be empty for a blob that was never committed.
 */
export async function referencesTo(reg: TestRegistry, digest: string): Promise<{ layerLinks: string[]; manifests: string[] }> {
  const hex = digest.slice(7);
  const layerLinks: string[] = [];
  const manifests: string[] = [];
  const repos = join(storageRoot(reg), 'repositories');
  await walk(repos, async (p, name) => {
    if (name !== 'link') return;
    if (p.includes(`/_layers/sha256/${hex}/`)) layerLinks.push(p.slice(repos.length + 1));
    const m = /\/_manifests\/revisions\/sha256\/([0-9a-f]{64})\/link$/.exec(p);
    if (m) {
      const data = join(storageRoot(reg), 'blobs', 'sha256', m[1].slice(0, 2), m[1], 'data');
      const text = await readFile(data, 'utf8').catch(() => '');
      if (text.includes(digest)) manifests.push(`${p.slice(repos.length + 1, p.indexOf('/_manifests/'))}@sha256:${m[1]}`);
    }
  });
  return { layerLinks, manifests };
}

/** Empty the lab registry: SIGKILL it, and start it again on the same port with its storage removed. */
export async function wipeRegistry(reg: TestRegistry): Promise<void> {
  // The restarted process has served nothing yet, so its in-memory blob-descriptor cache is empty.
  await reg.restart();
  await rm(join(reg.dataDir, 'docker'), { recursive: true, force: true });
}

// ---------------------------------------------------------------------------------------------------------
// outputs

/** The files of an output folder (relative names, recursively), with their bytes. */
export async function readTree(dir: string): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  await walk(dir, async (p) => {
    files.set(p.slice(dir.length + 1), await readFile(p));
  });
  return files;
}
