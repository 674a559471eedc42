/**
 * The network part of the IPI install-config against what the installer role's install-config.j2 renders for the
 * same inventory. ROLE_* below are the role's renders written out by hand (networking and the network fields of
 * platform.baremetal) for the inventories of each case; roleToInstallConfig maps the role's deprecated spellings
 * to the ones the port writes, as the installer itself does when it loads the file (machineCIDR → machineNetwork,
 * singular apiVIP/ingressVIP → one-item lists from 4.12). Everything else must be equal.
 */
import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { ipiProvider } from '../../../src/providers/ipi/index.js';
import { installPrerequisiteError } from '../../../src/providers/prerequisites.js';
import { sampleInput } from './fixture.js';

interface Doc {
  proxy?: Record<string, unknown>;
  networking: Record<string, unknown>;
  platform: { baremetal: Record<string, unknown> };
}

const NETWORK_FIELDS = ['apiVIP', 'ingressVIP', 'apiVIPs', 'ingressVIPs', 'provisioningBridge', 'externalBridge', 'provisioningNetwork', 'provisioningNetworkInterface', 'provisioningNetworkCIDR', 'provisioningDHCPRange', 'bootstrapProvisioningIP', 'externalMACAddress'];

function networkPart(d: Doc): Record<string, unknown> {
  const b = Object.fromEntries(Object.entries(d.platform.baremetal).filter(([k]) => NETWORK_FIELDS.includes(k)));
  return { ...(d.proxy ? { proxy: d.proxy } : {}), networking: d.networking, baremetal: b };
}

/** The port's rendering of an inventory (sampleInput + overrides). */
function ours(over: Record<string, unknown>): Record<string, unknown> {
  const content = ipiProvider.plan(sampleInput(over)).files.find((f) => f.path === 'install-config.yaml')!.content;
  return networkPart(load(content) as Doc);
}

/** The role's render, with what the installer reads the same way written in today's form. */
function roleToInstallConfig(roleYaml: string, version: string): Record<string, unknown> {
  const d = load(roleYaml) as Doc & { networking: Record<string, unknown> & { machineCIDR?: string } };
  const { machineCIDR, ...networking } = d.networking;
  // The role leaves clusterNetwork/serviceNetwork to the installer's defaults for IPv4.
  const net: Record<string, unknown> = { ...(machineCIDR ? { machineNetwork: [{ cidr: machineCIDR }] } : {}), ...networking };
  net.clusterNetwork ??= [{ cidr: '10.128.0.0/14', hostPrefix: 23 }];
  net.serviceNetwork ??= ['172.30.0.0/16'];
  const b = { ...d.platform.baremetal };
  if (Number(version.split('.')[1]) >= 12) {
    for (const k of ['api', 'ingress']) {
      if (b[`${k}VIP`] !== undefined) {
        b[`${k}VIPs`] = [b[`${k}VIP`]];
        delete b[`${k}VIP`];
      }
    }
  }
  return networkPart({ ...d, networking: { networkType: net.networkType, ...net }, platform: { baremetal: b } });
}

/**
 * A dual-stack inventory: sampleInput's IPv4 network and VIPs plus the IPv6 network; `ipv6Vips` adds dualstack_vips
 * and the IPv6 VIPs (…::40, …::42). `over` comes last (other spellings of the flags, version, provisioning variables).
 */
function dualStack(over: Record<string, unknown> = {}, { ipv6Vips = false } = {}): Record<string, unknown> {
  const vips = ipv6Vips ? { dualstack_vips: true, apivip6: 'fd2e:6f44:5dd8:c956::40', ingressvip6: 'fd2e:6f44:5dd8:c956::42' } : {};
  return { ipv6_enabled: true, dualstack_baremetal: true, extcidrnet6: 'fd2e:6f44:5dd8:c956::/64', ...vips, ...over };
}

const cmp = (over: Record<string, unknown>, roleYaml: string) => expect(ours(over)).toEqual(roleToInstallConfig(roleYaml, String(over.ocp_version ?? '4.16.3')));

