/**
 * Generates docs/variables.md from the settings schema (`SETTINGS_SCHEMA`): the variable names and their defaults
 * come from the schema itself (defaults = what the schema yields for an empty inventory), secrecy from the secret
 * variable pattern, and the words from DESCRIPTIONS below. A schema variable without a description, or a
 * description for a variable the schema no longer reads, is an error: the doc cannot drift silently.
 *
 *   node --import tsx test/docs/variables-doc.ts --write     # regenerate docs/variables.md
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SETTINGS_SCHEMA, isSecretVariable } from '../../src/config/settings.js';

interface VarDoc {
  group: string;
  type: string;
  text: string;
  /** a default the pipeline applies outside the schema */
  dflt?: string;
}

const GROUPS = ['Install', 'Cluster', 'Disconnected and mirroring', 'Operators', 'Pipeline', 'DCI'] as const;

export const DESCRIPTIONS: Record<string, VarDoc> = {
  install_type: { group: 'Install', type: 'ipi | sno | acm', text: 'How the cluster is installed. `upi`/`abi` of the original agent are refused with a clear error.' },
  ocp_version: { group: 'Install', type: 'string', text: 'OpenShift version to install (4.16, 4.16.3, a nightly). When unset, taken from the DCI `ocp` component of the job.' },
  release_image: { group: 'Install', type: 'image reference', text: 'Release payload to install instead of the one of `ocp_version` (pin by digest).' },
  pullsecret_file: { group: 'Install', type: 'path', text: 'A pull secret merged last (wins) into the cluster pull secret, after the DCI topic secret, `openshift_secret` and `disconnected_registry_auths_file`.' },
  provision_cache_store: { group: 'Install', type: 'path', dflt: '`~/releases`', text: 'Where release artifacts (installer, RHCOS images, agent ISO) are cached on the provisioner.' },
  webserver_url: { group: 'Install', type: 'URL', text: 'HTTP server serving `provision_cache_store`: the BMCs download images from it (required for sno), and the bootstrap VM its RHCOS image (required for a disconnected ipi below 4.22).' },
  cache_enabled: { group: 'Install', type: 'bool', text: 'ipi: cache the RHCOS images on the provisioner even when connected (always done when `dci_disconnected`, below 4.22). Served from `webserver_url`, else http://<provisioner>:`webserver_caching_port`.' },
  webserver_caching_port: { group: 'Install', type: 'port', dflt: '`8080`', text: 'ipi with `cache_enabled` and no `webserver_url`: the port of the cache web server on the provisioner.' },
  bootstraposimage: { group: 'Install', type: 'URL?sha256=...', text: 'ipi below 4.22: the bootstrap VM RHCOS image (install-config `bootstrapOSImage`); when set, it is not cached. Default when disconnected: the qemu image of the release, cached in `provision_cache_store` and served from `webserver_url`, with `?sha256=` its uncompressed digest.' },
  clusterosimage: { group: 'Install', type: 'URL?sha256=...', text: 'ipi below 4.10: the nodes RHCOS image (install-config `clusterOSImage`); when set, it is not cached. Default when disconnected: the openstack image of the release, cached like `bootstraposimage`.' },
  dci_install_timeout: { group: 'Install', type: 'seconds', dflt: '`10800`', text: 'ipi/sno: how long `create cluster` (sno: each `agent wait-for`) may run before it is stopped and `wait-for` is tried.' },
  increase_bootstrap_timeout: { group: 'Install', type: 'count', dflt: '`0`', text: 'ipi: after a failed `create cluster`, attempts of `wait-for bootstrap-complete` before `install-complete` is tried.' },
  increase_install_timeout: { group: 'Install', type: 'count', dflt: '`1`', text: 'ipi: after a failed `create cluster`, attempts of `wait-for install-complete` (`dci_install_retries` is read when unset).' },
  clock_servers: { group: 'Install', type: 'list of hosts', text: 'NTP servers. ipi: MachineConfigs 98-master/worker-etc-chrony-conf replace /etc/chrony.conf on every node with one `server … iburst` line each; sno: agent-config `additionalNTPSources` (unless `ntp_server` is set).' },
  ssh_extra_keys_paths: { group: 'Install', type: 'list of paths', text: 'ipi/sno: SSH public key files (on the controller) added to install-config `sshKey` after the user key, for access to the `core` user of the nodes.' },
  master_network_config_template: { group: 'Install', type: 'path', text: 'ipi from 4.10: a Jinja template (on the controller) rendered with each master\'s variables into its nmstate `networkConfig` in install-config.' },
  worker_network_config_template: { group: 'Install', type: 'path', text: 'ipi from 4.10: the same for the workers.' },
  enable_virtualmedia: { group: 'Install', type: 'bool', text: 'ipi: boot the nodes through BMC virtual media: install-config `provisioningNetwork: Disabled` and virtual-media BMC drivers (idrac-virtualmedia, redfish-virtualmedia).' },
  static_bootstrap_extnet: { group: 'Install', type: 'bool', text: 'ipi with `enable_virtualmedia`, from 4.12: give the bootstrap VM a static address (`bootstrapExternalStaticIP`, `…Gateway`, and `…DNS` from 4.14).' },
  bootstrapExternalStaticIP: { group: 'Install', type: 'IP', text: 'With `static_bootstrap_extnet`: the bootstrap VM address on the baremetal network.' },
  bootstrapExternalStaticGateway: { group: 'Install', type: 'IP', text: 'With `static_bootstrap_extnet`: its gateway.' },
  bootstrapExternalStaticDNS: { group: 'Install', type: 'IP', text: 'With `static_bootstrap_extnet`, from 4.14: its DNS server.' },
  ipv6_enabled: { group: 'Install', type: 'bool', text: 'ipi: IPv6 nodes. Alone: IPv6 only (`extcidrnet` is the IPv6 machine network; cluster network fd01::/48, service network fd02::/112). The provisioning network is IPv6 too (fd00:1101::/64) unless `ipv4_provisioning`.' },
  ipv4_baremetal: { group: 'Install', type: 'bool', text: 'ipi with `ipv6_enabled`: keep the baremetal (machine) network IPv4. Not with `dualstack_baremetal`.' },
  ipv4_provisioning: { group: 'Install', type: 'bool', text: 'ipi with `ipv6_enabled`: keep the provisioning network IPv4 (`prov_network`, default 172.22.0.0/21).' },
  dualstack_baremetal: { group: 'Install', type: 'bool', text: 'ipi with `ipv6_enabled`, from 4.6: dual stack: machine networks `extcidrnet` + `extcidrnet6`, cluster networks 10.128.0.0/14 + fd02::/48, service networks 172.30.0.0/16 + fd03::/112.' },
  dualstack_vips: { group: 'Install', type: 'bool', text: 'ipi dual stack from 4.12: `apiVIPs`/`ingressVIPs` get the IPv6 VIPs `apivip6`/`ingressvip6` after the IPv4 ones.' },
  extcidrnet6: { group: 'Install', type: 'CIDR', text: 'ipi dual stack: the IPv6 machine network (CIDR of the baremetal NIC).' },
  apivip6: { group: 'Cluster', type: 'IP', text: 'ipi dual stack with `dualstack_vips`: the IPv6 API VIP (the AAAA record of api.<cluster>.<domain>; not resolved by DNS).' },
  ingressvip6: { group: 'Cluster', type: 'IP', text: 'ipi dual stack with `dualstack_vips`: the IPv6 ingress VIP.' },
  prov_network: { group: 'Install', type: 'CIDR', dflt: '`172.22.0.0/21`', text: 'ipi: the provisioning network (install-config `provisioningNetworkCIDR`, any address of it; also added to `proxy.noProxy`). IPv6 provisioning defaults to fd00:1101::/64.' },
  prov_dhcp_range: { group: 'Install', type: 'IP,IP', text: 'ipi: install-config `provisioningDHCPRange`, "<first>,<last>" inside the provisioning network.' },
  bootstrapProvisioningIP: { group: 'Install', type: 'IP', text: 'ipi: the bootstrap VM address on the provisioning network (install-config `bootstrapProvisioningIP`).' },
  externalMACAddress: { group: 'Install', type: 'MAC', text: 'ipi: the bootstrap VM MAC on the baremetal network (install-config `externalMACAddress`).' },
  cluster: { group: 'Cluster', type: 'string', text: 'Cluster name (first DNS label of api.<cluster>.<domain>).' },
  cluster_name: { group: 'Cluster', type: 'string', text: 'Alias of `cluster` (used when `cluster` is unset).' },
  domain: { group: 'Cluster', type: 'DNS domain', text: 'Base DNS domain of the cluster.' },
  base_dns_domain: { group: 'Cluster', type: 'DNS domain', text: 'Alias of `domain`.' },
  apivip: { group: 'Cluster', type: 'IP', text: 'API virtual IP (ipi).' },
  api_vip: { group: 'Cluster', type: 'IP', text: 'Alias of `apivip`.' },
  ingressvip: { group: 'Cluster', type: 'IP', text: 'Ingress virtual IP (ipi).' },
  ingress_vip: { group: 'Cluster', type: 'IP', text: 'Alias of `ingressvip`.' },
  dci_disconnected: { group: 'Disconnected and mirroring', type: 'bool', text: 'Mirror the release, catalogs and images to the local registry and install from it (writes IDMS/ITMS or ICSP).' },
  local_registry_host: { group: 'Disconnected and mirroring', type: 'host', text: 'The lab mirror registry host.' },
  local_registry_port: { group: 'Disconnected and mirroring', type: 'port 1–65535', text: 'The lab mirror registry port.' },
  dci_local_registry: { group: 'Disconnected and mirroring', type: 'host[:port]', text: 'The mirror registry as one value; derived from `local_registry_host`:`local_registry_port` when unset.' },
  mirror_set_kind: { group: 'Disconnected and mirroring', type: 'auto | idms | itms | icsp', text: 'Which mirror-set objects to write: `auto` picks ICSP before 4.14 and IDMS (+ ITMS for tag content) from 4.14.' },
  dci_operators: { group: 'Operators', type: 'list of {name, channel, namespace, catalog_source, starting_csv, install_approval, operator_group_name, operator_group_spec, ns_labels, skippable, validate_install}', text: 'Operators to install in deploy-operators. `install_approval` is Manual unless `starting_csv` pins a version.' },
  opm_mirror_list: { group: 'Operators', type: 'mapping pkg: {channel, catalog} or list of package names', text: 'Operator packages to mirror (the catalog is pruned to them).' },
  dci_config_dirs: { group: 'Pipeline', type: 'list of paths', text: 'Config dirs searched, in order, for `hooks/<stage>.yml` (then `--hooks-dir`).' },
  dci_teardown_on_success: { group: 'Pipeline', type: 'bool', text: 'Run the teardown hooks (and remove the merged pull secret) after a successful job.' },
  dci_teardown_on_failure: { group: 'Pipeline', type: 'bool', text: 'Run the teardown after a failed job (off: keep the lab for debugging).' },
  DCI_CLIENT_ID: { group: 'DCI', type: 'remoteci/<id>', text: 'DCI remoteci id. Usually from the environment or `--env-file`, not the inventory.' },
  DCI_API_SECRET: { group: 'DCI', type: 'string', text: 'DCI API secret of the remoteci. Never printed.' },
  DCI_CS_URL: { group: 'DCI', type: 'URL', text: 'DCI control server, e.g. https://api.distributed-ci.io.' },
};

