/**
 * The installer's own log (`<dir>/.openshift_install.log`, debug level, kept by the original agent with the job
 * files) copied into the run record after the install, failed or not: it is what a partner reads first when a
 * bootstrap fails. Secrets are redacted (the log carries the kubeadmin password line), mode 0600 all the same.
 * Best effort: a missing log is a note, never a second failure.
 */
import { join } from 'node:path';
import { writeFileAtomic } from '../../core/atomic-write.js';
import type { ProviderContext } from '../types.js';
import type { RemoteRunner } from './runner.js';

export const INSTALL_LOG_DIR = 'install-logs';

export function redactInstallerLog(text: string, ctx: Pick<ProviderContext, 'secrets'>): string {
  // The installer prints the kubeadmin password; in the logfmt file its quotes are escaped (password: \"…\").
  return ctx.secrets.redact(text).replace(/(password: \\?")[^"\\\s]+/g, '$1********');
}

export async function collectInstallerLog(runner: RemoteRunner, ctx: ProviderContext, workDir: string): Promise<string | undefined> {
  let raw: Buffer;
  try {
    raw = await runner.get(`${workDir}/.openshift_install.log`);
  } catch (e) {
    runner.phase('logs', `no installer log to keep (${workDir}/.openshift_install.log: ${(e as Error).message})`);
    return undefined;
  }
  const path = join(ctx.runDir, INSTALL_LOG_DIR, 'openshift_install.log');
  await writeFileAtomic(path, redactInstallerLog(raw.toString('utf8'), ctx), { mode: 0o600 });
  runner.phase('logs', `installer log kept in ${path}`);
  return path;
}
