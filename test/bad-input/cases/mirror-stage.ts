/** `mirror images | to-disk | from-disk` (the mirror-images stage on its own): archives, settings, inventories. */
import type { BadInputCase } from '../case.js';

const LAB = 'all:\n  vars:\n    cluster: c\n    domain: lab.example\n    install_type: sno\n    ocp_version: "4.16.3"\n  hosts:\n    localhost:\n      ansible_connection: local\n';
// the lab registry: a port nothing listens on (no case gets that far)
const REG = ['-e', 'dci_disconnected=true', '-e', 'local_registry_host=127.0.0.1', '-e', 'local_registry_port=1'];

export const MIRROR_STAGE_CASES: BadInputCase[] = [
  { name: 'from-disk: archive missing', files: { 'lab.yml': LAB }, args: ['mirror', 'from-disk', '-i', 'lab.yml', ...REG, '--archive', 'usb', '--out', 'out'], code: 2, file: 'usb', says: /not a dci-agent-ts mirror archive.*mirror to-disk/s, absent: ['out'] },
  { name: 'from-disk: archive without refs.json', files: { 'lab.yml': LAB, 'usb/oci-layout': '{"imageLayoutVersion":"1.0.0"}' }, args: ['mirror', 'from-disk', '-i', 'lab.yml', ...REG, '--archive', 'usb', '--out', 'out'], code: 2, file: 'usb/refs.json', says: /refs.json is missing/, absent: ['out'] },
  { name: 'from-disk: refs.json damaged', files: { 'lab.yml': LAB, 'usb/oci-layout': '{"imageLayoutVersion":"1.0.0"}', 'usb/refs.json': '{bad' }, args: ['mirror', 'from-disk', '-i', 'lab.yml', ...REG, '--archive', 'usb', '--out', 'out'], code: 2, file: 'usb/refs.json', says: /recreate it/, absent: ['out'] },
  { name: 'images: no local registry', files: { 'lab.yml': LAB }, args: ['mirror', 'images', '-i', 'lab.yml', '--out', 'out'], code: 2, file: null, says: /set local_registry_host/, absent: ['out'] },
  { name: 'images: broken inventory', files: { 'lab.ini': '[all:vars]\ninstall_type=sno\n[masters\n' }, args: ['mirror', 'images', '-i', 'lab.ini', '--out', 'out'], code: 2, file: 'lab.ini', line: 3, says: /key=value/, absent: ['out'] },
  { name: 'images: mirror_set_kind unknown', files: { 'lab.yml': LAB }, args: ['mirror', 'images', '-i', 'lab.yml', ...REG, '-e', 'mirror_set_kind=bogus', '--out', 'out'], code: 2, file: null, says: /mirror_set_kind: expected auto, idms/, absent: ['out'] },
  { name: 'images: opm_mirror_list not a mapping', files: { 'lab.yml': LAB }, args: ['mirror', 'images', '-i', 'lab.yml', ...REG, '-e', 'opm_mirror_list=5', '--out', 'out', '--check'], code: 2, file: null, says: /opm_mirror_list: expected a mapping of packages or a list/, absent: ['out'], timeoutMs: 30_000 },
  { name: 'to-disk: --base archive missing', files: { 'lab.yml': LAB }, args: ['mirror', 'to-disk', '-i', 'lab.yml', ...REG, '--archive', 'usb2', '--base', 'usb1'], code: 2, file: 'usb1', says: /base archive usb1 does not exist.*mirror to-disk/s, absent: ['usb2'] },
  { name: 'to-disk: --base is not an archive', files: { 'lab.yml': LAB, 'usb1/readme': 'x' }, args: ['mirror', 'to-disk', '-i', 'lab.yml', ...REG, '--archive', 'usb2', '--base', 'usb1'], code: 2, file: 'usb1', says: /not a dci-agent-ts mirror archive/, absent: ['usb2'] },
  { name: 'to-disk: --base made by an older version', files: { 'lab.yml': LAB, 'usb1/refs.json': '{"format":"dci-agent-ts/layout-refs@1","refs":{}}' }, args: ['mirror', 'to-disk', '-i', 'lab.yml', ...REG, '--archive', 'usb2', '--base', 'usb1/refs.json'], code: 2, file: 'usb1/refs.json', says: /no content manifest.*full archive/s, absent: ['usb2'] },
  { name: 'to-disk: no local registry named', files: { 'lab.yml': LAB }, args: ['mirror', 'to-disk', '-i', 'lab.yml', '--archive', 'usb'], code: 2, file: null, says: /set local_registry_host/, absent: ['usb'] },
];
