// The mirror-images stage: settings → plan → copy → pruned catalogs → mirror sets and outputs.
export * from './settings.js';
export * from './layout-store.js';
export * from './run-stage.js';
export * from './outputs.js';
export * from './run-from-vars.js';
