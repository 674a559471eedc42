/**
 * mirror_images: the mirror-images stage's work (release payload, pruned operator catalogs, additional images, mirror
 * sets for the version) — see src/mirror/stage. Sets the facts later stages read (`dci_mirror_*`) and adds
 * one-line notes to `dci_summary_notes` for the end-of-run summary.
 */
import { z } from 'zod';
import { relative, resolve } from 'node:path';
import type { Module } from '../../engine/types.js';
import { str } from '../lib/args.js';
import { fail, ok } from '../lib/result.js';
import { isDciError } from '../../core/errors.js';

const Args = z
  .object({
    /** Where mapping.txt, the mirror sets and the reports go. */
    out_dir: str,
    /** `registry` (default), `layout:DIR` (an OCI layout stands for the registry) or `to-disk:DIR` (air-gap archive). */
    destination: str.default('registry'),
    /** Read the images from an archive made by `mirror to-disk` (or the demo content) instead of the registries. */
    source_archive: str.optional(),
    /** With `to-disk:DIR`: earlier archives (folders or their refs.json); the new one holds only what they do not. */
    base_archives: z.array(str).optional(),
  })
  .strict();
type Args = z.infer<typeof Args>;

function parseDestination(d: string): { kind: 'registry' } | { kind: 'layout'; dir: string } | { kind: 'to-disk'; dir: string } | undefined {
  if (d === 'registry') return { kind: 'registry' };
  const m = /^(layout|to-disk):(.+)$/.exec(d);
  if (!m) return undefined;
  return { kind: m[1] as 'layout' | 'to-disk', dir: resolve(m[2]) };
}

export const mirrorImages: Module<Args> = {
  name: 'mirror_images',
  aliases: ['dci.agent.mirror_images'],
  args: Args,
  checkMode: true,
  controllerOnly: true,
  async run(args, ctx) {
    const destination = parseDestination(args.destination);
    if (!destination) return fail(`destination must be registry, layout:DIR or to-disk:DIR, not "${args.destination}"`);
    const { mirrorImagesFromVars } = await import('../../mirror/stage/run-from-vars.js');
    try {
      const r = await mirrorImagesFromVars({
        vars: ctx.vars as Record<string, unknown>,
        outDir: resolve(args.out_dir),
        destination,
        sourceArchive: args.source_archive,
        baseArchives: args.base_archives?.length ? args.base_archives : undefined,
        secrets: ctx.secrets,
        onEvent: (e) => ctx.emit(e),
        log: (line) => ctx.log(line),
        signal: ctx.signal,
        dryRun: ctx.checkMode,
        // Check mode writes the outputs only into the run record (the playbook's out_dir): they show what would
        // be applied, and deploy-operators plans from them. Anywhere else check mode leaves alone.
        writeOutputsOnDryRun: !relative(resolve(ctx.runDir), resolve(args.out_dir)).startsWith('..'),
      });
      const previous = Array.isArray(ctx.vars.dci_summary_notes) ? (ctx.vars.dci_summary_notes as string[]) : [];
      const where = destination.kind === 'registry' ? r.settings.localRegistry : `${destination.dir} (${destination.kind === 'layout' ? `standing for ${r.settings.localRegistry}` : 'archive'})`;
      // Warnings (e.g. tag-referenced images an ICSP cannot redirect) must reach the user: terminal and summary.
      for (const w of r.result.warnings) ctx.emit({ type: 'warning', msg: `mirror-images: ${w}` });
      const notes = [...r.result.notes.map((n) => `mirror: ${n}`), ...r.result.warnings.map((w) => `mirror: warning: ${w}`)];
      notes.push(`mirror: outputs in ${args.out_dir} (images → ${where})`);
      const copied = r.result.copy ? r.result.copy.images.copied + r.result.catalogs.length : 0;
      return ok(
        {
          ansible_facts: { ...r.facts, dci_summary_notes: [...previous, ...notes] },
          mapping_count: r.result.mapping.length,
          decision: r.result.build?.decision,
          warnings: r.result.warnings,
          report: r.result.copy && { images: r.result.copy.images, blobs: r.result.copy.blobs, durationMs: r.result.copy.durationMs },
        },
        copied > 0,
      );
    } catch (e) {
      if (isDciError(e)) return fail(e.hint ? `${e.message} (${e.hint})` : e.message);
      throw e;
    }
  },
};
