import { describe, expect, it } from 'vitest';
import { buildMirrorSets, installConfigSources, pemTrustBundle, mirrorScope, releaseMirrorEntries, toYaml, parseYamlDocuments, type MirrorMapping } from '../../src/manifests/index.js';
import { MirrorSetError, formatUserError } from '../../src/core/errors.js';

const D = (c: string): string => 'sha256:' + c.repeat(64);

describe('mirrorScope', () => {
  it('uses the namespace when the destination keeps the source path', () => {
    expect(mirrorScope(`quay.io/prometheus/busybox@${D('a')}`, `reg.local:5000/mirror/quay.io/prometheus/busybox@${D('a')}`)).toEqual({
      source: 'quay.io/prometheus',
      mirror: 'reg.local:5000/mirror/quay.io/prometheus',
      scope: 'namespace',
    });
  });
  it('uses the repository when the path changes, is only a plain-string suffix, or is one component', () => {
    expect(mirrorScope('quay.io/openshift-release-dev/ocp-release:4.16.3-x86_64', 'reg.local/ocp/release-images:4.16.3-x86_64').scope).toBe('repository');
    expect(mirrorScope('quay.io/foo/bar:1', 'reg.local/x/afoo/bar:1')).toMatchObject({ source: 'quay.io/foo/bar', scope: 'repository' });
    expect(mirrorScope('registry.redhat.io/ubi8-minimal:1', 'reg.local/ubi8-minimal:1')).toMatchObject({ source: 'registry.redhat.io/ubi8-minimal', scope: 'repository' });
    expect(mirrorScope('quay.io/a/b:1', 'reg.local/a/b:1', 'repository')).toMatchObject({ source: 'quay.io/a/b', scope: 'repository' });
  });
});

