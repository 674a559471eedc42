/**
 * The package's public API: the pure functions and libraries other tools can use
 * (`import { ... } from 'dci-agent-ts'`). Each family adds its exports here.
 */
export * from './core/errors.js';
export { SecretRegistry, REDACTED } from './core/secrets.js';
export type * from './core/events.js';
export type * from './engine/types.js';
export * from './manifests/index.js';
export * from './report/dci/index.js';
export * from './config/index.js';
export * from './engine/index.js';
export * from './mirror/index.js';
export { K8sClient, FIELD_MANAGER, hasCondition, hasPhase, fieldEquals, describeState, parseDefinitions, resolveKubeconfig, normalizeOperator, installOperator, loadMirrorSetDir, applyMirrorObjects, type K8sObject, type K8sRef, type OperatorRequest } from './k8s/index.js';
export { createTransport, closeAllTransports, becomeTransport, LocalTransport, SshTransport, resolveSshTarget, MODULES, findModule, moduleNames, requireModule, registerModules, parseModuleArgs } from './engine/transports/public.js';
