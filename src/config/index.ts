/**
 * config: inventories and variables as Ansible reads them, the precedence of variables (written once), and the
 * settings schema of what the pipeline reads.
 */
export { PRECEDENCE_LEVELS, precedenceRank, precedenceTitle, type PrecedenceLevel } from './precedence.js';
export { VarStore, type VarLayer, type VarOrigin, type VarProvenance, type VarExplanation } from './var-store.js';
export {
  loadInventory,
  hostVars,
  hostVarStore,
  explainVar,
  findHost,
  type LoadedInventory,
  type InventorySource,
  type InventoryFormat,
  type InventoryGroupInfo,
  type InventoryHostInfo,
} from './load-inventory.js';
export { parseExtraVars, extraVarsLayer, describeExtraSource, type ExtraVars, type ExtraVarSource } from './extra-vars.js';
export {
  resolveSettings,
  resolveNodeSettings,
  ansibleBool,
  isSecretVariable,
  secretVariableNames,
  registerSecretVariables,
  SETTINGS_SCHEMA,
  INSTALL_TYPES,
  MIRROR_SET_KINDS,
  type Settings,
  type NodeSettings,
  type OperatorSetting,
  type MirrorListEntry,
  type DciCredentialSettings,
  type InstallType,
  type MirrorSetKindSetting,
} from './settings.js';
export { resolveInventorySettings, controllerHost, type InventorySettings } from './inventory-settings.js';
export { loadRunConfig, type RunConfig } from './run-config.js';
export { loadAnsibleYaml, ANSIBLE_YAML_SCHEMA, type LoadedYaml, type YamlPositions } from './yaml-loader.js';
export { pythonLiteral } from './python-literal.js';
export { parseHostPattern, expandHostRange, HostPatternError, type ParsedHostPattern } from './host-pattern.js';
export { shlexSplit } from './shlex.js';
