/**
 * Shapes shared by the mirror-set builders, the registries.conf model and the resolver. Object shapes follow
 * the OpenShift APIs (config.openshift.io/v1 ImageDigestMirrorSet / ImageTagMirrorSet,
 * operator.openshift.io/v1alpha1 ImageContentSourcePolicy, operators.coreos.com/v1alpha1 CatalogSource).
 */

export type MirrorSetKind = 'idms' | 'itms' | 'icsp';
export type MirrorSourcePolicy = 'NeverContactSource' | 'AllowContactingSource';

/** One entry of a mirror set, kind-independent. */
export interface MirrorEntry {
  source: string;
  mirrors?: string[];
  mirrorSourcePolicy?: MirrorSourcePolicy;
}

export interface ManifestMeta {
  name: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  [key: string]: unknown;
}

export interface ImageDigestMirrorSet {
  apiVersion: 'config.openshift.io/v1';
  kind: 'ImageDigestMirrorSet';
  metadata: ManifestMeta;
  spec: { imageDigestMirrors?: MirrorEntry[] };
}

export interface ImageTagMirrorSet {
  apiVersion: 'config.openshift.io/v1';
  kind: 'ImageTagMirrorSet';
  metadata: ManifestMeta;
  spec: { imageTagMirrors?: MirrorEntry[] };
}

export interface ImageContentSourcePolicy {
  apiVersion: 'operator.openshift.io/v1alpha1';
  kind: 'ImageContentSourcePolicy';
  metadata: ManifestMeta;
  spec: { repositoryDigestMirrors?: Array<{ source: string; mirrors?: string[] }> };
}

export type MirrorSetObject = ImageDigestMirrorSet | ImageTagMirrorSet | ImageContentSourcePolicy;

/** The three kinds' entries collected from a set of objects (what MCO lists from the cluster). */
export interface MirrorSetCollection {
  idms: MirrorEntry[][];
  itms: MirrorEntry[][];
  icsp: MirrorEntry[][];
}

export const KIND_NAMES: Record<MirrorSetKind, MirrorSetObject['kind']> = {
  idms: 'ImageDigestMirrorSet',
  itms: 'ImageTagMirrorSet',
  icsp: 'ImageContentSourcePolicy',
};

/** Byte-order comparison (Go `sort.Strings`), independent of locale. */
export function compareBytes(a: string, b: string): number {
  const ba = Buffer.from(a, 'utf8');
  const bb = Buffer.from(b, 'utf8');
  return Buffer.compare(ba, bb);
}
