/**
 * Runs an IPI plan on the provisioner over the engine's transport. The order is the plan's (RHCOS images cached
 * before install-config is written, the nodes powered off right before create cluster); the installer log
 * of `create cluster` is streamed line by line into the task output; when it fails or times out,
 * `wait-for install-complete` is tried (the cluster often finishes after a slow bootstrap) before giving up.
 * The installer log (.openshift_install.log) is kept in the run record, failed or not.
 */
import { InstallerError } from '../../core/errors.js';
import type { ClusterCredentials, InstallPlan, ProviderContext } from '../types.js';
import { fetchCredentials } from '../common/credentials.js';
import { runPowerOff, type PowerOffNode } from '../common/power-off.js';
import { fillTokens, runRhcosCache } from '../common/rhcos-cache.js';
import { collectInstallerLog } from '../common/install-log.js';
import { RemoteRunner } from '../common/runner.js';
import { commandsOf, fact, oneCommand } from '../common/steps.js';
import { planFile, planFilesUnder, uploadFiles } from '../common/upload.js';

export async function runIpi(plan: InstallPlan, ctx: ProviderContext): Promise<ClusterCredentials> {
  const host = fact(plan, 'provisioner');
  const runner = new RemoteRunner(await ctx.transport(host), ctx, (plan.facts.extra_path as string[] | undefined) ?? []);
  await runner.init();
  try {
    return await installIpi(plan, ctx, runner, host);
  } finally {
    // Kept failed or not: the first thing to read when an install fails.
    await collectInstallerLog(runner, ctx, plan.workDir).catch(() => undefined);
  }
}

async function installIpi(plan: InstallPlan, ctx: ProviderContext, runner: RemoteRunner, host: string): Promise<ClusterCredentials> {
  const env: Record<string, string> = {};
  if (typeof plan.facts.release_image_override === 'string') env.OPENSHIFT_INSTALL_RELEASE_IMAGE_OVERRIDE = plan.facts.release_image_override;

  for (const s of commandsOf(plan, 'prepare')) await runner.run(s, { phase: 'prepare' });
  await uploadFiles(runner, plan, planFile(plan, 'pull-secret.txt'), 'prepare');
  await runner.run(oneCommand(plan, 'installer'), { phase: 'installer', stream: true });
  const rhcos = await runRhcosCache(plan, runner);
  // The installer consumes install-config.yaml: keep a .bkup copy next to it, as the installer role does.
  const ic = planFile(plan, 'install-config.yaml').map((f) => ({ ...f, content: fillTokens(f.content, rhcos) }));
  await uploadFiles(runner, plan, [...ic, ...ic.map((f) => ({ ...f, path: `${f.path}.bkup` }))], 'install-config');
  await runner.run(oneCommand(plan, 'manifests'), { phase: 'manifests', env, stream: true });
  await uploadFiles(runner, plan, planFilesUnder(plan, 'openshift/'), 'extra-manifests');
  await runner.run(oneCommand(plan, 'cleanup'), { phase: 'cleanup', stream: true });
  await runPowerOff((plan.facts.power_off as PowerOffNode[] | undefined) ?? [], plan, runner, ctx);

  const create = oneCommand(plan, 'cluster');
  const first = await runner.run(create, { phase: 'cluster', env, stream: true, allowFailure: true });
  if (first.rc !== 0) {
    const why = runner.failure(create, 'cluster', first);
    const outcome = first.timedOut ? 'timed out' : `failed (exit ${first.rc})`;
    const bootstrapRetries = Number(plan.facts.wait_for_bootstrap_retries ?? 0);
    const waitBootstrap = commandsOf(plan, 'wait-for-bootstrap')[0];
    if (waitBootstrap && bootstrapRetries > 0) {
      for (let i = 1; ; i++) {
        runner.phase('wait-for-bootstrap', `create cluster ${outcome}; attempt ${i}/${bootstrapRetries} of wait-for bootstrap-complete`);
        const r = await runner.run(waitBootstrap, { phase: 'wait-for-bootstrap', env, stream: true, allowFailure: true });
        if (r.rc === 0) break;
        if (i >= bootstrapRetries || ctx.signal.aborted) {
          throw new InstallerError('install-failed', `${why.message}\nwait-for bootstrap-complete failed ${i} time${i === 1 ? '' : 's'} (last exit ${r.rc}):\n${ctx.secrets.redact(runner.tail.slice(-8).join('\n'))}`, {
            location: { host },
            hint: 'the control plane did not come up: look at the bootstrap VM (journalctl -b -u bootkube on it) and .openshift_install.log; raise increase_bootstrap_timeout for a slow lab',
          });
        }
      }
    }
    const retries = Math.max(1, Number(plan.facts.wait_for_retries ?? 1));
    const waitFor = oneCommand(plan, 'wait-for');
    let ok = false;
    for (let i = 1; i <= retries && !ok && !ctx.signal.aborted; i++) {
      runner.phase('wait-for', `create cluster ${outcome}; attempt ${i}/${retries} of wait-for install-complete`);
      const r = await runner.run(waitFor, { phase: 'wait-for', env, stream: true, allowFailure: true });
      ok = r.rc === 0;
      if (!ok && i === retries) {
        throw new InstallerError('install-failed', `${why.message}\nwait-for install-complete failed too (exit ${r.rc}):\n${ctx.secrets.redact(runner.tail.slice(-8).join('\n'))}`, {
          location: { host },
          hint: why.hint,
        });
      }
    }
  }
  return fetchCredentials(runner, ctx, plan.workDir, fact(plan, 'api_url'), fact(plan, 'console_url'));
}
