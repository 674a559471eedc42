export * from './paths.js';
export * from './summary.js';
export * from './writer.js';
export * from './store.js';
