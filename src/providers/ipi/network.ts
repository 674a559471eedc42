/**
 * The network part of an IPI install-config, as the installer role's install-config(-virtualmedia).j2 renders it
 * from the original inventories' variables, checked first (a bad CIDR or IP is one error naming the variable):
 *  - the stack: IPv4 (default), IPv6 only (`ipv6_enabled`), or dual stack (`ipv6_enabled` + `dualstack_baremetal`,
 *    4.6+) with `extcidrnet6` and the IPv6 cluster/service networks the role writes; `ipv4_baremetal` keeps the
 *    baremetal network IPv4 while IPv6 is enabled;
 *  - the VIPs: `apiVIPs`/`ingressVIPs` lists from 4.12 (the singular fields before), with the IPv6 VIPs
 *    `apivip6`/`ingressvip6` added for a dual stack with `dualstack_vips`;
 *  - the provisioning network (not with virtual media): `provisioningNetworkCIDR` is the network node_prep puts on
 *    the provisioning bridge (`prov_network`, default 172.22.0.0/21; fd00:1101::/64 when IPv6 is enabled without
 *    `ipv4_provisioning`), and `prov_dhcp_range`, `bootstrapProvisioningIP`, `externalMACAddress` when set.
 * Deprecated spellings of the role (`machineCIDR`, singular VIPs from 4.12) are written in today's form:
 * the installer reads both the same way.
 */
import { compareMinor } from '../../manifests/version.js';
import { proxy } from '../common/install-config.js';
import { badVar, flag, missingVar, text } from '../common/vars.js';
import { compareIpAddresses, formatIpAddress, inNetwork, networkOf, parseIpAddress, parseIpNetwork, type IpAddress, type IpFamily, type IpNetwork } from '../../core/ip-address.js';
import { usesVipLists } from '../common/versions.js';

const WHY = 'for an ipi install';
const MAC_RE = /^[0-9a-f]{2}([:-][0-9a-f]{2}){5}$/i;
const fam = (f: IpFamily): string => (f === 4 ? 'IPv4' : 'IPv6');

export type Stack = 'ipv4' | 'ipv6' | 'dual';

export interface IpiNetwork {
  stack: Stack;
  networking: Record<string, unknown>;
  /** platform.baremetal fields, in template order: the VIPs, then (unless virtual media) the provisioning network. */
  vips: Record<string, unknown>;
  provisioning: Record<string, unknown>;
  /** The provisioning network, which the role adds to proxy.noProxy (unset with virtual media). */
  provisioningSubnet?: string;
}

/** A network variable: `text` as written (install-config gets it verbatim), `network` with the host bits cleared. */
interface Cidr extends IpNetwork {
  text: string;
  network: string;
}

/** `address/length` as install-config takes a network (a length of 1-3 digits, no netmask), or undefined. */
function parseCidr(value: string): Cidr | undefined {
  const text = value.trim();
  const m = /^([^/]+)\/(\d{1,3})$/.exec(text);
  const n = m ? parseIpNetwork(`${m[1].trim()}/${m[2]}`) : undefined;
  return n && { ...n, text, network: `${formatIpAddress(n.family, networkOf(n))}/${n.prefix}` };
}

function cidrVar(vars: Record<string, unknown>, name: string, family: IpFamily | undefined, why: string): Cidr | undefined {
  const v = text(vars, name);
  if (v === undefined) return undefined;
  const c = parseCidr(v);
  if (!c) throw badVar(undefined, name, `${JSON.stringify(v)} is not a network in CIDR form`, `write it like ${family === 6 ? 'fd2e:6f44:5dd8:c956::/64' : '192.168.10.0/24'}`);
  if (family && c.family !== family) throw badVar(undefined, name, `${JSON.stringify(v)} is an ${fam(c.family)} network, ${why} needs an ${fam(family)} one`, `give the ${fam(family)} network (CIDR) or change the stack variables (ipv6_enabled, ipv4_baremetal, dualstack_baremetal, ipv4_provisioning)`);
  if (c.value !== networkOf(c)) throw badVar(undefined, name, `${JSON.stringify(v)} is not a network address (the installer refuses host bits in a network)`, `use ${c.network}`);
  return c;
}

function ipVar(vars: Record<string, unknown>, name: string, family: IpFamily | undefined, why: string, required: boolean, hint?: string): string | undefined {
  const v = text(vars, name);
  if (v === undefined) {
    if (required) throw missingVar(undefined, name, why, hint);
    return undefined;
  }
  const f = parseIpAddress(v.trim())?.family;
  if (!f) throw badVar(undefined, name, `${JSON.stringify(v)} is not an IP address`, `write it like ${family === 6 ? 'fd2e:6f44:5dd8:c956::10' : '192.168.10.40'}`);
  if (family && f !== family) throw badVar(undefined, name, `${JSON.stringify(v)} is an ${fam(f)} address, ${why} needs an ${fam(family)} one`, `give the ${fam(family)} address or change the stack variables (ipv6_enabled, ipv4_baremetal, dualstack_baremetal)`);
  return v.trim();
}

