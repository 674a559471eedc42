/**
 * apply_mirror_sets: apply the IDMS/ITMS/ICSP and CatalogSource files mirror-images wrote (a directory) to the
 * cluster with server-side apply, and wait for the MachineConfigPools when a mirror set changed. Check mode lists
 * what would be applied without contacting the cluster.
 */
import { z } from 'zod';
import type { Module, TaskResult } from '../../engine/types.js';
import { bool, num, str } from '../lib/args.js';
import { fail, ok } from '../lib/result.js';
import { DciError } from '../../core/errors.js';

const Args = z
  .object({
    dir: str,
    kubeconfig: str.optional(),
    wait_mcp: bool.default(true),
    mcp_timeout: num.default(3600),
    mcp_settle: num.default(120),
    poll_interval: num.default(10),
  })
  .strict();
type Args = z.infer<typeof Args>;

export const applyMirrorSets: Module<Args> = {
  name: 'apply_mirror_sets',
  aliases: ['dci.agent.apply_mirror_sets'],
  args: Args,
  checkMode: true,
  controllerOnly: true,
  async run(args, ctx): Promise<TaskResult> {
    const { K8sClient, loadMirrorSetDir, applyMirrorObjects, resolveKubeconfig, describeRef, refOf } = await import('../../k8s/index.js');
    try {
      const objects = await loadMirrorSetDir(args.dir);
      if (ctx.checkMode) return ok({ would_apply: objects.map((o) => describeRef(refOf(o))) }, objects.length > 0);
      const client = await K8sClient.fromKubeconfig(resolveKubeconfig(args.kubeconfig, ctx.vars, ctx.taskDir));
      const r = await applyMirrorObjects(client, objects, {
        waitPools: args.wait_mcp,
        timeoutMs: args.mcp_timeout * 1000,
        settleMs: args.mcp_settle * 1000,
        intervalMs: Math.max(10, args.poll_interval * 1000),
        log: (l) => ctx.log(l),
        signal: ctx.signal,
      });
      return ok({ applied: r.applied, mirror_sets_changed: r.mirrorSetsChanged, pools_waited: r.poolsWaited }, r.applied.some((a) => a.changed));
    } catch (e) {
      if (e instanceof DciError) return fail(e.hint ? `${e.message} (${e.hint})` : e.message, { error: e.code });
      throw e;
    }
  },
};
