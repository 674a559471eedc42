/**
 * tmpfs mounts for the disk-full fault tests (we run as root; where the container does not allow mounting, the
 * tests are skipped with the reason canMountTmpfs gives).
 */
import { execFile } from 'node:child_process';
import { mkdir, rm } from 'node:fs/promises';
import { promisify } from 'node:util';

const execFileP = promisify(execFile);

export interface Tmpfs {
  dir: string;
  unmount(): Promise<void>;
}

/** Mount a tmpfs of `sizeKiB` on `dir` (`mode`: its root's, e.g. 0755); the reason when this machine does not allow it. */
export async function mountTmpfs(dir: string, sizeKiB: number, o: { mode?: string } = {}): Promise<Tmpfs | { error: string }> {
  await mkdir(dir, { recursive: true });
  try {
    await execFileP('mount', ['-t', 'tmpfs', '-o', `size=${sizeKiB}k${o.mode ? `,mode=${o.mode}` : ''}`, 'tmpfs', dir]);
  } catch (e) {
    return { error: `cannot mount a tmpfs on ${dir}: ${((e as { stderr?: string }).stderr || (e as Error).message).trim()}` };
  }
  let mounted = true;
  return {
    dir,
    async unmount() {
      if (!mounted) return;
      mounted = false;
      await execFileP('umount', ['-l', dir]).catch(() => undefined);
    },
  };
}

/** Whether `mount -t tmpfs` works here (root, and a kernel/container that permits it). */
export async function canMountTmpfs(scratch: string): Promise<{ ok: true } | { ok: false; reason: string }> {
  const t = await mountTmpfs(scratch, 16);
  if (!('error' in t)) await t.unmount();
  await rm(scratch, { recursive: true, force: true });
  return 'error' in t ? { ok: false, reason: t.error } : { ok: true };
}
