/**
 * `dci-agent-ts run`: load the inventory, pick a reporter, install signal handlers, run the pipeline.
 * Exit codes: 0 success, 1 pipeline failed, 2 bad input, 75 lock held, 130 interrupted.
 */
import { resolve } from 'node:path';
import { EventBus } from '../core/events.js';
import { globalSecrets } from '../core/secrets.js';
import { UsageError } from '../core/errors.js';
import { defaultPlaybooksDir, runPipeline } from '../pipeline/run-pipeline.js';
import { defaultStateDir } from '../report/run-record/paths.js';
import type { CliIO } from './main.js';
import type { RunCliOptions } from './commands/run.js';
import { defaultOutputKind, splitList, type OutputKind } from './commands/options.js';

export async function runFromCli(opts: Omit<RunCliOptions, 'output'> & { output?: OutputKind }, io: CliIO, debug: boolean): Promise<number> {
  const { loadInventory, parseExtraVars } = await import('../config/index.js');
  const inventoryPath = resolve(opts.inventory);
  const inv = await loadInventory(inventoryPath);
  const extra = await parseExtraVars(opts.extraVars ?? []);
  const engineInventory = inv.toEngineInventory();
  for (const host of Object.values(engineInventory.hosts)) registerSecretVars(host.vars);
  registerSecretVars(extra.vars);
  if (opts.resume && !opts.startAt) throw new UsageError('resume-needs-start-at', '--resume needs --start-at STAGE', { hint: 'e.g. --start-at install --resume RUN_ID' });

  const bus = new EventBus();
  const { createReporter } = await import('../engine/reporters/index.js');
  const reporter = await createReporter(opts.output ?? defaultOutputKind(), { secrets: globalSecrets, write: io.stdout, debug });
  bus.on((e) => reporter.on(e));

  const controller = new AbortController();
  let signals = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    signals++;
    if (signals === 1) {
      io.stderr(`\nreceived ${sig}: stopping the current stage, then running teardown (send again to stop now)\n`);
      controller.abort(new Error(sig));
    } else {
      io.stderr(`received ${sig} again: exiting now\n`);
      process.exit(130);
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const { runTaskFile } = await import('../engine/index.js');
  const { closeAllTransports } = await import('../engine/transports/index.js');
  const dci = await import('./dci-hooks.js').then((m) => m.dciHooksFromEnv({ envFile: opts.envFile, bus, secrets: globalSecrets, io }));
  try {
    const result = await runPipeline({
      inventoryPath,
      inventory: engineInventory,
      extraVars: extra.vars,
      hooksDirs: (opts.hooksDir ?? []).map((d) => resolve(d)),
      selection: { only: splitList(opts.stages), skip: opts.skipStage, startAt: opts.startAt },
      checkMode: Boolean(opts.check),
      tags: splitList(opts.tags),
      skipTags: splitList(opts.skipTags),
      bus,
      secrets: globalSecrets,
      stateDir: opts.stateDir ? resolve(opts.stateDir) : defaultStateDir(),
      playbooksDir: defaultPlaybooksDir(import.meta.url),
      runFile: runTaskFile,
      killSignal: controller.signal,
      resumeRunId: opts.resume,
      onRunStart: dci?.onRunStart,
      onRunEnd: dci?.onRunEnd,
    });
    return result.exitCode;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await closeAllTransports();
    await reporter.close();
  }
}

/** Inventory values whose names look secret (passwords, tokens, pull secrets) are redacted everywhere. */
function registerSecretVars(vars: Record<string, unknown>): void {
  const pattern = /(password|passwd|secret|token|api_key|private_key|pull_?secret|_pass)$/i;
  for (const [k, v] of Object.entries(vars)) {
    if (pattern.test(k)) globalSecrets.addDeep(v);
  }
}
