/**
 * The node's /etc/containers/registries.conf as data, how the machine-config-operator edits it from the
 * cluster's insecure/blocked lists and IDMS/ITMS/ICSP objects (runtime-utils EditRegistriesConfig,
 * mirror-semantics.md §2.2 R6–R11), and its TOML rendering.
 */
import { mergeDigestMirrorSets, mergeMirrorSets, type MergedMirrorSet } from './merge.js';
import { mirrorsAdjustedForNestedScope, scopeIsNestedInsideScope } from './scopes.js';
import type { MirrorEntry } from './types.js';

export type PullFromMirror = '' | 'all' | 'digest-only' | 'tag-only';

export interface RegistryMirror {
  location: string;
  insecure: boolean;
  pullFromMirror: PullFromMirror;
}

/** One `[[registry]]` table. `prefix` is '' when the scope is the location (containers/image defaults it). */
export interface RegistryEntry {
  prefix: string;
  location: string;
  insecure: boolean;
  blocked: boolean;
  mirrorByDigestOnly: boolean;
  mirrors: RegistryMirror[];
}

export interface RegistriesConf {
  unqualifiedSearchRegistries: string[];
  shortNameMode: string;
  registries: RegistryEntry[];
}

/** The template MCO starts from (MCO templates: 01-<role>-container-runtime, container-registries.yaml). */
export function baseRegistriesConf(): RegistriesConf {
  return { unqualifiedSearchRegistries: ['registry.access.redhat.com', 'docker.io'], shortNameMode: '', registries: [] };
}

export interface EditRegistriesInput {
  insecureRegistries?: readonly string[];
  blockedRegistries?: readonly string[];
  icsp?: readonly (readonly MirrorEntry[])[];
  idms?: readonly (readonly MirrorEntry[])[];
  itms?: readonly (readonly MirrorEntry[])[];
  /**
   * `legacy`: OCP ≤ 4.12 runtime-utils, ICSP only: `mirror-by-digest-only = true` on the entry and no
   * per-mirror pull-from-mirror. `current` (default): per-mirror digest-only / tag-only.
   */
  style?: 'current' | 'legacy';
}

export function registryScope(reg: Pick<RegistryEntry, 'prefix' | 'location'>): string {
  return reg.prefix !== '' ? reg.prefix : reg.location;
}

function newEntry(scope: string): RegistryEntry {
  const wildcard = scope.startsWith('*.');
  return { prefix: wildcard ? scope : '', location: wildcard ? '' : scope, insecure: false, blocked: false, mirrorByDigestOnly: false, mirrors: [] };
}

/**
 * Return a new configuration with the cluster's mirror and registry settings applied, exactly as MCO does.
 * Throws NestedScopeError when a wildcard mirror source would have to be propagated to a nested scope
 * (MCO fails the same way). Run findMirrorConfigProblem first: MCO validates before it edits.
 */
