/** `dci-agent-ts vars`: the merged variables of one host, or where one of them comes from. */
import { UsageError } from '../core/errors.js';
import { globalSecrets } from '../core/secrets.js';
import { parseExtraVars } from './extra-vars.js';
import { explainVar, hostVarStore, loadInventory } from './load-inventory.js';
import { registerSecretVariables } from './settings.js';
import { formatExplanation, formatHostVars } from './vars-output.js';

export interface VarsActionOptions {
  inventory: string;
  host: string;
  extraVars: string[];
  explain?: string;
  output?: string;
  showSecrets?: boolean;
}

export async function varsAction(opts: VarsActionOptions): Promise<string> {
  const output = opts.output ?? 'yaml';
  if (output !== 'yaml' && output !== 'json') throw new UsageError('bad-output', `--output must be yaml or json, not "${output}"`);
  const extra = await parseExtraVars(opts.extraVars);
  const inv = await loadInventory(opts.inventory);
  const store = hostVarStore(inv, opts.host, extra);
  const vars = store.merged();
  registerSecretVariables(vars, globalSecrets);
  const fmt = { output, showSecrets: Boolean(opts.showSecrets), secrets: globalSecrets } as const;
  if (opts.explain) return formatExplanation(opts.host, explainVar(inv, opts.host, opts.explain, extra), fmt);
  return formatHostVars(vars, fmt);
}
