/**
 * k8s: the subset of kubernetes.core.k8s that DCI hooks use — create/update (server-side apply, field manager
 * dci-agent-ts) or delete objects given as `definition` (dict, list or YAML string) or `src` (a file on the
 * controller), optionally waiting for a condition. Check mode reports what would change without writing.
 */
import { z } from 'zod';
import { readFile } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import type { Module, TaskResult } from '../../engine/types.js';
import { bool, num, str } from '../lib/args.js';
import { fail, ok } from '../lib/result.js';
import { DciError } from '../../core/errors.js';

const WaitCondition = z
  .object({ type: str, status: z.union([z.string(), z.boolean()]).default('True'), reason: str.optional() })
  .strict();

const Args = z
  .object({
    state: z.enum(['present', 'absent']).default('present'),
    definition: z.unknown().optional(),
    resource_definition: z.unknown().optional(),
    src: str.optional(),
    kubeconfig: str.optional(),
    namespace: str.optional(),
    api_version: str.optional(),
    kind: str.optional(),
    name: str.optional(),
    apply: bool.default(true),
    force: bool.default(false),
    wait: bool.default(false),
    wait_condition: WaitCondition.optional(),
    wait_timeout: num.default(120),
    wait_sleep: num.default(5),
    validate_certs: bool.default(true),
  })
  .strict();
type Args = z.infer<typeof Args>;

/** Is every key of `want` present with the same value in `have` (what the apply would leave unchanged)? */
function isSubset(want: unknown, have: unknown): boolean {
  if (want && typeof want === 'object' && !Array.isArray(want)) {
    if (!have || typeof have !== 'object' || Array.isArray(have)) return false;
    return Object.entries(want).every(([k, v]) => isSubset(v, (have as Record<string, unknown>)[k]));
  }
  return JSON.stringify(want) === JSON.stringify(have);
}

export const k8s: Module<Args> = {
  name: 'k8s',
  aliases: ['kubernetes.core.k8s', 'community.kubernetes.k8s', 'community.okd.k8s'],
  args: Args,
  checkMode: true,
  controllerOnly: true,
  async run(args, ctx): Promise<TaskResult> {
    const { K8sClient, parseDefinitions, resolveKubeconfig, refOf, hasCondition, defaultReadiness, registerSecretValues } = await import('../../k8s/index.js');
    if (args.validate_certs === false) return fail('k8s: validate_certs: false is not supported; put the cluster CA in the kubeconfig');
    try {
      let source: unknown = args.definition ?? args.resource_definition;
      let where = 'definition';
      if (args.src !== undefined) {
        const path = isAbsolute(args.src) ? args.src : resolve(ctx.taskDir, args.src);
        source = await readFile(path, 'utf8').catch((e: NodeJS.ErrnoException) => {
          throw new DciError('k8s-src', `k8s: cannot read src ${path}: ${e.code ?? e.message}`, { hint: 'src is a file on the controller, relative to the task file' });
        });
        where = `src ${path}`;
      }
      if (source === undefined) {
        if (!(args.kind && args.name)) return fail('k8s: give definition, src, or kind + name (+ api_version)');
        source = { apiVersion: args.api_version ?? 'v1', kind: args.kind, metadata: { name: args.name } };
      }
      const objects = parseDefinitions(source, where, args.namespace);
      const client = await K8sClient.fromKubeconfig(resolveKubeconfig(args.kubeconfig, ctx.vars, ctx.taskDir));
      const timeoutMs = args.wait_timeout * 1000;
      const intervalMs = Math.max(50, args.wait_sleep * 1000);
      const results: Array<{ result: Record<string, unknown>; changed: boolean; method: string }> = [];
      for (const obj of objects) {
        registerSecretValues(obj, ctx.secrets);
        const ref = refOf(obj);
        if (args.state === 'absent') {
          const existing = await client.get(ref);
          if (!existing) {
            results.push({ result: {}, changed: false, method: 'delete' });
            continue;
          }
          if (!ctx.checkMode) {
            await client.delete(ref);
            if (args.wait) await client.waitGone(ref, { timeoutMs, intervalMs, signal: ctx.signal });
          }
          results.push({ result: existing, changed: true, method: 'delete' });
          continue;
        }
        if (ctx.checkMode) {
          const existing = await client.get(ref);
          const changed = !existing || !isSubset({ ...obj, metadata: { ...obj.metadata } }, existing);
          results.push({ result: obj, changed, method: existing ? 'apply' : 'create' });
          continue;
        }
        const applied = await client.apply(obj);
        let final = applied.object;
        if (args.wait) {
          const pred = args.wait_condition
            ? hasCondition(args.wait_condition.type, args.wait_condition.status, args.wait_condition.reason)
            : defaultReadiness(obj.kind);
          final = await client.waitFor(ref, pred, { timeoutMs, intervalMs, signal: ctx.signal });
        }
        registerSecretValues(final, ctx.secrets);
        results.push({ result: final, changed: applied.changed, method: applied.created ? 'create' : 'apply' });
      }
      const changed = results.some((r) => r.changed);
      if (results.length === 1) return ok({ result: results[0].result, method: results[0].method, duration: 0 }, changed);
      return ok({ result: { results } }, changed);
    } catch (e) {
      if (e instanceof DciError) return fail(e.hint ? `${e.message} (${e.hint})` : e.message, { error: e.code });
      throw e;
    }
  },
};
