import type { CliCommand } from './index.js';

export const systemdCommand: CliCommand = {
  name: 'systemd',
  register(program, io) {
    const sd = program.command('systemd').description('run the pipeline from a systemd timer on the jumphost');
    sd.command('install')
      .description('write a Type=oneshot service and a timer for an inventory, and print the systemctl commands')
      .requiredOption('-i, --inventory <file>', 'inventory the timer runs')
      .option('--on-calendar <spec>', 'systemd OnCalendar= expression', 'daily')
      .option('--user', 'install user units (~/.config/systemd/user) — the default')
      .option('--system', 'install system units (/etc/systemd/system)')
      .option('--env-file <file>', 'EnvironmentFile with DCI credentials (made mode 0600)')
      .option('--name <name>', 'unit name (default dci-agent-ts-<cluster>)')
      .option('--unit-dir <dir>', 'write the units here instead of the standard folder')
      .option('--dry-run', 'print the units instead of writing them')
      .addHelpText(
        'after',
        `
Examples:
  dci-agent-ts systemd install --inventory /etc/dci/lab.ini --on-calendar '*-*-* 02:00' --env-file ~/.config/dci/dci.env
  dci-agent-ts systemd install --inventory lab.yml --system --dry-run`,
      )
      .action(async (opts: SystemdCliOptions) => {
        const { installSystemdUnits } = await import('../systemd-action.js');
        await installSystemdUnits(opts, io);
      });
  },
};

export interface SystemdCliOptions {
  inventory: string;
  onCalendar: string;
  user?: boolean;
  system?: boolean;
  envFile?: string;
  name?: string;
  unitDir?: string;
  dryRun?: boolean;
}
