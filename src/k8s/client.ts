/**
 * A small Kubernetes client for the agent on top of @kubernetes/client-node (lazy-loaded: it is large and most runs
 * of a hook never talk to a cluster). Generic objects only (KubernetesObjectApi resolves kinds via discovery),
 * server-side apply with our field manager, and waits that poll with a timeout and say what state the object was
 * left in. TLS is verified with the CA of the kubeconfig; errors become KubernetesError (see ./errors.ts).
 *
 * Cost model (measured on the fake API, see the commit log): the library import is the only large cost, 0.55 s
 * built / 1.1 s under tsx on an idle machine and 4-5 s at load 11 (Node loading ~1000 files, not library code),
 * paid once per process; per call it is ~1 ms once the client and its keep-alive agent are reused. A client over
 * node:https would start in ~20 ms, but the library stays the documented path: it carries the kubeconfig auth
 * variants (exec plugins, OIDC, proxy-url) that a hand-written client would have to re-implement. Callers that
 * know a cluster stage is coming hide the import with preloadKubernetesClient().
 */
import { statSync } from 'node:fs';
import { debuglog } from 'node:util';
import type { Agent, AgentOptions } from 'node:https';
import { KubernetesError } from '../core/errors.js';
import { toKubernetesError, isNotFound } from './errors.js';
import { describeState, type K8sPredicate } from './conditions.js';
import { describeRef, refOf, type K8sObject, type K8sRef } from './types.js';
import { watchOnce } from './watch-once.js';

export const FIELD_MANAGER = 'dci-agent-ts';

export interface WaitOptions {
  timeoutMs: number;
  /** Poll interval (default 2 s, capped to the timeout). */
  intervalMs?: number;
  signal?: AbortSignal;
  /** Called with the object (or undefined) after each read or watch event, e.g. to stream progress. */
  onPoll?: (obj: K8sObject | undefined) => void;
  /** Poll only (no watch). By default a watch from the object's resourceVersion is used, polling as fallback. */
  poll?: boolean;
}

export interface ApplyResult {
  object: K8sObject;
  /** False when the object already had this content (resourceVersion unchanged). */
  changed: boolean;
  created: boolean;
}

export interface ListOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
}

type ClientNode = typeof import('@kubernetes/client-node');
type ObjectApi = import('@kubernetes/client-node').KubernetesObjectApi;
type KubeConfig = import('@kubernetes/client-node').KubeConfig;
/** KubernetesObjectApi resolves kinds through discovery in a protected method; the watch path needs it too. */
type Discovery = { resource(apiVersion: string, kind: string): Promise<{ name: string; namespaced: boolean } | undefined> };

/**
 * @kubernetes/client-node costs 0.5 s to import on an idle machine (1.1 s under tsx, several seconds under load):
 * import it once per process, however many k8s/k8s_info tasks run.
 */
let clientNode: Promise<ClientNode> | undefined;
let clientNodeLoaded = false;
/** `NODE_DEBUG=dci_k8s` (Node's own switch) prints when the library load starts, ends and what the first use waited. */
const trace = debuglog('dci_k8s');
function loadClientNode(): Promise<ClientNode> {
  if (!clientNode) {
    const t0 = performance.now();
    clientNode = import('@kubernetes/client-node').then(
      (m) => {
        clientNodeLoaded = true;
        trace('client library loaded in %d ms', Math.round(performance.now() - t0));
        return m;
      },
      (e: unknown) => {
        // Not kept: the next call tries again (a transient EMFILE), and fails with the same message if it persists.
        clientNode = undefined;
        throw clientLoadError(e);
      },
    );
  }
  return clientNode;
}

let firstUseTraced = false;
/** loadClientNode for a real call: traces, once, how long that first call waited for the library. */
function clientNodeForUse(): Promise<ClientNode> {
  if (firstUseTraced || !trace.enabled) return loadClientNode();
  firstUseTraced = true;
  if (clientNodeLoaded) {
    trace('first use: client library already loaded (waited 0 ms)');
    return loadClientNode();
  }
  const preloading = clientNode !== undefined;
  const t0 = performance.now();
  return loadClientNode().then((m) => {
    trace('first use: waited %d ms for the client library (%s)', Math.round(performance.now() - t0), preloading ? 'preload under way' : 'no preload');
    return m;
  });
}

