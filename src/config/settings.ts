/**
 * The settings the pipeline itself reads, checked once at the edge with zod. Variable names are the original
 * agent's inventory names (dci-openshift-agent `group_vars/all`, redhatci.ocp roles) so existing lab inventories
 * keep working; every other variable is allowed and passed through for hooks.
 *
 * Values are accepted the way Ansible would use them: booleans through Ansible's `| bool` words (yes/no/on/off/
 * true/false/1/0, any case), ports and versions given as strings or numbers. A bad value is a SettingsError that
 * names the variable and the file:line it came from.
 */
import { z } from 'zod';
import { SettingsError } from '../core/errors.js';
import { SECRET_VARIABLE_PATTERN, type SecretRegistry } from '../core/secrets.js';
import type { VarOrigin } from './var-store.js';
import { ansibleBool } from './ansible-bool.js';

export { ansibleBool };

export const INSTALL_TYPES = ['ipi', 'sno', 'acm'] as const;
export type InstallType = (typeof INSTALL_TYPES)[number];

/** Same values as manifests' MirrorSetKindOverride: auto picks by OpenShift version. */
export const MIRROR_SET_KINDS = ['auto', 'idms', 'icsp', 'itms'] as const;
export type MirrorSetKindSetting = (typeof MIRROR_SET_KINDS)[number];

export interface OperatorSetting {
  name: string;
  channel?: string;
  namespace?: string;
  catalogSource?: string;
  startingCsv?: string;
  /** The agent's default is Manual, forced to Automatic when a starting CSV is pinned. */
  installApproval: 'Manual' | 'Automatic';
  operatorGroupName?: string;
  operatorGroupSpec?: Record<string, unknown>;
  nsLabels?: Record<string, string>;
  skippable: boolean;
  validateInstall: boolean;
}

export interface MirrorListEntry {
  channel?: string;
  catalog?: string;
}

export interface DciCredentialSettings {
  clientId?: string;
  apiSecret?: string;
  csUrl?: string;
}

export interface Settings {
  installType: InstallType;
  disconnected: boolean;
  localRegistryHost?: string;
  localRegistryPort?: number;
  /** `host:port` (or `host`), the agent's derived `dci_local_registry`. */
  dciLocalRegistry?: string;
  ocpVersion?: string;
  releaseImage?: string;
  pullsecretFile?: string;
  provisionCacheStore: string;
  webserverUrl?: string;
  operators: OperatorSetting[];
  /** `opm_mirror_list`, normalized to the dict form (`pkg: {channel, catalog}`). */
  opmMirrorList: Record<string, MirrorListEntry>;
  configDirs: string[];
  teardownOnSuccess: boolean;
  teardownOnFailure: boolean;
  cluster?: string;
  baseDomain?: string;
  apiVip?: string;
  ingressVip?: string;
  dci: DciCredentialSettings;
  mirrorSetKind: MirrorSetKindSetting;
  /** Names of the variables whose values are secret (SECRET_VARIABLE_PATTERN); the CLI redacts them. */
  secretVariables: string[];
}

/** Per-host installer data (masters/workers): BMC access and MACs. */
export interface NodeSettings {
  name: string;
  role: 'master' | 'worker';
  bmcAddress?: string;
  bmcUser?: string;
  bmcPassword?: string;
  bmcPort?: number;
  provisionMac?: string;
  baremetalMac?: string;
  installationDisk?: string;
  ansibleHost?: string;
}

// ---- value shapes, Ansible-tolerant ------------------------------------------------------------------------

