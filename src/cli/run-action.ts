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
  const { loadInventory, parseExtraVars, registerSecretVariables, resolveInventorySettings } = await import('../config/index.js');
  const inventoryPath = resolve(opts.inventory);
  const inv = await loadInventory(inventoryPath);
  const extra = await parseExtraVars(opts.extraVars ?? []);
  const engineInventory = inv.toEngineInventory();
  for (const host of Object.values(engineInventory.hosts)) registerSecretVariables(host.vars, globalSecrets);
  registerSecretVariables(extra.vars, globalSecrets);
  // Settings errors (wrong types, unknown install_type) stop the run before anything starts: exit 2.
  resolveInventorySettings(inv, extra);
  if (opts.resume && !opts.startAt) throw new UsageError('resume-needs-start-at', '--resume needs --start-at STAGE', { hint: 'e.g. --start-at install --resume RUN_ID' });

  const bus = new EventBus();
  const { createReporter } = await import('../engine/reporters/index.js');
  const kind = opts.output ?? defaultOutputKind();
  const reporter = createReporter({ kind, isTTY: kind === 'tty' && Boolean(process.stdout.isTTY), secrets: globalSecrets, write: io.stdout });
  void debug;
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

  const { runTaskFile, TransportPool, inventoryFilesOf } = await import('../engine/index.js');
  // One SSH connection per host for the whole run, shared by every stage playbook and hook file.
  const pool = new TransportPool();
  const { closeAllTransports } = await import('../engine/transports/index.js');
  const dci = await import('./dci-hooks.js').then((m) => m.dciHooksFromEnv({ envFile: opts.envFile, inventoryPath, bus, secrets: globalSecrets, io }));
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
      // inventory_file / inventory_dir in stage playbooks and hooks: the file that listed each host, as ansible-playbook.
      runFile: (fileOpts) => runTaskFile({ ...fileOpts, transports: pool, inventoryFile: inventoryFilesOf(inv.hosts) }),
      killSignal: controller.signal,
      resumeRunId: opts.resume,
      onRunStart: dci?.onRunStart,
      onRunEnd: dci?.onRunEnd,
    });
    return result.exitCode;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await pool.closeAll();
    await closeAllTransports();
    await reporter.close();
  }
}
