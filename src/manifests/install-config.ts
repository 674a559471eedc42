/**
 * The install-config.yaml fragment for a disconnected install: the release mirrors under
 * `imageDigestSources` (OCP ≥ 4.14) or `imageContentSources` (< 4.14) — never both keys — and the
 * registry CA as `additionalTrustBundle`.
 */
import { MirrorSetError } from '../core/errors.js';
import { compareBytes, type MirrorEntry } from './types.js';
import { compareMinor } from './version.js';
import type { MirrorSetBuild } from './build-mirror-sets.js';

export interface InstallConfigSource {
  mirrors: string[];
  source: string;
}

export interface InstallConfigMirrorFragment {
  imageDigestSources?: InstallConfigSource[];
  imageContentSources?: InstallConfigSource[];
  additionalTrustBundle?: string;
}

/** One entry per source (sorted), mirrors de-duplicated in first-seen order. */
export function dedupeSortSources(entries: readonly { source: string; mirrors?: readonly string[] }[]): InstallConfigSource[] {
  const bySource = new Map<string, string[]>();
  for (const e of entries) {
    const list = bySource.get(e.source) ?? [];
    for (const m of e.mirrors ?? []) if (!list.includes(m)) list.push(m);
    bySource.set(e.source, list);
  }
  return [...bySource.keys()].sort(compareBytes).map((source) => ({ mirrors: bySource.get(source)!, source }));
}

export interface InstallConfigSourcesOptions {
  version: string;
  /** PEM text of the mirror registry's CA. */
  additionalTrustBundle?: string;
  /** Force the key instead of choosing it by version. */
  key?: 'imageDigestSources' | 'imageContentSources';
}

/** Where a trust bundle came from, so the error can name it and say what to give instead. */
export interface TrustBundleOrigin {
  file: string;
  hint: string;
}

/**
 * The trust bundle as install-config wants it (trimmed, one final newline), or a MirrorSetError when the text is
 * not PEM certificates. Callers that read the bundle from a file pass `origin` so the message names that file.
 */
export function pemTrustBundle(text: string, origin?: TrustBundleOrigin): string {
  const pem = text.trim();
  if (/^-----BEGIN CERTIFICATE-----[\s\S]+-----END CERTIFICATE-----$/.test(pem)) return pem + '\n';
  const shape = '(-----BEGIN CERTIFICATE----- … -----END CERTIFICATE-----)';
  if (origin) throw new MirrorSetError('invalid-trust-bundle', `not a PEM certificate bundle ${shape}`, { location: { file: origin.file }, hint: origin.hint });
  throw new MirrorSetError('invalid-trust-bundle', `additionalTrustBundle is not a PEM certificate bundle ${shape}`, {
    hint: 'point the registry CA setting at the PEM file of the mirror registry CA',
  });
}

/** The fragment to merge into install-config.yaml. */
export function installConfigSources(entries: readonly MirrorEntry[], options: InstallConfigSourcesOptions): InstallConfigMirrorFragment {
  const key = options.key ?? (compareMinor(options.version, '4.14') >= 0 ? 'imageDigestSources' : 'imageContentSources');
  const out: InstallConfigMirrorFragment = {};
  const sources = dedupeSortSources(entries);
  if (sources.length > 0) out[key] = sources;
  if (options.additionalTrustBundle !== undefined) out.additionalTrustBundle = pemTrustBundle(options.additionalTrustBundle);
  return out;
}

/** The digest entries of the release category of a build: what the installer needs. */
export function releaseMirrorEntries(build: MirrorSetBuild): MirrorEntry[] {
  return build.entries.filter((g) => g.category === 'release' && g.kind !== 'itms').flatMap((g) => g.entries);
}

/** What `oc adm release mirror` prints after mirroring: install-config snippet + example object. */
export function releaseMirrorInstructions(mode: 'idms' | 'icsp', mirrorSets: readonly InstallConfigSource[]): { installConfig: InstallConfigMirrorFragment; manifest: Record<string, unknown> } {
  const list = mirrorSets.map((m) => ({ mirrors: [...m.mirrors], source: m.source }));
  if (mode === 'idms') {
    return {
      installConfig: { imageDigestSources: list },
      manifest: { apiVersion: 'config.openshift.io/v1', kind: 'ImageDigestMirrorSet', metadata: { name: 'example' }, spec: { imageDigestMirrors: list } },
    };
  }
  return {
    installConfig: { imageContentSources: list },
    manifest: { apiVersion: 'operator.openshift.io/v1alpha1', kind: 'ImageContentSourcePolicy', metadata: { name: 'example' }, spec: { repositoryDigestMirrors: list } },
  };
}
