/**
 * BMC addresses as the bare-metal operator reads them (install-config `hosts[].bmc.address`), per vendor, like
 * the redhatci `installer` role's templates: IPMI by default, Redfish for Dell/HPE/KVM (sushy) hosts, iRMC for
 * Fujitsu; the virtual-media variants when `enable_virtualmedia` is set. An address that already carries a
 * scheme is used as given. Also the Redfish endpoint the SNO path talks to directly.
 */
import { badVar, flag, text, type HostEntry } from './vars.js';

export type BmcVendor = 'ipmi' | 'dell' | 'hpe' | 'kvm' | 'irmc';

const VENDOR_GROUPS: Array<[string, BmcVendor]> = [
  ['dell_hosts_redfish', 'dell'],
  ['hp_hosts_redfish', 'hpe'],
  ['kvm_hosts_redfish', 'kvm'],
];

const KNOWN_SCHEMES = /^(ipmi|redfish|redfish-virtualmedia|idrac-virtualmedia|idrac-redfish|idrac|irmc|ilo4|ilo5|ilo5-redfish|ilo5-virtualmedia|redfish-uefihttp)(\+https?)?:\/\//;

export interface BmcEntry {
  address: string;
  username: string;
  password: string;
  disableCertificateVerification?: boolean;
}

/** The vendor of a host: its `vendor` variable, else the redfish inventory group it is in, else IPMI. */
export function bmcVendor(host: HostEntry, groups: Record<string, HostEntry[]>): BmcVendor {
  const v = text(host.vars, 'vendor', 'bmc_vendor')?.toLowerCase();
  if (v) {
    if (v === 'dell' || v === 'idrac') return 'dell';
    if (v === 'hpe' || v === 'hp' || v === 'ilo') return 'hpe';
    if (v === 'kvm' || v === 'sushy' || v === 'virtual') return 'kvm';
    if (v === 'irmc' || v === 'fujitsu') return 'irmc';
    if (v === 'ipmi' || v === 'generic') return 'ipmi';
    throw badVar(host.name, 'vendor', `"${v}" is not a BMC vendor this installer knows`, 'use dell, hpe, kvm, irmc or ipmi (or give bmc_address with its scheme, e.g. redfish://...)');
  }
  for (const [group, vendor] of VENDOR_GROUPS) if ((groups[group] ?? []).some((h) => h.name === host.name)) return vendor;
  return 'ipmi';
}

/** `bmc.address` of install-config for a host (version ≥ 4.6 forms). */
export function bmcAddress(host: HostEntry, groups: Record<string, HostEntry[]>, vars: Record<string, unknown>): { address: string; disableCertificateVerification?: boolean } {
  const raw = text(host.vars, 'bmc_address', 'ipmi_address');
  if (!raw) throw badVar(host.name, 'ipmi_address', 'is required (the BMC address of the node)', `add ipmi_address=<BMC IP> to the host line of ${host.name}`);
  const insecure = flag(host.vars, 'disable_bmc_certificate_verification', flag(vars, 'disable_bmc_certificate_verification', false));
  if (KNOWN_SCHEMES.test(raw)) {
    return raw.startsWith('ipmi://') ? { address: raw } : { address: raw, disableCertificateVerification: insecure };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(raw)) {
    throw badVar(host.name, 'ipmi_address', `has an unknown scheme: ${raw}`, 'use a bare IP/host name, or ipmi://, redfish://, redfish-virtualmedia://, idrac-virtualmedia:// or irmc://');
  }
  const virtualMedia = flag(vars, 'enable_virtualmedia', false);
  const vendor = bmcVendor(host, groups);
  switch (vendor) {
    case 'dell':
      return { address: `${virtualMedia ? 'idrac-virtualmedia' : 'redfish'}://${raw}/redfish/v1/Systems/System.Embedded.1`, disableCertificateVerification: insecure };
    case 'hpe':
      return { address: `${virtualMedia ? 'redfish-virtualmedia' : 'redfish'}://${raw}/redfish/v1/Systems/1`, disableCertificateVerification: insecure };
    case 'kvm': {
      const uuid = text(host.vars, 'kvm_uuid');
      if (!uuid) throw badVar(host.name, 'kvm_uuid', 'is required for a KVM (sushy) Redfish host', `add kvm_uuid=<libvirt domain UUID> to ${host.name}`);
      const port = text(host.vars, 'redfish_port') ?? text(vars, 'redfish_port') ?? '8082';
      // sushy-tools serves a self-signed certificate: the role always disables verification for it.
      return { address: `${virtualMedia ? 'redfish-virtualmedia' : 'redfish'}://${raw}:${port}/redfish/v1/Systems/${uuid}`, disableCertificateVerification: true };
    }
    case 'irmc':
      return { address: `irmc://${raw}:443`, disableCertificateVerification: insecure };
    default: {
      const port = text(host.vars, 'ipmi_port', 'bmc_port');
      // IPMI cannot insert virtual media: the virtual-media template falls back to Redfish for other vendors.
      if (virtualMedia) return { address: `redfish-virtualmedia://${raw}${port ? `:${port}` : ''}`, disableCertificateVerification: insecure };
      return { address: `ipmi://${raw}:${port ?? '623'}` };
    }
  }
}

