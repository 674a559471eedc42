/**
 * Test helper: a fake Kubernetes API server on 127.0.0.1 (HTTPS with a CA made here, random port) and a generated
 * kubeconfig carrying that CA (the client verifies TLS like against a real cluster).
 * It behaves like the real one where our client depends on it: discovery (/api, /apis, resource lists so the
 * generic client resolves kinds to paths), get/list (label and name selectors)/create/server-side apply/replace/
 * merge patch/delete, watch with resourceVersion, 404 NotFound / 409 AlreadyExists / 422 Invalid Status bodies,
 * a bearer token (401 otherwise), namespaces that must exist before namespaced objects are created, and the
 * CRD openAPIV3Schema of IDMS/ITMS/ICSP/CatalogSource (../shared/schemas) enforced on writes.
 * Every call is recorded (`calls`) so tests can check what was done and in which order. Controllers
 * (./k8s-controllers.ts) subscribe to changes and move status like the real operators.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { schemaErrors, type CrdKind } from '../manifests/crd-schemas.js';
import { generatePki } from './registry.js';

export interface KObj {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; resourceVersion?: string; [k: string]: unknown };
  [k: string]: unknown;
}

interface ResourceDef {
  group: string; // '' for core
  version: string;
  kind: string;
  plural: string;
  namespaced: boolean;
}

const R = (group: string, version: string, kind: string, plural: string, namespaced: boolean): ResourceDef => ({ group, version, kind, plural, namespaced });

/** The kinds the agent touches. */
export const RESOURCES: ResourceDef[] = [
  R('', 'v1', 'Namespace', 'namespaces', false),
  R('', 'v1', 'Secret', 'secrets', true),
  R('', 'v1', 'ConfigMap', 'configmaps', true),
  R('', 'v1', 'Pod', 'pods', true),
  R('apps', 'v1', 'Deployment', 'deployments', true),
  R('apiextensions.k8s.io', 'v1', 'CustomResourceDefinition', 'customresourcedefinitions', false),
  R('config.openshift.io', 'v1', 'ImageDigestMirrorSet', 'imagedigestmirrorsets', false),
  R('config.openshift.io', 'v1', 'ImageTagMirrorSet', 'imagetagmirrorsets', false),
  R('config.openshift.io', 'v1', 'ClusterVersion', 'clusterversions', false),
  R('config.openshift.io', 'v1', 'OperatorHub', 'operatorhubs', false),
  R('operator.openshift.io', 'v1alpha1', 'ImageContentSourcePolicy', 'imagecontentsourcepolicies', false),
  R('operators.coreos.com', 'v1alpha1', 'CatalogSource', 'catalogsources', true),
  R('operators.coreos.com', 'v1alpha1', 'Subscription', 'subscriptions', true),
  R('operators.coreos.com', 'v1alpha1', 'InstallPlan', 'installplans', true),
  R('operators.coreos.com', 'v1alpha1', 'ClusterServiceVersion', 'clusterserviceversions', true),
  R('operators.coreos.com', 'v1', 'OperatorGroup', 'operatorgroups', true),
  R('packages.operators.coreos.com', 'v1', 'PackageManifest', 'packagemanifests', true),
  R('machineconfiguration.openshift.io', 'v1', 'MachineConfigPool', 'machineconfigpools', false),
  R('hive.openshift.io', 'v1', 'ClusterImageSet', 'clusterimagesets', false),
  R('hive.openshift.io', 'v1', 'ClusterDeployment', 'clusterdeployments', true),
  R('extensions.hive.openshift.io', 'v1beta1', 'AgentClusterInstall', 'agentclusterinstalls', true),
  R('agent-install.openshift.io', 'v1beta1', 'InfraEnv', 'infraenvs', true),
  R('agent-install.openshift.io', 'v1beta1', 'AgentServiceConfig', 'agentserviceconfigs', false),
  R('agent-install.openshift.io', 'v1beta1', 'Agent', 'agents', true),
  R('metal3.io', 'v1alpha1', 'BareMetalHost', 'baremetalhosts', true),
  R('cluster.open-cluster-management.io', 'v1', 'ManagedCluster', 'managedclusters', false),
  R('agent.open-cluster-management.io', 'v1', 'KlusterletAddonConfig', 'klusterletaddonconfigs', true),
];

