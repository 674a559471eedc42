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

/** Stands for the temporary extraction dir in the argv given to cachedBinary (replaced by `"$t"`). */
export const EXTRACT_TMP = '@EXTRACT_TMP@';

/**
 * The script that makes `binary` available in the cache: reused when it is there and runs (`<bin> version`: a
 * file cut short by a killed job does not), else extracted by `argv` (whose `--to` is EXTRACT_TMP) into a
 * temporary dir next to it and moved into place, so no reader ever sees half a binary. The extraction is retried
 * like the original's `oc adm release extract` (9 attempts, 10 s apart: a registry that blinks should not fail a
 * 3-hour job).
 */
export function cachedBinary(binary: string, argv: readonly string[], attempts = 9, delaySeconds = 10): string {
  const b = shellQuote(binary);
  const name = binary.split('/').pop() ?? binary;
  const dir = binary.slice(0, binary.length - name.length - 1) || '/';
  const cmd = argv.map((a) => (a === EXTRACT_TMP ? '"$t"' : shellQuote(a))).join(' ');
  return [
    `if [ -x ${b} ] && ${b} version >/dev/null 2>&1; then echo "using the cached ${name}"; exit 0; fi`,
    `[ -e ${b} ] && echo "the cached ${name} does not run: extracting it again"`,
    `t=$(mktemp -d ${shellQuote(dir)}/.extract.XXXXXX) || exit 1`,
    `trap 'rm -rf "$t"' EXIT`,
    `n=1; until ${cmd}; do [ "$n" -ge ${attempts} ] && exit 1; echo "attempt $n/${attempts} failed; retrying in ${delaySeconds} s" >&2; n=$((n+1)); sleep ${delaySeconds}; done`,
    `chmod 0755 "$t/${name}" && mv -f "$t/${name}" ${b} && echo "cached ${binary}"`,
  ].join('\n');
}
