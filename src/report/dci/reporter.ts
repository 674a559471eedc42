/**
 * What the pipeline uses: `startDciJob` (identity check, topic, components, job, `new` state, tags) and a
 * per-job reporter (job states, uploads with spool fallback, tags, key/values, agent-made components). It knows
 * nothing about the engine: the pipeline calls it at stage transitions and hands it files.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DciApiError } from '../../core/errors.js';
import type { DciClient, CreateComponentInput } from './client.js';
import { parseComponentSpec, type ComponentFilter } from './component-query.js';
import { flushPendingUploads, listPendingUploads, spoolJobState, spoolUpload, type DciFlushResult, type DciSpooledEntry } from './spool.js';
import { DCI_FINAL_JOB_STATES, type DciComponent, type DciFileRecord, type DciJob, type DciJobStateRecord, type DciTopic } from './types.js';
import type { JobState } from '../../core/events.js';
import { DciCredentialsRejected, DciHttpError } from './errors.js';

export const DEFAULT_DCI_UI_URL = 'https://www.distributed-ci.io';

export function jobUiUrl(jobId: string, uiUrl = process.env.DCI_UI_URL || DEFAULT_DCI_UI_URL): string {
  return `${uiUrl.replace(/\/+$/, '')}/jobs/${jobId}/jobStates`;
}

/** MIME types as the agent's get-logs uses them; junit is the only one the server parses. */
export function dciMimeForFile(name: string): string {
  return dciLogFileKind(name)?.mime ?? 'text/plain';
}

/**
 * What get-logs does with a file of the job_logs directory: its DCI name and MIME type, or undefined for a
 * file it does not upload. JUnit `*.xml` is named after the base name without `.xml`.
 */
export function dciLogFileKind(fileName: string): { name: string; mime: string } | undefined {
  const n = fileName.toLowerCase();
  if (n.endsWith('.xml')) return { name: fileName.slice(0, -4), mime: 'application/junit' };
  if (n.endsWith('.json')) return { name: fileName, mime: 'application/json' };
  if (n.endsWith('.gz')) return { name: fileName, mime: 'application/x-gzip' };
  if (n.endsWith('.tar.xz')) return { name: fileName, mime: 'application/x-xz' };
  if (/\.(log|txt|html|yaml|trace|pcap)$/.test(n)) return { name: fileName, mime: 'text/plain' };
  return undefined;
}

const TASK_PREFIX: Record<string, string> = { failed: 'failed/', skipped: 'skipped/', unreachable: 'unreachable/', warn: 'warn/' };

/**
 * The file name the dci callback gives a task's output: `TASK [<name>]` with a `failed/`, `skipped/`,
 * `unreachable/` or `warn/` prefix; names over 255 characters are cut in the middle (role paths are long).
 */
export function dciTaskFileName(taskName: string, status: string): string {
  const name = `${TASK_PREFIX[status] ?? ''}TASK [${taskName}]`;
  if (name.length <= 255) return name;
  return name.slice(0, 126) + '...' + name.slice(name.length - 126);
}

export interface DciUploadOptions {
  mime?: string;
  /** Job-level file (kubeconfig, logs, junit) instead of attaching it to the current job state (task output). */
  jobLevel?: boolean;
}

export interface DciUploadOutcome {
  status: 'uploaded' | 'spooled';
  file?: DciFileRecord;
  spooled?: DciSpooledEntry;
}

