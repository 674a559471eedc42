/**
 * A small lab for pipeline e2e tests: an SNO inventory on localhost (install in plan mode, nothing disconnected)
 * with two config dirs whose hooks append "<dir>:<hook>" to an order log, so tests can read what ran and when.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Lab {
  dir: string;
  inventory: string;
  stateDir: string;
  orderLog: string;
  hookDirs: [string, string];
  writeHook(dirIndex: 0 | 1, name: string, tasks: string): void;
  env: Record<string, string>;
}

export function makeLab(extraVars = '', options: { ocpVersion?: string | null } = {}): Lab {
  const dir = mkdtempSync(join(tmpdir(), 'lab-'));
  const hookDirs: [string, string] = [join(dir, 'config-a'), join(dir, 'config-b')];
  const orderLog = join(dir, 'order.log');
  const inventory = join(dir, 'lab.yml');
  writeFileSync(
    inventory,
    `all:
  vars:
    cluster: e2e
    domain: lab.example
    install_type: sno
${options.ocpVersion === null ? '' : `    ocp_version: "${options.ocpVersion ?? '4.16.3'}"\n`}    dci_install_mode: plan
    webserver_url: http://192.0.2.1:8080
    dci_cluster_configs_dir: ${join(dir, 'clusterconfigs')}
    dci_config_dirs:
      - ${hookDirs[0]}
      - ${hookDirs[1]}
    order_log: ${orderLog}
${extraVars}
  hosts:
    localhost:
      ansible_connection: local
  children:
    masters:
      hosts:
        sno-0:
          ansible_host: 192.0.2.20
          ipmi_address: 192.0.2.10
          ipmi_user: admin
          ipmi_password: bmc-Secret-1
          baremetal_mac: "52:54:00:00:00:10"
`,
  );
  const lab: Lab = {
    dir,
    inventory,
    stateDir: join(dir, 'state'),
    orderLog,
    hookDirs,
    writeHook(i, name, tasks) {
      mkdirSync(join(hookDirs[i], 'hooks'), { recursive: true });
      writeFileSync(join(hookDirs[i], 'hooks', `${name}.yml`), tasks);
    },
    env: { DCI_AGENT_TS_STATE_DIR: join(dir, 'state') },
  };
  return lab;
}

/** A hook that records "<label>" in the order log. */
export function recordingHook(label: string, more = ''): string {
  return `- name: record ${label}
  shell: echo "${label}" >> {{ order_log }}
${more}`;
}
