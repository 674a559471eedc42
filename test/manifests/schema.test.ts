import { describe, expect, it } from 'vitest';
import {
  assertMirrorConfigValid,
  buildCatalogSource,
  buildMirrorSets,
  collectMirrorSets,
  migrateIcspToIdms,
  MIRROR_PATTERN,
  SOURCE_PATTERN,
  type MirrorMapping,
  type MirrorSetObject,
} from '../../src/manifests/index.js';
import { MirrorSetError } from '../../src/core/errors.js';
import { loadCrd, schemaErrors } from './crd-schemas.js';

const D1 = 'sha256:' + 'a'.repeat(64);
const D2 = 'sha256:' + 'b'.repeat(64);

const MAPPING: MirrorMapping[] = [
  { source: `quay.io/openshift-release-dev/ocp-v4.0-art-dev@${D1}`, destination: 'registry.local:5000/ocp/release:4.16.3-x86_64-etcd', type: 'releaseContent' },
  { source: 'quay.io/openshift-release-dev/ocp-release:4.16.3-x86_64', destination: 'registry.local:5000/ocp/release-images:4.16.3-x86_64', type: 'release' },
  { source: `registry.redhat.io/rhel9/support-tools@${D2}`, destination: `registry.local:5000/rhel9/support-tools@${D2}`, type: 'operatorRelatedImage' },
  { source: 'registry.redhat.io/ubi9/ubi:latest', destination: 'registry.local:5000/mirror/registry.redhat.io/ubi9/ubi:latest' },
];

function kindOf(o: MirrorSetObject): 'ImageDigestMirrorSet' | 'ImageTagMirrorSet' | 'ImageContentSourcePolicy' {
  return o.kind;
}

describe('generated objects validate against the CRD schemas in ../shared/schemas', () => {
  it('the source/mirror patterns we check are the CRD patterns', () => {
    for (const kind of ['ImageDigestMirrorSet', 'ImageTagMirrorSet'] as const) {
      const schema = loadCrd(kind).spec.versions[0].schema.openAPIV3Schema as {
        properties: { spec: { properties: Record<string, { items: { properties: { source: { pattern: string }; mirrors: { items: { pattern: string } } } } }> } };
      };
      const list = Object.values(schema.properties.spec.properties)[0];
      expect(list.items.properties.source.pattern).toBe(SOURCE_PATTERN);
      expect(list.items.properties.mirrors.items.pattern).toBe(MIRROR_PATTERN);
    }
  });

  for (const version of ['4.12', '4.13.4', '4.14.0-rc.2', '4.18']) {
    for (const neverContactSource of [false, true]) {
      if (neverContactSource && version === '4.12') continue;
      it(`${version}${neverContactSource ? ' with NeverContactSource' : ''}: every IDMS/ITMS/ICSP is schema-valid`, () => {
        const build = buildMirrorSets(MAPPING, { version, kind: version === '4.13.4' ? 'idms' : 'auto', neverContactSource });
        expect(build.objects.length).toBeGreaterThan(0);
        for (const o of build.objects) expect(schemaErrors(kindOf(o), o), o.metadata.name).toEqual([]);
      });
    }
  }

  it('an ITMS-only render and a migrated ICSP are schema-valid', () => {
    const itms = buildMirrorSets(MAPPING, { version: '4.16', kind: 'itms' });
    expect(itms.objects.every((o) => o.kind === 'ImageTagMirrorSet')).toBe(true);
    for (const o of itms.objects) expect(schemaErrors('ImageTagMirrorSet', o)).toEqual([]);
    const icsp = buildMirrorSets(MAPPING, { version: '4.12' }).objects[0];
    const idms = migrateIcspToIdms(icsp);
    expect(schemaErrors('ImageDigestMirrorSet', idms)).toEqual([]);
  });

  it('the schema rejects what it should (so the checks above can fail)', () => {
    const bad = { apiVersion: 'config.openshift.io/v1', kind: 'ImageDigestMirrorSet', metadata: { name: 'x' }, spec: { imageDigestMirrors: [{ source: 'quay.io/ns', mirrors: ['mirror.local/ns:tag'], mirrorSourcePolicy: 'Never' }] } };
    expect(schemaErrors('ImageDigestMirrorSet', bad).length).toBeGreaterThanOrEqual(2);
    expect(schemaErrors('ImageDigestMirrorSet', { apiVersion: 'config.openshift.io/v1', kind: 'ImageDigestMirrorSet', metadata: { name: 'x' } })).not.toEqual([]);
    expect(schemaErrors('CatalogSource', { apiVersion: 'operators.coreos.com/v1alpha1', kind: 'CatalogSource', metadata: { name: 'x' }, spec: { image: 'x/y' } })).not.toEqual([]);
  });

  it('duplicate mirrors pass the schema but are rejected by our own check', () => {
    const dup = { apiVersion: 'config.openshift.io/v1', kind: 'ImageDigestMirrorSet', metadata: { name: 'dup' }, spec: { imageDigestMirrors: [{ source: 'quay.io/ns', mirrors: ['mirror.local/ns', 'mirror.local/ns'] }] } } as const;
    expect(schemaErrors('ImageDigestMirrorSet', dup)).toEqual([]);
    let err: unknown;
    try {
      assertMirrorConfigValid(collectMirrorSets([dup as unknown as MirrorSetObject]));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(MirrorSetError);
    expect((err as MirrorSetError).code).toBe('duplicate-mirror');
    expect((err as Error).message).toContain('ImageDigestMirrorSet dup');
  });

  it('CatalogSources (plain, with poll interval, display name, priority) are schema-valid', () => {
    const objs = [
      buildCatalogSource({ image: 'registry.local:5000/redhat/redhat-operator-index:v4.16' }),
      buildCatalogSource({ image: `registry.local:5000/redhat/certified-operator-index@${D1}`, pollInterval: '30m', displayName: 'Certified', publisher: 'Red Hat', priority: -100 }),
      buildCatalogSource({ image: 'registry.local:5000/my/catalog:v1.0_beta', name: 'mirrored-redhat-operators', annotations: { 'dci/source': 'registry.redhat.io/redhat/redhat-operator-index:v4.16' } }),
    ];
    for (const o of objs) expect(schemaErrors('CatalogSource', o)).toEqual([]);
  });
});
