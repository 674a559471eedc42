/**
 * deploy_operators: the deploy-operators stage. First the mirror sets and CatalogSources from mirror-images (when
 * `mirror_sets_dir` is given) are applied and the MachineConfigPools waited for; then each requested operator is
 * installed through OLM (see src/k8s/olm.ts). On a failure the catalog/subscription/installplan/CSV state goes to
 * `<runDir>/operators/<name>-state.yaml` and the task fails naming the operator, the step and that file.
 * Nothing to do (no operators, no mirror sets) is a clean no-op; plan mode and check mode write what would be
 * created into `<runDir>/operators/plan/` and never contact the cluster.
 */
import { z } from 'zod';
import { join } from 'node:path';
import { mkdir } from 'node:fs/promises';
import type { Module, RunContext, TaskResult } from '../../engine/types.js';
import { bool, num, str } from '../lib/args.js';
import { fail, ok } from '../lib/result.js';
import { DciError } from '../../core/errors.js';
import { writeFileAtomic } from '../../core/atomic-write.js';

const Args = z
  .object({
    operators: z.array(z.unknown()).nullish(),
    kubeconfig: str.optional(),
    mirror_sets_dir: str.nullish(),
    mode: z.enum(['apply', 'plan']).default('apply'),
    wait_mcp: bool.default(true),
    mcp_timeout: num.default(3600),
    mcp_settle: num.default(120),
    catalog_timeout: num.default(600),
    installplan_timeout: num.default(1200),
    csv_timeout: num.default(900),
    poll_interval: num.default(5),
    record_dir: str.optional(),
  })
  .strict();
type Args = z.infer<typeof Args>;

async function writePlan(ctx: RunContext, dir: string, args: Args): Promise<string[]> {
  const k8s = await import('../../k8s/index.js');
  const { toYaml } = await import('../../manifests/yaml.js');
  await mkdir(dir, { recursive: true });
  const lines: string[] = [];
  const files: string[] = [];
  if (args.mirror_sets_dir) {
    const objs = await k8s.loadMirrorSetDir(args.mirror_sets_dir);
    for (const o of objs) lines.push(`apply ${k8s.describeRef(k8s.refOf(o))} (from ${args.mirror_sets_dir})`);
    if (objs.length) lines.push('wait for MachineConfigPools to be Updated if a mirror set changed');
  }
  for (const [i, raw] of (args.operators ?? []).entries()) {
    const op = k8s.normalizeOperator(raw, i);
    const approval = k8s.initialApproval(op);
    const objs = [k8s.namespaceObject(op), k8s.operatorGroupObject(op, false), k8s.subscriptionObject(op, op.channel, op.startingCsv, approval)];
    const file = join(dir, `${String(i + 1).padStart(2, '0')}-${op.name}.yaml`);
    const note = op.operatorGroupSpec ? '' : '# OperatorGroup: OwnNamespace shown; AllNamespaces (spec: {}) is used when the package supports it\n';
    await writeFileAtomic(file, ctx.secrets.redact(note + toYaml(objs)));
    files.push(file);
    lines.push(
      `wait for CatalogSource ${op.catalogNamespace}/${op.catalogSource} READY`,
      `apply Namespace ${op.namespace}`,
      `look up PackageManifest ${op.name} (channel ${op.channel ?? 'default'}, csv ${op.startingCsv ?? 'channel head'})`,
      `apply OperatorGroup ${op.namespace}/${op.operatorGroupName}`,
      `apply Subscription ${op.namespace}/${op.subscriptionName} (installPlanApproval ${approval})`,
      ...(approval === 'Manual' ? [`approve the InstallPlan for the CSV in ${op.namespace}`] : []),
      `wait for the CSV in ${op.namespace} to reach Succeeded`,
    );
  }
  await writeFileAtomic(join(dir, 'plan.txt'), lines.map((l, i) => `${i + 1}. ${l}`).join('\n') + '\n');
  return files;
}

