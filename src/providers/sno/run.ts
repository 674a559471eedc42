/**
 * Runs an SNO plan: files and `agent create image` on the provisioner, the ISO published under the cache web
 * server (checked to be served before the BMC is asked to mount it), the Redfish virtual-media boot from the
 * controller, then the two `agent wait-for` commands with their logs streamed. install-complete is retried (dci_install_retries) since a slow node often finishes late.
 */
import { InstallerError } from '../../core/errors.js';
import type { ClusterCredentials, InstallPlan, ProviderContext } from '../types.js';
import { fetchCredentials } from '../common/credentials.js';
import { collectInstallerLog } from '../common/install-log.js';
import { RemoteRunner } from '../common/runner.js';
import { checkServed } from '../common/served-check.js';
import { commandsOf, fact, oneCommand } from '../common/steps.js';
import { planFile, planFilesUnder, uploadFiles } from '../common/upload.js';
import { RedfishClient } from './redfish.js';

export async function runSno(plan: InstallPlan, ctx: ProviderContext): Promise<ClusterCredentials> {
  const host = fact(plan, 'provisioner');
  const runner = new RemoteRunner(await ctx.transport(host), ctx, (plan.facts.extra_path as string[] | undefined) ?? []);
  await runner.init();
  try {
    return await installSno(plan, ctx, runner);
  } finally {
    // Kept failed or not: the first thing to read when an install fails.
    await collectInstallerLog(runner, ctx, plan.workDir).catch(() => undefined);
  }
}

async function installSno(plan: InstallPlan, ctx: ProviderContext, runner: RemoteRunner): Promise<ClusterCredentials> {
  const env: Record<string, string> = {};
  if (typeof plan.facts.release_image_override === 'string') env.OPENSHIFT_INSTALL_RELEASE_IMAGE_OVERRIDE = plan.facts.release_image_override;
  ctx.secrets.add(plan.facts.bmc_password);

  for (const s of commandsOf(plan, 'prepare')) await runner.run(s, { phase: 'prepare' });
  await uploadFiles(runner, plan, planFile(plan, 'pull-secret.txt'), 'prepare');
  await runner.run(oneCommand(plan, 'installer'), { phase: 'installer', stream: true });
  await uploadFiles(runner, plan, [...planFile(plan, 'install-config.yaml'), ...planFile(plan, 'agent-config.yaml'), ...planFilesUnder(plan, 'openshift/')], 'agent-config');
  await runner.run(oneCommand(plan, 'image'), { phase: 'image', env, stream: true });
  await runner.run(oneCommand(plan, 'publish'), { phase: 'publish' });

  await checkServed(fact(plan, 'iso_url'), { what: `BMC of ${fact(plan, 'node')}`, store: String(plan.facts.provision_cache_store ?? 'provision_cache_store'), signal: ctx.signal, log: (l) => ctx.log(l) });
  const redfish = new RedfishClient(
    {
      host: fact(plan, 'node'),
      baseUrl: fact(plan, 'bmc_base_url'),
      systemPath: typeof plan.facts.bmc_system_path === 'string' ? plan.facts.bmc_system_path : undefined,
      verifyTls: plan.facts.bmc_verify_tls !== false,
      username: fact(plan, 'bmc_username'),
      password: fact(plan, 'bmc_password'),
    },
    ctx.signal,
  );
  try {
    await redfish.bootFromIso(fact(plan, 'iso_url'), (l) => ctx.log(l));
  } finally {
    await redfish.close();
  }

  await runner.run(oneCommand(plan, 'bootstrap'), { phase: 'bootstrap', env, stream: true });
  const install = oneCommand(plan, 'install');
  const retries = Math.max(1, Number(plan.facts.wait_for_retries ?? 1));
  for (let i = 1; ; i++) {
    const r = await runner.run(install, { phase: 'install', env, stream: true, allowFailure: true });
    if (r.rc === 0) break;
    if (i >= retries || ctx.signal.aborted) {
      const e = runner.failure(install, 'install', r);
      throw new InstallerError(e.code, e.message, { location: e.location, hint: e.hint });
    }
    runner.phase('install', `install-complete not reached (exit ${r.rc}); retry ${i + 1}/${retries}`);
  }
  return fetchCredentials(runner, ctx, plan.workDir, fact(plan, 'api_url'), fact(plan, 'console_url'));
}
