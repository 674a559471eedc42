/** DCI reporting: request signing, the control-server client, credentials and the pipeline-facing reporter. */
export * from './signing.js';
export * from './verify.js';
export * from './credentials.js';
export * from './errors.js';
export * from './http.js';
export * from './types.js';
export * from './component-query.js';
export * from './client.js';
export * from './spool.js';
export * from './reporter.js';
export * from './event-reporter.js';