export interface DciReporter {
  readonly jobId: string;
  /** The id of the latest job state (task outputs are attached to it). */
  readonly currentJobStateId: string | undefined;
  /** Job states posted through this reporter, in order, as the server stored them. */
  readonly states: readonly DciJobStateRecord[];
  jobState(state: JobState, comment?: string): Promise<DciJobStateRecord>;
  /**
   * For the pipeline: post a job state, or keep it in the spool when the server cannot be reached (posted in
   * order, before any later state, once it answers again). Other errors are thrown.
   */
  reportJobState(state: JobState, comment?: string): Promise<'posted' | 'kept'>;
  /** True while the server is known to be unreachable (reports are kept without waiting for retries). */
  readonly serverAway: boolean;
  uploadFile(name: string, source: string | Uint8Array, mimeOrOptions?: string | DciUploadOptions): Promise<DciUploadOutcome>;
  addTags(tags: string[]): Promise<string[]>;
  setKeyValue(key: string, value: number): Promise<void>;
  /** Create (or find, on 409) a component in the job's topic/team and attach it to the job. */
  addComponent(spec: Omit<CreateComponentInput, 'topicId' | 'teamId'>): Promise<DciComponent>;
  /**
   * Upload the files of a logs directory (the `job_logs` hook directory, junit output) as job-level files,
   * like get-logs: junit, text, json, gz, tar.xz, in name order; other files are skipped.
   */
  uploadLogDir(dir: string): Promise<DciUploadOutcome[]>;
  /** Upload one task's output like the original dci callback: `TASK [name]`, prefixed `failed/`, `skipped/`… */
  uploadTaskOutput(task: { name: string; status: string }, output: string): Promise<DciUploadOutcome>;
  /**
   * Make sure the job ends in a final state, as dci-pipeline's finaliser: if the job is not final yet, post
   * `killed` when the run was interrupted, else `failure` when the last state is `running`, else `error`.
   * Returns the job's final status.
   */
  finalize(options?: { interrupted?: boolean }): Promise<JobState>;
  flushPendingUploads(): Promise<DciFlushResult>;
  /** Flush spooled uploads; returns what is still pending (kept in the spool dir). Does not close the client. */
  close(): Promise<DciFlushResult>;
}

export interface DciReporterOptions {
  client: DciClient;
  jobId: string;
  /** Where failed uploads are kept (inside the run record). */
  spoolDir: string;
  /** Known topic/team of the job (read from the job when absent and first needed). */
  topicId?: string;
  teamId?: string;
  /** A job state already posted (e.g. by startDciJob). */
  initialJobState?: DciJobStateRecord;
  /** One-line notices (spooled uploads); no payloads. */
  log?: (line: string) => void;
}

