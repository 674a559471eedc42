import { mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname, basename, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { SecretRegistry } from './secrets.js';

export interface AtomicWriteOptions {
  /** File mode; files holding secrets use 0o600. */
  mode?: number;
  /** fsync before rename (run records, archives): survives a crash. */
  fsync?: boolean;
}

/**
 * Write a file so that readers see either the old content or the whole new content, never a half:
 * write to a temp file in the same directory, fsync, rename over the target.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array, options: AtomicWriteOptions = {}): Promise<void> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true });
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const mode = options.mode ?? 0o644;
  let handle;
  try {
    handle = await open(tmp, 'wx', mode);
    await handle.writeFile(data);
    if (options.fsync !== false) await handle.sync();
    await handle.chmod(mode);
    await handle.close();
    handle = undefined;
    await rename(tmp, path);
  } catch (e) {
    await handle?.close().catch(() => undefined);
    await rm(tmp, { force: true }).catch(() => undefined);
    throw e;
  }
}

/**
 * The one door for files that hold secrets (pull secrets, kubeconfigs, kubeadmin passwords, env files):
 * mode 0600, atomic, and the secret values are registered for redaction.
 */
export async function writeSecretFile(path: string, data: string, secrets: SecretRegistry, values: unknown[] = []): Promise<void> {
  for (const v of values) secrets.addDeep(v);
  await writeFileAtomic(path, data, { mode: 0o600 });
}