function show(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (v === null || v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return String(v);
}

const bool = (dflt: boolean) =>
  z.unknown().optional().transform((v, ctx): boolean => {
    if (v === undefined || v === null || v === '') return dflt;
    const b = ansibleBool(v);
    if (b === undefined) {
      ctx.addIssue({ code: 'custom', message: `expected a boolean (true/false, yes/no), got ${show(v)}`, input: v });
      return z.NEVER;
    }
    return b;
  });

/** Strings; numbers are accepted and turned into their text (INI `version=4.16` arrives as a float). */
const text = z.unknown().optional().transform((v, ctx): string | undefined => {
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  ctx.addIssue({ code: 'custom', message: `expected a string, got ${show(v)}`, input: v });
  return z.NEVER;
});

/** An OpenShift version: `4.16`, `4.16.3`, `4.14.0-rc.2`, `4.16.0-0.nightly-…`, `4.15.3-x86_64`; or a template. */
const ocpVersion = text.transform((v, ctx): string | undefined => {
  if (v === undefined || v.includes('{{') || /^\d+\.\d+(\.\d+)?([-+][0-9A-Za-z.-]+)?$/.test(v.trim())) return v;
  ctx.addIssue({ code: 'custom', message: `expected an OpenShift version like 4.16.3 (or 4.16, 4.14.0-rc.2), got ${show(v)}`, input: v });
  return z.NEVER;
});

const port = z.unknown().optional().transform((v, ctx): number | undefined => {
  if (v === undefined || v === null || v === '') return undefined;
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\s*\d+\s*$/.test(v) ? Number(v) : NaN;
  if (!Number.isInteger(n) || n < 1 || n > 65535) {
    ctx.addIssue({ code: 'custom', message: `expected a port number, got ${show(v)}`, input: v });
    return z.NEVER;
  }
  return n;
});

/** A non-negative whole number (attempts, seconds); INI gives it as text. */
const count = z.unknown().optional().transform((v, ctx): number | undefined => {
  if (v === undefined || v === null || v === '') return undefined;
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\s*\d+\s*$/.test(v) ? Number(v) : NaN;
  if (!Number.isInteger(n) || n < 0) {
    ctx.addIssue({ code: 'custom', message: `expected a whole number, got ${show(v)}`, input: v });
    return z.NEVER;
  }
  return n;
});

const MAC_RE = /^[0-9a-f]{2}([:-][0-9a-f]{2}){5}$/i;
const mac = z.unknown().optional().transform((v, ctx): string | undefined => {
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string' || !MAC_RE.test(v.trim())) {
    const why = typeof v === 'number' ? ' (YAML reads an unquoted MAC made of digits as a base-60 number: quote it)' : '';
    ctx.addIssue({ code: 'custom', message: `expected a MAC address like 52:54:00:aa:bb:cc, got ${show(v)}${why}`, input: v });
    return z.NEVER;
  }
  return v.trim().toLowerCase();
});

const stringList = (dflt: string[]) =>
  z.unknown().optional().transform((v, ctx): string[] => {
    if (v === undefined || v === null) return dflt;
    if (typeof v === 'string') return v === '' ? [] : [v];
    if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
    ctx.addIssue({ code: 'custom', message: `expected a list of strings, got ${show(v)}`, input: v });
    return z.NEVER;
  });

const installType = z.unknown().optional().transform((v, ctx): InstallType => {
  if (v === undefined || v === null || v === '') return 'ipi'; // the agent's implicit default
  if (typeof v === 'string' && (INSTALL_TYPES as readonly string[]).includes(v)) return v as InstallType;
  const extra = v === 'upi' || v === 'abi' ? ` ("${v}" is an install type of the original agent that dci-agent-ts does not support yet)` : v === 'assisted' ? ' ("assisted" is deprecated in the original agent too)' : '';
  ctx.addIssue({ code: 'custom', message: `unknown install type ${show(v)}: expected one of ${INSTALL_TYPES.join(', ')}${extra}`, input: v });
  return z.NEVER;
});

const mirrorSetKind = z.unknown().optional().transform((v, ctx): MirrorSetKindSetting => {
  if (v === undefined || v === null || v === '') return 'auto';
  const s = typeof v === 'string' ? v.trim().toLowerCase() : '';
  if (s === 'auto') return 'auto';
  if (s === 'idms' || s === 'imagedigestmirrorset') return 'idms';
  if (s === 'icsp' || s === 'imagecontentsourcepolicy') return 'icsp';
  if (s === 'itms' || s === 'imagetagmirrorset') return 'itms';
  ctx.addIssue({ code: 'custom', message: `expected auto, idms (ImageDigestMirrorSet), itms (ImageTagMirrorSet) or icsp (ImageContentSourcePolicy), got ${show(v)}`, input: v });
  return z.NEVER;
});