export function createDciReporter(options: DciReporterOptions): DciReporter {
  const { client, jobId, spoolDir } = options;
  const states: DciJobStateRecord[] = options.initialJobState ? [options.initialJobState] : [];
  let topicId = options.topicId;
  let teamId = options.teamId;

  async function ensureJobFacts(): Promise<{ topicId: string; teamId: string }> {
    if (!topicId || !teamId) {
      const { job } = await client.getJob(jobId);
      topicId = job.topic_id;
      teamId = job.team_id ?? (await client.teamId());
    }
    return { topicId, teamId };
  }

  // Once a call found the server unreachable (after its retries), later reports do not each wait for a whole
  // retry budget: one quick probe tells whether it is back; until then they are kept in the spool.
  let away = false;
  let keptStates = 0;
  const isUnreachable = (e: unknown) => e instanceof DciHttpError && e.code === 'dci-unreachable';
  const flush = async (): Promise<DciFlushResult> => {
    const r = await flushPendingUploads(client, spoolDir, { jobId });
    keptStates = r.remaining.filter((x) => x.kind === 'jobstate').length;
    if (r.unreachable) away = true;
    return r;
  };
  const serverAnswers = async (): Promise<boolean> => {
    if (!away) return true;
    if (!(await client.ping())) return false;
    away = false;
    options.log?.('DCI control server answers again: sending what was kept');
    await flush();
    return !away;
  };

  const reporter: DciReporter = {
    jobId,
    get serverAway() {
      return away;
    },
    get currentJobStateId() {
      return states.at(-1)?.id;
    },
    get states() {
      return states;
    },
    async jobState(state, comment) {
      const rec = await client.postJobState(jobId, state, comment);
      states.push(rec);
      return rec;
    },
    async reportJobState(state, comment) {
      if ((await serverAnswers()) && keptStates === 0) {
        try {
          await reporter.jobState(state, comment);
          return 'posted';
        } catch (e) {
          if (!isUnreachable(e)) throw e;
          away = true;
          await spoolJobState(spoolDir, { jobId, status: state, comment, error: (e as Error).message, maybeStored: (e as DciHttpError).mayHaveReachedServer });
          keptStates++;
          options.log?.(`DCI job state '${state}' not posted (${(e as Error).message}); kept in ${spoolDir} and posted when the server answers`);
          return 'kept';
        }
      }
      // Away, or an earlier state is still kept: this one waits behind it.
      await spoolJobState(spoolDir, { jobId, status: state, comment, error: 'the DCI control server was unreachable' });
      keptStates++;
      return 'kept';
    },
    async uploadFile(name, source, mimeOrOptions) {
      const opts: DciUploadOptions = typeof mimeOrOptions === 'string' ? { mime: mimeOrOptions } : (mimeOrOptions ?? {});
      const data = typeof source === 'string' ? await readFile(source) : source;
      const mime = opts.mime ?? dciMimeForFile(typeof source === 'string' ? source : name);
      const jobstateId = opts.jobLevel ? undefined : reporter.currentJobStateId;
      try {
        if (!(await serverAnswers())) throw new DciHttpError('dci-unreachable', `the DCI control server at ${client.credentials.csUrl} is unreachable`, 0, '', { mayHaveReachedServer: false });
        const file = await client.uploadFile({ jobId, jobstateId, name, mime, data });
        return { status: 'uploaded', file };
      } catch (e) {
        // Wrong credentials are not a transient failure: surface them now.
        if (e instanceof DciCredentialsRejected) throw e;
        if (isUnreachable(e)) away = true;
        const error = e instanceof Error ? e.message : String(e);
        const maybeStored = e instanceof DciHttpError ? e.mayHaveReachedServer : true;
        const spooled = await spoolUpload(spoolDir, { jobId, jobstateId, name, mime, error, maybeStored, spooledAt: new Date().toISOString() }, data);
        options.log?.(`DCI upload of '${name}' failed (${error}); kept in ${spooled.dataPath} and retried at the end of the run`);
        return { status: 'spooled', spooled };
      }
    },
    addTags(tags) {
      return client.addJobTags(jobId, tags);
    },
    setKeyValue(key, value) {
      return client.setJobKeyValue(jobId, key, value);
    },
    async addComponent(spec) {
      const facts = await ensureJobFacts();
      const component = await client.createComponent({ ...spec, ...facts });
      await client.attachComponent(jobId, component.id);
      return component;
    },
    async uploadLogDir(logDir) {
      const outcomes: DciUploadOutcome[] = [];
      let entries: string[];
      try {
        entries = (await readdir(logDir, { withFileTypes: true })).filter((e) => e.isFile()).map((e) => e.name).sort();
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return outcomes;
        throw e;
      }
      for (const entry of entries) {
        const kind = dciLogFileKind(entry);
        if (kind) outcomes.push(await reporter.uploadFile(kind.name, join(logDir, entry), { mime: kind.mime, jobLevel: true }));
      }
      return outcomes;
    },
    uploadTaskOutput(task, output) {
      return reporter.uploadFile(dciTaskFileName(task.name, task.status), Buffer.from(output, 'utf8'), { mime: 'application/x-ansible-output' });
    },
    async finalize(opts = {}) {
      const { job } = await client.getJob(jobId);
      if (isFinalDciJobState(job.status)) return job.status;
      const newest = (await client.listJobStates(jobId, 1))[0]?.status;
      const next: JobState = opts.interrupted ? 'killed' : newest === 'running' ? 'failure' : 'error';
      const rec = await reporter.jobState(next, next);
      return rec.status;
    },
    flushPendingUploads() {
      return flush();
    },
    async close() {
      // Still away: one probe instead of a whole retry budget; what is kept stays for `dci flush`.
      if (away && !(await client.ping())) return { uploaded: 0, jobStates: 0, remaining: await listPendingUploads(spoolDir, jobId), unreachable: true };
      return flush();
    },
  };
  return reporter;
}