describe('buildMirrorSets', () => {
  const mapping: MirrorMapping[] = [
    { source: `quay.io/openshift-release-dev/ocp-v4.0-art-dev@${D('1')}`, destination: 'reg.local:5000/ocp/release:4.16.3-x86_64-etcd' },
    { source: `quay.io/openshift-release-dev/ocp-v4.0-art-dev@${D('2')}`, destination: 'reg.local:5000/ocp/release:4.16.3-x86_64-mco' },
    { source: 'quay.io/openshift-release-dev/ocp-release:4.16.3-x86_64', destination: 'reg.local:5000/ocp/release-images:4.16.3-x86_64' },
    { source: `registry.redhat.io/openshift4/ose-kube-rbac-proxy@${D('3')}`, destination: `reg.local:5000/openshift4/ose-kube-rbac-proxy@${D('3')}`, category: 'operator' },
    { source: `registry.redhat.io/openshift4/ose-cli@${D('4')}`, destination: `reg.local:5000/openshift4/ose-cli@${D('4')}`, category: 'operator' },
    { source: `registry.redhat.io/openshift4/ose-cli@${D('4')}`, destination: `backup.local/openshift4/ose-cli@${D('4')}`, category: 'operator' },
    { source: 'registry.redhat.io/redhat/redhat-operator-index:v4.16', destination: 'reg.local:5000/redhat/redhat-operator-index:v4.16', type: 'operatorCatalog' },
    { source: 'docker.io/library/nginx:1.25', destination: 'reg.local:5000/library/nginx:1.25' },
  ];

  it('≥ 4.14: IDMS for digests (release image too), ITMS for tags, fixed names, sorted, de-duplicated', () => {
    const b = buildMirrorSets(mapping, { version: '4.16' });
    expect(b.objects.map((o) => o.metadata.name)).toEqual(['idms-release-0', 'idms-operator-0', 'itms-release-0', 'itms-generic-0']);
    const [release, operator, itmsRelease, itmsGeneric] = b.objects as Array<{ spec: Record<string, unknown> }>;
    expect(release.spec.imageDigestMirrors).toEqual([
      { source: 'quay.io/openshift-release-dev/ocp-release', mirrors: ['reg.local:5000/ocp/release-images'] },
      { source: 'quay.io/openshift-release-dev/ocp-v4.0-art-dev', mirrors: ['reg.local:5000/ocp/release'] },
    ]);
    // ose-cli lives in two mirrors but ose-kube-rbac-proxy in one: a namespace entry would send the proxy to
    // backup.local first, where it is not, so both stay repository entries; mirrors sorted.
    expect(operator.spec.imageDigestMirrors).toEqual([
      { source: 'registry.redhat.io/openshift4/ose-cli', mirrors: ['backup.local/openshift4/ose-cli', 'reg.local:5000/openshift4/ose-cli'] },
      { source: 'registry.redhat.io/openshift4/ose-kube-rbac-proxy', mirrors: ['reg.local:5000/openshift4/ose-kube-rbac-proxy'] },
    ]);
    expect(itmsRelease.spec.imageTagMirrors).toEqual([{ source: 'quay.io/openshift-release-dev/ocp-release', mirrors: ['reg.local:5000/ocp/release-images'] }]);
    expect(itmsGeneric.spec.imageTagMirrors).toEqual([{ source: 'docker.io/library', mirrors: ['reg.local:5000/library'] }]);
    // The catalog is consumed through a CatalogSource: no mirror entry for it.
    expect(JSON.stringify(b.objects)).not.toContain('redhat-operator-index');
  });

  it('repositories of one namespace that live in the same mirror namespace collapse to one namespace entry', () => {
    const b = buildMirrorSets(
      [
        { source: `registry.redhat.io/openshift4/ose-cli@${D('4')}`, destination: `reg.local:5000/openshift4/ose-cli@${D('4')}` },
        { source: `registry.redhat.io/openshift4/ose-kube-rbac-proxy@${D('3')}`, destination: `reg.local:5000/openshift4/ose-kube-rbac-proxy@${D('3')}` },
      ],
      { version: '4.16' },
    );
    expect(b.objects).toHaveLength(1);
    expect((b.objects[0].spec as { imageDigestMirrors: unknown }).imageDigestMirrors).toEqual([{ source: 'registry.redhat.io/openshift4', mirrors: ['reg.local:5000/openshift4'] }]);
  });

  it('< 4.14: ICSP only, tag content warned about', () => {
    const b = buildMirrorSets(mapping, { version: '4.12.9' });
    expect(b.decision.kind).toBe('icsp');
    expect(b.objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'ImageContentSourcePolicy/icsp-release-0',
      'ImageContentSourcePolicy/icsp-operator-0',
      'ImageContentSourcePolicy/icsp-generic-0',
    ]);
    expect(b.warnings.join('\n')).toMatch(/referenced by tag/);
  });

  it('NeverContactSource on every IDMS/ITMS entry, never with ICSP', () => {
    const b = buildMirrorSets(mapping, { version: '4.16', neverContactSource: true });
    for (const o of b.objects) {
      const entries = (o.spec as { imageDigestMirrors?: Array<{ mirrorSourcePolicy?: string }>; imageTagMirrors?: Array<{ mirrorSourcePolicy?: string }> });
      for (const e of entries.imageDigestMirrors ?? entries.imageTagMirrors ?? []) expect(e.mirrorSourcePolicy).toBe('NeverContactSource');
    }
    expect(() => buildMirrorSets(mapping, { version: '4.12', neverContactSource: true })).toThrow(/NeverContactSource cannot be expressed/);
  });

  it('an entry mirrored onto itself is not redirected and gets no NeverContactSource', () => {
    const b = buildMirrorSets([{ source: `reg.local/ns/a@${D('a')}`, destination: `reg.local/ns/a@${D('a')}` }], { version: '4.16', neverContactSource: true });
    expect(b.objects).toEqual([]);
  });

  it('rejects bad mapping entries before building anything, naming the entry', () => {
    expect(() => buildMirrorSets([{ source: 'quay.io/NS/repo:1', destination: 'reg.local/ns/repo:1' }], { version: '4.16' })).toThrow(/mapping entry 1 .*not a valid registry\/repository/);
    expect(() => buildMirrorSets([{ source: 'quay.io/ns/repo:1', destination: 'https://reg.local/ns/repo:1' }], { version: '4.16' })).toThrow(MirrorSetError);
    expect(() => buildMirrorSets([{ source: 'quay.io/ns/repo@sha256:zz', destination: 'reg.local/ns/repo:1' }], { version: '4.16' })).toThrow(/not a valid digest/);
  });

  it('renders YAML that parses back to the same objects (multi-document stream)', () => {
    const b = buildMirrorSets(mapping, { version: '4.16' });
    const text = toYaml(b.objects);
    expect(text.startsWith('---')).toBe(false);
    expect(text.split(/^---$/m).length).toBe(b.objects.length);
    expect(parseYamlDocuments(text)).toEqual(b.objects);
  });

  it('install-config: imageDigestSources ≥ 4.14, imageContentSources < 4.14, never both, with the CA', () => {
    const ca = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----';
    const b16 = buildMirrorSets(mapping, { version: '4.16' });
    const f16 = installConfigSources(releaseMirrorEntries(b16), { version: '4.16', additionalTrustBundle: ca });
    expect(Object.keys(f16).sort()).toEqual(['additionalTrustBundle', 'imageDigestSources']);
    expect(f16.imageDigestSources).toEqual([
      { mirrors: ['reg.local:5000/ocp/release-images'], source: 'quay.io/openshift-release-dev/ocp-release' },
      { mirrors: ['reg.local:5000/ocp/release'], source: 'quay.io/openshift-release-dev/ocp-v4.0-art-dev' },
    ]);
    expect(f16.additionalTrustBundle).toBe(ca + '\n');
    const b12 = buildMirrorSets(mapping, { version: '4.12' });
    const f12 = installConfigSources(releaseMirrorEntries(b12), { version: '4.13.2' });
    expect(Object.keys(f12)).toEqual(['imageContentSources']);
    expect(() => installConfigSources([], { version: '4.16', additionalTrustBundle: 'not a pem' })).toThrow(/not a PEM/);
  });

  it('a trust bundle read from a file: the error names the file and carries the caller\'s hint', () => {
    expect(pemTrustBundle('  -----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n\n')).toBe('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    let caught: unknown;
    try {
      pemTrustBundle('not a pem\n', { file: 'certs/ca.pem', hint: 'give the CA file' });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(MirrorSetError);
    const err = caught as MirrorSetError;
    expect(formatUserError(err)).toMatch(/^error: certs\/ca\.pem: not a PEM certificate bundle/);
    expect(err.hint).toBe('give the CA file');
  });
});

describe('large mirror sets', () => {
  it('are split into <kind>-<category>-N objects that each stay under the oc apply annotation limit', () => {
    const hex = (n: number): string => n.toString(16).padStart(64, '0');
    const mapping: MirrorMapping[] = [];
    for (let i = 0; i < 2500; i++) {
      mapping.push({ source: `registry.redhat.io/ns${i}/some-fairly-long-repository-name-${i}@sha256:${hex(i)}`, destination: `mirror.registry.example.com:5000/disconnected/ns${i}/x${i}@sha256:${hex(i)}`, category: 'operator' });
    }
    const b = buildMirrorSets(mapping, { version: '4.16' });
    const names = b.objects.map((o) => o.metadata.name);
    expect(names.length).toBeGreaterThan(1);
    expect(names).toEqual(names.map((_, n) => `idms-operator-${n}`));
    for (const o of b.objects) expect(Buffer.byteLength(toYaml([o]))).toBeLessThan(250_000);
    const all = b.objects.flatMap((o) => (o.spec as { imageDigestMirrors: Array<{ source: string }> }).imageDigestMirrors.map((e) => e.source));
    expect(all).toHaveLength(2500);
    expect(new Set(all).size).toBe(2500);
    const small = buildMirrorSets(mapping.slice(0, 3), { version: '4.16', maxObjectBytes: 300 });
    expect(small.objects.map((o) => o.metadata.name)).toEqual(['idms-operator-0', 'idms-operator-1', 'idms-operator-2']);
  });
});
