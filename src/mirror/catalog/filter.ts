/**
 * Prune a file-based catalog the way oc-mirror v2 does (catalog-filter `mirror-config/v1alpha1`):
 *  1. listed packages only (all when none listed); listed channels only (all when none listed);
 *  2. a listed package's default channel must survive, or be overridden by `defaultChannel` that survives;
 *  3. per channel: `full` keeps everything; a version range keeps the minimal chain reaching every in-range
 *     bundle; otherwise only the channel head is kept (its replaces/skips fields stay, pointing at gone
 *     entries, which is valid FBC);
 *  4. bundles follow the kept entries (sorted by package then name); deprecation entries follow the kept
 *     channels and bundles; other metas are kept when package-less or of a kept package.
 * Pure: no I/O, the input is not modified. Differences from upstream, on purpose: packages or channels that
 * are listed but absent are reported (an error unless `continueOnMissing`), the "empty default channel"
 * check uses the default channel after the override, and a range keeps only entries of the channel itself
 * (upstream can keep a replaces target from outside the channel and leave the channel with no entry).
 */
import { PayloadError } from '../../core/errors.js';
import { ChannelGraphError, buildChannelGraph, filterByVersionRange } from './channel-graph.js';
import {
  bundleVersionText,
  type DeclarativeConfig,
  type FbcBundle,
  type FbcChannel,
  type FbcPackage,
} from './fbc-model.js';
import { resolveFilterConfig, type CatalogFilterConfig } from './filter-config.js';
import { parseStrictVersion, parseVersionRange, type SemVersion, type VersionRange } from './version-range.js';

export interface CatalogFilterOptions {
  /** Report listed packages/channels that the catalog lacks as warnings instead of an error
   * (`dci_continue_on_mirror_error`). */
  continueOnMissing?: boolean;
}

export interface CatalogFilterResult {
  catalog: DeclarativeConfig;
  warnings: string[];
  /** Listed packages the catalog does not have. */
  missingPackages: string[];
  /** Listed channels the catalog does not have, as `package/channel`. */
  missingChannels: string[];
  /** No package listed and `full`: the catalog is kept as is and needs no rebuild. */
  untouched: boolean;
}

function byPackageThenName(a: { package: string; name: string }, b: { package: string; name: string }): number {
  if (a.package !== b.package) return a.package < b.package ? -1 : 1;
  if (a.name !== b.name) return a.name < b.name ? -1 : 1;
  return 0;
}

function bundleVersions(bundles: FbcBundle[]): Map<string, Map<string, SemVersion>> {
  const out = new Map<string, Map<string, SemVersion>>();
  for (const b of bundles) {
    const text = bundleVersionText(b);
    if (text === undefined) {
      throw new PayloadError('invalid-bundle', `bundle "${b.name}" in package "${b.package}" has no package property`, {
        hint: 'every olm.bundle needs exactly one olm.package property ({packageName, version})',
      });
    }
    const v = parseStrictVersion(text);
    if (!v) {
      throw new PayloadError('invalid-bundle-version', `bundle "${b.name}" in package "${b.package}" has version "${text}", which is not strict semver`, {
        hint: 'bundle versions must be X.Y.Z[-pre][+build]',
      });
    }
    let m = out.get(b.package);
    if (!m) out.set(b.package, (m = new Map()));
    m.set(b.name, v);
  }
  return out;
}