/** One message for a library that cannot be loaded, whether a preload or the first real call met it. */
function clientLoadError(e: unknown): KubernetesError {
  const why = e instanceof Error ? e.message.split('\n')[0] : String(e);
  return new KubernetesError('k8s-client-unavailable', `the Kubernetes client library @kubernetes/client-node cannot be loaded: ${why}`, {
    hint: 'the dci-agent-ts installation is incomplete: reinstall it (npm ci in its folder, or npm install -g dci-agent-ts)',
    cause: e,
  });
}

/**
 * Start loading @kubernetes/client-node in the background (fire and forget), e.g. when a pipeline knows a stage
 * that talks to a cluster is coming: the first K8sClient.fromKubeconfig then finds it loaded. Never rejects: a load
 * failure is reported by that later call (K8sClient.fromKubeconfig throws k8s-client-unavailable), not here.
 */
export function preloadKubernetesClient(reason?: string): void {
  trace('preload started%s', reason ? `: ${reason}` : '');
  loadClientNode().catch(() => undefined);
}

/** One client per kubeconfig file content (path + mtime + size): discovery and TLS connections are reused across tasks. */
const clients = new Map<string, Promise<K8sClient>>();

/**
 * client-node builds a new https.Agent for every request (1.4: KubeConfig.createAgent), so every call paid a TCP
 * connect and a TLS handshake. Hand it one keep-alive agent per distinct TLS identity instead (same CA, client
 * certificate and verification settings: TLS stays verified exactly as before). Proxied clusters keep the
 * library's own agents.
 */
function reuseAgents(kc: KubeConfig, https: typeof import('node:https')): void {
  const target = kc as unknown as { createAgent(cluster: { proxyUrl?: string } | null, options: AgentOptions): Agent };
  const original = target.createAgent.bind(kc);
  const agents = new Map<string, Agent>();
  const text = (v: unknown): string => (v === undefined ? '' : Buffer.isBuffer(v) ? v.toString('base64') : Array.isArray(v) ? v.map(text).join(',') : String(v));
  target.createAgent = (cluster, options) => {
    if (cluster?.proxyUrl) return original(cluster, options);
    const key = [options.ca, options.cert, options.key, options.pfx, options.passphrase, options.servername, options.rejectUnauthorized].map(text).join('|');
    let agent = agents.get(key);
    if (!agent) {
      agent = new https.Agent({ ...options, keepAlive: true });
      agents.set(key, agent);
    }
    return agent;
  };
}

