/** A complete acm input (SNO spoke, node described on its masters host, connected) and how to break its host data. */
import type { ProviderInput } from '../../../src/providers/types.js';
import { PULL_SECRET } from '../ipi/fixture.js';

export function sampleInput(over: Record<string, unknown> = {}, node: Record<string, unknown> = {}): ProviderInput {
  return {
    vars: {
      install_type: 'acm',
      ocp_version: '4.16.3',
      acm_cluster_name: 'spoke1',
      acm_base_domain: 'example.lab',
      acm_machine_cidr: '192.168.16.0/24',
      hub_kubeconfig_path: '/home/dci/hub/kubeconfig',
      dci_pull_secret_text: JSON.stringify(PULL_SECRET),
      ...over,
    },
    groups: {
      masters: [
        {
          name: 'spoke1-node',
          vars: { acm_bmc_address: 'redfish-virtualmedia+https://192.168.16.200/redfish/v1/Systems/1', ipmi_user: 'root', ipmi_password: 'calvin-spoke', baremetal_mac: 'b8:ce:f6:56:48:bb', ...node },
        },
      ],
    },
  };
}

export function breakHostData(input: ProviderInput): { host: string; variable: string } {
  delete input.groups.masters[0].vars.baremetal_mac;
  return { host: 'spoke1-node', variable: 'baremetal_mac' };
}
