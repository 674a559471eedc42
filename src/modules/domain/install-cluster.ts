/**
 * install_cluster: the install stage as one module. Picks the provider for `install_type`, gathers its input
 * (controller variables, inventory groups through `groups`/`hostvars`, mirror-stage facts, pull secret), writes
 * the plan into the run record (`<run dir>/install-plan/`, secrets redacted), and — unless the mode is `plan` or
 * the run is in check mode — runs it. Facts: `kubeconfig_path`, `dci_install_plan_dir`, `dci_summary_notes`.
 */
import { join } from 'node:path';
import { z } from 'zod';
import type { Module, RunContext } from '../../engine/types.js';
import { str } from '../lib/args.js';
import { fail, ok } from '../lib/result.js';
import { DciError } from '../../core/errors.js';

const Args = z
  .object({
    install_type: str.optional(),
    mode: z.enum(['apply', 'plan']).optional(),
    plan_dir: str.optional(),
    cluster_configs_dir: str.optional(),
  })
  .strict();
type Args = z.infer<typeof Args>;

/** Names the engine provides that are not inventory variables. */
const MAGIC = new Set(['hostvars', 'groups', 'group_names', 'vars', 'omit', 'play_hosts', 'ansible_play_hosts', 'ansible_play_batch', 'ansible_play_hosts_all', 'environment']);

/**
 * A plain copy of a lazily-rendered variable view. A variable whose template cannot render (it names a fact
 * the port does not gather, like `ansible_user_dir`) gets one more try through `fallback`, which knows
 * `ansible_user_dir` as `~`; if that fails too it is left out and the provider reports it when it needs it.
 */
async function snapshot(view: unknown, fallback: (raw: string) => Promise<unknown>): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  if (!view || typeof view !== 'object') return out;
  for (const k of Object.keys(view)) {
    if (MAGIC.has(k)) continue;
    try {
      out[k] = (view as Record<string, unknown>)[k];
    } catch {
      // The view's target holds the raw (lazy) value: its `raw` is the template text.
      const lazy = Object.getOwnPropertyDescriptor(view, k)?.value as { raw?: unknown } | undefined;
      if (typeof lazy?.raw === 'string') out[k] = await fallback(lazy.raw).catch(() => undefined);
      if (out[k] === undefined) delete out[k];
    }
  }
  return out;
}

function stringOf(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

export const installCluster: Module<Args> = {
  name: 'install_cluster',
  aliases: ['dci.agent.install_cluster'],
  args: Args,
  checkMode: true,
  controllerOnly: true,
  async run(args, ctx: RunContext) {
    const providers = await import('../../providers/index.js');
    const { createTransport } = await import('../../engine/transports/index.js');
    const vars = await snapshot(ctx.vars, (raw) => ctx.render(raw, { ansible_user_dir: '~' }));
    const installType = args.install_type ?? stringOf(vars.install_type) ?? 'ipi';
    const mode = ctx.checkMode ? 'plan' : (args.mode ?? (stringOf(vars.dci_install_mode) === 'plan' ? 'plan' : 'apply'));
    const planDir = args.plan_dir ?? join(ctx.runDir, 'install-plan');
    const configsDir = args.cluster_configs_dir ?? stringOf(vars.dci_cluster_configs_dir) ?? join(ctx.runDir, 'clusterconfigs');
    const hostvars = ctx.vars.hostvars as Record<string, unknown> | undefined;
    const groupNames = (ctx.vars.groups as Record<string, string[]> | undefined) ?? {};
    const hostNames = [...new Set(Object.entries(groupNames).flatMap(([g, hs]) => (g === 'all' || g === 'ungrouped' ? [] : hs)))];
    const hostSnapshots = new Map<string, Record<string, unknown>>();
    for (const h of hostNames) hostSnapshots.set(h, await snapshot(hostvars?.[h], (raw) => ctx.render(raw, { ansible_user_dir: '~', inventory_hostname: h })));
    const hostVarsOf = (h: string): Record<string, unknown> => hostSnapshots.get(h) ?? {};
    const notes = Array.isArray(vars.dci_summary_notes) ? (vars.dci_summary_notes as unknown[]).filter((n): n is string => typeof n === 'string') : [];
    try {
      const provider = providers.getProvider(installType);
      const gatherNotes: string[] = [];
      const input = await providers.gatherProviderInput({ vars: { ...vars, install_type: installType }, groups: providers.groupsFromView(groupNames, hostVarsOf), lenient: mode === 'plan', notes: gatherNotes });
      for (const s of providers.inputSecrets(input)) ctx.secrets.add(s);
      const plan = provider.plan(input);
      await providers.writeInstallPlan(plan, planDir, ctx.secrets, gatherNotes);
      ctx.log(`[install] ${installType} plan (${plan.steps.length} steps) written to ${planDir}`);
      const baseFacts = { dci_install_plan_dir: planDir, dci_install_type: installType, dci_install_api_url: plan.facts.api_url };
      if (mode === 'plan') {
        return ok({ ansible_facts: { ...baseFacts, dci_summary_notes: [...notes, `install: ${installType} plan rendered to ${planDir} (nothing run: ${ctx.checkMode ? '--check' : 'dci_install_mode=plan'})`] }, plan_dir: planDir }, false);
      }
      provider.validate(input);
      const creds = await provider.run(plan, {
        transport: async (host) => createTransport(hostSnapshots.get(host) ?? (host === 'localhost' ? { ansible_connection: 'local' } : {}), host, { secrets: ctx.secrets }),
        emit: (e) => ctx.emit(e),
        log: (line, stream) => ctx.log(line, stream),
        signal: ctx.signal,
        secrets: ctx.secrets,
        runDir: ctx.runDir,
        clusterConfigsDir: configsDir,
      });
      return ok(
        {
          ansible_facts: {
            ...baseFacts,
            kubeconfig_path: creds.kubeconfigPath,
            ...(creds.kubeadminPasswordPath ? { dci_kubeadmin_password_path: creds.kubeadminPasswordPath } : {}),
            dci_summary_notes: [...notes, `install: ${installType} cluster ${String(plan.facts.cluster)}.${String(plan.facts.base_domain)} installed; kubeconfig at ${creds.kubeconfigPath}`],
          },
          api_url: creds.apiUrl,
          console_url: creds.consoleUrl,
        },
        true,
      );
    } catch (e) {
      if (e instanceof DciError) return fail(`${e.message}${e.hint ? `\nhint: ${e.hint}` : ''}`, { error_code: e.code, plan_dir: planDir });
      throw e;
    }
  },
};
