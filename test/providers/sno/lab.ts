/**
 * The SNO lab every SNO test builds the same way, in one place: the fake installer that refuses
 * bootstrap-complete until the node booted the agent ISO, the cache web server over provision_cache_store
 * (webserver_url), and the node's fake Redfish BMC whose boot of the ISO is what the fake installer waits for.
 * Used by the SNO provider tests (with the real sshd as the provisioner) and by the full-run lab.
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ProviderContext, ProviderInput } from '../../../src/providers/types.js';
import { createFakeInstaller, type FakeInstaller } from '../../helpers/fake-openshift-install.js';
import { startFakeRedfish, type FakeRedfish } from '../../helpers/fake-redfish.js';
import type { SshdHandle } from '../../helpers/sshd.js';
import { providerContext, serveDir, type StaticServer } from '../common/lab.js';
import { sampleInput } from './fixture.js';

export interface SnoServicesOptions {
  version: string;
  /** provision_cache_store: the directory the cache web server serves. */
  cacheDir: string;
  bmcUser?: string;
  bmcPassword: string;
  /** The kubeconfig the fake installer writes for the installed cluster. */
  kubeconfig?: string;
  /** Media already in the BMC's virtual drive (a previous job's ISO). */
  inserted?: string;
  powerState?: 'On' | 'Off';
  /** The node ignores the boot request: the fake installer never sees the ISO booted. */
  bootIgnored?: boolean;
}

export interface SnoServices {
  fake: FakeInstaller;
  web: StaticServer;
  bmc: FakeRedfish;
  /** Stops the servers and removes the fake installer. */
  stop(): Promise<void>;
}

export async function startSnoServices(o: SnoServicesOptions): Promise<SnoServices> {
  const fake = createFakeInstaller({ version: o.version, requireBoot: true, ...(o.kubeconfig ? { kubeconfig: o.kubeconfig } : {}) });
  const started: Array<() => unknown> = [() => fake.cleanup()];
  const stop = async (): Promise<void> => {
    for (const s of started.splice(0).reverse()) await s();
  };
  try {
    const web = await serveDir(o.cacheDir);
    started.push(web.stop);
    const bmc = await startFakeRedfish({
      username: o.bmcUser ?? 'root',
      password: o.bmcPassword,
      insertedImage: o.inserted,
      powerState: o.powerState,
      // The node boots what the BMC was given: the fake installer's bootstrap-complete waits for this marker.
      onBoot: (image) => (o.bootIgnored ? undefined : writeFileSync(fake.bootedMarker(), image, { mode: 0o644 })),
    });
    started.push(() => bmc.stop());
    return { fake, web, bmc, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

export interface SnoLab extends SnoServices {
  input: ProviderInput;
  ctx: ProviderContext;
  logs: string[];
  root: string;
  configs: string;
}

/** The sample SNO input (disconnected, OCP 4.16.3) on the lab's services, run over `sshd` as the provisioner. */
export async function snoLab(sshd: SshdHandle, cleanups: Array<() => unknown>, opts: Omit<SnoServicesOptions, 'version' | 'cacheDir' | 'bmcPassword'> & { bmcPassword?: string } = {}): Promise<SnoLab> {
  const root = mkdtempSync(join(tmpdir(), 'sno-e2e-'));
  chmodSync(root, 0o777); // the provisioner user writes the installer dir and cache here
  const configs = mkdtempSync(join(tmpdir(), 'sno-configs-'));
  cleanups.push(() => rmSync(root, { recursive: true, force: true }), () => rmSync(configs, { recursive: true, force: true }));
  const cacheDir = join(root, 'cache');
  // The BMC accepts the sample's password; a test gives the node another one to see it refused.
  const services = await startSnoServices({ version: '4.16.3', cacheDir, bmcPassword: 'calvin-sno', inserted: opts.inserted, powerState: opts.powerState, bootIgnored: opts.bootIgnored });
  cleanups.push(services.stop);
  const input = sampleInput(
    { dir: join(root, 'clusterconfigs'), provision_cache_store: cacheDir, webserver_url: services.web.url, dci_disconnected: true, dci_local_registry: 'reg.lab:5000' },
    { ipmi_address: services.bmc.url, ipmi_password: opts.bmcPassword ?? 'calvin-sno' },
  );
  const provVars = { ...sshd.inventoryVars(), provisioner_extra_path: [services.fake.binDir] };
  input.groups.provisioner = [{ name: 'provisioner', vars: provVars }];
  const { ctx, logs } = providerContext(input, provVars, root, configs, true);
  return { ...services, input, ctx, logs, root, configs };
}