/** Host variables (masters/workers) read by the installers; checked per host by `validate`. */
export const HOST_VARIABLES: Array<[string, string, string]> = [
  ['ipmi_address / bmc_address', 'host', 'BMC address of the node (required for ipi and sno).'],
  ['ipmi_user / bmc_user', 'string', 'BMC user.'],
  ['ipmi_password / bmc_password', 'string (secret)', 'BMC password; shown as ******** everywhere.'],
  ['ipmi_port', 'port', 'BMC port when not the default.'],
  ['provision_mac', 'MAC', 'MAC of the provisioning NIC (ipi).'],
  ['baremetal_mac', 'MAC', 'MAC of the baremetal NIC. Quote it in YAML: an unquoted MAC of digits is read as a number.'],
  ['installation_disk', 'device', 'Root device hint.'],
  ['ansible_host', 'IP', 'Node IP (sno: the rendezvous IP).'],
  ['network_config', 'nmstate mapping', 'ipi from 4.10: the node\'s `networkConfig` as is (the *_network_config_template output wins).'],
  ['poweroff', 'bool', 'ipi: power the node off through its BMC before `create cluster` (default true): Redfish (dell/hpe/kvm vendors, redfish addresses) from the controller, else `ipmitool` on the provisioner.'],
  ['vendor', 'dell \\| hpe \\| kvm \\| irmc \\| ipmi', 'BMC kind when `ipmi_address` is a bare IP (also the dell_hosts_redfish/hp_hosts_redfish/kvm_hosts_redfish groups); default ipmi.'],
];