const operator = z
  .object({
    name: z.string({ error: 'each operator needs a "name" (the package name)' }).min(1),
    channel: text.optional(),
    namespace: text.optional(),
    catalog_source: text.optional(),
    starting_csv: text.optional(),
    install_approval: z.enum(['Manual', 'Automatic'], { error: 'install_approval must be Manual or Automatic' }).optional(),
    operator_group_name: text.optional(),
    operator_group_spec: z.record(z.string(), z.unknown()).optional(),
    ns_labels: z.record(z.string(), z.coerce.string()).optional(),
    skippable: bool(false),
    validate_install: bool(true),
  })
  .loose()
  .transform((o): OperatorSetting => {
    const out: OperatorSetting = {
      name: o.name,
      installApproval: o.starting_csv ? 'Automatic' : (o.install_approval ?? 'Manual'),
      skippable: o.skippable,
      validateInstall: o.validate_install,
    };
    if (o.channel) out.channel = o.channel;
    if (o.namespace) out.namespace = o.namespace;
    if (o.catalog_source) out.catalogSource = o.catalog_source;
    if (o.starting_csv) out.startingCsv = o.starting_csv;
    if (o.operator_group_name) out.operatorGroupName = o.operator_group_name;
    if (o.operator_group_spec) out.operatorGroupSpec = o.operator_group_spec;
    if (o.ns_labels) out.nsLabels = o.ns_labels;
    return out;
  });

const operators = z.unknown().optional().transform((v, ctx): OperatorSetting[] => {
  if (v === undefined || v === null || v === '') return [];
  if (!Array.isArray(v)) {
    ctx.addIssue({ code: 'custom', message: `expected a list of operators ({name, channel, namespace...}), got ${show(v)}`, input: v });
    return z.NEVER;
  }
  const out: OperatorSetting[] = [];
  for (const [i, item] of v.entries()) {
    const r = operator.safeParse(item);
    if (!r.success) {
      const issue = r.error.issues[0];
      const where = issue.path.length > 0 ? `.${issue.path.join('.')}` : '';
      ctx.addIssue({ code: 'custom', message: `entry ${i + 1}${where}: ${issue.message}`, input: v });
      return z.NEVER;
    }
    out.push(r.data);
  }
  return out;
});

/** `opm_mirror_list`: a dict `pkg: {channel, catalog}` or a plain list of package names. */
const mirrorList = z.unknown().optional().transform((v, ctx): Record<string, MirrorListEntry> => {
  if (v === undefined || v === null || v === '') return {};
  const out: Record<string, MirrorListEntry> = {};
  if (Array.isArray(v)) {
    for (const p of v) {
      if (typeof p !== 'string') {
        ctx.addIssue({ code: 'custom', message: `expected package names in the list, got ${show(p)}`, input: v });
        return z.NEVER;
      }
      out[p] = {};
    }
    return out;
  }
  if (typeof v === 'object') {
    for (const [k, e] of Object.entries(v as Record<string, unknown>)) {
      if (e === null || e === undefined) out[k] = {};
      else if (typeof e === 'object' && !Array.isArray(e)) {
        const { channel, catalog } = e as Record<string, unknown>;
        const entry: MirrorListEntry = {};
        if (typeof channel === 'string') entry.channel = channel;
        if (typeof catalog === 'string') entry.catalog = catalog;
        out[k] = entry;
      } else {
        ctx.addIssue({ code: 'custom', message: `entry "${k}": expected {channel, catalog}, got ${show(e)}`, input: v });
        return z.NEVER;
      }
    }
    return out;
  }
  ctx.addIssue({ code: 'custom', message: `expected a mapping of packages or a list, got ${show(v)}`, input: v });
  return z.NEVER;
});