export interface StartDciJobOptions {
  client: DciClient;
  /** Topic name, e.g. `OCP-4.16`. */
  topic: string;
  /** Component specs (`ocp`, `ocp=4.16.3`, `ocp?tags:build:ga&name:4.16.3`) or filters. Default: `['ocp']`. */
  components?: Array<string | ComponentFilter>;
  name?: string;
  tags?: string[];
  comment?: string;
  configuration?: string;
  url?: string;
  previousJobId?: string;
  data?: Record<string, unknown>;
  spoolDir: string;
  log?: (line: string) => void;
}

export interface StartedDciJob {
  job: DciJob;
  topic: DciTopic;
  components: DciComponent[];
  reporter: DciReporter;
  uiUrl: string;
}

/**
 * Schedule a DCI job the way dci-pipeline does: identity (fails fast with "DCI rejected the credentials"),
 * topic by name, one component per spec (newest released first), POST /jobs, `new` job state ("job
 * scheduled"), tags.
 */
export async function startDciJob(options: StartDciJobOptions): Promise<StartedDciJob> {
  const { client } = options;
  const identity = await client.whoami();
  const teamId = Object.keys(identity.teams ?? {})[0];
  const topic = await client.getTopicByName(options.topic);
  const components: DciComponent[] = [];
  for (const spec of options.components ?? ['ocp']) {
    const filter = typeof spec === 'string' ? parseComponentSpec(spec) : spec;
    const found = await client.latestComponent(topic.id, filter);
    if (!found) {
      throw new DciApiError('dci-component-not-found', `no DCI component matches '${typeof spec === 'string' ? spec : JSON.stringify(spec)}' in topic ${topic.name}`, {
        hint: 'check the version/tags you asked for (e.g. ocp?tags:build:ga) against the components of the topic in the DCI web UI',
      });
    }
    components.push(found);
  }
  const job = await client.createJob({
    topicId: topic.id,
    components: components.map((c) => c.id),
    name: options.name,
    comment: options.comment,
    configuration: options.configuration,
    url: options.url,
    previousJobId: options.previousJobId,
    data: options.data,
  });
  const reporter = createDciReporter({ client, jobId: job.id, spoolDir: options.spoolDir, topicId: topic.id, teamId: job.team_id ?? teamId, log: options.log });
  await reporter.jobState('new', 'job scheduled');
  if (options.tags?.length) job.tags = await reporter.addTags(options.tags);
  job.components = components;
  return { job, topic, components, reporter, uiUrl: jobUiUrl(job.id) };
}

export function isFinalDciJobState(state: JobState): boolean {
  return DCI_FINAL_JOB_STATES.includes(state);
}

/** What the mirror and install stages need from the job's `ocp` component (explicit inventory values win). */
export interface DciOcpRelease {
  version: string;
  pullUrl?: string;
  digest?: string;
  url?: string;
  /** The raw `build:<x>` tag value (ga, candidate, dev, nightly). */
  buildTag?: string;
  /** The agent's `build`: the build tag with candidate mapped to ga. */
  build?: string;
  tags: string[];
  componentId: string;
}

export function ocpReleaseFromComponents(components: DciComponent[]): DciOcpRelease | undefined {
  const c = components.find((x) => x.type === 'ocp');
  if (!c) return undefined;
  const data = c.data ?? {};
  const digest = Array.isArray(data.digest) ? data.digest[0] : data.digest;
  const buildTag = c.tags?.find((t) => t.startsWith('build:'))?.slice('build:'.length);
  return {
    version: c.version ?? c.name,
    pullUrl: typeof data.pull_url === 'string' ? data.pull_url : undefined,
    digest: typeof digest === 'string' ? digest : undefined,
    url: c.url || undefined,
    buildTag,
    build: buildTag === 'candidate' ? 'ga' : buildTag,
    tags: c.tags ?? [],
    componentId: c.id,
  };
}
