/**
 * OpenShift version rules the installers depend on (redhatci-ocp-reference §9): which installer binary the
 * release carries, when the platform takes VIP lists, and the version a plan is for.
 */
import { DciError, InstallerError } from '../../core/errors.js';
import { compareMinor, parseOcpMinor } from '../../manifests/index.js';
import { text } from './vars.js';

/** `openshift-install` from 4.16 (the baremetal installer was folded in), `openshift-baremetal-install` before. */
export function installerCommand(version: string): 'openshift-install' | 'openshift-baremetal-install' {
  return compareMinor(version, '4.16') >= 0 ? 'openshift-install' : 'openshift-baremetal-install';
}

/** `apiVIPs`/`ingressVIPs` lists from 4.12; the singular `apiVIP`/`ingressVIP` before (removed later). */
export function usesVipLists(version: string): boolean {
  return compareMinor(version, '4.12') >= 0;
}

/** The OpenShift version of the install: `ocp_version`, else `version` (the original agent's name). */
export function ocpVersion(vars: Record<string, unknown>): string {
  const v = text(vars, 'ocp_version', 'version');
  if (v === undefined) {
    throw new InstallerError('missing-version', 'the inventory: ocp_version is required to plan an install (the installer, the mirror key and the install-config fields depend on it)', {
      hint: 'set ocp_version (e.g. -e ocp_version=4.16.3); the DCI job sets it from the OCP component',
    });
  }
  try {
    parseOcpMinor(v);
  } catch (e) {
    throw new InstallerError('bad-version', `the inventory: ocp_version ${JSON.stringify(v)} is not an OpenShift version`, {
      hint: 'give a version such as 4.16, 4.16.3 or 4.16.0-0.nightly-2024-05-01-000000',
      cause: e instanceof DciError ? e : undefined,
    });
  }
  return v;
}

/** `4.16` of `4.16.3-x86_64`. */
export function minorLabel(version: string): string {
  const m = parseOcpMinor(version);
  return `${m.major}.${m.minor}`;
}
