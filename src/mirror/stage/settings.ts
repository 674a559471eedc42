/**
 * What the mirror-images stage mirrors, derived once from the lab's variables (the original agent's names,
 * dci-agent-reference §4): the release (`ocp_release_image` or `release_image`, else `version_pull_url` from DCI, else the public
 * release for `ocp_version`), the operator catalogs (`operators_index` when operators are asked for, plus
 * `custom_catalogs`) filtered by `opm_mirror_list`/`dci_operators`, and `dci_additional_images`. Pure.
 */
import { ansibleBool } from '../../config/ansible-bool.js';
import { SettingsError } from '../../core/errors.js';
import { parseOcpMinor } from '../../manifests/version.js';
import { filterConfigFromDci } from '../catalog/dci-config.js';

export interface MirrorStageSettings {
  localRegistry: string;
  /** Release repository under the registry (`local_repo`, default `ocp-<major.minor>/<version>` as the original). */
  localRepo: string;
  /** Path prefix for operator and additional images (`dci_mirror_repo_prefix`, default none: keep source paths). */
  contentRepoPrefix?: string;
  version: string;
  releaseImage?: string;
  catalogs: Array<{ image: string; catalogSourceName?: string; filtered: boolean }>;
  filterVars: { opm_mirror_list?: unknown; dci_operators?: unknown };
  additionalImages: string[];
  force: boolean;
  kind: 'auto' | 'idms' | 'icsp' | 'itms';
  continueOnError: boolean;
  catalogVersions: 'latest' | 'all';
  neverContactSource: boolean;
  disableDefaultSources: boolean;
  /** PEM text of the registry CA, for install-config `additionalTrustBundle`. */
  trustBundle?: string;
}

/**
 * A yes/no lab variable read with ansible-core's boolean rule (y/t/on/1 are true too); unset means the default, and a
 * value that is no boolean at all is refused by name rather than silently read as false.
 */
function flag(vars: Record<string, unknown>, name: string, dflt = false): boolean {
  const v = vars[name];
  if (v === undefined || v === null || v === '') return dflt;
  const b = ansibleBool(v);
  if (b === undefined) {
    throw new SettingsError('invalid-setting', `${name}: expected a boolean, got ${JSON.stringify(v)}`, { hint: `set ${name} to true or false (yes/no work too)` });
  }
  return b;
}

function stringList(v: unknown, name: string): string[] {
  if (v === undefined || v === null || v === '') return [];
  if (typeof v === 'string') return [v];
  if (!Array.isArray(v)) throw new SettingsError('invalid-setting', `${name} must be a list of image references`);
  return v.map((x, i) => {
    if (typeof x === 'string') return x;
    if (x && typeof x === 'object' && typeof (x as Record<string, unknown>).image === 'string') return String((x as Record<string, unknown>).image);
    throw new SettingsError('invalid-setting', `${name}[${i}] must be an image reference (string) or {image: ...}`);
  });
}

function nonEmpty(v: unknown): boolean {
  if (Array.isArray(v)) return v.length > 0;
  if (v && typeof v === 'object') return Object.keys(v).length > 0;
  return false;
}

export function mirrorStageSettings(vars: Record<string, unknown>): MirrorStageSettings {
  const localRegistry = typeof vars.dci_local_registry === 'string' ? vars.dci_local_registry.trim() : '';
  if (!localRegistry) {
    throw new SettingsError('no-local-registry', 'the mirror-images stage needs the local registry: dci_local_registry is empty', {
      hint: 'set local_registry_host (and local_registry_port) in the inventory',
    });
  }
  const version = vars.ocp_version === undefined || vars.ocp_version === null ? '' : String(vars.ocp_version);
  if (!version) throw new SettingsError('no-ocp-version', 'the mirror-images stage needs ocp_version (or a DCI topic that provides it)', { hint: 'set ocp_version, e.g. 4.16.3' });
  const minor = parseOcpMinor(version);
  if (!minor) throw new SettingsError('bad-ocp-version', `ocp_version "${version}" is not an OpenShift version`, { hint: 'use X.Y.Z, e.g. 4.16.3' });
  const mm = `${minor.major}.${minor.minor}`;
  const releaseImage =
    (typeof vars.ocp_release_image === 'string' && vars.ocp_release_image) ||
    (typeof vars.release_image === 'string' && vars.release_image) ||
    (typeof vars.version_pull_url === 'string' && vars.version_pull_url) ||
    (/^\d+\.\d+\.\d+/.test(version) ? `quay.io/openshift-release-dev/ocp-release:${version}-x86_64` : undefined);
  // The package lists are checked now, before the release or a catalog is read from the network.
  filterConfigFromDci({ opm_mirror_list: vars.opm_mirror_list, dci_operators: vars.dci_operators });
  const wantsOperators = nonEmpty(vars.dci_operators) || nonEmpty(vars.opm_mirror_list);
  const catalogs: MirrorStageSettings['catalogs'] = [];
  if (wantsOperators) {
    const index = typeof vars.operators_index === 'string' && vars.operators_index ? vars.operators_index : `registry.redhat.io/redhat/redhat-operator-index:v${mm}`;
    catalogs.push({ image: index, catalogSourceName: typeof vars.dci_catalog_source_name === 'string' ? vars.dci_catalog_source_name : 'mirrored-redhat-operators', filtered: true });
  }
  for (const image of stringList(vars.custom_catalogs, 'custom_catalogs')) catalogs.push({ image, filtered: false });
  const kind = vars.mirror_set_kind === undefined || vars.mirror_set_kind === null || vars.mirror_set_kind === '' ? 'auto' : String(vars.mirror_set_kind);
  if (!['auto', 'idms', 'icsp', 'itms'].includes(kind)) throw new SettingsError('invalid-setting', `mirror_set_kind must be auto, idms or icsp, not "${kind}"`);
  return {
    localRegistry,
    localRepo: typeof vars.local_repo === 'string' && vars.local_repo ? vars.local_repo : `ocp-${mm}/${version}`,
    contentRepoPrefix: typeof vars.dci_mirror_repo_prefix === 'string' && vars.dci_mirror_repo_prefix ? vars.dci_mirror_repo_prefix : undefined,
    version,
    releaseImage: flag(vars, 'dci_mirror_release', true) ? releaseImage : undefined,
    catalogs,
    filterVars: { opm_mirror_list: vars.opm_mirror_list, dci_operators: vars.dci_operators },
    additionalImages: stringList(vars.dci_additional_images, 'dci_additional_images'),
    force: flag(vars, 'dci_force_mirroring'),
    kind: kind as MirrorStageSettings['kind'],
    continueOnError: flag(vars, 'dci_continue_on_mirror_error'),
    catalogVersions: flag(vars, 'dci_mirror_latest_operators', true) ? 'latest' : 'all',
    neverContactSource: flag(vars, 'dci_mirror_never_contact_source'),
    disableDefaultSources: flag(vars, 'dci_disconnected') && !flag(vars, 'dci_preserve_default_catalogs'),
    trustBundle: typeof vars.dci_registry_ca_pem === 'string' && vars.dci_registry_ca_pem.trim() ? vars.dci_registry_ca_pem : undefined,
  };
}
