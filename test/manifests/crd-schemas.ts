/**
 * Test helper: Ajv validators for the CRDs saved in ../shared/schemas (spec.versions[0].schema.openAPIV3Schema).
 * Kubernetes extensions are unknown keywords to Ajv, so strict mode is off; the k8s formats are accepted as is.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';
import { load } from 'js-yaml';

export const SCHEMAS_DIR = process.env.SCHEMAS_DIR
  ? resolve(process.env.SCHEMAS_DIR)
  : resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'shared', 'schemas');

export const CRD_FILES = {
  ImageDigestMirrorSet: '0000_10_config-operator_01_imagedigestmirrorsets.crd.yaml',
  ImageTagMirrorSet: '0000_10_config-operator_01_imagetagmirrorsets.crd.yaml',
  ImageContentSourcePolicy: '0000_10_config-operator_01_imagecontentsourcepolicies.crd.yaml',
  CatalogSource: 'operators.coreos.com_catalogsources.yaml',
} as const;

export type CrdKind = keyof typeof CRD_FILES;

interface Crd {
  spec: { group: string; versions: Array<{ name: string; schema: { openAPIV3Schema: object } }> };
}

export function loadCrd(kind: CrdKind): Crd {
  return load(readFileSync(join(SCHEMAS_DIR, CRD_FILES[kind]), 'utf8')) as Crd;
}

const ajv = new Ajv({ strict: false, allErrors: true });
for (const f of ['int32', 'int64', 'date-time']) ajv.addFormat(f, true);
const cache = new Map<CrdKind, ValidateFunction>();

/** Ajv errors for `obj` against the CRD of `kind` (empty when valid). */
export function schemaErrors(kind: CrdKind, obj: unknown): string[] {
  let v = cache.get(kind);
  if (!v) {
    v = ajv.compile(loadCrd(kind).spec.versions[0].schema.openAPIV3Schema);
    cache.set(kind, v);
  }
  return v(obj) ? [] : (v.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`);
}
