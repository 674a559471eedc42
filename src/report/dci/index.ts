/** DCI reporting: request signing, the control-server client, credentials and the pipeline-facing reporter. */
export * from './signing.js';
export * from './verify.js';
