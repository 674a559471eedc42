/** The `ipi` provider: bare-metal IPI through the installer binary on the provisioner host. */
import type { Provider } from '../types.js';
import { pullSecretMissing } from '../common/install-config.js';
import { ipiPlan } from './plan.js';
import { runIpi } from './run.js';

export const ipiProvider: Provider = {
  installType: 'ipi',
  validate(input) {
    if (ipiPlan(input).facts.pull_secret_missing === true) throw pullSecretMissing('ipi');
  },
  plan: ipiPlan,
  run: runIpi,
};
