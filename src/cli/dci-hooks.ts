/**
 * DCI reporting for `run`: when credentials are configured (--env-file, `dci_credentials.yml` next to the
 * inventory, or DCI_CLIENT_ID/DCI_API_SECRET/DCI_CS_URL in the environment), the run becomes a DCI job: created at
 * run start (identity, topic, latest matching `ocp` component), job states posted as the pipeline moves (an event
 * reporter on the bus), task outputs, junit and the hooks' job_logs uploaded; failed uploads are spooled in the run
 * record and retried at the end. Without credentials: local run records only (returns undefined).
 *
 * The OCP version comes from the DCI component unless the inventory sets it (explicit inventory values win, as in
 * the original agent).
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { EventBus } from '../core/events.js';
import type { SecretRegistry } from '../core/secrets.js';
import type { CliIO } from './main.js';
import type { PipelineOptions } from '../pipeline/run-pipeline.js';
import { packageVersion } from './commands/version.js';

export interface DciHooks {
  onRunStart: NonNullable<PipelineOptions['onRunStart']>;
  onRunEnd: NonNullable<PipelineOptions['onRunEnd']>;
}

export async function dciHooksFromEnv(o: { envFile?: string; inventoryPath: string; bus: EventBus; secrets: SecretRegistry; io: CliIO }): Promise<DciHooks | undefined> {
  const besideInventory = join(dirname(o.inventoryPath), 'dci_credentials.yml');
  const hasEnv = Boolean(process.env.DCI_CLIENT_ID || process.env.DCI_API_SECRET || process.env.DCI_CS_URL);
  if (!o.envFile && !hasEnv && !existsSync(besideInventory)) return undefined;
  const dci = await import('../report/dci/index.js');
  const credentials = await dci.loadDciCredentials({
    envFile: o.envFile,
    credentialsFile: !o.envFile && !hasEnv ? besideInventory : undefined,
    secrets: o.secrets,
  });
  if (!credentials) return undefined;
  const version = packageVersion();
  const client = new dci.DciClient({ credentials, userAgent: `dci-agent-ts/${version}`, clientVersion: version, secrets: o.secrets });
  let reporter: Awaited<ReturnType<typeof dci.startDciJob>>['reporter'] | undefined;
  let events: ReturnType<typeof dci.createDciEventReporter> | undefined;
  let unsubscribe: (() => void) | undefined;

  const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() ? v : undefined);
  const list = (v: unknown): string[] | undefined => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : str(v) ? [String(v)] : undefined);

  return {
    async onRunStart({ runDir, vars }) {
      const spoolDir = join(runDir, 'dci-spool');
      const existingJob = str(process.env.DCI_JOB_ID);
      let jobId: string;
      let components: unknown[] = [];
      const facts: Record<string, unknown> = {};
      if (existingJob) {
        // dci-pipeline style: the job was scheduled elsewhere; we only report into it.
        reporter = dci.createDciReporter({ client, jobId: existingJob, spoolDir });
        jobId = existingJob;
      } else {
        const topic = str(vars.dci_topic);
        if (!topic) {
          const { UsageError } = await import('../core/errors.js');
          throw new UsageError('dci-no-topic', 'DCI credentials are set but dci_topic is not', { hint: 'set dci_topic (e.g. OCP-4.16) in the inventory, or unset the DCI credentials for a local-only run' });
        }
        const queries = list(vars.dci_components_by_query);
        const started = await dci.startDciJob({
          client,
          topic,
          components: queries?.length ? queries : ['ocp'],
          name: str(vars.dci_name) ?? 'ocp-install',
          tags: list(vars.dci_tags) ?? [],
          comment: str(vars.dci_comment),
          configuration: str(vars.dci_configuration),
          url: str(vars.dci_url),
          previousJobId: str(vars.dci_previous_job_id),
          spoolDir,
        });
        reporter = started.reporter;
        jobId = started.job.id;
        components = started.components;
        const release = dci.ocpReleaseFromComponents(started.components);
        if (release) {
          // Explicit inventory values win over the DCI component.
          if (vars.ocp_version === undefined) facts.ocp_version = release.version;
          if (vars.ocp_release_image === undefined && release.pullUrl) facts.ocp_release_image = release.pullUrl;
          facts.version_pull_url = release.pullUrl;
          facts.release_digest = release.digest;
          facts.build = release.build;
        }
        o.io.stderr(`DCI job ${jobId}: ${started.uiUrl}\n`);
      }
      events = dci.createDciEventReporter(reporter, { secrets: o.secrets });
      unsubscribe = o.bus.on((e) => events?.on(e));
      // The pipeline posts `new` itself on its bus; the job was already created in `new`.
      return { ...facts, job_id: jobId, dci_job_id: jobId, components };
    },
    async onRunEnd({ runDir }) {
      if (!reporter || !events) return;
      await events.idle();
      for (const [name, mime] of [['junit.xml', 'application/junit'], ['summary.json', 'application/json']] as const) {
        const path = join(runDir, name);
        if (existsSync(path)) await reporter.uploadFile(name, path, mime);
      }
      const logs = join(runDir, 'job_logs');
      if (existsSync(logs)) await reporter.uploadLogDir(logs);
      unsubscribe?.();
      const left = await events.finish();
      if (left.remaining.length) {
        // The run keeps its own exit code; the user must know the DCI job is incomplete and how to complete it.
        const states = left.remaining.filter((e) => e.kind === 'jobstate').length;
        const files = left.remaining.length - states;
        o.io.stderr(
          `DCI: ${states} job state(s) and ${files} upload(s) could not be sent to ${client.credentials.csUrl}` +
            ` (${left.remaining[0].error}); kept in ${join(runDir, 'dci-spool')}. Send them when the server answers: dci-agent-ts dci flush ${runDir}\n`,
        );
      }
      await client.close();
    },
  };
}
