import type { Command } from 'commander';
import type { CliCommand } from './index.js';
import { collectRepeatable, parseOutputKind } from './options.js';

export const runCommand: CliCommand = {
  name: 'run',
  register(program, io) {
    program
      .command('run')
      .description('run the DCI stage pipeline on an inventory: pre-run → mirror-images → install → deploy-operators → post-run')
      .requiredOption('-i, --inventory <file>', 'inventory file (YAML or INI, as Ansible reads it)')
      .option('-e, --extra-vars <vars>', 'extra variables: k=v, @file.yml or a JSON object (repeatable)', collectRepeatable, [])
      .option('--hooks-dir <dir>', 'a config dir holding hooks/<stage>.yml, after dci_config_dirs (repeatable)', collectRepeatable, [])
      .option('--stages <list>', 'run only these main stages (comma separated)')
      .option('--skip-stage <stage>', 'skip a stage (repeatable; "teardown" skips teardown)', collectRepeatable, [])
      .option('--start-at <stage>', 'resume from this stage, reusing the facts saved by the previous run of this cluster')
      .option('--resume <run-id>', 'with --start-at: the run to resume (default: the latest run of the cluster)')
      .option('--check', 'check mode: modules report what they would change, nothing is changed')
      .option('--tags <list>', 'only run tasks with these tags (comma separated)')
      .option('--skip-tags <list>', 'skip tasks with these tags (comma separated)')
      .option('--output <kind>', 'tty | plain | jsonl (default: tty on a terminal, plain otherwise)')
      .option('--state-dir <dir>', 'where run records and locks live (default ~/.local/state/dci-agent-ts)')
      .option('--env-file <file>', 'read DCI credentials (DCI_CLIENT_ID, DCI_API_SECRET, DCI_CS_URL) from this file')
      .addHelpText(
        'after',
        `
Examples:
  dci-agent-ts run --inventory inventories/demo.yml
  dci-agent-ts run -i lab.ini -e @settings.yml --hooks-dir ~/lab-config
  dci-agent-ts run -i lab.ini --stages pre-run,mirror-images --output plain
  dci-agent-ts run -i lab.ini --start-at deploy-operators
  dci-agent-ts run -i lab.ini --check`,
      )
      .action(async (opts: RunCliOptions, cmd: Command) => {
        const { runFromCli } = await import('../run-action.js');
        const debug = Boolean(cmd.optsWithGlobals().debug);
        process.exitCode = await runFromCli({ ...opts, output: parseOutputKind(opts.output) }, io, debug);
      });
  },
};

export interface RunCliOptions {
  inventory: string;
  extraVars: string[];
  hooksDir: string[];
  stages?: string;
  skipStage: string[];
  startAt?: string;
  resume?: string;
  check?: boolean;
  tags?: string;
  skipTags?: string;
  output?: string;
  stateDir?: string;
  envFile?: string;
}
