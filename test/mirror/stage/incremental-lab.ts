/**
 * The set-up the incremental-archive tests share: a source registry and fresh lab registries (real docker-registry
 * processes), a scratch folder, lab inventories, the CLI runs (to-disk with or without --base, from-disk), what an
 * archive or a registry holds, and the base-blob premount run directly against a registry the base never reached.
 */
import { expect } from 'vitest';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRegistry, type TestRegistry } from '../../helpers/registry.js';
import { MT, buildImage, gzLayer, pushImage, type BuiltImage } from '../../helpers/release-fixtures.js';
import { runCli, type CliRun } from '../../helpers/cli.js';
import { RegistryClient } from '../../../src/mirror/registry/client.js';
import { TransportSet } from '../../../src/mirror/transports.js';
import { premountBaseBlobs } from '../../../src/mirror/stage/base-blobs.js';
import { baseSet, readLayoutRefs } from '../../../src/mirror/stage/layout-store.js';

export interface IncrementalLab {
  dir: string;
  source: TestRegistry;
  /** The lab registries, by the name given to `startIncrementalLab`. */
  labs: Record<string, TestRegistry>;
  /** A lab inventory into `registry`: the common variables, then `vars` (YAML lines indented under `vars:`). */
  inventory(name: string, registry: TestRegistry, vars: string): string;
  /** `mirror to-disk` (with `--base` when given); it must succeed silently. */
  toDisk(inventory: string, archive: string, base?: string): Promise<CliRun>;
  /** `mirror from-disk` into `out` (not checked: some runs are meant to fail). */
  fromDisk(inventory: string, archive: string, out: string): Promise<CliRun>;
  stop(): Promise<void>;
}

export async function startIncrementalLab(prefix: string, labNames: string[]): Promise<IncrementalLab> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const [source, ...labList] = await Promise.all([startRegistry(), ...labNames.map(() => startRegistry())]);
  const labs = Object.fromEntries(labNames.map((n, i) => [n, labList[i]]));
  return {
    dir,
    source,
    labs,
    inventory(name, registry, vars) {
      const file = join(dir, name);
      writeFileSync(
        file,
        `all:
  vars:
    ocp_version: "4.16.3"
    dci_disconnected: true
    local_registry_host: ${registry.host.split(':')[0]}
    local_registry_port: ${registry.port}
    dci_plain_http_registries: ["${source.host}", "${registry.host}"]
${vars.replace(/\n?$/, '\n')}  hosts:
    localhost:
      ansible_connection: local
`,
      );
      return file;
    },
    async toDisk(inventory, archive, base) {
      const r = await runCli(['mirror', 'to-disk', '-i', inventory, '--archive', archive, ...(base ? ['--base', base] : [])], { timeoutMs: 120_000 });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      return r;
    },
    fromDisk: (inventory, archive, out) => runCli(['mirror', 'from-disk', '-i', inventory, '--archive', archive, '--out', out], { timeoutMs: 120_000 }),
    async stop() {
      await Promise.all([source, ...labList].map((r) => r?.stop()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The blobs (layers, configs, manifests) an archive folder holds. */
export const blobsOf = (archive: string): string[] =>
  readdirSync(join(archive, 'blobs', 'sha256'))
    .filter((f) => /^[a-f0-9]{64}$/.test(f))
    .map((f) => `sha256:${f}`);

/** The digest the registry answers for a manifest of a repository, or undefined when it has none. */
export async function manifestIn(registry: TestRegistry, repo: string, ref: string): Promise<string | undefined> {
  const res = await fetch(`http://${registry.host}/v2/${repo}/manifests/${ref}`, { method: 'HEAD', headers: { accept: [MT.ociIndex, MT.ociManifest, MT.dockerManifest].join(', ') } });
  await res.arrayBuffer();
  return res.ok ? (res.headers.get('docker-content-digest') ?? undefined) : undefined;
}

/** HTTP status of a blob of a repository (200: there). */
export async function blobStatus(registry: TestRegistry, repo: string, digest: string): Promise<number> {
  const res = await fetch(`http://${registry.host}/v2/${repo}/blobs/${digest}`, { method: 'HEAD' });
  await res.arrayBuffer();
  return res.status;
}

/**
 * The base-blob premount of one image of `archive` into `registry` (where its base was never imported), with no
 * base image of the current mapping to take anything from (and `baseLocations`, when given, as the candidate
 * repositories of the base archive's references): what it throws.
 */
export async function premountWithoutBase(archive: string, registry: TestRegistry, ref: string, destination: string, baseLocations?: (ref: string) => string[]): Promise<Error & { hint?: string }> {
  const refs = readLayoutRefs(archive);
  const client = new RegistryClient({ plainHttp: [registry.host] });
  const transports = new TransportSet(client);
  try {
    const e = await premountBaseBlobs({
      transports,
      bases: baseSet(refs.base ?? []),
      pairs: [{ source: `oci:${archive}:${refs.refs[ref]}`, destination, ref }],
      baseImages: [],
      baseLocations,
      registry: registry.host,
    }).catch((x: unknown) => x as Error);
    expect(e).toBeInstanceOf(Error);
    return e as Error & { hint?: string };
  } finally {
    await transports.close();
    await client.close();
  }
}

/** Three images in the source registry: X and Z stand on a layer only they share, Y does not. */
export interface SharedLayerImages {
  images: Record<'x' | 'y' | 'z', { ref: string; image: BuiltImage }>;
  sharedLayer: string;
}

/** Push X, Y and Z (`lab/x:v1`, …) to the source registry. */
export async function pushSharedLayerImages(source: TestRegistry): Promise<SharedLayerImages> {
  const shared = gzLayer([{ name: 'usr/lib/shared.txt', content: 'a layer only X and Z stand on '.repeat(300) }]);
  const images = {} as SharedLayerImages['images'];
  for (const name of ['x', 'y', 'z'] as const) {
    const own = gzLayer([{ name: `${name}/own.txt`, content: `image ${name} `.repeat(200) }]);
    const image = buildImage(name === 'y' ? [own] : [shared, own]);
    await pushImage(source.host, `lab/${name}`, image, 'v1');
    images[name] = { ref: `${source.host}/lab/${name}:v1`, image };
  }
  return { images, sharedLayer: shared.digest };
}