const show = (v: unknown): string => (v === undefined ? '' : `\`${JSON.stringify(v)}\``);
const cell = (s: string): string => s.replace(/\|/g, '\\|');

export function renderVariablesDoc(): string {
  const names = Object.keys(SETTINGS_SCHEMA.shape);
  const missing = names.filter((n) => !(n in DESCRIPTIONS));
  const stale = Object.keys(DESCRIPTIONS).filter((n) => !names.includes(n));
  if (missing.length || stale.length) throw new Error(`variables doc out of date: no description for ${missing.join(', ') || '-'}; described but not in SETTINGS_SCHEMA: ${stale.join(', ') || '-'}`);
  const defaults = SETTINGS_SCHEMA.parse({}) as Record<string, unknown>;
  const out: string[] = [
    '# Inventory variables',
    '',
    '<!-- Generated by `node --import tsx test/docs/variables-doc.ts --write` from SETTINGS_SCHEMA (src/config/settings.ts). Do not edit: test/docs/variables-doc.test.ts fails when this file and the schema drift. -->',
    '',
    'The variables the pipeline itself reads, with the names of the original agent\'s inventories. Every other',
    'variable is passed through to hooks untouched. Values are read the way Ansible reads them: booleans accept',
    'yes/no/on/off/true/false/1/0, ports and versions may be numbers or strings. A bad value stops `validate` and',
    '`run` with exit code 2 and the file:line it came from. Check a lab with `dci-agent-ts validate -i lab.ini`;',
    'see where a value comes from with `dci-agent-ts vars -i lab.ini --host HOST --explain NAME`.',
    '',
    'Variables whose name ends in password, secret, token, pull_secret, api_key, credentials... are secrets: their',
    'values are redacted (`********`) in the terminal, run records, logs and DCI uploads.',
    '',
  ];
  for (const g of GROUPS) {
    out.push(`## ${g}`, '', '| variable | type | default | description |', '|---|---|---|---|');
    for (const n of names.filter((x) => DESCRIPTIONS[x].group === g)) {
      const d = DESCRIPTIONS[n];
      const secret = isSecretVariable(n) ? ' **Secret.**' : '';
      out.push(`| \`${n}\` | ${cell(d.type)} | ${d.dflt ?? show(defaults[n])} | ${cell(d.text)}${secret} |`);
    }
    out.push('');
  }
  out.push('## Host variables (masters, workers)', '', '| variable | type | description |', '|---|---|---|');
  for (const [n, t, d] of HOST_VARIABLES) out.push(`| \`${n}\` | ${t} | ${d} |`);
  out.push('');
  return out.join('\n');
}

export const VARIABLES_DOC = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'docs', 'variables.md');

if (process.argv.includes('--write')) {
  writeFileSync(VARIABLES_DOC, renderVariablesDoc());
  process.stdout.write(`wrote ${VARIABLES_DOC}\n`);
}
