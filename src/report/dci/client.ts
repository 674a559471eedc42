/**
 * The control-server client: the calls an agent run makes (dci-api.md §2), each with the duplicate-avoidance
 * rule that makes its retries safe:
 *  - GET / PUT / DELETE: idempotent. PUTs carry If-Match, so a replayed PUT whose first copy went through meets
 *    a fresh etag (404) and the read-modify-write loop re-reads and finds the change already there.
 *  - POST /jobs: the job carries a random `data.dci_agent_ts.request_id`; after an ambiguous failure the
 *    client lists this topic's recent jobs with the same name and reads their data for that id.
 *  - POST /jobstates and POST /files: after an ambiguous failure the client lists the job's newest jobstates /
 *    files and adopts a row with the same status+comment / name+size+jobstate that it has not seen before.
 *  - POST /components, /jobs/<id>/components, /jobs/<id>/kv: the server answers 409 to a duplicate, which the
 *    client resolves (find the existing component; already attached; compare and replace the value).
 */
import { randomUUID } from 'node:crypto';
import { DciApiError } from '../../core/errors.js';
import { componentQuery, type ComponentFilter } from './component-query.js';
import { DciHttp, parseDciJson, type DciHttpOptions, type DciResponse } from './http.js';
import type { DciComponent, DciFileRecord, DciIdentity, DciJob, DciJobStateRecord, DciTopic } from './types.js';
import type { JobState } from '../../core/events.js';

export type DciClientOptions = DciHttpOptions;

export interface CreateJobInput {
  topicId: string;
  components: string[];
  name?: string;
  comment?: string;
  configuration?: string;
  url?: string;
  tags?: string[];
  previousJobId?: string;
  pipelineId?: string;
  data?: Record<string, unknown>;
}

export interface CreateComponentInput {
  topicId: string;
  teamId: string;
  type: string;
  displayName: string;
  version?: string;
  uid?: string;
  url?: string;
  data?: Record<string, unknown>;
  tags?: string[];
}

export interface DciUploadInput {
  /** Look for an identical upload this client has not seen before sending (re-sending a spooled file). */
  checkFirst?: boolean;
  jobId: string;
  jobstateId?: string;
  name: string;
  mime?: string;
  data: Uint8Array;
}

/** DCI-NAME is a varchar(255) header: shorten in the middle (like the callback) and keep it a valid header. */
export function dciFileHeaderName(name: string): string {
  let clean = name.replace(/[^\x20-\x7e]/g, '_');
  if (clean.length > 255) clean = clean.slice(0, 126) + '...' + clean.slice(clean.length - 126);
  return clean;
}

/** Server timestamps are naive UTC ("2024-09-19T13:25:39.123456", fraction optional). */
export function parseDciServerTime(s: string | undefined): number {
  if (!s) return NaN;
  return Date.parse(/[zZ]|[+-]\d\d:\d\d$/.test(s) ? s : s.replace(/(\.\d{3})\d*$/, '$1') + 'Z');
}

/** Clock margin when comparing our clock with server timestamps (the server accepts ±15 min). */
const SKEW_MS = 15 * 60 * 1000;

export class DciClient {
  readonly http: DciHttp;
  /** Rows this client created or adopted: never adopted twice by a recovery. */
  private readonly knownIds = new Set<string>();

  constructor(options: DciClientOptions) {
    this.http = new DciHttp(options);
  }

  get credentials() {
    return this.http.credentials;
  }

  async close(): Promise<void> {
    await this.http.close();
  }

  private async getJson<T>(path: string, query?: Record<string, string | number | undefined>): Promise<{ body: T; res: DciResponse }> {
    const r = await this.http.send({ method: 'GET', path, query, retry: 'idempotent' });
    if (r.kind !== 'response') throw new Error('unreachable: GET cannot be recovered');
    return { body: parseDciJson<T>(r.response), res: r.response };
  }

  /**
   * One quick look (no retries, short timeout) at the API root: is the server answering again? Used while the
   * server is known to be away, so that each report does not wait for a full retry budget first.
   */
  async ping(timeoutMs = 5000): Promise<boolean> {
    try {
      const r = await this.http.send({ method: 'GET', path: '/', retry: 'idempotent', retries: 0, timeoutMs });
      return r.kind === 'response';
    } catch {
      return false;
    }
  }

  /** GET /identity: proves the credentials and clock are right. Throws DciCredentialsRejected otherwise. */
  async whoami(): Promise<DciIdentity> {
    return (await this.getJson<{ identity: DciIdentity }>('/identity')).body.identity;
  }

  /** The team of a remoteci (its only team). */
  async teamId(): Promise<string> {
    const teams = Object.keys((await this.whoami()).teams ?? {});
    if (!teams.length) throw new DciApiError('dci-no-team', `the DCI identity ${this.credentials.clientId} belongs to no team`, { hint: 'ask the DCI administrators to attach the remoteci to a team' });
    return teams[0];
  }

