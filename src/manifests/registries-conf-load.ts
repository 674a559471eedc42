/**
 * Reading a registries.conf (V2 format) the way containers/image does (`postProcessRegistries`): locations
 * normalised, defaults applied, and the configurations CRI-O refuses to start with rejected with its text.
 * Input is the file's text (TOML) or the same content as data; reading the file is the caller's job.
 */
import { parse as parseToml } from 'smol-toml';
import type { PullFromMirror, RegistriesConf, RegistryEntry, RegistryMirror } from './registries-conf.js';
import { compareBytes } from './types.js';

export type RegistriesConfErrorCode =
  | 'toml-syntax'
  | 'invalid-location'
  | 'uri-scheme'
  | 'missing-location-and-prefix'
  | 'missing-location'
  | 'invalid-wildcard-prefix'
  | 'pull-from-mirror-on-primary'
  | 'missing-mirror-location'
  | 'digest-only-with-pull-from-mirror'
  | 'invalid-pull-from-mirror'
  | 'conflicting-insecure'
  | 'conflicting-blocked'
  | 'invalid-type'
  | 'v1-format';

export class RegistriesConfError extends Error {
  constructor(readonly code: RegistriesConfErrorCode, message: string) {
    super(message);
    this.name = 'RegistriesConfError';
  }
}

/** Raw content, with registries.conf keys in camelCase (`mirror-by-digest-only` → mirrorByDigestOnly). */
export interface RegistriesConfData {
  unqualifiedSearchRegistries?: string[];
  shortNameMode?: string;
  registries?: Array<{
    prefix?: string;
    location?: string;
    insecure?: boolean;
    blocked?: boolean;
    mirrorByDigestOnly?: boolean;
    pullFromMirror?: string;
    mirrors?: Array<{ location?: string; insecure?: boolean; pullFromMirror?: string }>;
  }>;
}

/** Trailing slashes removed; http(s):// refused (containers/image parseLocation). */
export function parseRegistryLocation(input: string): string {
  const trimmed = input.replace(/\/+$/, '');
  if (trimmed.startsWith('http://') || trimmed.startsWith('https://')) {
    throw new RegistriesConfError('uri-scheme', `invalid location '${input}': URI schemes are not supported`);
  }
  return trimmed;
}

function loc(input: string): string {
  try {
    return parseRegistryLocation(input);
  } catch (e) {
    throw new RegistriesConfError('invalid-location', (e as Error).message);
  }
}

const str = (v: unknown, what: string): string => {
  if (v === undefined) return '';
  if (typeof v !== 'string') throw new RegistriesConfError('invalid-type', `${what} must be a string`);
  return v;
};
const bool = (v: unknown, what: string): boolean => {
  if (v === undefined) return false;
  if (typeof v !== 'boolean') throw new RegistriesConfError('invalid-type', `${what} must be true or false`);
  return v;
};

/** Validate and normalise one file's content (no drop-ins). Entries keep file order. */
export function normalizeRegistriesConf(data: RegistriesConfData): RegistriesConf {
  const registries: RegistryEntry[] = [];
  for (const raw of data.registries ?? []) {
    const location = loc(str(raw.location, 'registry location'));
    let prefix = str(raw.prefix, 'registry prefix');
    if (prefix === '') {
      if (location === '') throw new RegistriesConfError('missing-location-and-prefix', 'invalid condition: both location and prefix are unset');
      prefix = location;
    } else {
      prefix = loc(prefix);
      if (prefix.startsWith('*.') && /[/@:]/.test(prefix)) {
        throw new RegistriesConfError('invalid-wildcard-prefix', `invalid prefix '${prefix}': wildcarded prefix should be in the format: *.example.com`);
      }
      if (!prefix.startsWith('*.') && location === '') {
        throw new RegistriesConfError('missing-location', 'invalid condition: location is unset and prefix is not in the format: *.example.com');
      }
    }
    if (str(raw.pullFromMirror, 'pull-from-mirror') !== '') {
      throw new RegistriesConfError('pull-from-mirror-on-primary', `pull-from-mirror must not be set for a non-mirror registry ${JSON.stringify(prefix)}`);
    }
    const mirrorByDigestOnly = bool(raw.mirrorByDigestOnly, 'mirror-by-digest-only');
    const mirrors: RegistryMirror[] = [];
    for (const m of raw.mirrors ?? []) {
      const mLocation = loc(str(m.location, 'mirror location'));
      if (mLocation === '') throw new RegistriesConfError('missing-mirror-location', 'invalid condition: mirror location is unset');
      const pfm = str(m.pullFromMirror, 'pull-from-mirror');
      if (mirrorByDigestOnly && pfm !== '') {
        throw new RegistriesConfError(
          'digest-only-with-pull-from-mirror',
          `cannot set mirror usage mirror-by-digest-only for the registry (${JSON.stringify(prefix)}) and pull-from-mirror for per-mirror (${JSON.stringify(mLocation)}) at the same time`,
        );
      }
      if (pfm !== '' && pfm !== 'all' && pfm !== 'digest-only' && pfm !== 'tag-only') {
        throw new RegistriesConfError('invalid-pull-from-mirror', `unsupported pull-from-mirror value ${JSON.stringify(pfm)} for mirror ${JSON.stringify(mLocation)}`);
      }
      mirrors.push({ location: mLocation, insecure: bool(m.insecure, 'mirror insecure'), pullFromMirror: pfm as PullFromMirror });
    }
    registries.push({ prefix, location, insecure: bool(raw.insecure, 'insecure'), blocked: bool(raw.blocked, 'blocked'), mirrorByDigestOnly, mirrors });
  }
  // One registry may appear under several prefixes; they must agree on insecure and blocked.
  const byLocation = new Map<string, RegistryEntry[]>();
  for (const r of registries) {
    const key = r.location === '' ? r.prefix : r.location;
    byLocation.set(key, [...(byLocation.get(key) ?? []), r]);
  }
  for (const [location, regs] of byLocation) {
    for (const r of regs.slice(1)) {
      if (r.insecure !== regs[0].insecure) {
        throw new RegistriesConfError('conflicting-insecure', `registry '${location}' is defined multiple times with conflicting 'insecure' setting`);
      }
      if (r.blocked !== regs[0].blocked) {
        throw new RegistriesConfError('conflicting-blocked', `registry '${location}' is defined multiple times with conflicting 'blocked' setting`);
      }
    }
  }
  return { unqualifiedSearchRegistries: [...(data.unqualifiedSearchRegistries ?? [])], shortNameMode: data.shortNameMode ?? '', registries };
}

