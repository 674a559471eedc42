// Loading and writing catalog files: JSON streams, multi-doc YAML, .indexignore, deterministic output.
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PayloadError } from '../../../src/core/errors.js';
import { parseFbcFiles, readFbcDirectory, writeFbcFiles, catalogImages, filterCatalog } from '../../../src/mirror/catalog/index.js';
import { catalogFiles, sampleCatalog } from '../../helpers/catalog-fixtures.js';
import { canonical } from './canonical.js';

const files = (o: Record<string, string>) => new Map(Object.entries(o).map(([k, v]) => [k, Buffer.from(v)]));

describe('parseFbcFiles', () => {
  it('reads JSON streams and multi-doc YAML into the same catalog', async () => {
    const fbc = sampleCatalog();
    const parsed = await parseFbcFiles(files(catalogFiles(fbc, 'tiny')));
    expect(canonical(parsed)).toEqual(canonical(fbc));
  });

  it('honours .indexignore in any directory and skips the .indexignore files themselves', async () => {
    const parsed = await parseFbcFiles(
      files({
        '.indexignore': '*.md\n',
        'README.md': ': not yaml :',
        'a/catalog.json': '{"schema":"olm.package","name":"a","defaultChannel":"s"}',
        'a/.indexignore': 'extra/\n',
        'a/extra/junk.json': '{ broken',
        'b/index.yaml': 'schema: olm.package\nname: b\n---\nschema: olm.channel\npackage: b\nname: s\nentries:\n  - name: b.v1\n',
      }),
    );
    expect(parsed.packages.map((p) => p.name)).toEqual(['a', 'b']);
    expect(parsed.channels).toHaveLength(1);
  });

  it('splits JSON streams correctly around braces, quotes and backslashes inside strings', async () => {
    const tricky = [
      { schema: 'olm.package', name: 'p', description: 'a "quoted" {brace} [bracket] \\ back\\slash }{ \\"' },
      { schema: 'olm.channel', package: 'p', name: 's', entries: [{ name: 'p.v1' }] },
    ];
    const text = tricky.map((o) => JSON.stringify(o)).join('');
    const parsed = await parseFbcFiles(files({ 'p/catalog.json': text }));
    expect(parsed.packages[0]).toEqual(tricky[0]);
    expect(parsed.channels[0]).toEqual(tricky[1]);
  });

  it('refuses a document without schema, naming the file', async () => {
    const err = await parseFbcFiles(files({ 'x/catalog.json': '{"name":"x"}' })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PayloadError);
    expect((err as Error).message).toContain('x/catalog.json');
    expect((err as Error).message).toContain('without "schema"');
  });
});

describe('writeFbcFiles', () => {
  it('writes one catalog.json per package, deterministic, and reads back equal', async () => {
    const fbc = sampleCatalog();
    const a = writeFbcFiles(fbc);
    const b = writeFbcFiles(structuredClone(fbc));
    expect([...a.keys()]).toEqual(['etcd/catalog.json', 'jaeger-product/catalog.json', 'legacy-operator/catalog.json', 'tiny/catalog.json']);
    expect([...a.values()].map(String)).toEqual([...b.values()].map(String));
    expect(a.get('etcd/catalog.json')!.toString().startsWith('{\n    "schema": "olm.package"')).toBe(true);
    expect(canonical(await parseFbcFiles(a))).toEqual(canonical(fbc));
  });
});

describe('readFbcDirectory', () => {
  it('loads a catalog directory (what `opm render` or an unpacked /configs gives), not following symlinks', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dci-fbc-'));
    try {
      for (const [p, c] of writeFbcFiles(sampleCatalog())) {
        await mkdir(dirname(join(dir, p)), { recursive: true });
        await writeFile(join(dir, p), c);
      }
      await symlink('/etc/passwd', join(dir, 'etcd', 'passwd.json'));
      expect(canonical(await readFbcDirectory(dir))).toEqual(canonical(sampleCatalog()));
      await expect(readFbcDirectory(join(dir, 'nope'))).rejects.toThrow(/does not exist/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('writeFbcFiles safety', () => {
  it('refuses a package name that would escape the catalog directory', () => {
    const fbc = sampleCatalog();
    fbc.packages.push({ schema: 'olm.package', name: '../../etc', defaultChannel: 'x' });
    expect(() => writeFbcFiles(fbc)).toThrow(/cannot be written as a catalog directory/);
  });
});

describe('catalogImages', () => {
  it('lists each kept bundle image and related image once, by digest', () => {
    const out = filterCatalog(sampleCatalog('reg.io'), { packages: [{ name: 'etcd' }] });
    const imgs = catalogImages(out.catalog);
    // heads of stable and alpha: 2 bundles × (bundle + 2 operands)
    expect(imgs).toHaveLength(6);
    expect(imgs.filter((i) => i.kind === 'bundle').map((i) => i.bundles[0]).sort()).toEqual(['etcd.v0.10.1', 'etcd.v0.9.4']);
    expect(imgs.every((i) => i.byDigest && i.image.startsWith('reg.io/operators/etcd-'))).toBe(true);
  });
});