const VALIDATED: Record<string, CrdKind> = {
  ImageDigestMirrorSet: 'ImageDigestMirrorSet',
  ImageTagMirrorSet: 'ImageTagMirrorSet',
  ImageContentSourcePolicy: 'ImageContentSourcePolicy',
  CatalogSource: 'CatalogSource',
};

export interface RecordedCall {
  verb: 'get' | 'list' | 'watch' | 'create' | 'apply' | 'replace' | 'patch' | 'delete';
  kind: string;
  namespace?: string;
  name?: string;
  status: number;
  /** Query of the request (fieldManager, force...). */
  query: Record<string, string>;
  /** Writes by the fake's own controllers are recorded too, flagged. */
  controller?: boolean;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';
type ChangeListener = (type: WatchEventType, obj: KObj) => void;

export interface FakeK8sApi {
  url: string;
  kubeconfigPath: string;
  token: string;
  /** PEM of the CA that signed the server certificate. */
  caPem: string;
  calls: RecordedCall[];
  /** Objects currently stored (deep copies). */
  list(kind: string, namespace?: string): KObj[];
  get(kind: string, name: string, namespace?: string): KObj | undefined;
  /** Store an object as a controller would (no validation, records a controller call). */
  put(obj: KObj): KObj;
  /** Merge `status` into an existing object (controllers). */
  setStatus(kind: string, name: string, namespace: string | undefined, status: Record<string, unknown>): KObj | undefined;
  remove(kind: string, name: string, namespace?: string): void;
  onChange(listener: ChangeListener): () => void;
  /** Writes issued by clients (not controllers), as `Verb Kind ns/name`, in order. */
  writes(): string[];
  /** Close the server and remove its dir (kubeconfig, PKI). */
  stop(): Promise<void>;
}

function keyOf(def: ResourceDef, name: string, ns?: string): string {
  return `${def.group}/${def.kind}/${def.namespaced ? (ns ?? '') : ''}/${name}`;
}

function apiVersionOf(def: ResourceDef): string {
  return def.group ? `${def.group}/${def.version}` : def.version;
}

function clone<T>(v: T): T {
  return structuredClone(v);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** What the API server stores: a Secret's write-only stringData is merged into data (base64), as the real one does. */
function normalize(obj: KObj): KObj {
  if (obj.kind !== 'Secret' || !isPlainObject(obj.stringData)) return obj;
  const data = { ...((obj.data as Record<string, string> | undefined) ?? {}) };
  for (const [k, v] of Object.entries(obj.stringData)) data[k] = Buffer.from(String(v)).toString('base64');
  const out: KObj = { ...obj, data };
  delete out.stringData;
  return out;
}

/** Server-side apply, simplified: maps merge recursively, lists and scalars from the applied config win. */
function mergeApply(base: unknown, patch: unknown): unknown {
  if (isPlainObject(base) && isPlainObject(patch)) {
    const out: Record<string, unknown> = { ...base };
    for (const [k, v] of Object.entries(patch)) out[k] = v === null ? undefined : mergeApply(base[k], v);
    for (const k of Object.keys(out)) if (out[k] === undefined) delete out[k];
    return out;
  }
  return clone(patch);
}

function status(res: ServerResponse, code: number, reason: string, message: string, details?: Record<string, unknown>): void {
  send(res, code, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, details, code });
}

function send(res: ServerResponse, code: number, body: unknown): void {
  const data = JSON.stringify(body);
  res.writeHead(code, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) });
  res.end(data);
}

function matchesLabels(obj: KObj, selector: string | undefined): boolean {
  if (!selector) return true;
  const labels = obj.metadata.labels ?? {};
  return selector.split(',').every((term) => {
    const t = term.trim();
    if (!t) return true;
    const ne = t.split('!=');
    if (ne.length === 2) return labels[ne[0].trim()] !== ne[1].trim();
    const eq = t.split(/==?/);
    if (eq.length === 2) return labels[eq[0].trim()] === eq[1].trim();
    if (t.startsWith('!')) return !(t.slice(1) in labels);
    return t in labels;
  });
}

