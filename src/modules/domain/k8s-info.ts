/**
 * k8s_info: kubernetes.core.k8s_info's subset — get one object by name or list by kind/namespace/label and field
 * selectors; returns `resources`. With `wait`, waits until the objects exist (and meet `wait_condition`).
 */
import { z } from 'zod';
import type { Module, TaskResult } from '../../engine/types.js';
import { bool, num, str, strList } from '../lib/args.js';
import { fail, ok } from '../lib/result.js';
import { DciError, KubernetesError } from '../../core/errors.js';

const Args = z
  .object({
    kind: str,
    api_version: str.default('v1'),
    name: str.optional(),
    namespace: str.optional(),
    label_selectors: strList.optional(),
    label_selector: str.optional(),
    field_selectors: strList.optional(),
    kubeconfig: str.optional(),
    wait: bool.default(false),
    wait_condition: z.object({ type: str, status: z.union([z.string(), z.boolean()]).default('True'), reason: str.optional() }).strict().optional(),
    wait_timeout: num.default(120),
    wait_sleep: num.default(5),
  })
  .strict();
type Args = z.infer<typeof Args>;

export const k8sInfo: Module<Args> = {
  name: 'k8s_info',
  aliases: ['kubernetes.core.k8s_info', 'community.kubernetes.k8s_info', 'community.okd.k8s_info', 'k8s_facts'],
  args: Args,
  checkMode: true,
  controllerOnly: true,
  async run(args, ctx): Promise<TaskResult> {
    const { K8sClient, resolveKubeconfig, hasCondition, registerSecretValues } = await import('../../k8s/index.js');
    try {
      const client = await K8sClient.fromKubeconfig(resolveKubeconfig(args.kubeconfig, ctx.vars, ctx.taskDir));
      const labels = [...(args.label_selectors ?? []), ...(args.label_selector ? [args.label_selector] : [])].join(',') || undefined;
      const fields = [...(args.field_selectors ?? []), ...(args.name ? [`metadata.name=${args.name}`] : [])].join(',') || undefined;
      const cond = args.wait_condition ? hasCondition(args.wait_condition.type, args.wait_condition.status, args.wait_condition.reason) : undefined;
      const fetch = async () => {
        if (args.name && !args.label_selectors && !args.field_selectors && !args.label_selector) {
          const one = await client.get({ apiVersion: args.api_version, kind: args.kind, name: args.name, namespace: args.namespace });
          return one ? [one] : [];
        }
        return client.list(args.api_version, args.kind, { namespace: args.namespace, labelSelector: labels, fieldSelector: fields });
      };
      // With wait, list (name as a field selector) so the collection's resourceVersion can be watched between reads.
      let version: string | undefined;
      const read = async () => {
        if (!args.wait) return fetch();
        const listed = await client.listVersioned(args.api_version, args.kind, { namespace: args.namespace, labelSelector: labels, fieldSelector: fields });
        version = listed.resourceVersion;
        return listed.items;
      };
      let resources = await read();
      if (args.wait) {
        const deadline = Date.now() + args.wait_timeout * 1000;
        const done = () => resources.length > 0 && (!cond || resources.every((r) => cond(r)));
        while (!done()) {
          if (Date.now() >= deadline) {
            const what = `${args.kind}${args.name ? ` ${args.namespace ? args.namespace + '/' : ''}${args.name}` : ''}${labels ? ` with labels ${labels}` : ''}`;
            throw new KubernetesError(
              'k8s-timeout',
              `timed out after ${args.wait_timeout}s waiting for ${what}${cond ? ` to reach ${cond.description}` : ' to exist'} (${resources.length} found)`,
              { hint: 'check the controller that should create or update it, or raise wait_timeout' },
            );
          }
          // Woken by the first change instead of sleeping wait_sleep (kept as the fallback when watching fails).
          await client.nextChange(
            args.api_version,
            args.kind,
            { namespace: args.namespace, labelSelector: labels, fieldSelector: fields, resourceVersion: version },
            deadline - Date.now(),
            { intervalMs: Math.max(50, args.wait_sleep * 1000), signal: ctx.signal },
          );
          resources = await read();
        }
      }
      for (const r of resources) registerSecretValues(r, ctx.secrets);
      return ok({ resources, api_found: true });
    } catch (e) {
      if (e instanceof KubernetesError && e.code === 'k8s-unknown-kind') return ok({ resources: [], api_found: false });
      if (e instanceof DciError) return fail(e.hint ? `${e.message} (${e.hint})` : e.message, { error: e.code });
      throw e;
    }
  },
};
