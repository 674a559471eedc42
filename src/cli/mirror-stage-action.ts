/** The implementation behind `mirror images|to-disk|from-disk` (loaded only when one of them runs). */
import { resolve } from 'node:path';
import { globalSecrets } from '../core/secrets.js';
import { PipelineFailed } from '../core/errors.js';
import type { CliIO } from './main.js';
import type { MirrorStageFlags } from './commands/mirror-stage.js';

export async function runMirrorStageCommand(mode: 'images' | 'to-disk' | 'from-disk', flags: MirrorStageFlags, io: CliIO): Promise<void> {
  // Only the mirror settings matter here: install data (masters, BMCs) is not required to mirror. Values are
  // templated and checked like the pipeline stage sees them, before anything goes to the network.
  const { mirrorVarsFromInventory } = await import('../mirror/stage/inventory-vars.js');
  const { vars } = await mirrorVarsFromInventory(flags.inventory, flags.extraVars ?? [], globalSecrets);
  const { registerSecretVariables } = await import('../config/index.js');
  registerSecretVariables(vars, globalSecrets);
  const { mirrorImagesFromVars } = await import('../mirror/stage/run-from-vars.js');
  const archive = flags.archive ? resolve(flags.archive) : undefined;
  // to-disk keeps the outputs with the archive: in its folder, or next to a FILE.tar.
  const outDir = resolve(flags.out ?? (archive ? (/\.tar$/i.test(archive) ? `${archive.slice(0, -4)}-outputs` : `${archive}/outputs`) : 'mirror-out'));
  // Progress per image group through the same reporters as `run` (live tree on a terminal, periodic lines else).
  const { parseOutputKind, defaultOutputKind } = await import('./commands/options.js');
  const kind = parseOutputKind(flags.output) ?? defaultOutputKind();
  const { createReporter } = await import('../engine/reporters/index.js');
  const reporter = createReporter({ kind, isTTY: kind === 'tty' && Boolean(process.stdout.isTTY), secrets: globalSecrets, write: io.stdout });
  // The live tree owns the terminal while it runs: step lines are not printed then (the tree shows them).
  const log = kind === 'tty' ? () => undefined : kind === 'jsonl' ? () => undefined : (line: string) => io.stdout(globalSecrets.redact(line) + '\n');
  const controllerAbort = new AbortController();
  const onSignal = () => controllerAbort.abort(new Error('interrupted'));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const r = await mirrorImagesFromVars({
      vars,
      outDir,
      destination: mode === 'to-disk' ? { kind: 'to-disk', dir: archive! } : { kind: 'registry' },
      sourceArchive: mode === 'from-disk' ? archive : undefined,
      baseArchives: mode === 'to-disk' ? flags.base : undefined,
      secrets: globalSecrets,
      log,
      onEvent: (e) => reporter.on({ ...e, ts: new Date().toISOString() }),
      signal: controllerAbort.signal,
      dryRun: Boolean(flags.check),
    }).finally(() => reporter.close());
    for (const w of r.result.warnings) io.stderr(`warning: ${globalSecrets.redact(w)}\n`);
    // jsonl keeps stdout to JSON lines: the closing notes go to stderr then.
    const say = kind === 'jsonl' ? io.stderr : io.stdout;
    for (const n of r.result.notes) say(`${globalSecrets.redact(n)}\n`);
    if (r.outputs) say(`wrote ${r.outputs.files.join(', ')} to ${outDir}\n`);
    if (r.result.copy?.failures.length) throw new PipelineFailed(`${r.result.copy.failures.length} images failed to mirror`, { hint: 'see the warnings above; run again to retry them' });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
