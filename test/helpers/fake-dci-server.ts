/**
 * A faithful fake of the DCI control server (dci-api.md §1.4, §3, §6) on 127.0.0.1 with a random port.
 * Every request except `GET /api/v1/` is verified with the server's own HMAC rules (same code path the real
 * server uses: 4-token Authorization, 6-part credential, raw signed header values, decoded args with first value
 * winning and blanks kept, empty body for form types, ±15 min skew → 400 expired, 400 invalid, 401 unknown).
 * It stores identity, topics, components, jobs, jobstates, files (raw bytes + headers), tags and key/values,
 * enforces If-Match (412 missing / 404 stale), answers 409 to duplicate components, attachments and keys, keeps
 * the quirks the client must cope with (create responses without components, failure-in-pre-run stored as error,
 * etag rotation on jobstate/file/kv but not on attachment), and can inject 5xx (before or after committing),
 * slow responses and "go away" (listener closed: connection refused).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { randomBytes, randomUUID } from 'node:crypto';
import { verifySignature } from '../../src/report/dci/verify.js';

type Row = Record<string, unknown> & { id: string };

export interface StoredFile extends Row {
  name: string;
  mime: string | null;
  size: number;
  job_id: string;
  jobstate_id: string | null;
  content: Buffer;
  /** The request headers that carried the metadata (lower-case names). */
  requestHeaders: Record<string, string>;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: string;
  headers: Record<string, string>;
  bodySize: number;
  status: number;
  /** Why the server refused the signature, when it did. */
  authError?: string;
  injected?: string;
}

export interface Fault {
  method?: string;
  /** Path (under /api/v1) prefix or regexp. */
  path?: string | RegExp;
  /** How many matching requests it applies to (default 1). */
  times?: number;
  status?: number;
  /** Process the request (write the row) and then answer `status` anyway: a lost response. */
  afterCommit?: boolean;
  delayMs?: number;
  retryAfter?: number;
}

export interface FakeDciOptions {
  /** The server clock (default: real time). */
  now?: () => Date;
  maxUploadBytes?: number;
}

export interface FakeDciServer {
  /** Base URL to use as DCI_CS_URL, e.g. http://127.0.0.1:40123 */
  url: string;
  port: number;
  clientId: string;
  secret: string;
  teamId: string;
  topic: Row;
  ocpComponent: Row;
  db: {
    topics: Row[];
    components: Row[];
    jobs: Map<string, Row>;
    jobstates: Row[];
    files: StoredFile[];
    results: Row[];
    attachments: Array<{ job_id: string; component_id: string }>;
    kv: Array<{ job_id: string; key: string; value: number }>;
    pipelines: Row[];
  };
  /** Every request received, in order, with its answer status (and why auth failed, if it did). */
  requests: RecordedRequest[];
  /** DCI_CLIENT_ID / DCI_API_SECRET / DCI_CS_URL for a child process (e.g. runCli env). */
  credentialsEnv(): Record<string, string>;
  /** Queue a fault for the next matching request(s). */
  inject(fault: Fault): void;
  addComponent(fields: Partial<Row> & { type: string; name: string }): Row;
  /** Deactivate the remoteci (→ 401 identity does not exists). */
  setIdentityActive(active: boolean): void;
  /** Stop listening and drop connections: clients get ECONNREFUSED. */
  goAway(): Promise<void>;
  comeBack(): Promise<void>;
  jobStatesOf(jobId: string): Row[];
  filesOf(jobId: string): StoredFile[];
  close(): Promise<void>;
}

const ALLOWED_LIST_PARAMS = new Set(['limit', 'offset', 'sort', 'where', 'query', 'created_after', 'updated_after', 'embed']);
const STATUSES = ['new', 'pre-run', 'running', 'post-run', 'success', 'failure', 'killed', 'error'];

