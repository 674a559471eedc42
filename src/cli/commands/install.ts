/**
 * `dci-agent-ts install plan`: what the install stage would create and run for an inventory — every file, every
 * Kubernetes object (one YAML each) and plan.txt with the commands and API calls in order — without a network
 * or a lab. Mirror destinations come from the inventory's registry settings when no mirror stage ran.
 */
import type { CliCommand } from './index.js';
import { collectRepeatable } from './options.js';

export const installCommand: CliCommand = {
  name: 'install',
  register(program, io) {
    const group = program.command('install').description('the install stage on its own (see `install plan`)');
    group
      .command('plan')
      .description('write the install plan for an inventory: files, Kubernetes objects and plan.txt (no network, no lab)')
      .requiredOption('-i, --inventory <path>', 'inventory file (INI or YAML) or a directory of inventory files')
      .requiredOption('--out <dir>', 'directory to write the plan into (replaced when it holds an earlier plan)')
      .option('-e, --extra-vars <vars>', 'extra variables: k=v, @file.yml, or a JSON/YAML mapping (repeatable, later wins)', collectRepeatable, [])
      .addHelpText(
        'after',
        `
Secrets (pull secret, BMC passwords) are redacted in the written copy. The version comes from ocp_version.

Examples:
  dci-agent-ts install plan -i inventories/examples/ipi.ini -e ocp_version=4.16.3 --out /tmp/ipi-plan
  dci-agent-ts install plan -i inventories/examples/sno.yml -e ocp_version=4.12.40 --out /tmp/sno-plan`,
      )
      .action(async (opts: { inventory: string; out: string; extraVars: string[] }) => {
        const { loadInventory, parseExtraVars, resolveInventorySettings } = await import('../../config/index.js');
        const { getProvider, providerInputFromInventory, writeInstallPlan, inputSecrets } = await import('../../providers/index.js');
        const { SecretRegistry } = await import('../../core/secrets.js');
        const inv = await loadInventory(opts.inventory);
        const extra = await parseExtraVars(opts.extraVars);
        const { settings } = resolveInventorySettings(inv, extra);
        const provider = getProvider(settings.installType);
        const notes: string[] = [];
        const input = await providerInputFromInventory(inv, extra, { lenient: true, notes });
        const plan = provider.plan(input);
        const secrets = new SecretRegistry();
        for (const s of inputSecrets(input)) secrets.add(s);
        const written = await writeInstallPlan(plan, opts.out, secrets, notes);
        for (const n of notes) io.stderr(`note: ${n}\n`);
        io.stdout(`${plan.installType} install plan (${plan.steps.length} steps, ${plan.files.length} files, ${plan.objects.length} objects) written to ${opts.out}:\n`);
        for (const f of written) io.stdout(`  ${f}\n`);
      });
  },
};
