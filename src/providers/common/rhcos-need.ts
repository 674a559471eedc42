/**
 * Which RHCOS images an IPI install caches, and whether it can serve them (webserver_url). Split from
 * rhcos-cache.ts so that the pipeline's pre-flight check loads nothing else (no transports, no plan code).
 */
import { InstallerError } from '../../core/errors.js';
import { compareMinor } from '../../manifests/version.js';
import { flag, text } from './vars.js';

export type RhcosImageKey = 'qemu' | 'openstack';

/** bootstrapOSImage is read by the installer below 4.22, clusterOSImage below 4.10 (redhatci install-config.j2). */
export const usesBootstrapOSImage = (version: string): boolean => compareMinor(version, '4.22') < 0;
export const usesClusterOSImage = (version: string): boolean => compareMinor(version, '4.10') < 0;

/**
 * The RHCOS images an install of `version` caches: those install-config reads at that version (qemu below 4.22,
 * openstack below 4.10) that the lab does not give itself (bootstraposimage / clusterosimage); none for a
 * connected install without cache_enabled.
 */
export function rhcosImagesToCache(vars: Record<string, unknown>, version: string): RhcosImageKey[] {
  if (!flag(vars, 'dci_disconnected', false) && !flag(vars, 'cache_enabled', false)) return [];
  const wanted: RhcosImageKey[] = [];
  if (usesBootstrapOSImage(version) && !text(vars, 'bootstraposimage')) wanted.push('qemu');
  if (usesClusterOSImage(version) && !text(vars, 'clusterosimage')) wanted.push('openstack');
  return wanted;
}

/**
 * The original agent refuses a disconnected run without `webserver_url` before anything runs (pre-install
 * assert): a disconnected cluster cannot download the RHCOS images, they come from the lab's cache web server.
 * The port asks for it only when it would be used: an image to cache (see rhcosImagesToCache) and no other way
 * to serve it (cache_enabled serves provision_cache_store from the provisioner, as the installer role does).
 * Pure: the pipeline calls it before the first stage, plan() before anything is planned.
 */
export function webserverUrlMissing(vars: Record<string, unknown>, version: string, why: string): InstallerError | undefined {
  if (!flag(vars, 'dci_disconnected', false) || text(vars, 'webserver_url') || flag(vars, 'cache_enabled', false)) return undefined;
  const wanted = rhcosImagesToCache(vars, version);
  if (wanted.length === 0) return undefined;
  const images = wanted.map((k) => (k === 'qemu' ? 'bootstrap VM (qemu)' : 'nodes (openstack)')).join(' and ');
  const userVars = wanted.map((k) => (k === 'qemu' ? 'bootstraposimage' : 'clusterosimage'));
  return new InstallerError('missing-webserver-url', `the inventory: webserver_url is required ${why} with dci_disconnected on OpenShift ${version}: the RHCOS ${images} image${wanted.length > 1 ? 's are' : ' is'} served to the cluster from the lab's cache web server, a disconnected cluster cannot download it`, {
    hint: `set webserver_url=http://<cache host>:<port> (an HTTP server serving provision_cache_store), or give ${userVars.map((v) => `${v}=<URL?sha256=...>`).join(' and ')} of an image your lab already serves, or set cache_enabled=true to serve the cache from the provisioner (port webserver_caching_port)`,
  });
}
