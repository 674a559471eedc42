import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadMappingFile, loadMirrorSetFiles, loadRegistriesConfFile, parseMappingText } from '../../src/manifests/loaders.js';
import { MirrorSetError } from '../../src/core/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'manifests-loaders-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string): string => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

describe('mapping files', () => {
  it('reads oc mapping.txt lines, skipping comments and blank lines', () => {
    expect(parseMappingText('# c\nquay.io/a/b:1=reg.local/a/b:1\n\nquay.io/a/c@sha256:' + 'a'.repeat(64) + '=reg.local/a/c\n', 'm.txt')).toEqual([
      { source: 'quay.io/a/b:1', destination: 'reg.local/a/b:1' },
      { source: 'quay.io/a/c@sha256:' + 'a'.repeat(64), destination: 'reg.local/a/c' },
    ]);
  });

  it('reads YAML/JSON lists and oc-mirror style {images: [{origin, destination, type}]}', async () => {
    const y = file('m.yaml', '- {source: quay.io/a/b:1, destination: reg.local/a/b:1, category: operator}\n');
    expect(await loadMappingFile(y)).toEqual([{ source: 'quay.io/a/b:1', destination: 'reg.local/a/b:1', category: 'operator' }]);
    const j = file('m.json', JSON.stringify({ images: [{ origin: 'quay.io/a/b:1', destination: 'reg.local/a/b:1', type: 'operatorBundle' }] }));
    expect(await loadMappingFile(j)).toEqual([{ source: 'quay.io/a/b:1', destination: 'reg.local/a/b:1', type: 'operatorBundle' }]);
  });

  it('says what is wrong and where', async () => {
    await expect(loadMappingFile(join(dir, 'missing.txt'))).rejects.toThrow(/cannot read mapping file .*missing.txt: no such file/);
    await expect(loadMappingFile(file('bad.yaml', '- {source: quay.io/a/b:1}\n'))).rejects.toThrow(/entry 1 needs string "source"/);
    await expect(loadMappingFile(file('bad2.yaml', '- {source: a, destination: b, category: misc}\n'))).rejects.toThrow(/category must be release, operator or generic/);
    await expect(loadMappingFile(file('bad3.yaml', 'key: [unclosed\n'))).rejects.toThrow(MirrorSetError);
  });
});

describe('mirror-set and registries.conf files', () => {
  it('loads several documents and kind: List items, and refuses other kinds', async () => {
    const f = file(
      'sets.yaml',
      'apiVersion: v1\nkind: List\nitems:\n- apiVersion: config.openshift.io/v1\n  kind: ImageTagMirrorSet\n  metadata: {name: a}\n  spec: {imageTagMirrors: [{source: quay.io/a, mirrors: [m.local/a]}]}\n---\napiVersion: operator.openshift.io/v1alpha1\nkind: ImageContentSourcePolicy\nmetadata: {name: b}\nspec: {}\n',
    );
    expect((await loadMirrorSetFiles([f])).map((o) => o.kind)).toEqual(['ImageTagMirrorSet', 'ImageContentSourcePolicy']);
    const wrong = file('wrong.yaml', 'apiVersion: config.openshift.io/v1alpha1\nkind: ImageDigestMirrorSet\nmetadata: {name: a}\nspec: {}\n');
    await expect(loadMirrorSetFiles([wrong])).rejects.toThrow(/wrong.yaml document 1: ImageDigestMirrorSet must have apiVersion config.openshift.io\/v1/);
    const noSource = file('nosrc.yaml', 'apiVersion: config.openshift.io/v1\nkind: ImageDigestMirrorSet\nmetadata: {name: a}\nspec: {imageDigestMirrors: [{mirrors: [m.local/a]}]}\n');
    await expect(loadMirrorSetFiles([noSource])).rejects.toThrow(/imageDigestMirrors\[0\].source must be a string/);
  });

  it('reports registries.conf errors with the file name', async () => {
    const f = file('r.conf', '[[registry]]\nlocation = "https://a.com"\n');
    await expect(loadRegistriesConfFile(f)).rejects.toThrow(/r.conf: invalid location 'https:\/\/a.com': URI schemes are not supported/);
  });
});