function matchesFields(obj: KObj, selector: string | undefined): boolean {
  if (!selector) return true;
  return selector.split(',').every((term) => {
    const [k, v] = term.split(/==?/);
    if (k === 'metadata.name') return obj.metadata.name === v;
    if (k === 'metadata.namespace') return obj.metadata.namespace === v;
    return true;
  });
}

export interface FakeK8sOptions {
  /** Delay before answering each request (ms), to exercise timeouts. */
  latencyMs?: number;
}

export async function startFakeK8sApi(opts: FakeK8sOptions = {}): Promise<FakeK8sApi> {
  const token = `fake-token-${Math.random().toString(36).slice(2)}`;
  const store = new Map<string, KObj>();
  const calls: RecordedCall[] = [];
  const listeners = new Set<ChangeListener>();
  let rv = 1;
  const byKind = new Map(RESOURCES.map((d) => [d.kind, d]));

  const notify = (type: WatchEventType, obj: KObj): void => {
    for (const l of [...listeners]) {
      try {
        l(type, clone(obj));
      } catch {
        // a failing listener must not break the server
      }
    }
  };

  const save = (def: ResourceDef, obj: KObj, existing: KObj | undefined): KObj => {
    const stored = clone(normalize({ ...obj, kind: def.kind }));
    stored.apiVersion = apiVersionOf(def);
    stored.kind = def.kind;
    if (!def.namespaced) delete stored.metadata.namespace;
    stored.metadata.resourceVersion = String(++rv);
    stored.metadata.uid = existing?.metadata.uid ?? `uid-${rv}`;
    stored.metadata.creationTimestamp = existing?.metadata.creationTimestamp ?? new Date().toISOString();
    if (existing) stored.metadata.generation = Number(existing.metadata.generation ?? 1) + (JSON.stringify(existing.spec) !== JSON.stringify(stored.spec) ? 1 : 0);
    else stored.metadata.generation = 1;
    store.set(keyOf(def, stored.metadata.name, stored.metadata.namespace), stored);
    notify(existing ? 'MODIFIED' : 'ADDED', stored);
    return stored;
  };

  const removeObj = (def: ResourceDef, existing: KObj): void => {
    store.delete(keyOf(def, existing.metadata.name, existing.metadata.namespace));
    const gone = clone(existing);
    gone.metadata.resourceVersion = String(++rv);
    notify('DELETED', gone);
    if (def.kind === 'Namespace') {
      for (const [k, o] of [...store]) {
        if (o.metadata.namespace === existing.metadata.name) {
          store.delete(k);
          notify('DELETED', o);
        }
      }
    }
  };

  const discovery = (req: IncomingMessage, res: ServerResponse, path: string): boolean => {
    if (path === '/api') {
      send(res, 200, { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [] });
      return true;
    }
    if (path === '/apis') {
      const groups = new Map<string, Set<string>>();
      for (const d of RESOURCES) if (d.group) groups.set(d.group, (groups.get(d.group) ?? new Set()).add(d.version));
      send(res, 200, {
        kind: 'APIGroupList',
        apiVersion: 'v1',
        groups: [...groups].map(([name, vs]) => ({
          name,
          versions: [...vs].map((v) => ({ groupVersion: `${name}/${v}`, version: v })),
          preferredVersion: { groupVersion: `${name}/${[...vs][0]}`, version: [...vs][0] },
        })),
      });
      return true;
    }
    if (path === '/version') {
      send(res, 200, { major: '1', minor: '29', gitVersion: 'v1.29.0-fake' });
      return true;
    }
    const m = /^\/(?:api\/(v1)|apis\/([^/]+)\/([^/]+))$/.exec(path);
    if (m) {
      const group = m[2] ?? '';
      const version = m[1] ?? m[3];
      const defs = RESOURCES.filter((d) => d.group === group && d.version === version);
      if (!defs.length) {
        status(res, 404, 'NotFound', 'the server could not find the requested resource');
        return true;
      }
      send(res, 200, {
        kind: 'APIResourceList',
        apiVersion: 'v1',
        groupVersion: group ? `${group}/${version}` : version,
        resources: defs.map((d) => ({
          name: d.plural,
          singularName: d.kind.toLowerCase(),
          namespaced: d.namespaced,
          kind: d.kind,
          verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
        })),
      });
      return true;
    }
    void req;
    return false;
  };

  const readBody = async (req: IncomingMessage): Promise<string> => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (opts.latencyMs) await new Promise((r) => setTimeout(r, opts.latencyMs));
    if (req.headers.authorization !== `Bearer ${token}`) {
      status(res, 401, 'Unauthorized', 'Unauthorized');
      return;
    }
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname.replace(/\/$/, '');
    const query = Object.fromEntries(url.searchParams);
    if (req.method === 'GET' && discovery(req, res, path)) return;

    const m = /^\/(?:api\/(v1)|apis\/([^/]+)\/([^/]+))(?:\/namespaces\/([^/]+))?\/([^/]+)(?:\/([^/]+))?(?:\/(status))?$/.exec(path);
    if (!m) {
      status(res, 404, 'NotFound', `the server could not find the requested resource (${path})`);
      return;
    }
    const group = m[2] ?? '';
    const version = m[1] ?? m[3];
    const ns = m[4] ? decodeURIComponent(m[4]) : undefined;
    const plural = m[5];
    const name = m[6] ? decodeURIComponent(m[6]) : undefined;
    const def = RESOURCES.find((d) => d.group === group && d.version === version && d.plural === plural);
    if (!def) {
      status(res, 404, 'NotFound', `the server could not find the requested resource (${group}/${version} ${plural})`);
      return;
    }
    const record = (verb: RecordedCall['verb'], code: number, objName = name): void => {
      calls.push({ verb, kind: def.kind, namespace: def.namespaced ? ns : undefined, name: objName, status: code, query });
    };
    const notFound = (): void => {
      record(req.method === 'GET' ? 'get' : req.method === 'DELETE' ? 'delete' : 'patch', 404);
      status(res, 404, 'NotFound', `${def.plural}${group ? '.' + group : ''} "${name}" not found`, { name, group, kind: def.plural });
    };
    const key = name ? keyOf(def, name, ns) : '';
    const existing = name ? store.get(key) : undefined;

    const validate = (obj: KObj): string[] => {
      const crd = VALIDATED[def.kind];
      const problems: string[] = [];
      if (!obj.metadata?.name) problems.push('metadata.name: Required value');
      if (crd) problems.push(...schemaErrors(crd, obj).map((e) => e.trim()));
      return problems;
    };
    const invalid = (verb: RecordedCall['verb'], obj: KObj, problems: string[]): void => {
      record(verb, 422, obj.metadata?.name);
      status(res, 422, 'Invalid', `${def.kind} "${obj.metadata?.name}" is invalid: ${problems.join(', ')}`, {
        name: obj.metadata?.name,
        group,
        kind: def.kind,
        causes: problems.map((p) => ({ reason: 'FieldValueInvalid', message: p })),
      });
    };
    const nsMissing = (verb: RecordedCall['verb'], objName?: string): boolean => {
      if (!def.namespaced || !ns) return false;
      if (store.has(keyOf(RESOURCES[0], ns))) return false;
      record(verb, 404, objName);
      status(res, 404, 'NotFound', `namespaces "${ns}" not found`, { name: ns, kind: 'namespaces' });
      return true;
    };

    switch (req.method) {
      case 'GET': {
        if (name) {
          if (!existing) return notFound();
          record('get', 200);
          return send(res, 200, existing);
        }
        const items = [...store.values()]
          .filter((o) => o.kind === def.kind && (!def.namespaced || !ns || o.metadata.namespace === ns))
          .filter((o) => matchesLabels(o, query.labelSelector) && matchesFields(o, query.fieldSelector));
        if (query.watch === 'true' || query.watch === '1') {
          record('watch', 200);
          const since = Number(query.resourceVersion ?? 0);
          res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
          // As kube-apiserver: the 200 and its headers go out at once, before any event (a client aborting a quiet
          // watch is not left waiting for the server's timeout).
          res.flushHeaders();
          const write = (type: WatchEventType, o: KObj): void => {
            if (o.kind !== def.kind || (def.namespaced && ns && o.metadata.namespace !== ns)) return;
            if (!matchesLabels(o, query.labelSelector) || !matchesFields(o, query.fieldSelector)) return;
            res.write(JSON.stringify({ type, object: o }) + '\n');
          };
          // resourceVersion=0/absent: start with the current state as ADDED; else only newer changes.
          if (!since) for (const o of items) write('ADDED', o);
          else for (const o of items) if (Number(o.metadata.resourceVersion) > since) write('MODIFIED', o);
          listeners.add(write);
          const end = (): void => {
            listeners.delete(write);
            res.end();
          };
          const t = query.timeoutSeconds ? setTimeout(end, Number(query.timeoutSeconds) * 1000) : undefined;
          req.on('close', () => {
            if (t) clearTimeout(t);
            listeners.delete(write);
          });
          return;
        }
        record('list', 200);
        return send(res, 200, {
          kind: `${def.kind}List`,
          apiVersion: apiVersionOf(def),
          metadata: { resourceVersion: String(rv) },
          items,
        });
      }
      case 'POST': {
        const obj = JSON.parse(await readBody(req)) as KObj;
        if (def.namespaced) obj.metadata = { ...obj.metadata, namespace: ns };
        if (nsMissing('create', obj.metadata?.name)) return;
        const problems = validate(obj);
        if (problems.length) return invalid('create', obj, problems);
        const k = keyOf(def, obj.metadata.name, ns);
        if (store.has(k)) {
          record('create', 409, obj.metadata.name);
          return status(res, 409, 'AlreadyExists', `${def.plural}${group ? '.' + group : ''} "${obj.metadata.name}" already exists`, {
            name: obj.metadata.name,
            group,
            kind: def.plural,
          });
        }
        record('create', 201, obj.metadata.name);
        return send(res, 201, save(def, obj, undefined));
      }
      case 'PUT': {
        const obj = JSON.parse(await readBody(req)) as KObj;
        if (!existing) return notFound();
        const problems = validate(obj);
        if (problems.length) return invalid('replace', obj, problems);
        if (obj.metadata.resourceVersion && obj.metadata.resourceVersion !== existing.metadata.resourceVersion) {
          record('replace', 409);
          return status(res, 409, 'Conflict', `Operation cannot be fulfilled on ${def.plural} "${name}": the object has been modified`);
        }
        record('replace', 200);
        return send(res, 200, save(def, { ...obj, status: m[7] ? obj.status : existing.status } as KObj, existing));
      }
      case 'PATCH': {
        const type = String(req.headers['content-type'] ?? '').split(';')[0];
        const raw = await readBody(req);
        if (type === 'application/apply-patch+yaml') {
          if (!query.fieldManager) {
            record('apply', 400);
            return status(res, 400, 'BadRequest', 'PATCH /apply requires fieldManager to be set');
          }
          const body = load(raw) as KObj;
          if (!body || typeof body !== 'object' || !body.metadata) {
            record('apply', 400);
            return status(res, 400, 'BadRequest', 'apply patch is not an object');
          }
          if (body.metadata.name !== name) {
            record('apply', 400);
            return status(res, 400, 'BadRequest', `the name of the object (${body.metadata.name}) does not match the name on the URL (${name})`);
          }
          if (!existing && nsMissing('apply', name)) return;
          const merged = (existing ? mergeApply(existing, body) : clone(body)) as KObj;
          if (def.namespaced) merged.metadata.namespace = ns;
          const problems = validate(merged);
          if (problems.length) return invalid('apply', merged, problems);
          const managed = { ...merged };
          const unchanged = existing && JSON.stringify(existing) === JSON.stringify(normalize(mergeApply(existing, body) as KObj));
          record('apply', existing ? 200 : 201);
          if (unchanged && existing) return send(res, 200, existing);
          return send(res, existing ? 200 : 201, save(def, managed, existing));
        }
        if (type === 'application/merge-patch+json' || type === 'application/strategic-merge-patch+json') {
          if (!existing) return notFound();
          const merged = mergeApply(existing, JSON.parse(raw)) as KObj;
          const problems = validate(merged);
          if (problems.length) return invalid('patch', merged, problems);
          record('patch', 200);
          return send(res, 200, save(def, merged, existing));
        }
        record('patch', 415);
        return status(res, 415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/apply-patch+yaml, application/merge-patch+json (got ${type})`);
      }
      case 'DELETE': {
        if (!existing) return notFound();
        record('delete', 200);
        removeObj(def, existing);
        return send(res, 200, { kind: 'Status', apiVersion: 'v1', status: 'Success', details: { name, kind: def.plural } });
      }
      default:
        return status(res, 405, 'MethodNotAllowed', `method ${req.method} not allowed`);
    }
  };

  const dir = mkdtempSync(join(tmpdir(), 'fake-k8s-'));
  const pki = await generatePki(join(dir, 'pki'));
  const caData = readFileSync(pki.caFile);
  const server: Server = createServer({ cert: readFileSync(pki.certFile), key: readFileSync(pki.keyFile) }, (req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) status(res, 500, 'InternalError', (e as Error).message);
      else res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  const url = `https://127.0.0.1:${port}`;
  const kubeconfigPath = join(dir, 'kubeconfig');
  writeFileSync(
    kubeconfigPath,
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      '- name: fake',
      '  cluster:',
      `    server: ${url}`,
      `    certificate-authority-data: ${caData.toString('base64')}`,
      'users:',
      '- name: admin',
      '  user:',
      `    token: ${token}`,
      'contexts:',
      '- name: admin@fake',
      '  context:',
      '    cluster: fake',
      '    user: admin',
      '    namespace: default',
      'current-context: admin@fake',
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  // Like a fresh cluster: default namespaces exist.
  for (const n of ['default', 'openshift-marketplace', 'openshift-config']) save(RESOURCES[0], { apiVersion: 'v1', kind: 'Namespace', metadata: { name: n } }, undefined);

  const defOf = (kind: string): ResourceDef => {
    const d = byKind.get(kind);
    if (!d) throw new Error(`fake k8s: unknown kind ${kind}`);
    return d;
  };

  return {
    url,
    kubeconfigPath,
    token,
    caPem: caData.toString('utf8'),
    calls,
    list(kind, namespace) {
      return [...store.values()].filter((o) => o.kind === kind && (namespace === undefined || o.metadata.namespace === namespace)).map(clone);
    },
    get(kind, name, namespace) {
      const o = store.get(keyOf(defOf(kind), name, namespace));
      return o ? clone(o) : undefined;
    },
    put(obj) {
      const def = defOf(obj.kind);
      const existing = store.get(keyOf(def, obj.metadata.name, obj.metadata.namespace));
      calls.push({ verb: existing ? 'replace' : 'create', kind: obj.kind, namespace: obj.metadata.namespace, name: obj.metadata.name, status: 200, query: {}, controller: true });
      return clone(save(def, obj, existing));
    },
    setStatus(kind, name, namespace, st) {
      const def = defOf(kind);
      const existing = store.get(keyOf(def, name, namespace));
      if (!existing) return undefined;
      const next = clone(existing);
      next.status = mergeApply(existing.status ?? {}, st);
      calls.push({ verb: 'patch', kind, namespace, name, status: 200, query: { subresource: 'status' }, controller: true });
      return clone(save(def, next, existing));
    },
    remove(kind, name, namespace) {
      const def = defOf(kind);
      const existing = store.get(keyOf(def, name, namespace));
      if (existing) removeObj(def, existing);
    },
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    writes() {
      return calls
        .filter((c) => !c.controller && ['create', 'apply', 'replace', 'patch', 'delete'].includes(c.verb) && c.status < 300)
        .map((c) => `${c.verb} ${c.kind} ${c.namespace ? c.namespace + '/' : ''}${c.name ?? ''}`);
    },
    async stop() {
      listeners.clear();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