export function filterCatalog(fbc: DeclarativeConfig, config: CatalogFilterConfig, options: CatalogFilterOptions = {}): CatalogFilterResult {
  const pkgConfigs = resolveFilterConfig(config);
  const full = config.full === true;
  const warnings: string[] = [];

  // Listed but absent: an error that names them all (oc-mirror silently mirrors less).
  const catalogPackages = new Set(fbc.packages.map((p) => p.name));
  const catalogChannels = new Set(fbc.channels.map((c) => `${c.package}/${c.name}`));
  const missingPackages = [...pkgConfigs.keys()].filter((p) => !catalogPackages.has(p));
  const missingChannels: string[] = [];
  for (const pc of pkgConfigs.values()) {
    if (!catalogPackages.has(pc.name)) continue;
    for (const ch of pc.channels.keys()) if (!catalogChannels.has(`${pc.name}/${ch}`)) missingChannels.push(`${pc.name}/${ch}`);
  }
  if (missingPackages.length || missingChannels.length) {
    const parts: string[] = [];
    if (missingPackages.length) parts.push(`packages not in the catalog: ${missingPackages.join(', ')}`);
    if (missingChannels.length) parts.push(`channels not in the catalog: ${missingChannels.join(', ')}`);
    if (!options.continueOnMissing) {
      throw new PayloadError('missing-packages', parts.join('; '), {
        hint: 'fix the names in opm_mirror_list / dci_operators, or set dci_continue_on_mirror_error to mirror what exists',
      });
    }
    warnings.push(...parts);
  }

  if (pkgConfigs.size === 0 && full) {
    return { catalog: fbc, warnings, missingPackages, missingChannels, untouched: true };
  }

  // Step 1: packages and channels.
  let packages: FbcPackage[];
  let channels: FbcChannel[];
  let bundles: FbcBundle[];
  let deprecations = fbc.deprecations;
  let others = fbc.others;
  if (pkgConfigs.size > 0) {
    packages = fbc.packages.filter((p) => pkgConfigs.has(p.name));
    channels = fbc.channels.filter((c) => {
      const pc = pkgConfigs.get(c.package);
      return pc !== undefined && (pc.channels.size === 0 || pc.channels.has(c.name));
    });
    bundles = fbc.bundles.filter((b) => pkgConfigs.has(b.package));
    deprecations = fbc.deprecations.filter((d) => pkgConfigs.has(d.package));
    others = fbc.others.filter((m) => !m.package || pkgConfigs.has(m.package));
  } else {
    packages = fbc.packages;
    channels = fbc.channels;
    bundles = fbc.bundles;
  }
  const channelNames = new Map<string, Set<string>>();
  for (const c of channels) {
    let s = channelNames.get(c.package);
    if (!s) channelNames.set(c.package, (s = new Set()));
    s.add(c.name);
  }
  const versions = bundleVersions(bundles);

  // Step 2: default channels of listed packages.
  const defaults = new Map<string, string | undefined>();
  packages = packages.map((p) => {
    const pc = pkgConfigs.get(p.name);
    if (!pc || (!p.defaultChannel && !pc.defaultChannel)) {
      defaults.set(p.name, p.defaultChannel);
      return p;
    }
    const present = channelNames.get(p.name) ?? new Set<string>();
    if (pc.defaultChannel) {
      if (!present.has(pc.defaultChannel)) {
        throw new PayloadError(
          'default-channel-override-missing',
          `invalid default channel configuration for package "${p.name}": specified default channel override "${pc.defaultChannel}" does not exist in the filtered output`,
          { hint: `choose a defaultChannel among the kept channels: ${[...present].join(', ') || '(none)'}` },
        );
      }
      defaults.set(p.name, pc.defaultChannel);
      return pc.defaultChannel === p.defaultChannel ? p : { ...p, defaultChannel: pc.defaultChannel };
    }
    if (!present.has(p.defaultChannel as string)) {
      throw new PayloadError(
        'default-channel-filtered-out',
        `invalid default channel configuration for package "${p.name}": the default channel "${p.defaultChannel}" was filtered out, a new default channel must be configured for this package`,
        { hint: `set defaultChannel for "${p.name}" to one of: ${[...present].join(', ') || '(none)'}` },
      );
    }
    defaults.set(p.name, p.defaultChannel);
    return p;
  });

  // Step 3: entries of each channel.
  const keepBundles = new Map<string, Set<string>>();
  const keepSet = (pkg: string): Set<string> => {
    let s = keepBundles.get(pkg);
    if (!s) keepBundles.set(pkg, (s = new Set()));
    return s;
  };
  const dropped = new Set<FbcChannel>();
  const ranges = new Map<string, VersionRange>();
  const outChannels: FbcChannel[] = [];
  for (const ch of channels) {
    const pc = pkgConfigs.get(ch.package);
    const rangeText = pc?.channels.get(ch.name) || pc?.versionRange;
    const where = `package "${ch.package}" channel "${ch.name}"`;
    if (full) {
      const s = keepSet(ch.package);
      for (const e of ch.entries) s.add(e.name);
      outChannels.push(ch);
    } else if (rangeText) {
      let range = ranges.get(rangeText);
      if (!range) {
        try {
          range = parseVersionRange(rangeText);
        } catch (e) {
          throw new PayloadError('invalid-version-range', `error parsing version range: ${(e as Error).message}`, { cause: e });
        }
        ranges.set(rangeText, range);
      }
      let graph;
      try {
        graph = buildChannelGraph(ch);
      } catch (e) {
        throw channelError(where, e);
      }
      // Upstream walks replaces targets that are not entries of this channel (they may be bundles of the
      // package) and can then keep a channel with no entry; we keep only this channel's own entries.
      const walked = filterByVersionRange(graph, range, versions.get(ch.package) ?? new Map(), (w) => warnings.push(w));
      const keep = new Set([...walked].filter((n) => graph.entries.has(n)));
      if (keep.size === 0) {
        if (ch.name === defaults.get(ch.package)) {
          throw new PayloadError('empty-channel', `${where} has version range "${rangeText}" that results in an empty channel`, {
            hint: 'widen the range, or choose another defaultChannel for the package',
          });
        }
        dropped.add(ch);
      }
      const s = keepSet(ch.package);
      for (const k of keep) s.add(k);
      if (!dropped.has(ch)) outChannels.push({ ...ch, entries: ch.entries.filter((e) => keep.has(e.name)) });
    } else {
      let graph;
      try {
        graph = buildChannelGraph(ch);
      } catch (e) {
        throw channelError(`${where} unable to filter head of channel`, e);
      }
      const headName = graph.head.name;
      const headEntry = ch.entries.find((e) => e.name === headName);
      outChannels.push({ ...ch, entries: headEntry ? [headEntry] : [] });
      keepSet(ch.package).add(headName);
    }
  }

  // Step 4: bundles and deprecations follow the kept entries.
  let outBundles = bundles;
  let outDeprecations = deprecations;
  if (keepBundles.size > 0) {
    outBundles = bundles.filter((b) => keepBundles.get(b.package)?.has(b.name) === true);
    // One bundle per (package, name), like upstream's index.
    const seen = new Set<string>();
    outBundles = outBundles.filter((b) => {
      const k = `${b.package}\u0000${b.name}`;
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    });
    outBundles = [...outBundles].sort(byPackageThenName);
    outDeprecations = deprecations.map((d) => ({
      ...d,
      entries: d.entries.filter((e) => {
        if (e.reference.schema === 'olm.bundle') {
          const kept = keepBundles.get(d.package);
          return !kept || kept.has(e.reference.name ?? '');
        }
        if (e.reference.schema === 'olm.channel') {
          const names = channelNames.get(d.package);
          return !names || names.has(e.reference.name ?? '');
        }
        return true;
      }),
    }));
  }

  return {
    catalog: { packages, channels: outChannels, bundles: outBundles, deprecations: outDeprecations, others },
    warnings,
    missingPackages,
    missingChannels,
    untouched: false,
  };
}

function channelError(where: string, e: unknown): PayloadError {
  if (e instanceof ChannelGraphError) {
    return new PayloadError('invalid-channel', `${where}: ${e.message}`, {
      hint: 'the catalog itself is invalid here; report it to the catalog owner or filter this channel out',
      cause: e,
    });
  }
  return e as PayloadError;
}
