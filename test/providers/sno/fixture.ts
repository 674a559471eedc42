/** A complete SNO input (one node behind a Redfish BMC, connected) and how to break its host data. */
import type { ProviderInput } from '../../../src/providers/types.js';
import { PULL_SECRET } from '../ipi/fixture.js';

export function sampleInput(over: Record<string, unknown> = {}, node: Record<string, unknown> = {}): ProviderInput {
  return {
    vars: {
      install_type: 'sno',
      ocp_version: '4.16.3',
      cluster: 'sno1',
      domain: 'example.lab',
      extcidrnet: '192.168.16.0/24',
      webserver_url: 'http://192.168.16.10:8080',
      provision_cache_store: '/opt/cache',
      dir: '/home/dci/clusterconfigs',
      dci_pull_secret_text: JSON.stringify(PULL_SECRET),
      ...over,
    },
    groups: {
      provisioner: [{ name: 'provisioner', vars: {} }],
      masters: [
        {
          name: 'sno-0',
          vars: { name: 'sno-0', ansible_host: '192.168.16.20', ipmi_address: '192.168.16.200', ipmi_user: 'root', ipmi_password: 'calvin-sno', baremetal_mac: 'b8:ce:f6:56:48:aa', installation_disk: '/dev/nvme0n1', ...node },
        },
      ],
    },
  };
}

export function breakHostData(input: ProviderInput): { host: string; variable: string } {
  delete input.groups.masters[0].vars.baremetal_mac;
  return { host: 'sno-0', variable: 'baremetal_mac' };
}