  async getTopicByName(name: string): Promise<DciTopic> {
    const { body } = await this.getJson<{ topics: DciTopic[] }>('/topics', { where: `name:${name}` });
    const topic = body.topics[0];
    if (!topic) {
      throw new DciApiError('dci-topic-not-found', `DCI topic '${name}' not found (or not visible to ${this.credentials.clientId})`, {
        hint: 'check dci_topic (e.g. OCP-4.16) and that the remoteci team has access to the product',
      });
    }
    return topic;
  }

  async getTopic(id: string): Promise<DciTopic> {
    return (await this.getJson<{ topic: DciTopic }>(`/topics/${id}`)).body.topic;
  }

  /** Newest (by released_at) component of the topic matching the filter, or undefined. */
  async latestComponent(topicId: string, filter: ComponentFilter): Promise<DciComponent | undefined> {
    const { body } = await this.getJson<{ components: DciComponent[] }>(`/topics/${topicId}/components`, {
      limit: 1,
      offset: 0,
      sort: '-released_at',
      query: componentQuery(filter),
    });
    return body.components[0];
  }

  async getJob(id: string): Promise<{ job: DciJob; etag: string | undefined }> {
    const { body, res } = await this.getJson<{ job: DciJob }>(`/jobs/${id}`);
    return { job: body.job, etag: res.etag ?? body.job.etag };
  }

  async listJobStates(jobId: string, limit = 50): Promise<DciJobStateRecord[]> {
    return (await this.getJson<{ jobstates: DciJobStateRecord[] }>(`/jobs/${jobId}/jobstates`, { sort: '-created_at', limit, offset: 0 })).body.jobstates;
  }

  async listJobFiles(jobId: string, limit = 50): Promise<DciFileRecord[]> {
    return (await this.getJson<{ files: DciFileRecord[] }>(`/jobs/${jobId}/files`, { sort: '-created_at', limit, offset: 0 })).body.files;
  }

  async createJob(input: CreateJobInput): Promise<DciJob> {
    const requestId = randomUUID();
    const payload: Record<string, unknown> = {
      topic_id: input.topicId,
      components: input.components,
      name: input.name,
      comment: input.comment,
      configuration: input.configuration,
      url: input.url,
      tags: input.tags,
      previous_job_id: input.previousJobId,
      pipeline_id: input.pipelineId,
      data: { ...input.data, dci_agent_ts: { request_id: requestId } },
    };
    for (const k of Object.keys(payload)) if (payload[k] === undefined) delete payload[k];
    const started = Date.now();
    const r = await this.http.send<DciJob>({
      method: 'POST',
      path: '/jobs',
      json: payload,
      retry: 'recoverable',
      recover: async () => {
        const { body } = await this.getJson<{ jobs: DciJob[] }>('/jobs', {
          where: `topic_id:${input.topicId}`,
          sort: '-created_at',
          limit: 20,
          offset: 0,
        });
        for (const j of body.jobs) {
          if ((j.name ?? '') !== (input.name ?? '') || parseDciServerTime(j.created_at) < started - SKEW_MS) continue;
          const { job } = await this.getJob(j.id);
          const marker = (job.data?.dci_agent_ts as { request_id?: string } | undefined)?.request_id;
          if (marker === requestId) return job;
        }
        return undefined;
      },
    });
    const job = r.kind === 'recovered' ? r.value : parseDciJson<{ job: DciJob }>(r.response).job;
    this.knownIds.add(job.id);
    return job;
  }

  /**
   * POST /jobstates. The server stores `failure`/`error` sent while the job is new or pre-run as an `error`
   * jobstate; the returned record shows what was stored.
   */
  async postJobState(jobId: string, status: JobState, comment?: string): Promise<DciJobStateRecord> {
    const body: Record<string, unknown> = { status, job_id: jobId };
    if (comment !== undefined) body.comment = comment;
    const r = await this.http.send<DciJobStateRecord>({
      method: 'POST',
      path: '/jobstates',
      json: body,
      retry: 'recoverable',
      recover: async () => {
        const states = await this.listJobStates(jobId, 5);
        const accepted: string[] = status === 'failure' || status === 'error' ? [status, 'error'] : [status];
        return states.find((s) => !this.knownIds.has(s.id) && accepted.includes(s.status) && (s.comment ?? null) === (comment ?? null));
      },
    });
    const rec = r.kind === 'recovered' ? r.value : parseDciJson<{ jobstate: DciJobStateRecord }>(r.response).jobstate;
    this.knownIds.add(rec.id);
    return rec;
  }

