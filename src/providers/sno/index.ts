/** The `sno` provider: Single Node OpenShift through the agent-based installer and Redfish virtual media. */
import type { Provider } from '../types.js';
import { pullSecretMissing } from '../common/install-config.js';
import { snoPlan } from './plan.js';
import { runSno } from './run.js';

export const snoProvider: Provider = {
  installType: 'sno',
  validate(input) {
    if (snoPlan(input).facts.pull_secret_missing === true) throw pullSecretMissing('sno');
  },
  plan: snoPlan,
  run: runSno,
};
