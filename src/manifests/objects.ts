/**
 * Checking that parsed documents are mirror-set objects (IDMS, ITMS, ICSP) before they are used.
 */
import { MirrorSetError } from '../core/errors.js';
import type { MirrorSetObject } from './types.js';

const KINDS: Record<string, { apiVersion: string; list: string }> = {
  ImageDigestMirrorSet: { apiVersion: 'config.openshift.io/v1', list: 'imageDigestMirrors' },
  ImageTagMirrorSet: { apiVersion: 'config.openshift.io/v1', list: 'imageTagMirrors' },
  ImageContentSourcePolicy: { apiVersion: 'operator.openshift.io/v1alpha1', list: 'repositoryDigestMirrors' },
};

export function asMirrorSetObject(doc: unknown, where: string): MirrorSetObject {
  const o = doc as { apiVersion?: unknown; kind?: unknown; metadata?: { name?: unknown }; spec?: Record<string, unknown> } | null;
  const kind = typeof o?.kind === 'string' ? o.kind : undefined;
  const known = kind !== undefined ? KINDS[kind] : undefined;
  if (!o || typeof o !== 'object' || !known) {
    throw new MirrorSetError('not-a-mirror-set', `${where}: expected an ImageDigestMirrorSet, ImageTagMirrorSet or ImageContentSourcePolicy, found kind ${JSON.stringify(kind ?? null)}`);
  }
  if (o.apiVersion !== known.apiVersion) throw new MirrorSetError('not-a-mirror-set', `${where}: ${kind} must have apiVersion ${known.apiVersion}, found ${JSON.stringify(o.apiVersion ?? null)}`);
  if (!o.spec || typeof o.spec !== 'object') throw new MirrorSetError('not-a-mirror-set', `${where}: ${kind} has no spec`);
  const entries = o.spec[known.list] ?? [];
  if (!Array.isArray(entries)) throw new MirrorSetError('not-a-mirror-set', `${where}: spec.${known.list} must be a list`);
  entries.forEach((e: { source?: unknown; mirrors?: unknown; mirrorSourcePolicy?: unknown }, i: number) => {
    if (typeof e?.source !== 'string') throw new MirrorSetError('not-a-mirror-set', `${where}: spec.${known.list}[${i}].source must be a string`);
    if (e.mirrors !== undefined && (!Array.isArray(e.mirrors) || e.mirrors.some((m) => typeof m !== 'string'))) {
      throw new MirrorSetError('not-a-mirror-set', `${where}: spec.${known.list}[${i}].mirrors must be a list of strings`);
    }
  });
  return o as unknown as MirrorSetObject;
}
