import type { BadInputCase } from '../case.js';

const sno = (vars: string, host = 'ipmi_address: 192.0.2.1\n          ipmi_user: u\n          ipmi_password: p\n          baremetal_mac: "52:54:00:00:00:10"') =>
  `all:\n  vars:\n    install_type: sno\n    cluster: c\n    domain: example.lab\n${vars}  children:\n    masters:\n      hosts:\n        m0:\n          ${host}\n`;

export const INVENTORY_CASES: BadInputCase[] = [
  { name: 'ini: unclosed section header', files: { 'lab.ini': '[all:vars]\ninstall_type=ipi\n[masters\nm0\n' }, args: ['validate', '-i', 'lab.ini'], code: 2, file: 'lab.ini', line: 3, says: /expected key=value/ },
  { name: 'ini: vars line without =', files: { 'lab.ini': '[all:vars]\ninstall_type ipi\n' }, args: ['validate', '-i', 'lab.ini'], code: 2, file: 'lab.ini', line: 2, says: /key=value/ },
  { name: 'ini: bad host range', files: { 'lab.ini': '[all:vars]\ninstall_type=sno\n[masters]\nm[0:a]\n' }, args: ['validate', '-i', 'lab.ini'], code: 2, file: 'lab.ini', line: 4, says: /\[0:9\]/ },
  { name: 'ini: group loop', files: { 'lab.ini': '[a:children]\nb\n[b:children]\na\n' }, args: ['validate', '-i', 'lab.ini'], code: 2, file: 'lab.ini', line: 4, says: /loop/ },
  { name: 'yaml: syntax error', files: { 'lab.yml': 'all:\n  hosts:\n    a: {x: 1\n' }, args: ['validate', '-i', 'lab.yml'], code: 2, file: 'lab.yml', line: 4, says: /invalid YAML/ },
  { name: 'yaml: hosts as a list', files: { 'lab.yml': 'all:\n  hosts:\n    - m0\n    - m1\n' }, args: ['validate', '-i', 'lab.yml'], code: 2, file: 'lab.yml', line: 2, says: /must be a mapping/ },
  { name: 'inventory file missing', files: {}, args: ['validate', '-i', 'missing.ini'], code: 2, file: 'missing.ini', says: /not found/ },
  { name: 'group_vars file with a YAML error', files: { 'inv/hosts.yml': 'all:\n  vars:\n    install_type: sno\n', 'inv/group_vars/all.yml': 'a: 1\nb: [\n' }, args: ['validate', '-i', 'inv'], code: 2, file: 'inv/group_vars/all.yml', line: 3, says: /invalid YAML/ },
  { name: 'host_vars file with a YAML error', files: { 'inv/hosts': '[masters]\nm0\n', 'inv/host_vars/m0.yml': 'ipmi_user: u\n  ipmi_password: p\n' }, args: ['validate', '-i', 'inv'], code: 2, file: 'inv/host_vars/m0.yml', line: 2, says: /invalid YAML/ },
  { name: 'install_type upi', files: { 'lab.yml': 'all:\n  vars:\n    install_type: upi\n' }, args: ['validate', '-i', 'lab.yml'], code: 2, file: 'lab.yml', line: 3, says: /expected one of ipi, sno, acm/ },
  { name: 'registry port not a number', files: { 'lab.yml': 'all:\n  vars:\n    install_type: ipi\n    local_registry_port: notaport\n' }, args: ['validate', '-i', 'lab.yml'], code: 2, file: 'lab.yml', line: 4, says: /port number/ },
  { name: 'registry port out of range', files: { 'lab.yml': sno('    local_registry_port: 70000\n') }, args: ['validate', '-i', 'lab.yml'], code: 2, file: 'lab.yml', line: 6, says: /port number/ },
  { name: 'boolean that is not one', files: { 'lab.yml': sno('    dci_disconnected: maybe\n') }, args: ['validate', '-i', 'lab.yml'], code: 2, file: 'lab.yml', line: 6, says: /boolean/ },
  { name: 'dci_operators not a list', files: { 'lab.yml': sno('    dci_operators: notalist\n') }, args: ['validate', '-i', 'lab.yml'], code: 2, file: 'lab.yml', line: 6, says: /list of operators/ },
  { name: 'operator without a name', files: { 'lab.yml': sno('    dci_operators: [{channel: stable}]\n') }, args: ['validate', '-i', 'lab.yml'], code: 2, file: 'lab.yml', line: 6, says: /name/ },
  { name: 'mirror_set_kind unknown', files: { 'lab.yml': sno('    mirror_set_kind: imcs\n') }, args: ['validate', '-i', 'lab.yml'], code: 2, file: 'lab.yml', line: 6, says: /idms/ },
  { name: 'MAC address malformed', files: { 'lab.yml': sno('', 'ipmi_address: 192.0.2.1\n          ipmi_user: u\n          ipmi_password: p\n          baremetal_mac: "zz:zz"') }, args: ['validate', '-i', 'lab.yml'], code: 2, file: 'lab.yml', line: 13, says: /MAC address/ },
  { name: 'BMC address missing (ipi)', files: { 'lab.yml': 'all:\n  vars:\n    install_type: ipi\n    cluster: c\n  children:\n    masters:\n      hosts:\n        m0:\n          baremetal_mac: "52:54:00:00:00:10"\n' }, args: ['validate', '-i', 'lab.yml'], code: 2, file: 'lab.yml', line: 8, says: /ipmi_address is required/ },
  { name: 'sno without masters', files: { 'lab.yml': 'all:\n  vars:\n    install_type: sno\n' }, args: ['validate', '-i', 'lab.yml'], code: 2, file: 'lab.yml', says: /masters/ },
  { name: 'sno without a domain', files: { 'lab.yml': sno('').replace('    domain: example.lab\n', '') }, args: ['validate', '-i', 'lab.yml'], code: 2, file: 'lab.yml', says: /domain is required/ },
  { name: 'ocp_version that is not a version', files: { 'lab.yml': sno('    ocp_version: four\n') }, args: ['validate', '-i', 'lab.yml'], code: 2, file: 'lab.yml', line: 6, says: /version/ },
  { name: 'vars: broken inventory', files: { 'lab.ini': '[all:vars]\ninstall_type=ipi\n[masters\n' }, args: ['vars', '-i', 'lab.ini', '--host', 'm0'], code: 2, file: 'lab.ini', line: 3, says: /key=value/ },
  { name: 'vars: unknown host', files: { 'lab.yml': sno('') }, args: ['vars', '-i', 'lab.yml', '--host', 'nohost'], code: 2, file: 'lab.yml', says: /known hosts/ },
  { name: 'install plan: bad MAC, no plan written', files: { 'lab.yml': sno('', 'ipmi_address: 192.0.2.1\n          ipmi_user: u\n          ipmi_password: p\n          baremetal_mac: "zz:zz"') }, args: ['install', 'plan', '-i', 'lab.yml', '--out', 'plan'], code: 2, file: 'lab.yml', line: 13, says: /MAC address/, absent: ['plan'] },
];