function plain<T>(v: unknown): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(t);
      reject(signal?.reason as Error);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export class K8sClient {
  private constructor(
    private readonly api: ObjectApi,
    private readonly kc: KubeConfig,
    readonly kubeconfigPath: string,
    readonly server: string,
    readonly defaultNamespace: string,
  ) {}

  /**
   * The client for a kubeconfig file: built once per process and file content, then shared (module load,
   * KubeConfig parsing, discovery and keep-alive TLS connections are paid once). Throws KubernetesError when the
   * file is missing or unusable.
   */
  static async fromKubeconfig(path: string): Promise<K8sClient> {
    let st;
    try {
      st = statSync(path);
    } catch {
      throw new KubernetesError('k8s-kubeconfig', `the kubeconfig ${path} does not exist`, {
        hint: 'set kubeconfig (or KUBECONFIG / hub_kubeconfig_path) to the cluster\'s admin kubeconfig',
      });
    }
    const key = `${path}\0${st.ino}\0${st.mtimeMs}\0${st.size}`;
    let client = clients.get(key);
    if (!client) {
      for (const k of clients.keys()) if (k.startsWith(`${path}\0`)) clients.delete(k);
      client = K8sClient.build(path);
      clients.set(key, client);
      client.catch(() => clients.delete(key));
    }
    return client;
  }

  private static async build(path: string): Promise<K8sClient> {
    const [k8s, https] = await Promise.all([clientNodeForUse(), import('node:https')]);
    const kc = new k8s.KubeConfig();
    try {
      kc.loadFromFile(path);
    } catch (e) {
      throw new KubernetesError('k8s-kubeconfig', `the kubeconfig ${path} cannot be read: ${(e as Error).message}`, {
        hint: 'it must be a kubeconfig YAML with clusters, users and a current-context',
        cause: e,
      });
    }
    const cluster = kc.getCurrentCluster();
    if (!cluster) {
      throw new KubernetesError('k8s-kubeconfig', `the kubeconfig ${path} has no current cluster`, { hint: 'set current-context to a context whose cluster exists' });
    }
    if (cluster.skipTLSVerify) {
      throw new KubernetesError('k8s-kubeconfig', `the kubeconfig ${path} disables TLS verification (insecure-skip-tls-verify)`, {
        hint: 'put the cluster CA in certificate-authority-data instead; the agent always verifies TLS',
      });
    }
    reuseAgents(kc, https);
    const ctxName = kc.getCurrentContext();
    const ns = kc.getContextObject(ctxName)?.namespace ?? 'default';
    return new K8sClient(k8s.KubernetesObjectApi.makeApiClient(kc), kc, path, cluster.server, ns);
  }

  private fail(e: unknown, action: string, object: string): KubernetesError {
    return toKubernetesError(e, { action, object, kubeconfigPath: this.kubeconfigPath, server: this.server });
  }

  /** The object, or undefined when it does not exist. */
  async get(ref: K8sRef): Promise<K8sObject | undefined> {
    try {
      const header = { apiVersion: ref.apiVersion, kind: ref.kind, metadata: { name: ref.name, namespace: ref.namespace } };
      return plain<K8sObject>(await this.api.read(header as Parameters<ObjectApi['read']>[0]));
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw this.fail(e, 'get', describeRef(ref));
    }
  }

  async list(apiVersion: string, kind: string, opts: ListOptions = {}): Promise<K8sObject[]> {
    return (await this.listVersioned(apiVersion, kind, opts)).items;
  }

  /** list, plus the collection's resourceVersion to watch from (nextChange). */
  async listVersioned(apiVersion: string, kind: string, opts: ListOptions = {}): Promise<{ items: K8sObject[]; resourceVersion?: string }> {
    try {
      const res = await this.api.list(apiVersion, kind, opts.namespace, undefined, undefined, undefined, opts.fieldSelector, opts.labelSelector);
      const body = plain<{ items?: K8sObject[]; metadata?: { resourceVersion?: string } }>(res);
      return {
        items: body.items?.map((o) => ({ ...o, apiVersion: o.apiVersion ?? apiVersion, kind: o.kind ?? kind })) ?? [],
        resourceVersion: body.metadata?.resourceVersion,
      };
    } catch (e) {
      if (isNotFound(e)) return { items: [] };
      throw this.fail(e, 'list', `${kind}${opts.namespace ? ` in ${opts.namespace}` : ''}`);
    }
  }

  /**
   * Wait for the next change to a collection after `resourceVersion` (from listVersioned): a watch with the same
   * selectors that returns on the first ADDED/MODIFIED/DELETED event, or after maxMs. Loops that list, check and
   * call this react as soon as a controller writes instead of on the next poll tick. When the watch cannot be used
   * (error, the server ends it at once, no resourceVersion) it sleeps intervalMs instead, like a poll.
   * Resolves true on a change event, false otherwise; the caller lists again in both cases.
   */
  async nextChange(apiVersion: string, kind: string, opts: ListOptions & { resourceVersion?: string }, maxMs: number, wait: { intervalMs: number; signal?: AbortSignal }): Promise<boolean> {
    const fallback = async (): Promise<false> => {
      await sleep(Math.max(10, Math.min(wait.intervalMs, maxMs)), wait.signal);
      return false;
    };
    if (maxMs <= 0) return false;
    if (!opts.resourceVersion) return fallback();
    let path: string;
    try {
      path = await this.collectionPath({ apiVersion, kind, name: '', namespace: opts.namespace });
    } catch {
      return fallback();
    }
    const k8s = await clientNodeForUse();
    const started = Date.now();
    const query = {
      resourceVersion: opts.resourceVersion,
      allowWatchBookmarks: true,
      timeoutSeconds: Math.max(1, Math.ceil(maxMs / 1000)),
      ...(opts.labelSelector ? { labelSelector: opts.labelSelector } : {}),
      ...(opts.fieldSelector ? { fieldSelector: opts.fieldSelector } : {}),
    };
    const outcome = await watchOnce<'change' | 'timeout' | 'ended' | 'failed'>(new k8s.Watch(this.kc), path, query, {
      timeoutMs: maxMs,
      timedOut: 'timeout',
      signal: wait.signal,
      onEvent: (type, _obj, settle) => {
        if (type === 'BOOKMARK') return;
        // ERROR is 410 Gone (resourceVersion too old): the caller's fresh list catches up.
        settle.resolve(type === 'ERROR' ? 'ended' : 'change');
      },
      onEnd: (err) => (err ? 'failed' : 'ended'),
    });
    if (outcome === 'change') return true;
    // A watch that failed or ended at once would make the caller spin: wait like a poll instead.
    if (outcome === 'failed' || (outcome === 'ended' && Date.now() - started < 100)) {
      await fallback();
    }
    return false;
  }

  /** Create; throws KubernetesError k8s-conflict when it exists. */
  async create(obj: K8sObject): Promise<K8sObject> {
    try {
      return plain<K8sObject>(await this.api.create(structuredClone(obj), undefined, undefined, FIELD_MANAGER));
    } catch (e) {
      throw this.fail(e, 'create', describeRef(refOf(obj)));
    }
  }

  /** Server-side apply (field manager dci-agent-ts, force): creates or updates; idempotent. */
  async apply(obj: K8sObject): Promise<ApplyResult> {
    const ref = refOf(obj);
    const before = await this.get(ref);
    try {
      const k8s = await clientNodeForUse();
      const body = structuredClone(obj);
      delete body.metadata.resourceVersion;
      const after = plain<K8sObject>(await this.api.patch(body, undefined, undefined, FIELD_MANAGER, true, k8s.PatchStrategy.ServerSideApply));
      return { object: after, created: !before, changed: !before || before.metadata.resourceVersion !== after.metadata.resourceVersion };
    } catch (e) {
      throw this.fail(e, 'apply', describeRef(ref));
    }
  }

  /** Merge-patch (e.g. `spec.approved: true` on an InstallPlan). */
  async mergePatch(ref: K8sRef, patch: Record<string, unknown>): Promise<K8sObject> {
    try {
      const k8s = await clientNodeForUse();
      const body = { apiVersion: ref.apiVersion, kind: ref.kind, metadata: { name: ref.name, namespace: ref.namespace }, ...patch };
      return plain<K8sObject>(await this.api.patch(body, undefined, undefined, FIELD_MANAGER, undefined, k8s.PatchStrategy.MergePatch));
    } catch (e) {
      throw this.fail(e, 'patch', describeRef(ref));
    }
  }

  /** Delete; false when it was already gone. */
  async delete(ref: K8sRef): Promise<boolean> {
    try {
      const header = { apiVersion: ref.apiVersion, kind: ref.kind, metadata: { name: ref.name, namespace: ref.namespace } };
      await this.api.delete(header);
      return true;
    } catch (e) {
      if (isNotFound(e)) return false;
      throw this.fail(e, 'delete', describeRef(ref));
    }
  }

  /**
   * Wait until `pred` holds: a watch on the object from its resourceVersion (re-read and re-watched when the
   * server closes it), polling every intervalMs when watching fails. Throws k8s-timeout naming the object, the
   * awaited state and the last state seen (phase, conditions) so the user knows where it stuck. `pred` may throw
   * to stop early (e.g. a Failed condition).
   */
  async waitFor(ref: K8sRef, pred: K8sPredicate, opts: WaitOptions): Promise<K8sObject> {
    if (opts.poll) return this.pollFor(ref, pred, opts);
    const deadline = Date.now() + opts.timeoutMs;
    let last = await this.get(ref);
    opts.onPoll?.(last);
    if (last && pred(last)) return last;
    const path = await this.collectionPath(ref);
    const k8s = await clientNodeForUse();
    const watch = new k8s.Watch(this.kc);
    let rv = last?.metadata.resourceVersion;
    for (;;) {
      const left = deadline - Date.now();
      if (left <= 0) throw this.timeout(ref, pred, opts.timeoutMs, last);
      const query = { fieldSelector: `metadata.name=${ref.name}`, resourceVersion: rv, allowWatchBookmarks: true, timeoutSeconds: Math.max(1, Math.ceil(left / 1000)) };
      const outcome = await watchOnce<{ obj?: K8sObject; failed?: boolean }>(watch, path, query, {
        timeoutMs: left,
        timedOut: {},
        signal: opts.signal,
        onEvent: (type, obj, settle) => {
          const o = obj as K8sObject | undefined;
          if (o?.metadata?.resourceVersion) rv = o.metadata.resourceVersion;
          if (type === 'BOOKMARK') return;
          if (type === 'ERROR') {
            // 410 Gone: our resourceVersion is too old; re-read and start over.
            rv = undefined;
            settle.resolve({});
            return;
          }
          last = type === 'DELETED' ? undefined : plain<K8sObject>(o);
          opts.onPoll?.(last);
          try {
            if (last && pred(last)) settle.resolve({ obj: last });
          } catch (e) {
            settle.reject(e as Error);
          }
        },
        onEnd: (err) => ({ failed: !!err }),
      });
      if (outcome.obj) return outcome.obj;
      // The watch ended (server timeout, error, 410): read the object again so no change is missed.
      if (outcome.failed) await sleep(Math.max(10, Math.min(opts.intervalMs ?? 2000, deadline - Date.now())), opts.signal);
      last = await this.get(ref);
      opts.onPoll?.(last);
      if (last && pred(last)) return last;
      rv = last?.metadata.resourceVersion;
    }
  }

  private timeout(ref: K8sRef, pred: K8sPredicate, timeoutMs: number, last: K8sObject | undefined): KubernetesError {
    return new KubernetesError(
      'k8s-timeout',
      `timed out after ${Math.round(timeoutMs / 1000)}s waiting for ${describeRef(ref)} to reach ${pred.description}; last state: ${describeState(last)}`,
      { hint: 'check the operator/controller that owns this object (its events and logs), or raise the wait timeout' },
    );
  }

  /** `/api(s)/<group/version>[/namespaces/<ns>]/<plural>` of a kind, through discovery. */
  private async collectionPath(ref: Pick<K8sRef, 'apiVersion' | 'kind' | 'namespace' | 'name'>): Promise<string> {
    let res;
    try {
      res = await (this.api as unknown as Discovery).resource(ref.apiVersion, ref.kind);
    } catch (e) {
      throw this.fail(e, 'watch', describeRef(ref));
    }
    if (!res) throw this.fail(new Error(`Unrecognized API version and kind: ${ref.apiVersion} ${ref.kind}`), 'watch', describeRef(ref));
    const base = ref.apiVersion.includes('/') ? `/apis/${ref.apiVersion}` : `/api/${ref.apiVersion}`;
    return res.namespaced && ref.namespace ? `${base}/namespaces/${encodeURIComponent(ref.namespace)}/${res.name}` : `${base}/${res.name}`;
  }

  /** waitFor by polling only. */
  async pollFor(ref: K8sRef, pred: K8sPredicate, opts: WaitOptions): Promise<K8sObject> {
    const deadline = Date.now() + opts.timeoutMs;
    const interval = Math.max(10, Math.min(opts.intervalMs ?? 2000, opts.timeoutMs));
    let last: K8sObject | undefined;
    for (;;) {
      last = await this.get(ref);
      opts.onPoll?.(last);
      if (last && pred(last)) return last;
      const left = deadline - Date.now();
      if (left <= 0) throw this.timeout(ref, pred, opts.timeoutMs, last);
      await sleep(Math.min(interval, left), opts.signal);
    }
  }

  /** Wait until the object is gone: read, then watch for the next change (finalizers removed, DELETED), read again. */
  async waitGone(ref: K8sRef, opts: WaitOptions): Promise<void> {
    const deadline = Date.now() + opts.timeoutMs;
    const sel = { namespace: ref.namespace, fieldSelector: `metadata.name=${ref.name}` };
    for (;;) {
      const { items, resourceVersion } = await this.listVersioned(ref.apiVersion, ref.kind, sel);
      if (items.length === 0) return;
      if (Date.now() >= deadline) {
        throw new KubernetesError('k8s-timeout', `timed out after ${Math.round(opts.timeoutMs / 1000)}s waiting for ${describeRef(ref)} to be deleted`, {
          hint: 'a finalizer may hold it; check its metadata.finalizers',
        });
      }
      await this.nextChange(ref.apiVersion, ref.kind, { ...sel, resourceVersion }, deadline - Date.now(), { intervalMs: opts.intervalMs ?? 2000, signal: opts.signal });
    }
  }
}
