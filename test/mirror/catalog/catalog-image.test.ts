// Catalog images on a real docker-registry: read /configs (whiteouts, .indexignore, YAML), filter, rebuild,
// push, and read the pushed image back: its /configs must be exactly the filtered catalog.
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PayloadError } from '../../../src/core/errors.js';
import {
  catalogImages,
  filterCatalog,
  readCatalogImage,
  rebuildCatalogImage,
  writeFbcFiles,
  type CatalogFilterResult,
} from '../../../src/mirror/catalog/index.js';
import { inspectImage } from '../../../src/mirror/release/index.js';
import { startRegistry, type TestRegistry } from '../../helpers/registry.js';
import { plainRepo, pushReleaseFixture } from '../../helpers/release-fixtures.js';
import { pushCatalogImage, type CatalogImageFixture } from '../../helpers/catalog-fixtures.js';
import { canonical } from './canonical.js';

const run = promisify(execFile);
let src: TestRegistry;
let dst: TestRegistry;
let fx: CatalogImageFixture;
let filtered: CatalogFilterResult;

const filter = {
  packages: [
    { name: 'etcd', defaultChannel: 'alpha', channels: [{ name: 'alpha' }] },
    { name: 'jaeger-product', channels: [{ name: 'stable', minVersion: '1.34.1-5', maxVersion: '1.42.0-5' }] },
    { name: 'legacy-operator' },
  ],
};

beforeAll(async () => {
  [src, dst] = await Promise.all([startRegistry(), startRegistry()]);
  fx = await pushCatalogImage({ host: src.host });
  filtered = filterCatalog(fx.fbc, filter);
});
afterAll(async () => {
  await Promise.all([src?.stop(), dst?.stop()]);
});

describe('readCatalogImage', () => {
  it('rebuilds /configs from the layers (whiteout replaces a package, .indexignore, YAML) and parses it', async () => {
    const cat = await readCatalogImage(plainRepo(src.host, fx.repo), fx.tag, fx.ref);
    expect(cat.configsDir).toBe('/configs');
    expect([...cat.files.keys()]).toEqual(['.indexignore', 'README.md', 'etcd/catalog.json', 'jaeger-product/catalog.json', 'legacy-operator/catalog.json', 'notes/todo.json', 'tiny/catalog.yaml']);
    expect(canonical(cat.fbc)).toEqual(canonical(fx.fbc));
    // the lower layer's etcd had a broken defaultChannel; the whiteout + upper layer replaced it
    expect(cat.fbc.packages.find((p) => p.name === 'etcd')?.defaultChannel).toBe('stable');
  });

  it('says clearly when an image is not a file-based catalog', async () => {
    const rel = await pushReleaseFixture({ host: src.host, components: 1 });
    const err = await readCatalogImage(plainRepo(src.host, rel.releaseRepo), `${rel.version}-x86_64`, rel.releaseRef).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PayloadError);
    expect((err as PayloadError).code).toBe('catalog-not-a-catalog');
    expect((err as Error).message).toContain('operators.operatorframework.io.index.configs.v1');
  });
});