export function editRegistriesConf(base: RegistriesConf, input: EditRegistriesInput): RegistriesConf {
  const conf: RegistriesConf = structuredClone(base);
  const regs = conf.registries;
  // First entry per scope, as the linear search in runtime-utils finds it.
  const byScope = new Map<string, RegistryEntry>();
  for (const r of regs) if (!byScope.has(registryScope(r))) byScope.set(registryScope(r), r);
  const getEntry = (scope: string): RegistryEntry => {
    const found = byScope.get(scope);
    if (found) return found;
    const e = newEntry(scope);
    regs.push(e);
    byScope.set(scope, e);
    return e;
  };
  const legacy = input.style === 'legacy';
  if (legacy && ((input.idms ?? []).length > 0 || (input.itms ?? []).length > 0)) {
    throw new Error('the legacy (OCP ≤ 4.12) registries.conf style only knows ImageContentSourcePolicy objects');
  }
  const addMirrors = (sets: MergedMirrorSet[], pullFromMirror: PullFromMirror): void => {
    for (const item of sets) {
      const reg = getEntry(item.source);
      if (item.mirrorSourcePolicy === 'NeverContactSource') reg.blocked = true;
      if (legacy) reg.mirrorByDigestOnly = true;
      for (const m of item.mirrors) reg.mirrors.push({ location: m, insecure: false, pullFromMirror: legacy ? '' : pullFromMirror });
    }
  };
  const digestSets = mergeDigestMirrorSets(input.idms ?? [], input.icsp ?? []);
  addMirrors(digestSets, 'digest-only');
  const tagSets = mergeMirrorSets(input.itms ?? []);
  addMirrors(tagSets, 'tag-only');

  const blocked = input.blockedRegistries ?? [];
  // Blocked entries first, so that a blocked scope nested in an insecure one is found and marked insecure.
  for (const scope of blocked) getEntry(scope);
  for (const insecureScope of input.insecureRegistries ?? []) {
    getEntry(insecureScope).insecure = true;
    for (const reg of regs) {
      if (scopeIsNestedInsideScope(registryScope(reg), insecureScope)) reg.insecure = true;
      for (const m of reg.mirrors) if (scopeIsNestedInsideScope(m.location, insecureScope)) m.insecure = true;
    }
  }
  for (const blockedScope of blocked) {
    getEntry(blockedScope).blocked = true;
    for (const reg of regs) if (scopeIsNestedInsideScope(registryScope(reg), blockedScope)) reg.blocked = true;
  }
  // Longest-prefix matching means a nested entry without mirrors would lose its parent's mirrors: copy them.
  for (const set of [...digestSets, ...tagSets]) {
    const mirrored = getEntry(set.source);
    const mirroredScope = registryScope(mirrored);
    for (const reg of regs) {
      const scope = registryScope(reg);
      if (reg.mirrors.length === 0 && scope !== mirroredScope && scopeIsNestedInsideScope(scope, mirroredScope)) {
        reg.mirrors = mirrorsAdjustedForNestedScope(mirroredScope, scope, mirrored.mirrors);
        if (legacy && mirrored.mirrorByDigestOnly) reg.mirrorByDigestOnly = true;
      }
    }
  }
  return conf;
}

function tomlString(s: string): string {
  // TOML basic strings share JSON's escapes for the characters that can occur here.
  return JSON.stringify(s);
}

/**
 * TOML as the MCO writes it (BurntSushi/toml: plain keys before sub-tables, 2-space indent per table level,
 * `prefix` and `short-name-mode` always written, other empty values omitted).
 */
export function registriesConfToToml(conf: RegistriesConf): string {
  const lines: string[] = [];
  lines.push(`unqualified-search-registries = [${conf.unqualifiedSearchRegistries.map(tomlString).join(', ')}]`);
  lines.push(`short-name-mode = ${tomlString(conf.shortNameMode)}`);
  for (const reg of conf.registries) {
    lines.push('', '[[registry]]');
    lines.push(`  prefix = ${tomlString(reg.prefix)}`);
    if (reg.location !== '') lines.push(`  location = ${tomlString(reg.location)}`);
    if (reg.insecure) lines.push('  insecure = true');
    if (reg.blocked) lines.push('  blocked = true');
    if (reg.mirrorByDigestOnly) lines.push('  mirror-by-digest-only = true');
    for (const m of reg.mirrors) {
      lines.push('', '  [[registry.mirror]]');
      lines.push(`    location = ${tomlString(m.location)}`);
      if (m.insecure) lines.push('    insecure = true');
      if (m.pullFromMirror !== '') lines.push(`    pull-from-mirror = ${tomlString(m.pullFromMirror)}`);
    }
  }
  return lines.join('\n') + '\n';
}

/** Edit the MCO base template with the cluster configuration and render TOML (what lands on the nodes). */
export function renderRegistriesConf(input: EditRegistriesInput, base: RegistriesConf = baseRegistriesConf()): string {
  return registriesConfToToml(editRegistriesConf(base, input));
}
