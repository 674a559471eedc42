/**
 * The disconnected side of an install: the install-config mirror block (the version's key only, from the
 * mirror stage's output or derived from the lab registry settings), the trust bundle, and the release image
 * the installer must use (`OPENSHIFT_INSTALL_RELEASE_IMAGE_OVERRIDE`).
 */
import { installConfigSources, type InstallConfigMirrorFragment } from '../../manifests/index.js';
import type { ProviderInput } from '../types.js';
import { flag, missingVar, text } from './vars.js';
import { minorLabel } from './versions.js';

/** The release sources the original agent mirrors to `<local_registry>/<local_repo>` (installer role appends). */
export const RELEASE_SOURCES = ['quay.io/openshift-release-dev/ocp-release', 'quay.io/openshift-release-dev/ocp-v4.0-art-dev', 'registry.svc.ci.openshift.org/ocp/release'];

export interface MirrorSettings {
  disconnected: boolean;
  fragment: InstallConfigMirrorFragment;
  /** Release image pull spec the installer is extracted from (and overridden to when disconnected). */
  releaseImage: string;
  /** Set when the installer must be told to use the local release (disconnected). */
  releaseOverride?: string;
  /** Where the mirror block came from, for plan.txt. */
  origin: string;
}

function localRepo(vars: Record<string, unknown>, version: string): string {
  return text(vars, 'local_repo') ?? `ocp-${minorLabel(version)}/${version}`;
}

function entriesOf(block: Record<string, unknown> | undefined): Array<{ source: string; mirrors: string[] }> {
  if (!block) return [];
  const list = [block.imageDigestSources, block.imageContentSources].filter(Array.isArray).flat() as unknown[];
  return list
    .filter((e): e is { source: string; mirrors?: unknown } => Boolean(e) && typeof (e as { source?: unknown }).source === 'string')
    .map((e) => ({ source: e.source, mirrors: Array.isArray(e.mirrors) ? e.mirrors.map(String) : [] }));
}

export function mirrorSettings(input: ProviderInput, version: string): MirrorSettings {
  const vars = input.vars;
  const disconnected = flag(vars, 'dci_disconnected', false);
  const upstream = text(vars, 'release_image') ?? `quay.io/openshift-release-dev/ocp-release:${version}-x86_64`;
  const trust = input.mirror?.additionalTrustBundle ?? text(vars, 'dci_mirror_trust_bundle');
  if (!disconnected) {
    // Connected: a trust bundle may still be wanted (proxy CA); never a mirror block.
    return { disconnected, fragment: trust ? installConfigSources([], { version, additionalTrustBundle: trust }) : {}, releaseImage: upstream, origin: 'connected install: no mirror block' };
  }
  const fromStage = entriesOf(input.mirror?.installConfigSources);
  let entries = fromStage;
  let origin = 'mirror-images stage output (dci_mirror_install_config_sources)';
  const registry = text(vars, 'dci_local_registry') ?? (text(vars, 'local_registry_host') ? [text(vars, 'local_registry_host'), text(vars, 'local_registry_port')].filter(Boolean).join(':') : undefined);
  if (entries.length === 0) {
    if (!registry) throw missingVar(undefined, 'local_registry_host', 'for a disconnected install (dci_disconnected is true)', 'set local_registry_host and local_registry_port (the lab mirror registry)');
    const repo = localRepo(vars, version);
    entries = RELEASE_SOURCES.map((source) => ({ source, mirrors: [`${registry}/${repo}`] }));
    origin = `derived from dci_local_registry ${registry} and local_repo ${repo}`;
  }
  const releaseOverride = input.mirror?.releaseImage ?? text(vars, 'dci_mirror_release_image') ?? (registry ? `${registry}/${localRepo(vars, version)}:${version}` : undefined);
  const fragment = installConfigSources(entries, { version, additionalTrustBundle: trust || undefined });
  return { disconnected, fragment, releaseImage: releaseOverride ?? upstream, releaseOverride, origin };
}
