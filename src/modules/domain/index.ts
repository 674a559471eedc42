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
  domain('mirror_images', async () => (await import('./mirror-images.js')).mirrorImages as Module<never>),
  domain('demo_content', async () => (await import('./demo-content.js')).demoContent as Module<never>),
  domain('install_cluster', async () => (await import('./install-cluster.js')).installCluster as Module<never>),
  { name: 'k8s', aliases: ['kubernetes.core.k8s', 'community.kubernetes.k8s', 'community.okd.k8s'], load: async () => (await import('./k8s.js')).k8s as Module<never> },
  { name: 'k8s_info', aliases: ['kubernetes.core.k8s_info', 'community.kubernetes.k8s_info', 'community.okd.k8s_info', 'k8s_facts'], load: async () => (await import('./k8s-info.js')).k8sInfo as Module<never> },
  domain('apply_mirror_sets', async () => (await import('./apply-mirror-sets.js')).applyMirrorSets as Module<never>),
  domain('deploy_operators', async () => (await import('./deploy-operators.js')).deployOperators as Module<never>),
];
