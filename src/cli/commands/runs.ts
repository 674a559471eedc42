import type { CliCommand } from './index.js';
import { UsageError } from '../../core/errors.js';

export const runsCommand: CliCommand = {
  name: 'runs',
  register(program, io) {
    const runs = program.command('runs').description('list and inspect run records');
    runs
      .command('list')
      .description('table of runs: id, inventory, started, duration, state')
      .option('--state-dir <dir>', 'where run records live (default ~/.local/state/dci-agent-ts)')
      .option('--runs-dir <dir>', 'the runs folder itself (overrides --state-dir)')
      .addHelpText('after', '\nExample:\n  dci-agent-ts runs list')
      .action(async (opts: { stateDir?: string; runsDir?: string }) => {
        const { listRuns, formatRunTable, defaultStateDir, runsDirFor } = await import('../../report/run-record/index.js');
        const dir = opts.runsDir ?? runsDirFor(opts.stateDir ?? defaultStateDir());
        io.stdout(formatRunTable(listRuns(dir)));
      });
    runs
      .command('show')
      .description('stages with durations, and the failing task with its output')
      .argument('<id>', 'run id (or a unique prefix)')
      .option('--state-dir <dir>', 'where run records live')
      .option('--runs-dir <dir>', 'the runs folder itself (overrides --state-dir)')
      .addHelpText('after', '\nExample:\n  dci-agent-ts runs show 20261126-104400-demo')
      .action(async (id: string, opts: { stateDir?: string; runsDir?: string }) => {
        const { findRun, formatRunDetails, defaultStateDir, runsDirFor } = await import('../../report/run-record/index.js');
        const dir = opts.runsDir ?? runsDirFor(opts.stateDir ?? defaultStateDir());
        const found = findRun(dir, id);
        if (!found) throw new UsageError('unknown-run', `no run "${id}" in ${dir} (or the prefix matches several runs)`, { hint: 'see `dci-agent-ts runs list`' });
        io.stdout(formatRunDetails(found.dir, found.summary));
      });
  },
};