/** The variables read, by their inventory names. Unknown variables pass through untouched (hooks use them). */
export const SETTINGS_SCHEMA = z
  .object({
    install_type: installType,
    dci_disconnected: bool(false),
    local_registry_host: text.optional(),
    local_registry_port: port.optional(),
    dci_local_registry: text.optional(),
    ocp_version: ocpVersion.optional(),
    release_image: text.optional(),
    pullsecret_file: text.optional(),
    provision_cache_store: text.optional(),
    webserver_url: text.optional(),
    cache_enabled: bool(false),
    webserver_caching_port: port.optional(),
    bootstraposimage: text.optional(),
    clusterosimage: text.optional(),
    dci_install_timeout: count,
    increase_bootstrap_timeout: count,
    increase_install_timeout: count,
    clock_servers: stringList([]),
    ssh_extra_keys_paths: stringList([]),
    master_network_config_template: text.optional(),
    worker_network_config_template: text.optional(),
    enable_virtualmedia: bool(false),
    static_bootstrap_extnet: bool(false),
    bootstrapExternalStaticIP: text.optional(),
    bootstrapExternalStaticGateway: text.optional(),
    bootstrapExternalStaticDNS: text.optional(),
    ipv6_enabled: bool(false),
    ipv4_baremetal: bool(false),
    ipv4_provisioning: bool(false),
    dualstack_baremetal: bool(false),
    dualstack_vips: bool(false),
    extcidrnet6: text.optional(),
    apivip6: text.optional(),
    ingressvip6: text.optional(),
    prov_network: text.optional(),
    prov_dhcp_range: text.optional(),
    bootstrapProvisioningIP: text.optional(),
    externalMACAddress: mac.optional(),
    dci_operators: operators,
    opm_mirror_list: mirrorList,
    dci_config_dirs: stringList(['/etc/dci-openshift-agent']),
    dci_teardown_on_success: bool(true),
    dci_teardown_on_failure: bool(false),
    cluster: text.optional(),
    cluster_name: text.optional(),
    domain: text.optional(),
    base_dns_domain: text.optional(),
    apivip: text.optional(),
    api_vip: text.optional(),
    ingressvip: text.optional(),
    ingress_vip: text.optional(),
    DCI_CLIENT_ID: text.optional(),
    DCI_API_SECRET: text.optional(),
    DCI_CS_URL: text.optional(),
    mirror_set_kind: mirrorSetKind,
  })
  .loose();

const NODE_SCHEMA = z
  .object({
    ipmi_address: text.optional(),
    bmc_address: text.optional(),
    ipmi_user: text.optional(),
    bmc_user: text.optional(),
    ipmi_password: text.optional(),
    bmc_password: text.optional(),
    ipmi_port: port.optional(),
    provision_mac: mac.optional(),
    baremetal_mac: mac.optional(),
    installation_disk: text.optional(),
    ansible_host: text.optional(),
    poweroff: bool(true),
  })
  .loose();

function settingsError(vars: Record<string, unknown>, error: z.ZodError, provenance: Record<string, VarOrigin> | undefined, host?: string): SettingsError {
  const issue = error.issues[0];
  const name = String(issue.path[0] ?? '');
  const origin = provenance?.[name];
  const got = vars[name];
  return new SettingsError('bad-setting', `${name}: ${issue.message}`, {
    location: { file: origin?.file, line: origin?.line, host },
    hint: got === undefined ? `set ${name} in the inventory or with -e ${name}=...` : `fix the value of ${name}${origin?.file ? ` in ${origin.file}` : ''} or override it with -e ${name}=...`,
  });
}

/** Names of the variables (top level) whose values are secret. */
export function secretVariableNames(vars: Record<string, unknown>): string[] {
  return Object.keys(vars).filter((k) => SECRET_VARIABLE_PATTERN.test(k));
}

export function isSecretVariable(name: string): boolean {
  return SECRET_VARIABLE_PATTERN.test(name);
}

/** Register every secret variable's value (deeply) so reporters and writers redact it. */
export function registerSecretVariables(vars: Record<string, unknown>, registry: SecretRegistry): void {
  for (const k of secretVariableNames(vars)) registry.addDeep(vars[k]);
}

