/**
 * What an install needs that the pipeline can check before its first stage, from the controller variables alone
 * (the original agent's pre-install asserts): a wrong lab is refused before anything is mirrored or installed,
 * with the same error the install plan would give an hour later. Pure, and light to import (no provider code).
 */
import type { InstallerError } from '../core/errors.js';
import { parseOcpMinor } from '../manifests/version.js';
import { webserverUrlMissing } from './common/rhcos-need.js';
import { text } from './common/vars.js';

/**
 * The first unmet prerequisite of the install these variables describe, or undefined. What depends on the
 * OpenShift version is skipped while the version is unknown (a DCI job may give it later) or not a version yet
 * (a template): the install plan checks it again.
 */
export function installPrerequisiteError(vars: Record<string, unknown>): InstallerError | undefined {
  const installType = text(vars, 'install_type') ?? 'ipi';
  if (installType !== 'ipi') return undefined;
  const version = text(vars, 'ocp_version', 'version');
  if (version === undefined) return undefined;
  try {
    parseOcpMinor(version);
  } catch {
    return undefined;
  }
  return webserverUrlMissing(vars, version, 'for an ipi install');
}