export interface RedfishEndpoint {
  /** `https://host[:port]` (or http when the address says so). */
  baseUrl: string;
  /** `/redfish/v1/Systems/<id>` when known; discovered from the Systems collection otherwise. */
  systemPath?: string;
  verifyTls: boolean;
}

/** Where to send Redfish calls for a host, from its BMC address (bare IP, https URL or a redfish:// form). */
export function redfishEndpoint(host: HostEntry, groups: Record<string, HostEntry[]>, vars: Record<string, unknown>): RedfishEndpoint {
  const raw = text(host.vars, 'bmc_address', 'ipmi_address');
  if (!raw) throw badVar(host.name, 'ipmi_address', 'is required (the BMC address of the node)', `add ipmi_address=<BMC IP> to the host line of ${host.name}`);
  const verifyTls = !flag(host.vars, 'disable_bmc_certificate_verification', flag(vars, 'disable_bmc_certificate_verification', false));
  let url: URL;
  const m = /^([a-z][a-z0-9-]*)(\+(https?))?:\/\/(.*)$/i.exec(raw);
  if (m) {
    const scheme = m[1].toLowerCase();
    if (!['http', 'https', 'redfish', 'redfish-virtualmedia', 'idrac-virtualmedia', 'idrac-redfish'].includes(scheme)) {
      throw badVar(host.name, 'bmc_address', `${raw} is not a Redfish address`, 'the sno path boots the ISO through Redfish virtual media: give the BMC as https://<ip> or redfish-virtualmedia://<ip>/redfish/v1/Systems/<id>');
    }
    const proto = scheme === 'http' || m[3] === 'http' ? 'http' : 'https';
    url = new URL(`${proto}://${m[4]}`);
  } else {
    // sushy-tools (KVM) listens on redfish_port, 8082 by default like the install-config address above.
    const port = text(host.vars, 'redfish_port') ?? (bmcVendor(host, groups) === 'kvm' ? text(vars, 'redfish_port') ?? '8082' : undefined);
    url = new URL(`https://${raw}${port ? `:${port}` : ''}`);
  }
  let systemPath = /\/redfish\/v1\/Systems\/[^/]+/.exec(url.pathname)?.[0];
  if (!systemPath) {
    const vendor = bmcVendor(host, groups);
    if (vendor === 'dell') systemPath = '/redfish/v1/Systems/System.Embedded.1';
    else if (vendor === 'hpe') systemPath = '/redfish/v1/Systems/1';
    else if (vendor === 'kvm' && text(host.vars, 'kvm_uuid')) systemPath = `/redfish/v1/Systems/${text(host.vars, 'kvm_uuid')}`;
  }
  return { baseUrl: `${url.protocol}//${url.host}`, systemPath, verifyTls };
}
