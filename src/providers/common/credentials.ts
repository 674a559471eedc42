/**
 * Bring the cluster credentials the installer wrote (`<dir>/auth/kubeconfig`, `auth/kubeadmin-password`) back
 * to the controller's cluster configs dir, mode 0600, and register their secret values for redaction.
 */
import { join } from 'node:path';
import { load } from 'js-yaml';
import { writeSecretFile } from '../../core/atomic-write.js';
import { InstallerError } from '../../core/errors.js';
import type { ClusterCredentials, ProviderContext } from '../types.js';
import type { RemoteRunner } from './runner.js';

/** Secret leaves of a kubeconfig (client keys, tokens, passwords). */
export function kubeconfigSecrets(text: string): string[] {
  let doc: unknown;
  try {
    doc = load(text);
  } catch {
    return [];
  }
  const out: string[] = [];
  const users = (doc as { users?: Array<{ user?: Record<string, unknown> }> } | undefined)?.users ?? [];
  for (const u of users) {
    for (const k of ['client-key-data', 'token', 'password']) {
      const v = u.user?.[k];
      if (typeof v === 'string') out.push(v);
    }
  }
  return out;
}

export async function fetchCredentials(runner: RemoteRunner, ctx: ProviderContext, remoteDir: string, apiUrl: string, consoleUrl: string): Promise<ClusterCredentials> {
  runner.phase('credentials', `fetch auth/kubeconfig and auth/kubeadmin-password into ${ctx.clusterConfigsDir}`);
  let kubeconfig: string;
  try {
    kubeconfig = (await runner.get(`${remoteDir}/auth/kubeconfig`)).toString('utf8');
  } catch (e) {
    throw new InstallerError('no-kubeconfig', `the installer finished but ${remoteDir}/auth/kubeconfig cannot be read on ${runner.host}: ${(e as Error).message}`, { location: { host: runner.host }, cause: e });
  }
  const kubeconfigPath = join(ctx.clusterConfigsDir, 'kubeconfig');
  await writeSecretFile(kubeconfigPath, kubeconfig, ctx.secrets, kubeconfigSecrets(kubeconfig));
  const creds: ClusterCredentials = { kubeconfigPath, apiUrl, consoleUrl };
  const password = await runner.get(`${remoteDir}/auth/kubeadmin-password`).then((b) => b.toString('utf8'), () => undefined);
  if (password !== undefined) {
    creds.kubeadminPasswordPath = join(ctx.clusterConfigsDir, 'kubeadmin-password');
    await writeSecretFile(creds.kubeadminPasswordPath, password, ctx.secrets, [password.trim()]);
  }
  return creds;
}