describe('ipi install-config networking, as the installer role renders it', () => {
  it('IPv4 with the provisioning network variables and a proxy (4.16): provisioning CIDR from prov_network, DHCP range, bootstrap IP, external MAC, noProxy', () => {
    const inv = { prov_network: '172.22.0.0/24', prov_dhcp_range: '172.22.0.10,172.22.0.100', bootstrapProvisioningIP: '172.22.0.2', externalMACAddress: '52:54:00:aa:bb:cc', http_proxy: 'http://proxy.lab:3128', https_proxy: 'http://proxy.lab:3128', no_proxy_list: '.lab,10.0.0.0/8' };
    cmp(
      inv,
      `
proxy:
  httpProxy: http://proxy.lab:3128
  httpsProxy: http://proxy.lab:3128
  noProxy: .lab,10.0.0.0/8,172.22.0.0/24
networking:
  machineCIDR: 192.168.10.0/24
  networkType: OVNKubernetes
platform:
  baremetal:
    apiVIP: 192.168.10.40
    ingressVIP: 192.168.10.42
    provisioningBridge: provisioning
    provisioningNetworkInterface: eno1
    provisioningNetworkCIDR: 172.22.0.0/24
    provisioningDHCPRange: 172.22.0.10,172.22.0.100
    bootstrapProvisioningIP: 172.22.0.2
    externalMACAddress: '52:54:00:aa:bb:cc'
`,
    );
  });

  it('IPv4 defaults (4.11): node_prep\'s provisioning bridge 172.22.0.0/21, singular VIPs before 4.12', () => {
    cmp(
      { ocp_version: '4.11.50' },
      `
networking:
  machineCIDR: 192.168.10.0/24
  networkType: OVNKubernetes
platform:
  baremetal:
    apiVIP: 192.168.10.40
    ingressVIP: 192.168.10.42
    provisioningBridge: provisioning
    provisioningNetworkInterface: eno1
    provisioningNetworkCIDR: 172.22.0.0/21
`,
    );
  });

  it('dual stack with dualstack_vips (4.16): machine/cluster/service network lists, apiVIPs/ingressVIPs v4 + v6, IPv6 provisioning', () => {
    cmp(
      dualStack({ dualstack_baremetal: 'yes', dualstack_vips: 'true' }, { ipv6Vips: true }),
      `
networking:
  networkType: OVNKubernetes
  machineNetwork:
  - cidr: 192.168.10.0/24
  - cidr: fd2e:6f44:5dd8:c956::/64
  clusterNetwork:
  - cidr: 10.128.0.0/14
    hostPrefix: 23
  - cidr: fd02::/48
    hostPrefix: 64
  serviceNetwork:
  - 172.30.0.0/16
  - fd03::/112
platform:
  baremetal:
    apiVIPs:
      - 192.168.10.40
      - fd2e:6f44:5dd8:c956::40
    ingressVIPs:
      - 192.168.10.42
      - fd2e:6f44:5dd8:c956::42
    provisioningBridge: provisioning
    provisioningNetworkInterface: eno1
    provisioningNetworkCIDR: fd00:1101::/64
`,
    );
  });

  it('dual stack without dualstack_vips, IPv4 provisioning (4.14): IPv4 VIPs only, the provisioning bridge stays IPv4', () => {
    cmp(
      dualStack({ ocp_version: '4.14.8', ipv4_provisioning: true, prov_network: '172.23.0.7/24' }),
      `
networking:
  networkType: OVNKubernetes
  machineNetwork:
  - cidr: 192.168.10.0/24
  - cidr: fd2e:6f44:5dd8:c956::/64
  clusterNetwork:
  - cidr: 10.128.0.0/14
    hostPrefix: 23
  - cidr: fd02::/48
    hostPrefix: 64
  serviceNetwork:
  - 172.30.0.0/16
  - fd03::/112
platform:
  baremetal:
    apiVIP: 192.168.10.40
    ingressVIP: 192.168.10.42
    provisioningBridge: provisioning
    provisioningNetworkInterface: eno1
    provisioningNetworkCIDR: 172.23.0.0/24
`,
    );
  });

  it('IPv6 only (4.12): fd01::/48 and fd02::/112, IPv6 VIPs and provisioning network', () => {
    const inv = { ocp_version: '4.12.30', ipv6_enabled: true, extcidrnet: 'fd2e:6f44:5dd8:c956::/64', apivip: 'fd2e:6f44:5dd8:c956::40', ingressvip: 'fd2e:6f44:5dd8:c956::42', prov_dhcp_range: 'fd00:1101::a,fd00:1101::ff' };
    cmp(
      inv,
      `
networking:
  machineCIDR: fd2e:6f44:5dd8:c956::/64
  networkType: OVNKubernetes
  clusterNetwork:
  - cidr: fd01::/48
    hostPrefix: 64
  serviceNetwork:
  - fd02::/112
platform:
  baremetal:
    apiVIP: fd2e:6f44:5dd8:c956::40
    ingressVIP: fd2e:6f44:5dd8:c956::42
    provisioningBridge: provisioning
    provisioningNetworkInterface: eno1
    provisioningNetworkCIDR: fd00:1101::/64
    provisioningDHCPRange: fd00:1101::a,fd00:1101::ff
`,
    );
  });

  it('virtual media, dual stack (4.16): no provisioning network fields, noProxy without a provisioning subnet', () => {
    const r = ours(dualStack({ enable_virtualmedia: true, prov_dhcp_range: '172.22.0.10,172.22.0.100' }, { ipv6Vips: true })) as { networking: { machineNetwork: unknown[] }; baremetal: Record<string, unknown> };
    expect(r.networking.machineNetwork).toEqual([{ cidr: '192.168.10.0/24' }, { cidr: 'fd2e:6f44:5dd8:c956::/64' }]);
    expect(r.baremetal).toEqual({ apiVIPs: ['192.168.10.40', 'fd2e:6f44:5dd8:c956::40'], ingressVIPs: ['192.168.10.42', 'fd2e:6f44:5dd8:c956::42'], provisioningNetwork: 'Disabled' });
  });
});

