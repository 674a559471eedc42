import type { CliCommand } from './index.js';

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export const validateCommand: CliCommand = {
  name: 'validate',
  register(program, io) {
    program
      .command('validate')
      .description('load an inventory as Ansible does, check every setting the pipeline reads, print a summary (exit 0 ok, 2 bad input)')
      .requiredOption('-i, --inventory <path>', 'inventory file (INI or YAML) or a directory of inventory files')
      .option('-e, --extra-vars <vars>', 'extra variables: k=v, @file.yml, or a JSON/YAML mapping (repeatable, later wins)', collect, [])
      .addHelpText(
        'after',
        `
Checks: inventory syntax (file:line), group loops, host ranges, group_vars/ and host_vars/, install_type
(ipi, sno, acm), registry/port values, operators, and each master/worker's BMC data and MAC.

Examples:
  dci-agent-ts validate --inventory inventories/examples/ipi.ini
  dci-agent-ts validate -i inventories/examples/sno.yml -e dci_disconnected=false
  dci-agent-ts validate -i ~/lab/hosts -e @~/lab/settings.yml`,
      )
      .action(async (opts: { inventory: string; extraVars: string[] }) => {
        const { validateInventory } = await import('../../config/validate-summary.js');
        const r = await validateInventory(opts.inventory, opts.extraVars);
        // What `run` refuses before its first stage (the original agent's pre-install asserts), unless a
        // custom-install hook replaces the built-in install.
        const [{ installPrerequisiteError }, { configDirsFor, findHooks }] = await Promise.all([import('../../providers/prerequisites.js'), import('../../pipeline/hooks.js')]);
        const customInstall = findHooks(configDirsFor(r.controllerVars, opts.inventory), 'custom-install').length > 0;
        const unmet = customInstall ? undefined : installPrerequisiteError(r.controllerVars);
        if (unmet) throw unmet;
        io.stdout(r.text);
      });
  },
};
