/** Which kubeconfig a task talks to, in kubernetes.core's order of preference, adapted to the agent's variables. */
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';

/**
 * The module's `kubeconfig` argument, else K8S_AUTH_KUBECONFIG, else the pipeline's `kubeconfig_path` variable,
 * else KUBECONFIG, else ~/.kube/config. Relative paths resolve against `baseDir` (the task file's folder).
 */
export function resolveKubeconfig(arg: string | undefined, vars: Readonly<Record<string, unknown>>, baseDir = process.cwd()): string {
  const fromVars = typeof vars.kubeconfig_path === 'string' && vars.kubeconfig_path ? vars.kubeconfig_path : undefined;
  const env = process.env.KUBECONFIG?.split(':')[0];
  const chosen = arg || process.env.K8S_AUTH_KUBECONFIG || fromVars || env || join(homedir(), '.kube', 'config');
  return isAbsolute(chosen) ? chosen : resolve(baseDir, chosen);
}
