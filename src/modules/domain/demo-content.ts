/**
 * demo_content: generate the demo lab's synthetic release and catalog as a mirror archive (deterministic, no
 * network), and point the mirror stage at it (`dci_mirror_source_archive`, `ocp_release_image`).
 */
import { z } from 'zod';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Module } from '../../engine/types.js';
import { num, str } from '../lib/args.js';
import { ok } from '../lib/result.js';

const Args = z.object({ dest: str, version: str, components: num.optional() }).strict();
type Args = z.infer<typeof Args>;

export const demoContent: Module<Args> = {
  name: 'demo_content',
  aliases: ['dci.agent.demo_content'],
  args: Args,
  checkMode: true,
  controllerOnly: true,
  async run(args, ctx) {
    const dest = resolve(args.dest);
    const releaseImage = `quay.io/openshift-release-dev/ocp-release:${args.version}-x86_64`;
    const facts = { dci_mirror_source_archive: dest, ocp_release_image: releaseImage };
    if (existsSync(join(dest, 'refs.json'))) return ok({ ansible_facts: facts, msg: `demo content already in ${dest}` });
    if (ctx.checkMode) return ok({ ansible_facts: facts, msg: `would generate the demo content in ${dest}` }, true);
    const { generateDemoContent } = await import('../../demo/demo-content.js');
    const c = await generateDemoContent(dest, { version: args.version, components: args.components });
    ctx.log(`generated ${c.images} images: release ${c.releaseImage}, catalog ${c.catalogImage}`);
    return ok({ ansible_facts: facts, images: c.images }, true);
  },
};