describe('rebuildCatalogImage', () => {
  it('pushes original layers + whiteout + filtered catalog; /configs read back is exactly the filtered catalog', async () => {
    const dest = plainRepo(dst.host, 'mirror/redhat/redhat-operator-index');
    const out = await rebuildCatalogImage({
      source: plainRepo(src.host, fx.repo),
      sourceRef: fx.tag,
      image: fx.ref,
      destination: dest,
      destinationTag: 'v4.16',
      fbc: filtered.catalog,
    });
    expect(out.files).toEqual(['etcd/catalog.json', 'jaeger-product/catalog.json', 'legacy-operator/catalog.json']);
    const back = await readCatalogImage(dest, 'v4.16', `${dst.host}/mirror/redhat/redhat-operator-index:v4.16`);
    // byte for byte what we wrote, nothing of the old /configs left (README, notes, tiny are gone)
    expect([...back.files.keys()]).toEqual(out.files);
    const written = writeFbcFiles(filtered.catalog);
    for (const [p, c] of back.files) expect(c.equals(written.get(p)!)).toBe(true);
    expect(canonical(back.fbc)).toEqual(canonical(filtered.catalog));

    const r = await inspectImage(dest, 'v4.16', 'pruned');
    expect(r.topDigest).toBe(out.digest);
    expect(r.layers).toHaveLength(fx.image.layers.length + 2);
    expect(r.layers.slice(0, -2).map((l) => l.digest)).toEqual(fx.image.layers.map((l) => l.digest));
    expect(r.configJson.config?.Cmd).toEqual(['serve', '/configs']);
    expect(r.configJson.config?.Entrypoint).toEqual(['/bin/opm']);
    expect(r.configJson.config?.Labels).toMatchObject({ 'operators.operatorframework.io.index.configs.v1': '/configs', maintainer: 'fixture' });
    expect(r.configJson.rootfs?.diff_ids).toHaveLength(r.layers.length);
    expect(r.configJson.history?.slice(-2).map((h) => h.created_by)).toEqual(['dci-agent-ts: remove /configs', 'dci-agent-ts: add filtered catalog to /configs']);
  });

  it('unpacks with an independent OCI tool (skopeo + umoci) to exactly the filtered /configs', async () => {
    const dest = plainRepo(dst.host, 'mirror/umoci-check');
    await rebuildCatalogImage({ source: plainRepo(src.host, fx.repo), sourceRef: fx.tag, image: fx.ref, destination: dest, destinationTag: 'v1', fbc: filtered.catalog });
    const work = await mkdtemp(join(tmpdir(), 'dci-umoci-'));
    try {
      await run('skopeo', ['copy', '-q', '--src-tls-verify=false', `docker://${dst.host}/mirror/umoci-check:v1`, `oci:${work}/oci:v1`]);
      await run('umoci', ['unpack', '--rootless', '--image', `${work}/oci:v1`, `${work}/bundle`]);
      const root = join(work, 'bundle', 'rootfs');
      const found = (await readdir(join(root, 'configs'), { recursive: true, withFileTypes: true })).filter((d) => d.isFile()).map((d) => relative(join(root, 'configs'), join(d.parentPath, d.name))).sort();
      const written = writeFbcFiles(filtered.catalog);
      expect(found).toEqual([...written.keys()]);
      for (const f of found) expect((await readFile(join(root, 'configs', f))).equals(written.get(f)!)).toBe(true);
      // the runtime of the original image is still there
      expect((await readFile(join(root, 'bin', 'opm'), 'utf8')).startsWith('#!/bin/sh')).toBe(true);
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  });

  it('is deterministic: rebuilding the same filter gives the same digest', async () => {
    const run = (tag: string) =>
      rebuildCatalogImage({
        source: plainRepo(src.host, fx.repo),
        sourceRef: fx.tag,
        image: fx.ref,
        destination: plainRepo(src.host, 'pruned/index'),
        destinationTag: tag,
        fbc: filtered.catalog,
        mountFrom: fx.repo,
      });
    const [a, b] = [await run('a'), await run('b')];
    expect(a.digest).toBe(b.digest);
    expect(a.catalogLayer.digest).toBe(b.catalogLayer.digest);
  });

  it('rebuilds every platform of a multi-arch Docker catalog under a new manifest list', async () => {
    const multi = await pushCatalogImage({ host: src.host, repo: 'multi/index', format: 'docker', multiArch: true });
    const dest = plainRepo(dst.host, 'multi/pruned');
    const out = await rebuildCatalogImage({
      source: plainRepo(src.host, multi.repo),
      sourceRef: multi.tag,
      image: multi.ref,
      destination: dest,
      destinationTag: 'v4.16',
      fbc: filtered.catalog,
    });
    expect(out.mediaType).toBe('application/vnd.docker.distribution.manifest.list.v2+json');
    expect(out.platforms.map((p) => p.platform?.architecture)).toEqual(['amd64', 'arm64']);
    for (const arch of ['amd64', 'arm64']) {
      const back = await readCatalogImage(dest, 'v4.16', 'pruned', { platform: { architecture: arch } });
      expect(back.resolved.configJson.architecture).toBe(arch);
      expect(back.resolved.layers.at(-1)?.mediaType).toBe('application/vnd.docker.image.rootfs.diff.tar.gzip');
      expect(canonical(back.fbc)).toEqual(canonical(filtered.catalog));
    }
  });

  it('refuses to push an invalid catalog', async () => {
    const broken = structuredClone(filtered.catalog);
    broken.packages[0].defaultChannel = 'nope';
    const err = await rebuildCatalogImage({
      source: plainRepo(src.host, fx.repo),
      sourceRef: fx.tag,
      image: fx.ref,
      destination: plainRepo(dst.host, 'never/pushed'),
      destinationTag: 'x',
      fbc: broken,
    }).catch((e: unknown) => e);
    expect((err as PayloadError).code).toBe('invalid-catalog');
    expect((err as Error).message).toContain('default channel "nope"');
    expect(await plainRepo(dst.host, 'never/pushed').headManifest('x')).toBeUndefined();
  });
});

describe('images to mirror for the filtered catalog', () => {
  it('are the kept bundles and their related images, by digest', () => {
    const imgs = catalogImages(filtered.catalog);
    const bundles = imgs.filter((i) => i.kind === 'bundle').flatMap((i) => i.bundles).sort();
    expect(bundles).toEqual(filtered.catalog.bundles.map((b) => b.name).sort());
    expect(imgs.every((i) => i.byDigest)).toBe(true);
    expect(imgs).toHaveLength(filtered.catalog.bundles.reduce((n, b) => n + (b.relatedImages?.length ?? 0), 0));
  });
});