/** Which stack the role renders for these variables (and the combinations it refuses). */
export function ipiStack(vars: Record<string, unknown>, version: string): Stack {
  const ipv6 = flag(vars, 'ipv6_enabled', false);
  const v4Baremetal = flag(vars, 'ipv4_baremetal', false);
  const dual = flag(vars, 'dualstack_baremetal', false);
  if (v4Baremetal && dual) throw badVar(undefined, 'dualstack_baremetal', 'and ipv4_baremetal are both true: only one of them can be', 'keep dualstack_baremetal for IPv4 + IPv6 nodes, or ipv4_baremetal for IPv4 nodes');
  if (dual && !ipv6) throw badVar(undefined, 'dualstack_baremetal', 'is true but ipv6_enabled is not: the dual-stack networks are written only with IPv6 enabled', 'set ipv6_enabled=true too (and extcidrnet6)');
  if (dual && compareMinor(version, '4.6') < 0) throw badVar(undefined, 'dualstack_baremetal', `is true but OpenShift ${version} does not support dual-stack deployments (4.6 and later)`, 'install 4.6 or later, or unset dualstack_baremetal');
  return ipv6 && dual ? 'dual' : ipv6 && !v4Baremetal ? 'ipv6' : 'ipv4';
}

export function ipiNetwork(vars: Record<string, unknown>, version: string, virtualMedia: boolean): IpiNetwork {
  const stack = ipiStack(vars, version);
  const networking: Record<string, unknown> = { networkType: text(vars, 'network_type') ?? 'OVNKubernetes' };
  const v4Why = `${WHY} with an IPv4 baremetal network`;
  let vipFamily: IpFamily = 4;
  if (stack === 'ipv4') {
    const machine = cidrVar(vars, 'extcidrnet', 4, v4Why);
    if (machine) networking.machineNetwork = [{ cidr: machine.text }];
    networking.clusterNetwork = [{ cidr: text(vars, 'cluster_network_cidr') ?? '10.128.0.0/14', hostPrefix: 23 }];
    networking.serviceNetwork = [text(vars, 'service_network_cidr') ?? '172.30.0.0/16'];
  } else if (stack === 'ipv6') {
    vipFamily = 6;
    const why = `${WHY} with IPv6 only (ipv6_enabled)`;
    const machine = cidrVar(vars, 'extcidrnet', 6, why);
    if (!machine) throw missingVar(undefined, 'extcidrnet', why, 'set extcidrnet=<the IPv6 network of the baremetal NIC, CIDR>');
    networking.machineNetwork = [{ cidr: machine.text }];
    networking.clusterNetwork = [{ cidr: 'fd01::/48', hostPrefix: 64 }];
    networking.serviceNetwork = ['fd02::/112'];
  } else {
    const why = `${WHY} with a dual stack (dualstack_baremetal)`;
    const v4 = cidrVar(vars, 'extcidrnet', 4, why);
    if (!v4) throw missingVar(undefined, 'extcidrnet', why, 'set extcidrnet=<the IPv4 network of the baremetal NIC, CIDR>');
    const v6 = cidrVar(vars, 'extcidrnet6', 6, why);
    if (!v6) throw missingVar(undefined, 'extcidrnet6', why, 'set extcidrnet6=<the IPv6 network of the baremetal NIC, CIDR>');
    networking.machineNetwork = [{ cidr: v4.text }, { cidr: v6.text }];
    networking.clusterNetwork = [
      { cidr: text(vars, 'cluster_network_cidr') ?? '10.128.0.0/14', hostPrefix: 23 },
      { cidr: 'fd02::/48', hostPrefix: 64 },
    ];
    networking.serviceNetwork = [text(vars, 'service_network_cidr') ?? '172.30.0.0/16', 'fd03::/112'];
  }

  const vipWhy = stack === 'ipv6' ? `${WHY} with IPv6 only` : stack === 'dual' ? `${WHY} with a dual stack (the first VIP is the IPv4 one)` : v4Why;
  const apiVip = ipVar(vars, text(vars, 'apivip') === undefined && text(vars, 'api_vip') !== undefined ? 'api_vip' : 'apivip', vipFamily, vipWhy, true, 'set apivip=<IP of api.<cluster>.<domain>> in [all:vars] (dci-agent-ts does not resolve it by DNS)')!;
  const ingressVip = ipVar(vars, text(vars, 'ingressvip') === undefined && text(vars, 'ingress_vip') !== undefined ? 'ingress_vip' : 'ingressvip', vipFamily, vipWhy, true, 'set ingressvip=<IP of *.apps.<cluster>.<domain>> in [all:vars]')!;
  const vips: Record<string, unknown> = {};
  if (usesVipLists(version)) {
    vips.apiVIPs = [apiVip];
    vips.ingressVIPs = [ingressVip];
    if (stack === 'dual' && flag(vars, 'dualstack_vips', false)) {
      const why = `${WHY} with dualstack_vips on ${version}`;
      vips.apiVIPs = [apiVip, ipVar(vars, 'apivip6', 6, why, true, 'set apivip6=<IPv6 of api.<cluster>.<domain>> (the AAAA record; dci-agent-ts does not resolve it by DNS)')];
      vips.ingressVIPs = [ingressVip, ipVar(vars, 'ingressvip6', 6, why, true, 'set ingressvip6=<IPv6 of *.apps.<cluster>.<domain>> (the AAAA record)')];
    }
  } else {
    vips.apiVIP = apiVip;
    vips.ingressVIP = ingressVip;
  }

  if (virtualMedia) return { stack, networking, vips, provisioning: {} };
  // node_prep's provisioning bridge: IPv6 when IPv6 is enabled, unless ipv4_provisioning.
  const provFamily: IpFamily = flag(vars, 'ipv6_enabled', false) && !flag(vars, 'ipv4_provisioning', false) ? 6 : 4;
  const provWhy = `${WHY} with an ${fam(provFamily)} provisioning network${provFamily === 6 ? ' (ipv6_enabled without ipv4_provisioning)' : ''}`;
  const subnet = cidrOrNetwork(vars, provFamily, provWhy) ?? parseCidr(provFamily === 6 ? 'fd00:1101::/64' : '172.22.0.0/21')!;
  const provisioning: Record<string, unknown> = { provisioningNetworkCIDR: subnet.network };
  const range = text(vars, 'prov_dhcp_range');
  if (range !== undefined) {
    const ends = range.split(',').map((s) => s.trim());
    const [first, last] = ends.map((e) => parseIpAddress(e));
    const inside = (a: IpAddress | undefined): a is IpAddress => a !== undefined && inNetwork(subnet, a);
    if (ends.length !== 2 || !inside(first) || !inside(last) || compareIpAddresses(first, last) > 0) {
      throw badVar(undefined, 'prov_dhcp_range', `${JSON.stringify(range)} is not a range "<first IP>,<last IP>" inside the provisioning network ${subnet.network}`, `e.g. prov_dhcp_range=${provFamily === 6 ? 'fd00:1101::a,fd00:1101::ff' : '172.22.0.10,172.22.0.254'}`);
    }
    provisioning.provisioningDHCPRange = ends.join(',');
  }
  const bootstrapIp = ipVar(vars, 'bootstrapProvisioningIP', provFamily, provWhy, false);
  if (bootstrapIp !== undefined) {
    const address = parseIpAddress(bootstrapIp);
    if (!address || !inNetwork(subnet, address)) throw badVar(undefined, 'bootstrapProvisioningIP', `${bootstrapIp} is not in the provisioning network ${subnet.network}`, 'give an unused address of the provisioning network (outside prov_dhcp_range)');
    provisioning.bootstrapProvisioningIP = bootstrapIp;
  }
  const mac = text(vars, 'externalMACAddress');
  if (mac !== undefined) {
    if (!MAC_RE.test(mac.trim())) throw badVar(undefined, 'externalMACAddress', `${JSON.stringify(mac)} is not a MAC address`, 'write it like 52:54:00:aa:bb:cc (quoted in YAML): the MAC of the bootstrap VM on the baremetal network');
    provisioning.externalMACAddress = mac.trim();
  }
  return { stack, networking, vips, provisioning, provisioningSubnet: subnet.network };
}