function isoNaive(d: Date): string {
  // Python isoformat of a naive UTC datetime: microseconds, no Z.
  return d.toISOString().replace('Z', '000');
}
function etag(): string {
  return randomBytes(16).toString('hex');
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly payload: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

function malformed(error: string): HttpError {
  return new HttpError(400, 'Request malformed', { errors: [error], error });
}

/** CSV split with "…" quoting, like Python's csv module for one line. */
function splitCsv(s: string): string[] {
  const out: string[] = [];
  let cur = '';
  let q = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (q) {
      if (c === '"' && s[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (c === '"') q = false;
      else cur += c;
    } else if (c === '"') q = true;
    else if (c === ',') {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

type Pred = (row: Row) => boolean;

function compareValues(a: unknown, b: string): number {
  const x = String(a ?? '');
  return x < b ? -1 : x > b ? 1 : 0;
}

function likeToRegExp(pattern: string, flags: string): RegExp {
  const esc = pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/%/g, '.*').replace(/_/g, '.');
  return new RegExp(`^${esc}$`, flags);
}

/** The `query` DSL: and/or/not, eq/ne/lt/le/gt/ge/like/ilike/contains/not_contains/null. */
function parseQueryDsl(src: string, columns: Set<string>): Pred {
  let pos = 0;
  const fail = (): never => {
    throw malformed(`query: '${src}' is not a valid query`);
  };
  const ident = (): string => {
    const m = /^[A-Za-z0-9_]+/.exec(src.slice(pos));
    if (!m) fail();
    pos += (m as RegExpExecArray)[0].length;
    return (m as RegExpExecArray)[0];
  };
  const expect = (c: string) => {
    if (src[pos] !== c) fail();
    pos++;
  };
  const value = (): string => {
    const m = /^[A-Za-z0-9_\- %.:/]*/.exec(src.slice(pos)) as RegExpExecArray;
    pos += m[0].length;
    return m[0];
  };
  const field = (): string => {
    const f = ident();
    if (!columns.has(f)) throw new HttpError(400, 'Request malformed', { error: `Invalid query key: ${f}`, 'Valid where keys': [...columns] });
    return f;
  };
  const expr = (): Pred => {
    const op = ident();
    expect('(');
    let p: Pred;
    if (op === 'and' || op === 'or') {
      const subs = [expr()];
      while (src[pos] === ',') {
        pos++;
        subs.push(expr());
      }
      p = op === 'and' ? (r) => subs.every((s) => s(r)) : (r) => subs.some((s) => s(r));
    } else if (op === 'not') {
      const sub = expr();
      p = (r) => !sub(r);
    } else if (op === 'null') {
      const f = field();
      p = (r) => r[f] === null || r[f] === undefined;
    } else {
      const f = field();
      expect(',');
      const v = value();
      const ops: Record<string, Pred> = {
        eq: (r) => String(r[f] ?? '') === v,
        ne: (r) => String(r[f] ?? '') !== v,
        lt: (r) => compareValues(r[f], v) < 0,
        le: (r) => compareValues(r[f], v) <= 0,
        gt: (r) => compareValues(r[f], v) > 0,
        ge: (r) => compareValues(r[f], v) >= 0,
        like: (r) => likeToRegExp(v, '').test(String(r[f] ?? '')),
        ilike: (r) => likeToRegExp(v, 'i').test(String(r[f] ?? '')),
        contains: (r) => Array.isArray(r[f]) && (r[f] as unknown[]).includes(v),
        not_contains: (r) => !(Array.isArray(r[f]) && (r[f] as unknown[]).includes(v)),
      };
      p = ops[op] ?? fail();
    }
    expect(')');
    return p;
  };
  const p = expr();
  if (pos !== src.length) fail();
  return p;
}

function parseWhere(where: string, columns: Set<string>): Pred {
  const preds: Pred[] = [];
  for (const cond of splitCsv(where)) {
    const c = cond.indexOf(':');
    if (c <= 0) throw malformed(`where: '${cond}' is not a 'key value csv'`);
    const key = cond.slice(0, c);
    const value = cond.slice(c + 1);
    if (['api_secret', 'data', 'password', 'cert_fp'].includes(key) || !columns.has(key)) {
      throw new HttpError(400, 'Request malformed', { error: `Invalid where key: ${key}`, 'Valid where keys': [...columns] });
    }
    preds.push((r) => {
      const v = r[key];
      if (value === '') return v === null || v === undefined;
      if (Array.isArray(v)) return v.includes(value);
      const left = String(v ?? '').toLowerCase();
      const right = value.toLowerCase();
      return right.endsWith('*') ? left.includes(right.slice(0, -1)) : left === right;
    });
  }
  return (r) => preds.every((p) => p(r));
}

function parseAfter(v: string): number {
  if (/^\d+$/.test(v)) return Number(v);
  const t = Date.parse(v + 'Z');
  if (Number.isNaN(t)) throw malformed(`created_after: '${v}' is not a date`);
  return t;
}

function listRows(rows: Row[], params: URLSearchParams, defaultSort: string, plural: string): { status: number; body: unknown } {
  for (const k of params.keys()) if (!ALLOWED_LIST_PARAMS.has(k)) throw malformed(`Additional properties are not allowed ('${k}' was unexpected)`);
  if (params.has('limit') !== params.has('offset')) throw malformed(params.has('limit') ? "'offset' is a dependency of 'limit'" : "'limit' is a dependency of 'offset'");
  const columns = new Set<string>();
  for (const r of rows) for (const k of Object.keys(r)) columns.add(k);
  for (const k of ['id', 'name', 'type', 'version', 'tags', 'state', 'created_at', 'status', 'topic_id', 'display_name', 'uid', 'team_id', 'job_id', 'jobstate_id']) columns.add(k);
  let out = rows.slice();
  const where = params.get('where');
  const query = params.get('query');
  if (where !== null) out = out.filter(parseWhere(where, columns));
  else if (query !== null) out = out.filter(parseQueryDsl(query, columns));
  const after = params.get('created_after');
  if (after !== null) {
    const t = parseAfter(after);
    out = out.filter((r) => Date.parse(String(r.created_at) + 'Z') >= t);
  }
  const sortKeys = (params.get('sort') ?? defaultSort).split(',');
  for (const k of sortKeys) if (!columns.has(k.replace(/^-/, ''))) throw new HttpError(400, 'Request malformed', { error: `Invalid sort key: ${k}`, 'Valid sort keys': [...columns] });
  out = out
    .map((r, i) => ({ r, i: rows.indexOf(r) ?? i }))
    .sort((a, b) => {
      for (const k of sortKeys) {
        const desc = k.startsWith('-');
        const f = k.replace(/^-/, '');
        const c = compareValues(a.r[f], String(b.r[f] ?? ''));
        if (c) return desc ? -c : c;
      }
      // Same timestamp: creation order, in the requested direction.
      return sortKeys[0].startsWith('-') ? b.i - a.i : a.i - b.i;
    })
    .map((x) => x.r);
  const count = out.length;
  const limit = Math.min(Number(params.get('limit') ?? 20), 200);
  const offset = Number(params.get('offset') ?? 0);
  return { status: 200, body: { [plural]: out.slice(offset, offset + limit), _meta: { count } } };
}

/** Stream-free JUnit summary, as the server computes it (suite counts recomputed from test cases). */
function parseJunit(xml: string): { total: number; success: number; failures: number; errors: number; skips: number; time: number } {
  if (!/<\w/.test(xml)) return { total: 0, success: 0, failures: 0, errors: 0, skips: 0, time: 0 };
  if (!/^\s*(<\?xml[^>]*\?>\s*)?<[A-Za-z]/.test(xml) || (xml.match(/</g) ?? []).length === 0) throw new HttpError(400, 'Invalid XML: syntax error');
  const res = { total: 0, success: 0, failures: 0, errors: 0, skips: 0, time: 0 };
  const re = /<testcase\b([^>]*?)(\/>|>([\s\S]*?)<\/testcase>)/g;
  let m: RegExpExecArray | null;
  let time = 0;
  while ((m = re.exec(xml))) {
    res.total++;
    const t = /\btime="([^"]*)"/.exec(m[1]);
    time += t ? Number(t[1]) || 0 : 0;
    const inner = m[3] ?? '';
    const tags = [...inner.matchAll(/<(skipped|error|failure)\b/g)].map((x) => x[1]);
    const action = tags.at(-1) ?? 'success';
    if (action === 'success') res.success++;
    else if (action === 'failure') res.failures++;
    else if (action === 'error') res.errors++;
    else res.skips++;
  }
  res.time = Math.round(time);
  return res;
}

export async function startFakeDciServer(options: FakeDciOptions = {}): Promise<FakeDciServer> {
  const now = options.now ?? (() => new Date());
  const maxUpload = options.maxUploadBytes ?? 20 * 1024 * 1024;
  const remoteciId = randomUUID();
  const secret = randomBytes(48).toString('base64').replace(/[^A-Za-z0-9]/g, '').slice(0, 64);
  const teamId = randomUUID();
  let identityActive = true;
  const stamp = () => isoNaive(now());

  const topic: Row = {
    id: randomUUID(),
    name: 'OCP-4.16',
    component_types: ['ocp'],
    component_types_optional: [],
    export_control: true,
    state: 'active',
    product_id: randomUUID(),
    next_topic_id: null,
    data: { pull_secret: { auths: { 'quay.io': { auth: 'ZmFrZTpmYWtl' } } } },
    created_at: stamp(),
    updated_at: stamp(),
    etag: etag(),
  };
  const db: FakeDciServer['db'] = { topics: [topic], components: [], jobs: new Map(), jobstates: [], files: [], results: [], attachments: [], kv: [], pipelines: [] };
  const requests: RecordedRequest[] = [];
  const faults: Array<Fault & { left: number }> = [];

  function addComponent(fields: Partial<Row> & { type: string; name: string }): Row {
    const c: Row = {
      id: randomUUID(),
      created_at: stamp(),
      updated_at: stamp(),
      released_at: stamp(),
      etag: etag(),
      display_name: fields.name,
      version: '',
      uid: '',
      url: '',
      title: '',
      message: '',
      canonical_project_name: '',
      data: {},
      tags: [],
      state: 'active',
      topic_id: topic.id,
      team_id: null,
      ...fields,
    };
    db.components.push(c);
    return c;
  }
  // Seeded: an older GA, the newest GA, and a newer candidate (so tag filtering matters).
  addComponent({ type: 'ocp', name: '4.16.2', version: '4.16.2', tags: ['build:ga'], released_at: '2024-07-01T00:00:00', data: { pull_url: 'quay.io/openshift-release-dev/ocp-release:4.16.2-x86_64', digest: ['sha256:' + '2'.repeat(64)] }, url: 'https://mirror.openshift.com/4.16.2' });
  const ocpComponent = addComponent({
    type: 'ocp',
    name: '4.16.3',
    version: '4.16.3',
    tags: ['build:ga'],
    released_at: '2024-07-15T00:00:00',
    url: 'https://mirror.openshift.com/4.16.3',
    data: { pull_url: 'quay.io/openshift-release-dev/ocp-release:4.16.3-x86_64', digest: ['sha256:' + '3'.repeat(64)] },
  });
  addComponent({ type: 'ocp', name: '4.16.4-rc.0', version: '4.16.4-rc.0', tags: ['build:candidate'], released_at: '2024-07-20T00:00:00', data: { pull_url: 'quay.io/openshift-release-dev/ocp-release:4.16.4-rc.0-x86_64' } });

  function jobView(job: Row): Row {
    const id = job.id;
    return {
      ...job,
      topic,
      remoteci: { id: remoteciId, name: 'fake-remoteci', team_id: teamId, state: 'active' },
      team: { id: teamId, name: 'fake-team', state: 'active' },
      components: db.attachments.filter((a) => a.job_id === id).map((a) => db.components.find((c) => c.id === a.component_id)),
      jobstates: db.jobstates.filter((s) => s.job_id === id),
      results: db.results.filter((r) => r.job_id === id),
      keys_values: db.kv.filter((k) => k.job_id === id),
      files: db.files.filter((f) => f.job_id === id && f.jobstate_id === null).map(fileView),
    };
  }
  function fileView(f: StoredFile): Row {
    const { content: _c, requestHeaders: _h, ...rest } = f;
    return rest;
  }
  function getJob(id: string): Row {
    const job = db.jobs.get(id);
    if (!job) throw new HttpError(404, 'job not found');
    return job;
  }
  function rotate(job: Row): void {
    job.etag = etag();
    job.updated_at = stamp();
  }
  function onlyKeys(body: Record<string, unknown>, allowed: string[]): void {
    for (const k of Object.keys(body)) if (!allowed.includes(k)) throw malformed(`Additional properties are not allowed ('${k}' was unexpected)`);
  }
  function jsonBody(req: IncomingMessage, raw: Buffer): Record<string, unknown> {
    if (!(req.headers['content-type'] ?? '').startsWith('application/json')) throw malformed('None is not of type object');
    try {
      const v = JSON.parse(raw.toString('utf8')) as unknown;
      if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error();
      return v as Record<string, unknown>;
    } catch {
      throw malformed('body is not a JSON object');
    }
  }
  function ifMatch(req: IncomingMessage, row: Row, what: string): void {
    const m = req.headers['if-match'];
    if (m === undefined) throw new HttpError(412, "'If-match' header must be provided");
    if (m !== row.etag) throw new HttpError(404, `${what} not found`);
  }

  function createJob(req: IncomingMessage, b: Record<string, unknown>, comps: string[]): Row {
    if (b.url !== undefined && b.url !== '' && b.url !== null && !/^https?:\/\//.test(String(b.url))) throw malformed(`url: '${String(b.url)}' does not match`);
    const t = db.topics.find((x) => x.id === b.topic_id);
    if (!t) throw new HttpError(404, 'topic not found');
    if (t.state !== 'active') throw new HttpError(412, `Topic ${t.id}:${String(t.name)} not active.`);
    if (b.previous_job_id && !db.jobs.has(String(b.previous_job_id))) throw new HttpError(404, 'job not found');
    if (new Set(comps).size !== comps.length) throw new HttpError(409, 'Unable to associate component to job');
    for (const cid of comps) {
      const c = db.components.find((x) => x.id === cid);
      if (!c) throw new HttpError(404, 'component not found');
      if (c.team_id !== null && c.team_id !== teamId) throw new HttpError(401, 'Operation not authorized.');
    }
    const job: Row = {
      comment: '',
      status_reason: '',
      configuration: '',
      name: '',
      url: '',
      tags: [],
      data: {},
      previous_job_id: null,
      update_previous_job_id: null,
      pipeline_id: null,
      state: 'active',
      ...b,
      id: randomUUID(),
      created_at: stamp(),
      updated_at: stamp(),
      etag: etag(),
      status: 'new',
      remoteci_id: remoteciId,
      team_id: teamId,
      product_id: t.product_id,
      topic_id: t.id,
      duration: 0,
      user_agent: String(req.headers['user-agent'] ?? '').slice(0, 255),
      client_version: String(req.headers['client-version'] ?? '').slice(0, 255),
    };
    job.tags = ((job.tags as string[]) ?? []).filter((x) => x && x.trim());
    db.jobs.set(job.id, job);
    for (const cid of comps) db.attachments.push({ job_id: job.id, component_id: cid });
    return job;
  }

  type Reply = { status: number; body?: unknown; headers?: Record<string, string>; raw?: Buffer };

  function route(req: IncomingMessage, path: string, params: URLSearchParams, raw: Buffer): Reply {
    const m = req.method ?? 'GET';
    const seg = path.replace(/\/+$/, '').split('/').filter(Boolean);
    const [r0, r1, r2] = seg;
    if (m === 'GET' && r0 === 'identity' && !r1) {
      return { status: 200, body: { identity: { id: remoteciId, etag: null, name: null, fullname: null, email: null, timezone: null, teams: { [teamId]: { team_name: 'fake-team', state: 'active', has_pre_release_access: false } } } } };
    }
    if (r0 === 'topics') {
      if (m === 'GET' && !r1) return listRows(db.topics, params, '-created_at', 'topics');
      const t = db.topics.find((x) => x.id === r1);
      if (!t) throw new HttpError(404, 'topic not found');
      if (m === 'GET' && !r2) return { status: 200, body: { topic: t }, headers: { ETag: String(t.etag) } };
      if (m === 'GET' && r2 === 'components') {
        const visible = db.components.filter((c) => c.topic_id === t.id && c.state !== 'archived' && (c.team_id === null || c.team_id === teamId));
        return listRows(visible, params, '-released_at', 'components');
      }
    }
    if (r0 === 'components') {
      if (m === 'POST' && !r1) {
        const b = jsonBody(req, raw);
        onlyKeys(b, ['type', 'topic_id', 'name', 'display_name', 'version', 'uid', 'url', 'title', 'message', 'canonical_project_name', 'data', 'tags', 'state', 'released_at', 'team_id']);
        if (typeof b.type !== 'string' || typeof b.topic_id !== 'string') throw malformed("'type' and 'topic_id' are required properties");
        if ((b.name === undefined) === (b.display_name === undefined) || b.name === '' || b.display_name === '') throw malformed('exactly one of name / display_name is required');
        if (b.team_id !== teamId) throw new HttpError(401, 'Operation not authorized.');
        if (!db.topics.some((x) => x.id === b.topic_id)) throw new HttpError(404, 'topic not found');
        const displayName = String(b.display_name ?? b.name);
        const type = b.type.toLowerCase();
        const version = String(b.version ?? '');
        const dup = db.components.find((c) => c.state === 'active' && c.display_name === displayName && c.topic_id === b.topic_id && c.type === type && c.version === version && c.team_id === b.team_id);
        if (dup) throw new HttpError(409, 'We are unable to create this resource. A similar resource already exists.');
        const { released_at: _r, ...created } = addComponent({ ...(b as Row), type, name: displayName, display_name: displayName, version });
        return { status: 201, body: { component: created }, headers: { ETag: String(created.etag) } };
      }
      const c = db.components.find((x) => x.id === r1);
      if (!c) throw new HttpError(404, 'component not found');
      if (m === 'GET' && !r2) return { status: 200, body: { component: c }, headers: { ETag: String(c.etag) } };
      if (m === 'PUT' && !r2) {
        ifMatch(req, c, 'component');
        const b = jsonBody(req, raw);
        for (const k of ['name', 'title', 'message', 'canonical_project_name', 'display_name', 'version', 'url', 'type', 'topic_id', 'state', 'data', 'tags', 'released_at']) if (k in b) c[k] = b[k];
        rotate(c);
        return { status: 200, body: { component: c }, headers: { ETag: String(c.etag) } };
      }
    }
    if (r0 === 'jobs') {
      if (m === 'POST' && !r1) {
        const b = jsonBody(req, raw);
        onlyKeys(b, ['components', 'topic_id', 'comment', 'status_reason', 'configuration', 'name', 'url', 'tags', 'data', 'previous_job_id', 'update_previous_job_id', 'pipeline_id', 'state', 'remoteci_id', 'team_id']);
        if (!Array.isArray(b.components)) throw malformed("'components' is a required property");
        const { components, ...sent } = b;
        const job = createJob(req, sent, components as string[]);
        return { status: 201, body: { job }, headers: { ETag: String(job.etag) } };
      }
      if (m === 'POST' && r1 === 'schedule') {
        const b = jsonBody(req, raw);
        onlyKeys(b, ['topic_id', 'components_ids', 'comment', 'configuration', 'name', 'url', 'previous_job_id', 'pipeline_id', 'tags', 'data', 'state']);
        if (typeof b.topic_id !== 'string') throw malformed("'topic_id' is a required property");
        const t = db.topics.find((x) => x.id === b.topic_id);
        if (!t) throw new HttpError(404, 'topic not found');
        const types = (t.component_types as string[]) ?? [];
        let comps = (b.components_ids as string[] | undefined) ?? [];
        if (comps.length === 0) {
          // The newest (created_at) active, team-less component of each of the topic's types.
          comps = types.map((type) => {
            const c = db.components.filter((x) => x.topic_id === t.id && x.type === type && x.state === 'active' && x.team_id === null).sort((x, y) => compareValues(y.created_at, String(x.created_at)) || db.components.indexOf(y) - db.components.indexOf(x))[0];
            if (!c) throw new HttpError(412, `Component of type "${type}" not found or not exported.`);
            return c.id;
          });
        } else if (comps.length !== types.length) throw new HttpError(412, 'The number of components does not match the topic component types.');
        const { components_ids: _ids, ...sent } = b;
        const job = createJob(req, sent, comps);
        // The schedule response echoes null for the fields that were not sent.
        const echoed: Row = { ...job };
        for (const k of ['comment', 'configuration', 'name', 'url', 'previous_job_id', 'pipeline_id']) if (!(k in b)) echoed[k] = null;
        return { status: 201, body: { job: echoed }, headers: { ETag: String(job.etag) } };
      }
      if (m === 'GET' && !r1) {
        const list = [...db.jobs.values()].filter((j) => j.state !== 'archived').map((j) => {
          const { data: _d, ...rest } = jobView(j);
          return rest as Row;
        });
        return listRows(list, params, '-created_at', 'jobs');
      }
      const job = getJob(r1);
      if (m === 'GET' && !r2) return { status: 200, body: { job: jobView(job) }, headers: { ETag: String(job.etag) } };
      if (m === 'PUT' && !r2) {
        ifMatch(req, job, 'job');
        const b = jsonBody(req, raw);
        for (const k of ['comment', 'status', 'state', 'tags', 'status_reason', 'configuration', 'name', 'url']) if (k in b) job[k] = b[k];
        rotate(job);
        return { status: 200, body: { job: jobView(job) }, headers: { ETag: String(job.etag) } };
      }
      if (r2 === 'components') {
        if (m === 'GET') return listRows(jobView(job).components as Row[], params, '-created_at', 'components');
        if (m === 'POST') {
          const b = jsonBody(req, raw);
          onlyKeys(b, ['id']);
          const c = db.components.find((x) => x.id === b.id);
          if (!c) throw new HttpError(404, 'component not found');
          if (c.team_id !== null && c.team_id !== teamId) throw new HttpError(401, 'Operation not authorized.');
          if (db.attachments.some((a) => a.job_id === job.id && a.component_id === c.id)) throw new HttpError(409, `Unable to associate component ${c.id} to job ${job.id}`);
          db.attachments.push({ job_id: job.id, component_id: c.id });
          return { status: 201, raw: Buffer.alloc(0) };
        }
        if (m === 'DELETE' && seg[3]) {
          db.attachments = db.attachments.filter((a) => !(a.job_id === job.id && a.component_id === seg[3]));
          // 201 (sic) with an empty body, as the real server.
          return { status: 201, raw: Buffer.alloc(0) };
        }
      }
      if (r2 === 'kv') {
        const b = jsonBody(req, raw);
        if (m === 'POST') {
          onlyKeys(b, ['key', 'value']);
          if (typeof b.key !== 'string' || typeof b.value !== 'number') throw malformed("'key' (string) and 'value' (number) are required");
          if (db.kv.some((k) => k.job_id === job.id && k.key === b.key)) throw new HttpError(409, 'We are unable to create this resource. A similar resource already exists.');
          const kv = { job_id: job.id, key: b.key, value: b.value };
          db.kv.push(kv);
          rotate(job);
          return { status: 201, body: { kv } };
        }
        if (m === 'DELETE') {
          onlyKeys(b, ['key']);
          db.kv = db.kv.filter((k) => !(k.job_id === job.id && k.key === b.key));
          rotate(job);
          return { status: 204, raw: Buffer.alloc(0) };
        }
      }
      if (m === 'GET' && r2 === 'jobstates') {
        const states = db.jobstates.filter((s) => s.job_id === job.id).map((s) => ({ ...s, files: db.files.filter((f) => f.jobstate_id === s.id).map(fileView) }));
        return listRows(states, params, '-created_at', 'jobstates');
      }
      if (m === 'GET' && r2 === 'files') return listRows(db.files.filter((f) => f.job_id === job.id).map(fileView), params, '-created_at', 'files');
      if (m === 'GET' && r2 === 'results') return listRows(db.results.filter((x) => x.job_id === job.id), params, '-created_at', 'results');
    }
    if (r0 === 'pipelines') {
      if (m === 'POST' && !r1) {
        const b = jsonBody(req, raw);
        onlyKeys(b, ['name', 'team_id', 'state']);
        if (typeof b.name !== 'string' || typeof b.team_id !== 'string') throw malformed("'name' and 'team_id' are required properties");
        if (b.team_id !== teamId) throw new HttpError(401, 'Operation not authorized.');
        const p: Row = { id: randomUUID(), created_at: stamp(), updated_at: stamp(), etag: etag(), name: b.name, team_id: b.team_id, state: b.state ?? 'active' };
        db.pipelines.push(p);
        return { status: 201, body: { pipeline: p } };
      }
      const p = db.pipelines.find((x) => x.id === r1);
      if (!p) throw new HttpError(404, 'pipeline not found');
      if (m === 'GET' && !r2) return { status: 200, body: { pipeline: p } };
      if (m === 'GET' && r2 === 'jobs') return listRows([...db.jobs.values()].filter((j) => j.pipeline_id === p.id), params, '-created_at', 'jobs');
    }
    if (r0 === 'jobstates') {
      if (m === 'POST' && !r1) {
        const b = jsonBody(req, raw);
        onlyKeys(b, ['status', 'job_id', 'comment']);
        if (typeof b.status !== 'string' || typeof b.job_id !== 'string') throw malformed("'status' and 'job_id' are required properties");
        if (!STATUSES.includes(b.status)) throw new HttpError(400, 'We are unable to create this resource. Please contact a DCI administrator.');
        const job = getJob(b.job_id);
        let stored = b.status;
        if ((b.status === 'failure' || b.status === 'error') && (job.status === 'new' || job.status === 'pre-run')) stored = 'error';
        const js: Row = { id: randomUUID(), created_at: stamp(), status: stored, comment: (b.comment as string | null | undefined) ?? null, job_id: job.id };
        db.jobstates.push(js);
        job.status = b.status;
        job.duration = Math.round((now().getTime() - Date.parse(String(job.created_at) + 'Z')) / 1000);
        rotate(job);
        return { status: 201, body: { jobstate: js } };
      }
      const js = db.jobstates.find((s) => s.id === r1);
      if (m === 'GET' && js) return { status: 200, body: { jobstate: { ...js, files: db.files.filter((f) => f.jobstate_id === js.id).map(fileView) } } };
      throw new HttpError(404, 'jobstate not found');
    }
    if (r0 === 'files') {
      if (m === 'POST' && !r1) {
        const h = req.headers;
        const name = h['dci-name'];
        if (typeof name !== 'string') throw new HttpError(400, 'HTTP header DCI-NAME must be specified');
        const jobstateId = typeof h['dci-jobstate-id'] === 'string' ? h['dci-jobstate-id'] : null;
        let jobId = typeof h['dci-job-id'] === 'string' ? h['dci-job-id'] : null;
        if (!jobId && !jobstateId) throw new HttpError(400, 'HTTP header DCI-JOBSTATE-ID or DCI-JOB-ID must be specified');
        if (jobstateId) {
          const js = db.jobstates.find((s) => s.id === jobstateId);
          if (!js) throw new HttpError(404, 'jobstate not found');
          jobId = jobId ?? String(js.job_id);
        }
        const job = getJob(String(jobId));
        if (raw.length > maxUpload) return { status: 413, raw: Buffer.from('<html><title>413 Request Entity Too Large</title></html>'), headers: { 'Content-Type': 'text/html' } };
        const ct = String(h['content-type'] ?? '');
        const content = ct.startsWith('multipart/form-data') || ct.startsWith('application/x-www-form-urlencoded') ? Buffer.alloc(0) : raw;
        const requestHeaders: Record<string, string> = {};
        for (const [k, v] of Object.entries(h)) if ((k.startsWith('dci-') || k === 'content-type') && typeof v === 'string') requestHeaders[k] = v;
        const mime = typeof h['dci-mime'] === 'string' ? h['dci-mime'] : null;
        const f: StoredFile = { id: randomUUID(), name, mime, md5: null, size: content.length, state: 'active', jobstate_id: jobstateId, job_id: job.id, team_id: teamId, created_at: stamp(), updated_at: stamp(), etag: etag(), content, requestHeaders };
        db.files.push(f);
        rotate(job);
        if (mime === 'application/junit') {
          const sum = parseJunit(content.toString('utf8'));
          db.results.push({ id: randomUUID(), name, filename: name, ...sum, regressions: 0, successfixes: 0, job_id: job.id, file_id: f.id, created_at: stamp() });
        }
        return { status: 201, body: { file: fileView(f) } };
      }
      const f = db.files.find((x) => x.id === r1);
      if (!f) throw new HttpError(404, 'file not found');
      if (m === 'GET' && !r2) return { status: 200, body: { file: fileView(f) } };
      if (m === 'GET' && r2 === 'content') return { status: 200, raw: f.content, headers: { 'Content-Type': f.mime ?? 'application/octet-stream' } };
    }
    // Flask answers unknown routes with an HTML 404.
    return { status: 404, raw: Buffer.from('<html><title>404 Not Found</title></html>'), headers: { 'Content-Type': 'text/html' } };
  }

  function takeFault(method: string, path: string): Fault | undefined {
    const i = faults.findIndex((f) => (!f.method || f.method === method) && (!f.path || (typeof f.path === 'string' ? path.startsWith(f.path) : f.path.test(path))));
    if (i < 0) return undefined;
    const f = faults[i];
    if (--f.left <= 0) faults.splice(i, 1);
    return f;
  }

  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => void handle(req, res, Buffer.concat(chunks)));
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  function send(res: ServerResponse, reply: Reply): void {
    if (res.destroyed) return;
    const body = reply.raw ?? Buffer.from(JSON.stringify(reply.body ?? {}), 'utf8');
    res.writeHead(reply.status, { 'Content-Type': 'application/json', ...reply.headers, 'Content-Length': String(body.length) });
    res.end(body);
  }

  async function handle(req: IncomingMessage, res: ServerResponse, raw: Buffer): Promise<void> {
    const u = new URL(req.url ?? '/', 'http://x');
    const rawPath = (req.url ?? '/').split('?')[0];
    const rawQuery = (req.url ?? '').includes('?') ? (req.url ?? '').slice((req.url ?? '').indexOf('?') + 1) : '';
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
    const rec: RecordedRequest = { method: req.method ?? '', path: u.pathname, query: rawQuery, headers, bodySize: raw.length, status: 0 };
    requests.push(rec);
    const apiPath = u.pathname.replace(/^\/api\/v1/, '');
    const errorReply = (e: HttpError): Reply => ({ status: e.status, body: { status_code: e.status, message: e.message, payload: e.payload } });
    let reply: Reply;
    if (apiPath === '/' || apiPath === '') {
      reply = { status: 200, body: { _status: 'OK', message: 'Distributed CI.' } };
    } else {
      const verdict = verifySignature({ method: req.method ?? 'GET', rawPath, rawQuery, headers, body: raw }, (type, id) => (type === 'remoteci' && id === remoteciId && identityActive ? secret : undefined), now());
      if (!verdict.ok) {
        rec.authError = verdict.message;
        reply = verdict.status === 500 ? { status: 500, raw: Buffer.from('<html><title>500 Internal Server Error</title></html>'), headers: { 'Content-Type': 'text/html' } } : errorReply(new HttpError(verdict.status, verdict.message));
        rec.status = reply.status;
        send(res, reply);
        return;
      }
      const fault = takeFault(req.method ?? '', apiPath);
      if (fault?.delayMs) await new Promise((r) => setTimeout(r, fault.delayMs));
      if (fault?.status && !fault.afterCommit) {
        rec.injected = `${fault.status}`;
        rec.status = fault.status;
        send(res, { status: fault.status, raw: Buffer.from('<html>Service Unavailable</html>'), headers: { 'Content-Type': 'text/html', ...(fault.retryAfter !== undefined ? { 'Retry-After': String(fault.retryAfter) } : {}) } });
        return;
      }
      try {
        reply = route(req, apiPath, u.searchParams, raw);
      } catch (e) {
        if (!(e instanceof HttpError)) throw e;
        reply = errorReply(e);
      }
      if (fault?.status && fault.afterCommit) {
        rec.injected = `${fault.status} after commit`;
        reply = { status: fault.status, raw: Buffer.from('<html>Bad Gateway</html>'), headers: { 'Content-Type': 'text/html' } };
      }
    }
    rec.status = reply.status;
    send(res, reply);
  }

  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  await listen(0);
  const port = (server.address() as AddressInfo).port;

  const fake: FakeDciServer = {
    url: `http://127.0.0.1:${port}`,
    port,
    clientId: `remoteci/${remoteciId}`,
    secret,
    teamId,
    topic,
    ocpComponent,
    db,
    requests,
    credentialsEnv() {
      return { DCI_CLIENT_ID: `remoteci/${remoteciId}`, DCI_API_SECRET: secret, DCI_CS_URL: `http://127.0.0.1:${port}` };
    },
    inject(fault) {
      faults.push({ ...fault, left: fault.times ?? 1 });
    },
    addComponent,
    setIdentityActive(active) {
      identityActive = active;
    },
    async goAway() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
    },
    async comeBack() {
      await listen(port);
    },
    jobStatesOf(jobId) {
      return db.jobstates.filter((s) => s.job_id === jobId);
    },
    filesOf(jobId) {
      return db.files.filter((f) => f.job_id === jobId);
    },
    async close() {
      if (!server.listening) return;
      await fake.goAway();
    },
  };
  return fake;
}
