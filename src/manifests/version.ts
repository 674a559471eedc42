/**
 * Which mirror-set kind to emit for an OpenShift version, and what a version's cluster understands
 * (mirror-semantics.md §1.6). Versions are compared on major.minor only: `4.14.0-rc.2` and
 * `4.14.0-0.nightly-…` are 4.14, as the original agent's loose `version('4.14', '>=')` test treats them
 * (plain semver ordering would put a pre-release below 4.14.0 and pick ICSP).
 */
import semver from 'semver';
import { MirrorSetError } from '../core/errors.js';

export interface OcpMinor {
  major: number;
  minor: number;
}

/** Parse `4.14`, `4.14.3`, `4.14.0-rc.2`, `4.16.0-0.nightly-2024-…`, `4.15.3-x86_64`, `v4.12`. */
export function parseOcpMinor(version: string): OcpMinor {
  const v = String(version).trim();
  const coerced = semver.coerce(v);
  if (!coerced || !/^v?\d+\.\d+/.test(v)) {
    throw new MirrorSetError('invalid-version', `cannot read an OpenShift version from "${version}"`, { hint: 'give a version such as 4.14, 4.14.3 or 4.16.0-0.nightly-2024-05-01-000000' });
  }
  return { major: coerced.major, minor: coerced.minor };
}

/** -1, 0, 1 comparing major.minor of `version` with `than` (e.g. "4.14"). */
export function compareMinor(version: string | OcpMinor, than: string): number {
  const a = typeof version === 'string' ? parseOcpMinor(version) : version;
  const b = parseOcpMinor(than);
  return a.major !== b.major ? Math.sign(a.major - b.major) : Math.sign(a.minor - b.minor);
}

export type MirrorSetKindOverride = 'auto' | 'idms' | 'icsp' | 'itms';

export interface MirrorSetKindDecision {
  /** The kind for digest-pinned content. */
  kind: 'idms' | 'icsp';
  /** Whether content mirrored by tag gets ImageTagMirrorSet objects (IDMS clusters only). */
  tagMirrors: boolean;
  /** `itms` when the user asked for tag mirror sets only. */
  only?: 'itms';
  reason: string;
}

/**
 * Default (`auto`): ICSP below 4.14, IDMS from 4.14 (the original agent's rule), plus ITMS for content
 * mirrored by tag. `mirror_set_kind: idms|icsp` overrides; IDMS/ITMS are refused below 4.13 where the
 * CRDs do not exist.
 */
export function chooseMirrorSetKind(version: string, override: MirrorSetKindOverride | undefined = 'auto'): MirrorSetKindDecision {
  const v = parseOcpMinor(version);
  const label = `${v.major}.${v.minor}`;
  const ov = override ?? 'auto';
  if (ov !== 'auto' && ov !== 'idms' && ov !== 'icsp' && ov !== 'itms') {
    throw new MirrorSetError('invalid-kind', `mirror_set_kind "${String(ov)}" is not one of auto, idms, icsp, itms`);
  }
  if ((ov === 'idms' || ov === 'itms') && compareMinor(v, '4.13') < 0) {
    throw new MirrorSetError('kind-not-available', `mirror_set_kind ${ov} needs OpenShift 4.13 or later; version ${version} (${label}) only knows ImageContentSourcePolicy`, {
      hint: 'remove mirror_set_kind (auto picks icsp) or set it to icsp',
    });
  }
  if (ov === 'icsp') return { kind: 'icsp', tagMirrors: false, reason: `mirror_set_kind: icsp set by the user (version ${label})` };
  if (ov === 'idms') return { kind: 'idms', tagMirrors: true, reason: `mirror_set_kind: idms set by the user (version ${label})` };
  if (ov === 'itms') return { kind: 'idms', tagMirrors: true, only: 'itms', reason: `mirror_set_kind: itms set by the user: tag mirror sets only (version ${label})` };
  if (compareMinor(v, '4.14') >= 0) {
    return { kind: 'idms', tagMirrors: true, reason: `version ${version} is ${label} ≥ 4.14: ImageDigestMirrorSet (+ ImageTagMirrorSet for content mirrored by tag)` };
  }
  return { kind: 'icsp', tagMirrors: false, reason: `version ${version} is ${label} < 4.14: ImageContentSourcePolicy` };
}

export interface VersionCapabilities {
  imageDigestMirrorSetAvailable: boolean;
  imageTagMirrorSetAvailable: boolean;
  imageContentSourcePolicyAccepted: boolean;
  icspTogetherWithIdmsOrItms: 'not-applicable' | 'rejected-on-early-z-streams' | 'accepted';
  icspRegistriesConfStyle: 'mirror-by-digest-only' | 'pull-from-mirror-digest-only';
}

/** What a cluster of this minor version understands (IDMS/ITMS APIs from 4.13; mixing refused early in 4.13/4.14). */
export function versionCapabilities(version: string): VersionCapabilities {
  const v = parseOcpMinor(version);
  const has = compareMinor(v, '4.13') >= 0;
  return {
    imageDigestMirrorSetAvailable: has,
    imageTagMirrorSetAvailable: has,
    imageContentSourcePolicyAccepted: v.major === 4,
    icspTogetherWithIdmsOrItms: !has ? 'not-applicable' : compareMinor(v, '4.15') < 0 ? 'rejected-on-early-z-streams' : 'accepted',
    icspRegistriesConfStyle: has ? 'pull-from-mirror-digest-only' : 'mirror-by-digest-only',
  };
}
