import type { CliCommand } from './index.js';

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export const varsCommand: CliCommand = {
  name: 'vars',
  register(program, io) {
    program
      .command('vars')
      .description("print a host's merged variables (inventory, group_vars, host_vars, extra vars), or explain where one comes from")
      .requiredOption('-i, --inventory <path>', 'inventory file (INI or YAML) or a directory of inventory files')
      .requiredOption('--host <name>', 'the host (as named in the inventory; "localhost" always exists)')
      .option('-e, --extra-vars <vars>', 'extra variables: k=v, @file.yml, or a JSON/YAML mapping (repeatable, later wins)', collect, [])
      .option('--explain <var>', 'show the value of one variable, the file:line and precedence level it came from, and what it overrode')
      .option('--output <format>', 'yaml (default) or json (one object, the shape of `ansible-inventory --host`)', 'yaml')
      .option('--show-secrets', 'print secret variables (passwords, tokens...) instead of ********')
      .addHelpText(
        'after',
        `
Secret variables (names ending in password, secret, token, pull_secret, api_key, ...) are printed as ********
in every format unless --show-secrets is given; with --show-secrets, --output json equals
\`ansible-inventory -i FILE --host HOST\`.

Examples:
  dci-agent-ts vars --inventory inventories/examples/ipi.ini --host master-0
  dci-agent-ts vars -i inventories/examples/ipi.ini --host master-0 --explain ipmi_user
  dci-agent-ts vars -i lab.yml --host jumphost --output json -e dci_disconnected=true`,
      )
      .action(async (opts: { inventory: string; host: string; extraVars: string[]; explain?: string; output?: string; showSecrets?: boolean }) => {
        const { varsAction } = await import('../../config/vars-action.js');
        io.stdout(await varsAction(opts));
      });
  },
};
