/**
 * The provider registry: one entry per install_type. Adding a provider is one line in PROVIDERS.
 */
import { InstallerError, nearestNames } from '../core/errors.js';
import type { Provider } from './types.js';
import { ipiProvider } from './ipi/index.js';
import { snoProvider } from './sno/index.js';
import { acmProvider } from './acm/index.js';

export const PROVIDERS: Provider[] = [ipiProvider, snoProvider, acmProvider];

export function getProvider(installType: string): Provider {
  const p = PROVIDERS.find((x) => x.installType === installType);
  if (p) return p;
  const known = PROVIDERS.map((x) => x.installType);
  const near = nearestNames(installType, known);
  throw new InstallerError('unknown-install-type', `install_type "${installType}" has no installer provider (known: ${known.join(', ')})`, {
    hint: near.length ? `did you mean ${near.map((n) => `"${n}"`).join(', ')}?` : `set install_type to one of ${known.join(', ')}`,
  });
}

export type { Provider, ProviderInput, InstallPlan, ProviderContext, ClusterCredentials, PlannedFile, PlannedObject, PlannedStep } from './types.js';
export { gatherProviderInput, providerInputFromInventory, groupsFrom as groupsFromView, type GatherOptions } from './common/gather.js';
export { writeInstallPlan, renderPlanText } from './common/plan-output.js';
export { inputSecrets } from './common/install-config.js';
export { installerCommand, usesVipLists } from './common/versions.js';
export { bmcAddress, redfishEndpoint } from './common/bmc.js';