/**
 * Check and normalize the pipeline's settings from a host's merged variables (usually the controller's:
 * `localhost`/`jumphost`). `provenance` (VarStore.provenanceAll()) lets errors name file:line.
 */
export function resolveSettings(vars: Record<string, unknown>, provenance?: Record<string, VarOrigin>): Settings {
  const r = SETTINGS_SCHEMA.safeParse(vars);
  if (!r.success) throw settingsError(vars, r.error, provenance);
  const v = r.data;
  const fail = (name: string, message: string, hint: string): never => {
    const origin = provenance?.[name];
    throw new SettingsError('bad-setting', `${name}: ${message}`, { location: { file: origin?.file, line: origin?.line }, hint });
  };
  const localRegistryHost = v.local_registry_host;
  const localRegistryPort = v.local_registry_port;
  if (localRegistryPort !== undefined && !localRegistryHost) fail('local_registry_port', 'is set but local_registry_host is not', 'set local_registry_host (the registry host name) too');
  const dciLocalRegistry = localRegistryHost ? (localRegistryPort ? `${localRegistryHost}:${localRegistryPort}` : localRegistryHost) : v.dci_local_registry;
  if (v.dci_disconnected && !dciLocalRegistry) {
    fail('dci_disconnected', 'is true but no local registry is set', 'set local_registry_host and local_registry_port (the mirror registry of the disconnected lab)');
  }
  const s: Settings = {
    installType: v.install_type,
    disconnected: v.dci_disconnected,
    provisionCacheStore: v.provision_cache_store ?? '~/releases',
    operators: v.dci_operators,
    opmMirrorList: v.opm_mirror_list,
    configDirs: v.dci_config_dirs,
    teardownOnSuccess: v.dci_teardown_on_success,
    teardownOnFailure: v.dci_teardown_on_failure,
    dci: {},
    mirrorSetKind: v.mirror_set_kind,
    secretVariables: secretVariableNames(vars),
  };
  const opt = <K extends keyof Settings>(k: K, val: Settings[K] | undefined): void => {
    if (val !== undefined) s[k] = val;
  };
  opt('localRegistryHost', localRegistryHost);
  opt('localRegistryPort', localRegistryPort);
  opt('dciLocalRegistry', dciLocalRegistry);
  opt('ocpVersion', v.ocp_version);
  opt('releaseImage', v.release_image);
  opt('pullsecretFile', v.pullsecret_file);
  opt('webserverUrl', v.webserver_url);
  opt('cluster', v.cluster ?? v.cluster_name);
  opt('baseDomain', v.domain ?? v.base_dns_domain);
  opt('apiVip', v.apivip ?? v.api_vip);
  opt('ingressVip', v.ingressvip ?? v.ingress_vip);
  if (v.DCI_CLIENT_ID) s.dci.clientId = v.DCI_CLIENT_ID;
  if (v.DCI_API_SECRET) s.dci.apiSecret = v.DCI_API_SECRET;
  if (v.DCI_CS_URL) s.dci.csUrl = v.DCI_CS_URL;
  return s;
}

/** Check one node's installer data (BMC, MACs). Does not decide what is required: see checkNodesFor. */
export function resolveNodeSettings(host: string, role: 'master' | 'worker', vars: Record<string, unknown>, provenance?: Record<string, VarOrigin>): NodeSettings {
  const r = NODE_SCHEMA.safeParse(vars);
  if (!r.success) throw settingsError(vars, r.error, provenance, host);
  const v = r.data;
  const n: NodeSettings = { name: host, role };
  const put = <K extends keyof NodeSettings>(k: K, val: NodeSettings[K] | undefined): void => {
    if (val !== undefined) n[k] = val;
  };
  put('bmcAddress', v.ipmi_address ?? v.bmc_address);
  put('bmcUser', v.ipmi_user ?? v.bmc_user);
  put('bmcPassword', v.ipmi_password ?? v.bmc_password);
  put('bmcPort', v.ipmi_port);
  put('provisionMac', v.provision_mac);
  put('baremetalMac', v.baremetal_mac);
  put('installationDisk', v.installation_disk);
  put('ansibleHost', v.ansible_host);
  return n;
}
