/**
 * ImageContentSourcePolicy → ImageDigestMirrorSet like `oc adm migrate icsp`: metadata copied (minus
 * server-set fields), same sources and mirror order, no mirrorSourcePolicy, no status.
 */
import { MirrorSetError } from '../core/errors.js';
import type { ImageDigestMirrorSet, ManifestMeta } from './types.js';

// Fields the API server sets; `oc adm migrate icsp` drops creationTimestamp, and applying the others fails.
const SERVER_FIELDS = ['creationTimestamp', 'resourceVersion', 'uid', 'generation', 'managedFields', 'selfLink'];

export function migrateIcspToIdms(icsp: unknown, where = 'input'): ImageDigestMirrorSet {
  const o = icsp as { apiVersion?: unknown; kind?: unknown; metadata?: Record<string, unknown>; spec?: { repositoryDigestMirrors?: unknown } } | null;
  if (!o || typeof o !== 'object' || o.kind !== 'ImageContentSourcePolicy' || o.apiVersion !== 'operator.openshift.io/v1alpha1') {
    throw new MirrorSetError('not-an-icsp', `${where}: expected an operator.openshift.io/v1alpha1 ImageContentSourcePolicy, found ${String(o?.apiVersion ?? '?')} ${String(o?.kind ?? '?')}`, {
      hint: 'give files that contain only ImageContentSourcePolicy objects',
    });
  }
  const metadata: ManifestMeta = { name: '' };
  for (const [k, v] of Object.entries(o.metadata ?? {})) if (!SERVER_FIELDS.includes(k)) metadata[k] = structuredClone(v);
  if (typeof metadata.name !== 'string' || metadata.name === '') throw new MirrorSetError('not-an-icsp', `${where}: the ImageContentSourcePolicy has no metadata.name`);
  const rdm = o.spec?.repositoryDigestMirrors ?? [];
  if (!Array.isArray(rdm)) throw new MirrorSetError('not-an-icsp', `${where}: spec.repositoryDigestMirrors must be a list`);
  const imageDigestMirrors = rdm.map((e: { source?: unknown; mirrors?: unknown }, i) => {
    if (typeof e?.source !== 'string') throw new MirrorSetError('not-an-icsp', `${where}: spec.repositoryDigestMirrors[${i}].source is missing`);
    const out: { source: string; mirrors?: string[] } = { source: e.source };
    if (Array.isArray(e.mirrors)) out.mirrors = e.mirrors.map(String);
    return out;
  });
  return { apiVersion: 'config.openshift.io/v1', kind: 'ImageDigestMirrorSet', metadata, spec: { imageDigestMirrors } };
}
