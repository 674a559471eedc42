/** *_network_config_template rendered per node into install-config hosts[].networkConfig (from 4.10). */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { afterEach, describe, expect, it } from 'vitest';
import { gatherProviderInput } from '../../../src/providers/index.js';
import { ipiProvider } from '../../../src/providers/ipi/index.js';
import { sampleInput } from '../ipi/fixture.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

const TEMPLATE = `interfaces:
- name: eno1
  type: ethernet
  state: up
  ipv4:
    enabled: true
    dhcp: false
    address:
    - ip: {{ baremetal_ip }}
      prefix-length: 24
dns-resolver:
  config:
    server: [{{ dns_server }}]
routes:
  config:
  - destination: 0.0.0.0/0
    next-hop-address: {{ gateway }}
    next-hop-interface: eno1
`;

function template(text: string): string {
  const d = mkdtempSync(join(tmpdir(), 'netcfg-'));
  dirs.push(d);
  writeFileSync(join(d, 'master-nmstate.yml.j2'), text);
  return join(d, 'master-nmstate.yml.j2');
}

type Hosts = Array<{ name: string; networkConfig?: { interfaces: Array<{ ipv4: { address: Array<{ ip: string }> } }>; routes: unknown } }>;
async function hostsOf(over: Record<string, unknown>, without?: { node: number; variable: string }): Promise<Hosts> {
  const base = sampleInput({ dns_server: '192.168.10.1', gateway: '192.168.10.254', ...over });
  base.groups.masters.forEach((h, i) => Object.assign(h.vars, { baremetal_ip: `192.168.10.${20 + i}` }));
  if (without) delete base.groups.masters[without.node].vars[without.variable];
  const input = await gatherProviderInput({ vars: base.vars, groups: base.groups });
  const ic = load(ipiProvider.plan(input).files.find((f) => f.path === 'install-config.yaml')!.content) as { platform: { baremetal: { hosts: Hosts } } };
  return ic.platform.baremetal.hosts;
}

describe('network config templates', () => {
  it('renders the master template with each node\'s variables; workers without a template get none', async () => {
    const hosts = await hostsOf({ master_network_config_template: template(TEMPLATE) });
    expect(hosts.slice(0, 3).map((h) => h.networkConfig?.interfaces[0].ipv4.address[0].ip)).toEqual(['192.168.10.20', '192.168.10.21', '192.168.10.22']);
    expect(hosts[0].networkConfig?.routes).toEqual({ config: [{ destination: '0.0.0.0/0', 'next-hop-address': '192.168.10.254', 'next-hop-interface': 'eno1' }] });
    expect(hosts[3]).not.toHaveProperty('networkConfig');
  });

  it('not before 4.10 (the role writes networkConfig from 4.10)', async () => {
    const hosts = await hostsOf({ ocp_version: '4.9.59', master_network_config_template: template(TEMPLATE), bootstraposimage: `http://x/y.qcow2.gz?sha256=${'a'.repeat(64)}`, clusterosimage: `http://x/z.qcow2.gz?sha256=${'b'.repeat(64)}` });
    expect(hosts[0]).not.toHaveProperty('networkConfig');
  });

  it('a variable the template needs and the node lacks: the node, the template and the variable are named', async () => {
    const path = template(TEMPLATE);
    await expect(hostsOf({ master_network_config_template: path }, { node: 1, variable: 'baremetal_ip' })).rejects.toThrow(new RegExp(`host "master-1": master_network_config_template ${path} does not render to YAML: .*baremetal_ip`));
  });

  it('a template that renders to something else than a mapping is refused', async () => {
    await expect(hostsOf({ master_network_config_template: template('- just\n- a list\n') })).rejects.toThrow(/host "master-0": master_network_config_template .* renders to a list, not an nmstate mapping/);
  });
});
