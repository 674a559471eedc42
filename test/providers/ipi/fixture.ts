/**
 * A complete IPI input (3 masters, 1 worker, disconnected) for plan tests, and how to break its host data.
 * The registry test loads `test/providers/<type>/fixture.ts` for every registered provider.
 */
import type { ProviderInput } from '../../../src/providers/types.js';

export const PULL_SECRET = { auths: { 'quay.io': { auth: Buffer.from('quayuser:quay-SECRET-pass').toString('base64'), email: 'x@example.com' }, 'registry.lab:5000': { auth: Buffer.from('labuser:lab-SECRET-pass').toString('base64') } } };

export function sampleInput(over: Record<string, unknown> = {}): ProviderInput {
  const node = (name: string, ip: string, mac: string, extra: Record<string, unknown> = {}) => ({
    name,
    vars: { name, ipmi_address: ip, ipmi_user: 'root', ipmi_password: `calvin-${name}`, provision_mac: mac, ...extra },
  });
  return {
    vars: {
      install_type: 'ipi',
      ocp_version: '4.16.3',
      cluster: 'dcilab',
      domain: 'example.lab',
      apivip: '192.168.10.40',
      ingressvip: '192.168.10.42',
      extcidrnet: '192.168.10.0/24',
      prov_nic: 'eno1',
      dci_disconnected: true,
      local_registry_host: 'registry.lab',
      local_registry_port: 5000,
      local_repo: 'ocp4/openshift4',
      provision_cache_store: '/opt/cache',
      webserver_url: 'http://registry.lab:8080',
      dir: '/home/kni/clusterconfigs',
      dci_pull_secret_text: JSON.stringify(PULL_SECRET),
      dci_ssh_public_key: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFakeKeyForTests dci@test',
      ...over,
    },
    groups: {
      provisioner: [{ name: 'provisioner', vars: { ansible_user: 'kni' } }],
      masters: [node('master-0', '192.168.10.100', 'ec:f4:bb:da:0c:58'), node('master-1', '192.168.10.101', 'ec:f4:bb:da:32:88'), node('master-2', '192.168.10.102', 'ec:f4:bb:da:0d:98')],
      workers: [node('worker-0', '192.168.10.110', 'ec:f4:bb:da:0c:18')],
    },
  };
}

/** Remove one host variable; the plan must name that host and variable. */
export function breakHostData(input: ProviderInput): { host: string; variable: string } {
  delete input.groups.masters[1].vars.provision_mac;
  return { host: 'master-1', variable: 'provision_mac' };
}

/** Every secret value of the sample, to check nothing leaks into records. */
export const SECRET_VALUES = ['quay-SECRET-pass', 'lab-SECRET-pass', 'calvin-master-0', 'calvin-master-1', 'calvin-worker-0', PULL_SECRET.auths['quay.io'].auth];