  /** POST /files with the raw bytes; metadata in DCI-* headers. Never multipart (the server would hash ""). */
  async uploadFile(input: DciUploadInput): Promise<DciFileRecord> {
    const name = dciFileHeaderName(input.name);
    const mime = input.mime ?? 'text/plain';
    const headers: Record<string, string> = { 'DCI-NAME': name, 'DCI-MIME': mime, 'DCI-JOB-ID': input.jobId };
    if (input.jobstateId) headers['DCI-JOBSTATE-ID'] = input.jobstateId;
    const recover = async () => {
      const files = await this.listJobFiles(input.jobId, 20);
      return files.find(
        (f) => !this.knownIds.has(f.id) && f.name === name && f.size === input.data.byteLength && (f.jobstate_id ?? undefined) === (input.jobstateId ?? undefined),
      );
    };
    if (input.checkFirst) {
      const existing = await recover();
      if (existing) {
        this.knownIds.add(existing.id);
        return existing;
      }
    }
    const r = await this.http.send<DciFileRecord>({
      method: 'POST',
      path: '/files',
      body: input.data,
      contentType: mime,
      headers,
      upload: true,
      retry: 'recoverable',
      recover,
    });
    const rec = r.kind === 'recovered' ? r.value : parseDciJson<{ file: DciFileRecord }>(r.response).file;
    this.knownIds.add(rec.id);
    return rec;
  }

  /**
   * Add tags to a job: GET (etag) → PUT {tags: union} with If-Match. A stale etag (404/412) means someone else
   * (or our own replayed PUT) changed the job: re-read and try again.
   */
  async addJobTags(jobId: string, tags: string[]): Promise<string[]> {
    for (let i = 0; i < 5; i++) {
      const { job, etag } = await this.getJob(jobId);
      const current = job.tags ?? [];
      const wanted = [...current, ...tags.filter((t) => t && !current.includes(t))];
      if (wanted.length === current.length) return current;
      const r = await this.http.send({
        method: 'PUT',
        path: `/jobs/${jobId}`,
        json: { tags: [...new Set(wanted)] },
        headers: { 'If-Match': etag ?? '' },
        retry: 'idempotent',
        accept: [404, 412],
      });
      if (r.kind === 'response' && r.response.status < 400) return parseDciJson<{ job: DciJob }>(r.response).job.tags ?? wanted;
    }
    throw new DciApiError('dci-tag-conflict', `could not add tags to DCI job ${jobId}: it kept changing under us`, { hint: 'retry the run; another client is updating this job' });
  }

  /** Set a job key/value: read the job's keys_values, POST if absent, DELETE+POST if the value differs. */
  async setJobKeyValue(jobId: string, key: string, value: number): Promise<void> {
    for (let i = 0; i < 3; i++) {
      const { job } = await this.getJob(jobId);
      const existing = (job.keys_values ?? []).find((kv) => kv.key === key);
      if (existing && existing.value === value) return;
      if (existing) await this.http.send({ method: 'DELETE', path: `/jobs/${jobId}/kv`, json: { key }, retry: 'idempotent', accept: [404] });
      const r = await this.http.send({ method: 'POST', path: `/jobs/${jobId}/kv`, json: { key, value }, retry: 'idempotent', accept: [409] });
      if (r.kind === 'response' && r.response.status !== 409) return;
    }
    throw new DciApiError('dci-kv-conflict', `could not set key '${key}' on DCI job ${jobId}`, { hint: 'retry the run; another client is updating this job' });
  }

  /**
   * Create a component (pruned catalogs, installer builds…). A 409 means the same active
   * display_name/type/version already exists for the team and topic: use that one.
   */
  async createComponent(input: CreateComponentInput): Promise<DciComponent> {
    const payload: Record<string, unknown> = {
      display_name: input.displayName,
      type: input.type,
      topic_id: input.topicId,
      team_id: input.teamId,
      state: 'active',
    };
    if (input.version !== undefined) payload.version = input.version;
    if (input.uid !== undefined) payload.uid = input.uid;
    if (input.url !== undefined) payload.url = input.url;
    if (input.data !== undefined) payload.data = input.data;
    if (input.tags !== undefined) payload.tags = input.tags;
    const r = await this.http.send({ method: 'POST', path: '/components', json: payload, retry: 'idempotent', accept: [409] });
    if (r.kind === 'response' && r.response.status !== 409) return parseDciJson<{ component: DciComponent }>(r.response).component;
    const found = await this.findComponent(input);
    if (!found) {
      throw new DciApiError('dci-component-conflict', `DCI refused component '${input.displayName}' as a duplicate but no matching component is visible`, {
        hint: 'the existing component may be inactive or owned by another team; check it in the DCI web UI',
      });
    }
    return found;
  }

  private async findComponent(input: CreateComponentInput): Promise<DciComponent | undefined> {
    const { body } = await this.getJson<{ components: DciComponent[] }>(`/topics/${input.topicId}/components`, {
      query: componentQuery({ type: input.type, activeOnly: true }),
      sort: '-created_at',
      limit: 200,
      offset: 0,
    });
    const lower = (s: string | undefined) => (s ?? '').toLowerCase();
    return body.components.find(
      (c) => lower(c.display_name ?? c.name) === lower(input.displayName) && (c.version ?? '') === (input.version ?? '') && (c.team_id ?? null) === input.teamId,
    );
  }

  /** Attach a component to a job; 409 (already attached) counts as done. */
  async attachComponent(jobId: string, componentId: string): Promise<void> {
    await this.http.send({ method: 'POST', path: `/jobs/${jobId}/components`, json: { id: componentId }, retry: 'idempotent', accept: [409] });
  }
}

