/**
 * What an earlier failed IPI install leaves on the provisioner: its bootstrap VM (it holds the API VIP and
 * answers on the provisioning network, so the next bootstrap cannot come up) and its bootstrap volumes. The
 * installer role removes them before every install (59_cleanup_bootstrap.yml): every libvirt domain whose name
 * contains "bootstrap" is destroyed and undefined (with its NVRAM), and every `*-bootstrap` / `*-bootstrap.ign`
 * volume is deleted. Through virsh on qemu:///system (the provisioner user is in the libvirt group); a host
 * without virsh has nothing to clean.
 */
import type { CommandStep } from './runner.js';
import { command } from './steps.js';

export const BOOTSTRAP_CLEANUP_SCRIPT = [
  'command -v virsh >/dev/null 2>&1 || { echo "virsh not found: no libvirt bootstrap VM to remove"; exit 0; }',
  'v() { virsh -c qemu:///system "$@"; }',
  'doms=$(v list --all --name) || exit 1',
  'for d in $(printf "%s\\n" "$doms" | grep bootstrap); do',
  '  echo "removing the bootstrap VM $d left by an earlier install"',
  '  v destroy "$d" >/dev/null 2>&1 || true',
  '  v undefine "$d" --nvram || exit 1',
  'done',
  'pools=$(v pool-list --all --name) || exit 1',
  'for p in $pools; do',
  // (no awk `~` here: the runner expands a lone ~ in argv to the home directory)
  '  for vol in $(v vol-list "$p" | awk \'NR > 2 { print $1 }\' | grep -E -- \'-bootstrap(\\.ign)?$\'); do',
  '    echo "removing the bootstrap volume $p/$vol left by an earlier install"',
  '    v vol-delete "$vol" --pool "$p" || exit 1',
  '  done',
  'done',
].join('\n');

export function bootstrapCleanupStep(host: string): CommandStep {
  return command(host, 'cleanup', 'remove bootstrap VMs and volumes left by earlier installs (virsh, qemu:///system)', ['sh', '-c', BOOTSTRAP_CLEANUP_SCRIPT], 5 * 60_000);
}
