/** Kubernetes access for the agent: client, conditions, errors, object helpers. */
export { K8sClient, FIELD_MANAGER, preloadKubernetesClient, type ApplyResult, type ListOptions, type WaitOptions } from './client.js';
export { hasCondition, hasPhase, fieldEquals, predicate, findCondition, conditionsOf, describeState, valueAt, type Condition, type K8sPredicate } from './conditions.js';
export { toKubernetesError, httpCode, isNotFound, isDiscoveryFailure } from './errors.js';
export { refOf, describeRef, type K8sObject, type K8sRef } from './types.js';
export { parseDefinitions } from './definitions.js';
export { resolveKubeconfig } from './kubeconfig.js';
export { registerSecretValues } from './secret-values.js';
export { loadMirrorSetDir, applyMirrorObjects, waitForMachineConfigPools, MIRROR_SET_KINDS, type MirrorApplyResult, type PoolWaitOptions } from './mirror-sets.js';
export {
  normalizeOperator,
  installOperator,
  collectOperatorState,
  namespaceObject,
  operatorGroupObject,
  subscriptionObject,
  initialApproval,
  OperatorStepError,
  DEFAULT_OPERATOR_TIMEOUTS,
  type OperatorRequest,
  type OperatorOutcome,
  type OperatorTimeouts,
} from './olm.js';
export { defaultReadiness } from './readiness.js';
