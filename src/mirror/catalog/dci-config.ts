/**
 * The agent's settings → a catalog filter. `opm_mirror_list` is a dict `pkg: {channel?, catalog?,
 * minVersion?, maxVersion?, defaultChannel?}` (null allowed) or a plain list of package names; the names of
 * `dci_operators` entries for this catalog are added (the agent mirrors what it will install). A single
 * channel given for a package also becomes its default channel, as the agent's prune_catalog does, so a
 * non-default channel can be asked for without more settings.
 */
import { SettingsError } from '../../core/errors.js';
import type { CatalogFilterConfig, PackageFilter } from './filter-config.js';

export interface DciCatalogSettings {
  opm_mirror_list?: unknown;
  dci_operators?: unknown;
  /** Only `dci_operators` entries whose `catalog_source` is this name count (all when undefined). */
  catalogSourceName?: string;
  /** Only `opm_mirror_list` entries whose `catalog` is this image (or that name none) count. */
  catalogImage?: string;
  /** `all` → every bundle of the kept channels (oc-mirror `full: true`); `latest` (default) → channel heads. */
  versions?: 'latest' | 'all';
}

function str(v: unknown, where: string): string | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string' && typeof v !== 'number') throw new SettingsError('invalid-setting', `${where} must be a string`);
  return String(v);
}

export function filterConfigFromDci(s: DciCatalogSettings): CatalogFilterConfig {
  const pkgs = new Map<string, PackageFilter>();
  const list = s.opm_mirror_list;
  if (Array.isArray(list)) {
    for (const [i, name] of list.entries()) {
      if (typeof name !== 'string' || !name) throw new SettingsError('invalid-setting', `opm_mirror_list[${i}] must be a package name`, { hint: 'write opm_mirror_list as a list of package names or a dict pkg: {channel: …}' });
      pkgs.set(name, { name });
    }
  } else if (list && typeof list === 'object') {
    for (const [name, raw] of Object.entries(list as Record<string, unknown>)) {
      if (raw !== null && raw !== undefined && typeof raw !== 'object') {
        throw new SettingsError('invalid-setting', `opm_mirror_list.${name} must be a dict (channel, catalog, minVersion, maxVersion) or empty`);
      }
      const e = (raw ?? {}) as Record<string, unknown>;
      const catalog = str(e.catalog, `opm_mirror_list.${name}.catalog`);
      if (catalog && s.catalogImage && catalog !== s.catalogImage) continue;
      const channel = str(e.channel, `opm_mirror_list.${name}.channel`);
      const minVersion = str(e.minVersion ?? e.min_version, `opm_mirror_list.${name}.minVersion`);
      const maxVersion = str(e.maxVersion ?? e.max_version, `opm_mirror_list.${name}.maxVersion`);
      const defaultChannel = str(e.defaultChannel ?? e.default_channel, `opm_mirror_list.${name}.defaultChannel`) ?? channel;
      pkgs.set(name, {
        name,
        ...(defaultChannel ? { defaultChannel } : {}),
        ...(channel ? { channels: [{ name: channel, ...(minVersion ? { minVersion } : {}), ...(maxVersion ? { maxVersion } : {}) }] } : {}),
        ...(!channel && minVersion ? { minVersion } : {}),
        ...(!channel && maxVersion ? { maxVersion } : {}),
      });
    }
  } else if (list !== undefined && list !== null) {
    throw new SettingsError('invalid-setting', 'opm_mirror_list must be a list of package names or a dict', { hint: 'e.g. opm_mirror_list: {sriov-network-operator: {channel: stable}}' });
  }
  const ops = s.dci_operators;
  if (ops !== undefined && ops !== null && !Array.isArray(ops)) throw new SettingsError('invalid-setting', 'dci_operators must be a list');
  for (const [i, op] of ((ops as unknown[]) ?? []).entries()) {
    const o = op as Record<string, unknown> | null;
    const name = str(o?.name, `dci_operators[${i}].name`);
    if (!name) throw new SettingsError('invalid-setting', `dci_operators[${i}] has no name`);
    const cs = str(o?.catalog_source, `dci_operators[${i}].catalog_source`);
    if (s.catalogSourceName && cs && cs !== s.catalogSourceName) continue;
    if (!pkgs.has(name)) pkgs.set(name, { name });
  }
  return { packages: [...pkgs.values()], ...(s.versions === 'all' ? { full: true } : {}) };
}
