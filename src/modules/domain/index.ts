/**
 * Domain modules: the steps of the DCI pipeline that are more than generic Ansible modules (settings, pull secret,
 * mirroring, mirror sets, installers, operators, DCI). Registered with the generic ones in ../index.ts and loaded
 * lazily: a hook that never mirrors never loads the registry client.
 */
import type { Module, ModuleEntry } from '../../engine/types.js';

function domain(name: string, load: () => Promise<Module<never>>): ModuleEntry {
  return { name, aliases: [`dci.agent.${name}`], load };
}

export const DOMAIN_MODULES: ModuleEntry[] = [
  domain('pull_secret', async () => (await import('./pull-secret.js')).pullSecret as Module<never>),
  domain('install_cluster', async () => (await import('./install-cluster.js')).installCluster as Module<never>),
];
