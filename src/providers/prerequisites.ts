/**
 * What an install needs that the pipeline can check before its first stage, from the controller variables alone
 * (the original agent's pre-install asserts): a wrong lab is refused before anything is mirrored or installed,
 * with the same error the install plan would give an hour later. Pure, and light to import.
 */
import { InstallerError } from '../core/errors.js';
import { parseOcpMinor } from '../manifests/version.js';
import { webserverUrlMissing } from './common/rhcos-need.js';
import { flag, text } from './common/vars.js';
import { ipiNetwork } from './ipi/network.js';

const templated = (v: unknown): boolean => typeof v === 'string' && (v.includes('{{') || v.includes('{%'));

/**
 * The first unmet prerequisite of the install these variables describe, or undefined. The variables are the
 * inventory's, not yet rendered: a templated value is left to the install plan, and so is what depends on the
 * OpenShift version while it is unknown (a DCI job may give it later). A variable missing now may still come
 * from a hook's set_fact, so only wrong values are reported here (and webserver_url, which the original asserts
 * before any hook runs).
 */
export function installPrerequisiteError(vars: Record<string, unknown>): InstallerError | undefined {
  const installType = text(vars, 'install_type') ?? 'ipi';
  if (installType === 'sno' && flag(vars, 'dci_disconnected', false) && !text(vars, 'webserver_url')) {
    // The original asserts webserver_url for every disconnected install; an SNO node boots its ISO from it.
    return new InstallerError('missing-webserver-url', 'the inventory: webserver_url is required for an sno install with dci_disconnected: the BMC downloads the agent ISO from the cache web server', {
      hint: 'set webserver_url=http://<cache host>:8080 (an HTTP server serving provision_cache_store)',
    });
  }
  if (installType !== 'ipi') return undefined;
  const version = text(vars, 'ocp_version', 'version');
  if (version === undefined || templated(version)) return undefined;
  try {
    parseOcpMinor(version);
  } catch {
    return undefined;
  }
  const plain = Object.fromEntries(Object.entries(vars).filter(([, v]) => !templated(v)));
  const missing = webserverUrlMissing(vars, version, 'for an ipi install');
  if (missing) return missing;
  try {
    ipiNetwork(plain, version, flag(plain, 'enable_virtualmedia', false));
  } catch (e) {
    if (e instanceof InstallerError && e.code === 'bad-host-data') return e;
    if (!(e instanceof InstallerError)) throw e;
  }
  return undefined;
}