export const deployOperators: Module<Args> = {
  name: 'deploy_operators',
  aliases: ['dci.agent.deploy_operators'],
  args: Args,
  checkMode: true,
  controllerOnly: true,
  async run(args, ctx): Promise<TaskResult> {
    const operators = args.operators ?? [];
    if (operators.length === 0 && !args.mirror_sets_dir) return ok({ msg: 'no operators requested (dci_operators is empty) and no mirror sets to apply', summary: 'no operators requested', operators: [] });
    const recordDir = args.record_dir ?? join(ctx.runDir, 'operators');
    const k8s = await import('../../k8s/index.js');
    let client: import('../../k8s/index.js').K8sClient | undefined;
    let current: ReturnType<typeof k8s.normalizeOperator> | undefined;
    try {
      // Validate every entry before touching the cluster: a typo in the 3rd entry must not leave 2 installed.
      const requests = operators.map((raw, i) => k8s.normalizeOperator(raw, i));
      if (args.mode === 'plan' || ctx.checkMode) {
        const files = await writePlan(ctx, join(recordDir, 'plan'), args);
        return ok({ msg: `plan written to ${join(recordDir, 'plan')} (nothing applied)`, summary: `plan written to ${join(recordDir, 'plan')}`, plan_dir: join(recordDir, 'plan'), files, operators: requests.map((r) => r.name) });
      }
      client = await k8s.K8sClient.fromKubeconfig(k8s.resolveKubeconfig(args.kubeconfig, ctx.vars, ctx.taskDir));
      let mirror: Awaited<ReturnType<typeof k8s.applyMirrorObjects>> | undefined;
      if (args.mirror_sets_dir) {
        mirror = await k8s.applyMirrorObjects(client, await k8s.loadMirrorSetDir(args.mirror_sets_dir), {
          waitPools: args.wait_mcp,
          timeoutMs: args.mcp_timeout * 1000,
          settleMs: args.mcp_settle * 1000,
          intervalMs: Math.max(10, args.poll_interval * 1000),
          log: (l) => ctx.log(l),
          signal: ctx.signal,
        });
      }
      const timeouts = {
        catalogMs: args.catalog_timeout * 1000,
        packageMs: Math.min(60_000, args.catalog_timeout * 1000),
        installPlanMs: args.installplan_timeout * 1000,
        csvMs: args.csv_timeout * 1000,
        intervalMs: Math.max(10, args.poll_interval * 1000),
      };
      const outcomes = [];
      for (const op of requests) {
        current = op;
        outcomes.push(await k8s.installOperator(client, op, { timeouts, log: (l) => ctx.log(l), signal: ctx.signal }));
      }
      current = undefined;
      const changed = outcomes.some((o) => o.changed) || !!mirror?.applied.some((a) => a.changed);
      return ok(
        {
          summary: outcomes.length ? outcomes.map((o) => (o.skipped ? `${o.name} skipped` : `${o.name} ${o.csv ?? ''} installed`)).join(', ') : 'mirror sets applied, no operators requested',
          operators: outcomes,
          mirror: mirror ? { applied: mirror.applied, mirror_sets_changed: mirror.mirrorSetsChanged, pools_waited: mirror.poolsWaited } : undefined,
        },
        changed,
      );
    } catch (e) {
      if (!(e instanceof DciError)) throw e;
      let dumped = '';
      if (client && current) {
        const state = await k8s.collectOperatorState(client, current);
        const file = join(recordDir, `${current.name}-state.yaml`);
        const { dump } = await import('js-yaml');
        await mkdir(recordDir, { recursive: true });
        await writeFileAtomic(file, ctx.secrets.redact(dump(state, { noRefs: true, lineWidth: -1 })), { mode: 0o600 });
        dumped = `; catalog/subscription/installplan/CSV state saved in ${file}`;
      }
      return fail(`${e.message}${dumped}${e.hint ? ` (${e.hint})` : ''}`, { error: e.code });
    }
  },
};
