/**
 * pull_secret: merge the pull secrets a lab provides (original order, see src/providers/pull-secret.ts) into one
 * file on the controller, mode 0600, and expose its path as the fact `dci_pullsecret_file`. Every credential is
 * registered for redaction; the content never enters facts or output.
 */
import { z } from 'zod';
import { createHash } from 'node:crypto';
import type { Module, RunContext } from '../../engine/types.js';
import { bool, str } from '../lib/args.js';
import { fail, ok } from '../lib/result.js';
import { mergePullSecrets, pullSecretValues, type PullSecretSource } from '../../providers/pull-secret.js';

const Args = z
  .object({
    dest: str,
    topic_pull_secret: z.unknown().optional(),
    openshift_secret: z.unknown().optional(),
    disconnected_auths_file: str.optional(),
    pullsecret_file: str.optional(),
    disconnected: bool.default(false),
  })
  .strict();
type Args = z.infer<typeof Args>;

async function readControllerFile(ctx: RunContext, path: string): Promise<PullSecretSource> {
  const st = await ctx.controller.stat(path);
  if (!st.exists) throw new Error(`${path} does not exist`);
  return { origin: path, value: (await ctx.controller.get(path)).toString('utf8') };
}

export const pullSecret: Module<Args> = {
  name: 'pull_secret',
  aliases: ['dci.agent.pull_secret'],
  args: Args,
  checkMode: true,
  controllerOnly: true,
  async run(args, ctx) {
    let merged;
    try {
      merged = mergePullSecrets({
        topic: args.topic_pull_secret !== undefined ? { origin: 'the DCI topic pull secret', value: args.topic_pull_secret } : undefined,
        openshiftSecret: args.openshift_secret !== undefined ? { origin: 'openshift_secret', value: args.openshift_secret } : undefined,
        disconnectedAuths: args.disconnected_auths_file ? await readControllerFile(ctx, args.disconnected_auths_file) : undefined,
        pullsecretFile: args.pullsecret_file ? await readControllerFile(ctx, args.pullsecret_file) : undefined,
        disconnected: args.disconnected,
      });
    } catch (e) {
      return fail(`cannot build the pull secret: ${(e as Error).message}`);
    }
    for (const v of pullSecretValues(merged)) ctx.secrets.add(v);
    const content = JSON.stringify(merged, null, 2) + '\n';
    const before = await ctx.controller.stat(args.dest);
    const oldSum = before.exists ? createHash('sha256').update(await ctx.controller.get(args.dest)).digest('hex') : '';
    const changed = oldSum !== createHash('sha256').update(content).digest('hex');
    if (changed && !ctx.checkMode) await ctx.controller.put(args.dest, content, 0o600);
    return ok(
      {
        ansible_facts: { dci_pullsecret_file: args.dest },
        registries: Object.keys(merged.auths).sort(),
        dest: args.dest,
      },
      changed,
    );
  },
};
