/**
 * The installer cache is shared by every job on a provisioner: two jobs extracting the same version must not
 * race. The original relies on a single job per host; we take an exclusive `flock` on the remote host around
 * the check-and-extract, so the second job waits and then finds the binary ready.
 */
import { shellQuote } from '../../engine/transports/index.js';

/** argv running `script` under `flock -w <wait> <lockFile>` (fails with flock's rc 1 after the wait). */
export function lockedArgv(lockFile: string, script: string, waitSeconds = 1800): string[] {
  return ['flock', '-w', String(waitSeconds), lockFile, 'sh', '-c', script];
}

/**
 * `test -x BIN || COMMAND…`: extract only when the cached binary is missing, retried like the original's
 * `oc adm release extract` (9 attempts, 10 s apart: a registry that blinks should not fail a 3-hour job).
 */
export function ifMissing(binary: string, argv: readonly string[], attempts = 9, delaySeconds = 10): string {
  const cmd = argv.map(shellQuote).join(' ');
  return `test -x ${shellQuote(binary)} || { n=1; until ${cmd}; do [ "$n" -ge ${attempts} ] && exit 1; echo "attempt $n/${attempts} failed; retrying in ${delaySeconds} s" >&2; n=$((n+1)); sleep ${delaySeconds}; done; }`;
}
