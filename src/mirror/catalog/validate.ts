/**
 * The checks `opm validate` (operator-registry model conversion + validation) makes, restated: a pruned
 * catalog that fails them makes the catalog pod refuse to serve, so we check before pushing.
 */
import { PayloadError } from '../../core/errors.js';
import { ChannelGraphError, buildChannelGraph } from './channel-graph.js';
import type { DeclarativeConfig } from './fbc-model.js';
import { parseStrictVersion } from './version-range.js';

/** Every problem found, as readable sentences; empty when the catalog is valid. */
export function catalogProblems(fbc: DeclarativeConfig): string[] {
  const problems: string[] = [];
  const pkgNames = new Set<string>();
  for (const p of fbc.packages) {
    if (!p.name) problems.push('a package has no name');
    else if (pkgNames.has(p.name)) problems.push(`package "${p.name}" is declared more than once`);
    pkgNames.add(p.name);
  }
  const channelsByPkg = new Map<string, Set<string>>();
  const bundleNames = new Map<string, Set<string>>();
  for (const b of fbc.bundles) {
    let s = bundleNames.get(b.package);
    if (!s) bundleNames.set(b.package, (s = new Set()));
    if (s.has(b.name)) problems.push(`package "${b.package}": bundle "${b.name}" is declared more than once`);
    s.add(b.name);
  }
  const inChannels = new Map<string, Set<string>>();
  for (const ch of fbc.channels) {
    const where = `package "${ch.package}" channel "${ch.name}"`;
    if (!pkgNames.has(ch.package)) problems.push(`${where}: package is not declared`);
    let names = channelsByPkg.get(ch.package);
    if (!names) channelsByPkg.set(ch.package, (names = new Set()));
    if (names.has(ch.name)) problems.push(`${where}: channel is declared more than once`);
    names.add(ch.name);
    let members = inChannels.get(ch.package);
    if (!members) inChannels.set(ch.package, (members = new Set()));
    for (const e of ch.entries) {
      members.add(e.name);
      if (!bundleNames.get(ch.package)?.has(e.name)) problems.push(`${where}: entry "${e.name}" has no olm.bundle`);
      for (const s of e.skips ?? []) if (!s) problems.push(`${where}: entry "${e.name}" has an empty skips item`);
    }
    try {
      const graph = buildChannelGraph(ch);
      // Reachable the way OLM upgrades: down the replaces chain, plus what chain members skip.
      const reached = new Set<string>();
      const onChain = new Set<string>();
      for (let cur: typeof graph.head | undefined = graph.head; cur && !onChain.has(cur.name); cur = cur.replaces) {
        onChain.add(cur.name);
        reached.add(cur.name);
        for (const s of cur.skips) reached.add(s.name);
      }
      const stranded = ch.entries.map((e) => e.name).filter((n) => !reached.has(n));
      if (stranded.length) problems.push(`${where}: stranded entries (not reachable from head "${graph.head.name}"): ${stranded.join(', ')}`);
    } catch (e) {
      if (!(e instanceof ChannelGraphError)) throw e;
      problems.push(`${where}: ${e.message}`);
    }
  }
  for (const p of fbc.packages) {
    const chans = channelsByPkg.get(p.name);
    if (!chans || chans.size === 0) problems.push(`package "${p.name}" has no channel`);
    if (!p.defaultChannel) problems.push(`package "${p.name}" has no defaultChannel`);
    else if (chans && !chans.has(p.defaultChannel)) problems.push(`package "${p.name}": default channel "${p.defaultChannel}" is not in the catalog`);
  }
  const versionsSeen = new Map<string, Map<string, string>>();
  for (const b of fbc.bundles) {
    const where = `package "${b.package}" bundle "${b.name}"`;
    if (!pkgNames.has(b.package)) problems.push(`${where}: package is not declared`);
    const pkgProps = (b.properties ?? []).filter((p) => p.type === 'olm.package');
    if (pkgProps.length !== 1) problems.push(`${where}: must have exactly one olm.package property, has ${pkgProps.length}`);
    else {
      const value = pkgProps[0].value as { packageName?: unknown; version?: unknown } | null;
      if (value?.packageName !== b.package) problems.push(`${where}: olm.package property names package "${String(value?.packageName)}"`);
      const text = typeof value?.version === 'string' ? value.version : '';
      const v = parseStrictVersion(text);
      if (!v) problems.push(`${where}: version "${text}" is not valid semver`);
      else {
        // Build metadata counts here: real catalogs ship 0.8.0 and 0.8.0+0.1634606167.p side by side.
        const key = `${v.major}.${v.minor}.${v.patch}-${v.prerelease}+${v.build}`;
        let seen = versionsSeen.get(b.package);
        if (!seen) versionsSeen.set(b.package, (seen = new Map()));
        const other = seen.get(key);
        if (other) problems.push(`${where}: version "${text}" is also the version of bundle "${other}"`);
        seen.set(key, b.name);
      }
    }
    const hasObjects = (b.properties ?? []).some((p) => p.type === 'olm.bundle.object' || p.type === 'olm.csv.metadata');
    if (!b.image && !hasObjects) problems.push(`${where}: has neither an image nor bundle objects`);
    if (!inChannels.get(b.package)?.has(b.name)) problems.push(`${where}: not found in any channel entries`);
  }
  for (const d of fbc.deprecations) {
    if (!pkgNames.has(d.package)) problems.push(`deprecations of package "${d.package}": package is not declared`);
    for (const e of d.entries) if (!e.message) problems.push(`deprecations of package "${d.package}": entry for ${e.reference.schema} "${e.reference.name ?? d.package}" has no message`);
  }
  return problems;
}

/** Throw one PayloadError listing every problem (at most 20 shown). */
export function assertValidCatalog(fbc: DeclarativeConfig, what = 'filtered catalog'): void {
  const problems = catalogProblems(fbc);
  if (problems.length === 0) return;
  const shown = problems.slice(0, 20).map((p) => `  - ${p}`);
  if (problems.length > 20) shown.push(`  - … and ${problems.length - 20} more`);
  throw new PayloadError('invalid-catalog', `the ${what} is not a valid file-based catalog:\n${shown.join('\n')}`, {
    hint: 'adjust the packages/channels/version ranges, or check the source catalog with `opm validate`',
  });
}
