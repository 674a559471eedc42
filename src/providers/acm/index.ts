/** The `acm` provider: a Single Node OpenShift spoke created by an ACM hub through the Kubernetes API. */
import type { Provider } from '../types.js';
import { pullSecretMissing } from '../common/install-config.js';
import { acmPlan } from './plan.js';
import { runAcm } from './run.js';

export const acmProvider: Provider = {
  installType: 'acm',
  validate(input) {
    if (acmPlan(input).facts.pull_secret_missing === true) throw pullSecretMissing('acm');
  },
  plan: acmPlan,
  run: runAcm,
};

export { acmPlan, BMC_PASSWORD_PLACEHOLDER, MCE_NAMESPACE } from './plan.js';
export { runAcm, hubKubeconfig } from './run.js';