/** `prov_network` (the port's older name: provisioning_network_cidr): any address of the network, like node_prep. */
function cidrOrNetwork(vars: Record<string, unknown>, family: IpFamily, why: string): Cidr | undefined {
  const name = text(vars, 'prov_network') !== undefined ? 'prov_network' : 'provisioning_network_cidr';
  const v = text(vars, name);
  if (v === undefined) return undefined;
  const c = parseCidr(v);
  if (!c) throw badVar(undefined, name, `${JSON.stringify(v)} is not a network in CIDR form`, `write it like ${family === 6 ? 'fd00:1101::/64' : '172.22.0.0/21'}`);
  if (c.family !== family) throw badVar(undefined, name, `${JSON.stringify(v)} is an ${fam(c.family)} network, ${why} needs an ${fam(family)} one`, family === 6 ? 'set ipv4_provisioning=true to keep an IPv4 provisioning network, or give an IPv6 prov_network' : 'give an IPv4 prov_network');
  return c;
}

/** install-config `proxy` of an IPI install: the role appends the provisioning network to noProxy. */
export function ipiProxy(vars: Record<string, unknown>, provisioningSubnet: string | undefined): { proxy?: Record<string, unknown> } {
  const p = proxy(vars);
  if (!p) return {};
  const noProxy = [text(vars, 'no_proxy_list', 'no_proxy'), provisioningSubnet].filter((x): x is string => Boolean(x)).join(',');
  return { proxy: { ...p, ...(noProxy ? { noProxy } : {}) } };
}