describe('ipi network variables: one clear error naming the variable', () => {
  const err = (over: Record<string, unknown>): string => {
    try {
      ipiProvider.plan(sampleInput(over));
    } catch (e) {
      return `${(e as Error).message} | ${(e as { hint?: string }).hint ?? ''}`;
    }
    return 'no error';
  };

  it.each([
    [{ extcidrnet: '192.168.10.0/33' }, /^the inventory: extcidrnet "192\.168\.10\.0\/33" is not a network in CIDR form \| write it like 192\.168\.10\.0\/24/],
    [{ extcidrnet: '192.168.10.7/24' }, /extcidrnet "192\.168\.10\.7\/24" is not a network address .* \| use 192\.168\.10\.0\/24$/],
    [{ ipv6_enabled: true, extcidrnet: 'FD2E:0:0:0::7/64' }, /extcidrnet "FD2E:0:0:0::7\/64" is not a network address .* \| use fd2e::\/64$/],
    [{ extcidrnet: 'fd2e::/64' }, /extcidrnet "fd2e::\/64" is an IPv6 network, for an ipi install with an IPv4 baremetal network needs an IPv4 one/],
    [{ apivip: '192.168.10.400' }, /^the inventory: apivip "192\.168\.10\.400" is not an IP address/],
    [{ ingressvip: 'fd00::1' }, /ingressvip "fd00::1" is an IPv6 address, .* needs an IPv4 one/],
    [dualStack({ extcidrnet6: '192.168.11.0/24' }), /extcidrnet6 "192\.168\.11\.0\/24" is an IPv4 network, for an ipi install with a dual stack \(dualstack_baremetal\) needs an IPv6 one/],
    [dualStack({ extcidrnet6: undefined }), /^the inventory: extcidrnet6 is required for an ipi install with a dual stack/],
    [dualStack({ dualstack_vips: true }), /^the inventory: apivip6 is required for an ipi install with dualstack_vips on 4\.16\.3 \| set apivip6=/],
    [dualStack({ ipv4_baremetal: true }), /dualstack_baremetal and ipv4_baremetal are both true/],
    [{ dualstack_baremetal: true }, /dualstack_baremetal is true but ipv6_enabled is not/],
    [dualStack({ ocp_version: '4.5.41' }), /OpenShift 4\.5\.41 does not support dual-stack deployments/],
    [{ ipv6_enabled: true }, /extcidrnet "192\.168\.10\.0\/24" is an IPv4 network, for an ipi install with IPv6 only \(ipv6_enabled\) needs an IPv6 one/],
    [{ prov_network: '172.22.0.0/21', prov_dhcp_range: '172.22.0.10-172.22.0.100' }, /prov_dhcp_range "172\.22\.0\.10-172\.22\.0\.100" is not a range "<first IP>,<last IP>" inside the provisioning network 172\.22\.0\.0\/21/],
    [{ prov_dhcp_range: '172.22.9.10,172.22.9.100' }, /prov_dhcp_range .* inside the provisioning network 172\.22\.0\.0\/21/],
    [{ prov_dhcp_range: '172.22.0.100,172.22.0.10' }, /prov_dhcp_range "172\.22\.0\.100,172\.22\.0\.10" is not a range/],
    [{ bootstrapProvisioningIP: '10.0.0.2' }, /bootstrapProvisioningIP 10\.0\.0\.2 is not in the provisioning network 172\.22\.0\.0\/21/],
    [{ bootstrapProvisioningIP: 'bootstrap' }, /bootstrapProvisioningIP "bootstrap" is not an IP address/],
    [{ externalMACAddress: '52:54:00:aa:bb' }, /externalMACAddress "52:54:00:aa:bb" is not a MAC address/],
    [{ ipv6_enabled: true, extcidrnet: 'fd2e::/64', apivip: 'fd2e::40', ingressvip: 'fd2e::42', prov_network: '172.22.0.0/21' }, /prov_network "172\.22\.0\.0\/21" is an IPv4 network, .* needs an IPv6 one \| set ipv4_provisioning=true/],
  ])('%o', (over, re) => {
    expect(err(over)).toMatch(re);
  });

  it('the pipeline\'s pre-flight check finds the same errors before the first stage', () => {
    const vars = sampleInput().vars;
    expect(installPrerequisiteError({ ...vars, extcidrnet: '192.168.10.7/24' })?.message).toMatch(/extcidrnet "192\.168\.10\.7\/24" is not a network address/);
    expect(installPrerequisiteError({ ...vars, ...dualStack({ extcidrnet6: 'fd2e::1/200' }) })?.message).toMatch(/extcidrnet6 "fd2e::1\/200" is not a network in CIDR form/);
    expect(installPrerequisiteError({ ...vars, ...dualStack() })).toBeUndefined();
    // Missing values may still come from a hook (set_fact), templated ones are rendered later: the plan checks them.
    expect(installPrerequisiteError({ ...vars, ...dualStack({ dualstack_vips: true }) })).toBeUndefined();
    expect(installPrerequisiteError({ ...vars, extcidrnet: "{{ lookup('env', 'EXT_NET') }}", apivip: '{{ api_ip }}' })).toBeUndefined();
  });
});