/**
 * Apply drop-ins (lexical order given by the caller): an entry replaces the one with the same prefix, others
 * are added; then entries are sorted by prefix, as containers/image keeps them. The first entry of a prefix
 * in one file wins over later duplicates in the same file.
 */
export function mergeRegistriesConfs(main: RegistriesConf, dropIns: readonly RegistriesConf[] = []): RegistriesConf {
  const byPrefix = new Map<string, RegistryEntry>();
  const addFile = (c: RegistriesConf): void => {
    const seen = new Set<string>();
    for (const r of c.registries) {
      if (seen.has(r.prefix)) continue;
      seen.add(r.prefix);
      byPrefix.set(r.prefix, r);
    }
  };
  addFile(main);
  let search = main.unqualifiedSearchRegistries;
  let shortNameMode = main.shortNameMode;
  for (const d of dropIns) {
    addFile(d);
    if (d.unqualifiedSearchRegistries.length > 0) search = d.unqualifiedSearchRegistries;
    if (d.shortNameMode !== '') shortNameMode = d.shortNameMode;
  }
  const registries = [...byPrefix.keys()].sort(compareBytes).map((k) => byPrefix.get(k)!);
  return { unqualifiedSearchRegistries: [...search], shortNameMode, registries };
}

function camel(table: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(table)) out[k.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase())] = v;
  return out;
}

/** Parse a registries.conf text (TOML, V2 format). `file` names it in error messages. */
export function parseRegistriesConf(text: string, file = 'registries.conf'): RegistriesConf {
  let doc: Record<string, unknown>;
  try {
    doc = parseToml(text) as Record<string, unknown>;
  } catch (e) {
    throw new RegistriesConfError('toml-syntax', `${file}: not valid TOML: ${(e as Error).message.split('\n')[0]}`);
  }
  if ('registries' in doc && typeof doc.registries === 'object' && !Array.isArray(doc.registries)) {
    throw new RegistriesConfError('v1-format', `${file}: the V1 format ([registries.search] tables) is not supported; use [[registry]] tables`);
  }
  const regs = (doc.registry ?? []) as unknown;
  if (!Array.isArray(regs)) throw new RegistriesConfError('invalid-type', `${file}: "registry" must be an array of tables ([[registry]])`);
  const data: RegistriesConfData = {
    unqualifiedSearchRegistries: (doc['unqualified-search-registries'] as string[] | undefined) ?? [],
    shortNameMode: (doc['short-name-mode'] as string | undefined) ?? '',
    registries: regs.map((r: Record<string, unknown>) => {
      const c = camel(r);
      const mirrors = (c.mirror ?? []) as Array<Record<string, unknown>>;
      delete c.mirror;
      return { ...c, mirrors: mirrors.map(camel) } as NonNullable<RegistriesConfData['registries']>[number];
    }),
  };
  try {
    return normalizeRegistriesConf(data);
  } catch (e) {
    if (e instanceof RegistriesConfError) throw new RegistriesConfError(e.code, `${file}: ${e.message}`);
    throw e;
  }
}
