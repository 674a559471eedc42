/**
 * An IPI lab for provider tests: the real sshd as the provisioner (fake installer, oc and ipmitool on its PATH),
 * a temp installer dir and cache, a controller-side configs dir. The sshd hooks, the ProviderContext and the
 * static HTTP server are the ones every provider lab shares (../common/lab.ts).
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SecretRegistry } from '../../../src/core/secrets.js';
import type { ProviderContext, ProviderInput } from '../../../src/providers/types.js';
import { createFakeInstaller, type FakeInstaller, type FakeInstallerOptions } from '../../helpers/fake-openshift-install.js';
import type { SshdHandle } from '../../helpers/sshd.js';
import { providerContext, useProvisionerSshd, type SshdHooks } from '../common/lab.js';
import { sampleInput } from './fixture.js';

export { serveDir, type StaticServer } from '../common/lab.js';
export type IpiSshdHooks = SshdHooks;
/** The hooks of a real-sshd IPI test file (see useProvisionerSshd). */
export const useIpiSshd = useProvisionerSshd;

export interface IpiLab {
  fake: FakeInstaller;
  input: ProviderInput;
  ctx: ProviderContext;
  logs: string[];
  secrets: SecretRegistry;
  root: string;
  configs: string;
  cache: string;
}

/**
 * The sample IPI input (3 masters, 1 worker, disconnected) on `version`, its installer dir and cache in a temp
 * dir the provisioner user can write, run over `sshd`. `fake`: an installer to share between labs (the caller
 * cleans it up), or options for a new one (cleaned up with the lab).
 */
export function ipiLab(sshd: SshdHandle, cleanups: Array<() => unknown>, version: string, over: Record<string, unknown> = {}, fake?: FakeInstaller | Omit<FakeInstallerOptions, 'version'>): IpiLab {
  const f = fake && 'binDir' in fake ? fake : createFakeInstaller({ version, ...(fake ?? {}) });
  if (!(fake && 'binDir' in fake)) cleanups.push(() => f.cleanup());
  const root = mkdtempSync(join(tmpdir(), 'ipi-lab-'));
  chmodSync(root, 0o777); // the provisioner user writes the installer dir and cache here
  const configs = mkdtempSync(join(tmpdir(), 'ipi-configs-'));
  cleanups.push(() => rmSync(root, { recursive: true, force: true }), () => rmSync(configs, { recursive: true, force: true }));
  const cache = join(root, 'cache');
  const input = sampleInput({ ocp_version: version, dir: join(root, 'clusterconfigs'), provision_cache_store: cache, ...over });
  const provVars = { ...sshd.inventoryVars(), provisioner_extra_path: f.binDir };
  input.groups.provisioner = [{ name: 'provisioner', vars: provVars }];
  return { fake: f, input, ...providerContext(input, provVars, root, configs), root, configs, cache };
}
