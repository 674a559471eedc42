/**
 * What to keep from a catalog: oc-mirror v2's operator entry (ImageSetConfiguration v2alpha1) as catalog-filter
 * receives it. `minVersion`/`maxVersion` are accepted as oc-mirror writes them and turned into `versionRange`.
 */
import { PayloadError } from '../../core/errors.js';
import { parseVersionRange, rangeFromMinMax } from './version-range.js';

export interface ChannelFilter {
  name: string;
  versionRange?: string;
  minVersion?: string;
  maxVersion?: string;
}

export interface PackageFilter {
  name: string;
  /** Replaces the package's default channel; required when the filter drops the original one. */
  defaultChannel?: string;
  versionRange?: string;
  minVersion?: string;
  maxVersion?: string;
  channels?: ChannelFilter[];
}

export interface CatalogFilterConfig {
  /** Empty or absent: every package. */
  packages?: PackageFilter[];
  /** Keep every entry of the kept channels instead of the channel heads. */
  full?: boolean;
}

/** A package/channel config with its effective ranges resolved. */
export interface ResolvedPackageFilter {
  name: string;
  defaultChannel?: string;
  versionRange?: string;
  /** Channel name → its own range (may be undefined). Empty map: all channels. */
  channels: Map<string, string | undefined>;
}

function effectiveRange(where: string, f: { versionRange?: string; minVersion?: string; maxVersion?: string }): string | undefined {
  const fromMinMax = rangeFromMinMax(f.minVersion, f.maxVersion);
  if (f.versionRange && fromMinMax) {
    throw new PayloadError('invalid-filter', `${where}: versionRange cannot be combined with minVersion/maxVersion`, {
      hint: 'use either versionRange or minVersion/maxVersion',
    });
  }
  return f.versionRange || fromMinMax;
}

function checkRange(range: string): void {
  try {
    parseVersionRange(range);
  } catch (e) {
    throw new PayloadError('invalid-version-range', `error parsing version range: ${(e as Error).message}`, {
      hint: 'write ranges like ">=1.2.0 <2.0.0" (Masterminds semver syntax, as oc-mirror uses)',
      cause: e,
    });
  }
}

/**
 * Check the config the way oc-mirror does before filtering: names required, no range at both package and
 * channel level, ranges parse, `full` not combined with a range. Returns the per-package view the filter uses.
 */
export function resolveFilterConfig(config: CatalogFilterConfig): Map<string, ResolvedPackageFilter> {
  const out = new Map<string, ResolvedPackageFilter>();
  for (const [i, pkg] of (config.packages ?? []).entries()) {
    if (!pkg || typeof pkg.name !== 'string' || pkg.name === '') {
      throw new PayloadError('invalid-filter', `packages[${i}]: package name is required`);
    }
    const pkgRange = effectiveRange(`package "${pkg.name}"`, pkg);
    const channels = out.get(pkg.name)?.channels ?? new Map<string, string | undefined>();
    for (const [j, ch] of (pkg.channels ?? []).entries()) {
      if (!ch || typeof ch.name !== 'string' || ch.name === '') {
        throw new PayloadError('invalid-filter', `package "${pkg.name}" channels[${j}]: channel name is required`);
      }
      const chRange = effectiveRange(`package "${pkg.name}" channel "${ch.name}"`, ch);
      if (chRange && pkgRange) {
        throw new PayloadError(
          'invalid-filter',
          `package "${pkg.name}": a version range is set both on the package and on channel "${ch.name}"`,
          { hint: 'set the range on the package or on its channels, not both' },
        );
      }
      if (chRange) checkRange(chRange);
      channels.set(ch.name, chRange);
    }
    if (pkgRange) checkRange(pkgRange);
    if (config.full && (pkgRange || [...channels.values()].some(Boolean))) {
      throw new PayloadError('full-with-version-range', `package "${pkg.name}": full: true cannot be mixed with a version range`, {
        hint: 'drop full: true or the minVersion/maxVersion/versionRange',
      });
    }
    out.set(pkg.name, { name: pkg.name, defaultChannel: pkg.defaultChannel || undefined, versionRange: pkgRange, channels });
  }
  return out;
}
