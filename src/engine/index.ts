/**
 * The engine: run Ansible-style task files and playbooks (`runTaskFile`), load/check them, render their events.
 * Templating lives in ./template, transports in ./transports, modules in ../modules.
 */
export { runTaskFile, checkTaskFile, registryCatalog, type EngineRunOptions } from './executor/run-task-file.js';
export { TransportPool, KeywordTransport, connectionOf, defaultTransportFactory, type TransportFactory, type ConnectionSpec } from './executor/transport-pool.js';
export { matchHosts } from './executor/host-pattern.js';
export { createHostScope, groupNames, inventoryFilesOf, type HostScope, type HostScopeOptions, type InventoryFileOf, type PlayInfo } from './executor/host-scope.js';
export { shouldRunTags, type TagSelection } from './executor/tags.js';
export { TaskFileLoader } from './loader/load-file.js';
export { loadYaml, lineOf } from './loader/yaml.js';
export { parseKv, splitArgs } from './loader/kv.js';
export type { LoadedFile, Play, Node, TaskNode, BlockNode, IncludeNode } from './loader/task-model.js';
export { createReporter, formatRecap, formatDuration, OUTPUT_KINDS, JsonlReporter, PlainReporter, TtyReporter, type OutputKind, type ReporterOptions } from './reporters/index.js';
