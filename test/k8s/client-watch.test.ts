/**
 * How the watch-based waits of K8sClient end (src/k8s/watch-once.ts settles each watch): a change, a timeout, an
 * abort, and a watch the server ends — closed part-way, 410 Gone, refused. Runs against the fake API behind a proxy
 * that injects those server-side ends (./watch-fault-proxy.ts). Poll intervals are long (60 s) where the point is
 * that the wait reacts without a poll tick, so a wait that fell back to polling would hit the test timeout.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeK8sApi, type FakeK8sApi } from '../helpers/fake-k8s-api.js';
import { K8sClient, hasPhase } from '../../src/k8s/index.js';
import { startWatchFaultProxy, type ProxiedWatch, type WatchFaultProxy } from './watch-fault-proxy.js';

const CSV = { apiVersion: 'operators.coreos.com/v1alpha1', kind: 'ClusterServiceVersion', namespace: 'default' };
const MINUTE = 60_000;

describe('K8sClient watch waits: every way a watch ends', () => {
  let api: FakeK8sApi;
  let proxy: WatchFaultProxy;
  let client: K8sClient;
  beforeAll(async () => {
    api = await startFakeK8sApi();
    proxy = await startWatchFaultProxy(api);
    client = await K8sClient.fromKubeconfig(proxy.kubeconfigPath);
  });
  afterAll(async () => {
    await proxy?.close();
    await api?.stop();
  });

  const csv = (name: string, phase: string): ReturnType<FakeK8sApi['put']> =>
    api.put({ apiVersion: CSV.apiVersion, kind: CSV.kind, metadata: { name, namespace: 'default' }, status: { phase } });
  const later = (ms: number, fn: () => void): void => void setTimeout(fn, ms);
  /** The watches made from now on. */
  const watchesFrom = (): (() => ProxiedWatch[]) => {
    const start = proxy.watches.length;
    return () => proxy.watches.slice(start);
  };
  const until = async (cond: () => boolean): Promise<void> => {
    while (!cond()) await new Promise((r) => setTimeout(r, 10));
  };
  /** The client's abort reaches the proxy as a closed connection a moment later. */
  const closedByClient = async (w: ProxiedWatch | undefined): Promise<boolean> => {
    for (let i = 0; i < 100 && w && !w.closedByClient; i++) await new Promise((r) => setTimeout(r, 10));
    return w?.closedByClient ?? false;
  };

  describe('waitFor', () => {
    it('the server closes the watch part-way: it re-reads and re-watches at once (no poll tick) and sees the later change', async () => {
      csv('closed.v1', 'Installing');
      const watches = watchesFrom();
      proxy.failNextWatches({ kind: 'close', afterMs: 200 });
      later(700, () => api.setStatus(CSV.kind, 'closed.v1', 'default', { phase: 'Succeeded' }));
      const t0 = Date.now();
      const done = await client.waitFor({ ...CSV, name: 'closed.v1' }, hasPhase('Succeeded'), { timeoutMs: 20_000, intervalMs: MINUTE });
      expect(done.status).toMatchObject({ phase: 'Succeeded' });
      expect(Date.now() - t0).toBeLessThan(5_000);
      expect(watches().map((w) => w.fault)).toEqual(['close', undefined]);
      expect(watches()[0].closedByClient).toBe(false);
    }, 15_000);

    it('410 Gone: the next watch starts from the resourceVersion read again, not the stale one', async () => {
      const first = csv('gone.v1', 'Installing');
      const watches = watchesFrom();
      proxy.failNextWatches({ kind: 'gone', afterMs: 300 });
      const phases: unknown[] = [];
      const t0 = Date.now();
      const waiting = client.waitFor({ ...CSV, name: 'gone.v1' }, hasPhase('Succeeded'), {
        timeoutMs: 20_000,
        intervalMs: MINUTE,
        onPoll: (o) => phases.push((o?.status as { phase?: string } | undefined)?.phase),
      });
      // Written while the first watch is open but unseen by it (the proxy holds it): only a re-read picks it up.
      await until(() => watches().length === 1);
      const pending = api.setStatus(CSV.kind, 'gone.v1', 'default', { phase: 'Pending' })?.metadata.resourceVersion;
      await until(() => watches().length === 2);
      api.setStatus(CSV.kind, 'gone.v1', 'default', { phase: 'Succeeded' });
      const done = await waiting;
      expect(done.status).toMatchObject({ phase: 'Succeeded' });
      expect(Date.now() - t0).toBeLessThan(5_000);
      expect(watches().map((w) => w.query.resourceVersion)).toEqual([first.metadata.resourceVersion, pending]);
      expect(phases).toEqual(['Installing', 'Pending', 'Succeeded']);
    }, 15_000);

    it('a refused watch falls back to a poll tick: it reads again after intervalMs', async () => {
      csv('refused.v1', 'Installing');
      const watches = watchesFrom();
      proxy.failNextWatches({ kind: 'status', status: 500 });
      later(50, () => api.setStatus(CSV.kind, 'refused.v1', 'default', { phase: 'Succeeded' }));
      const t0 = Date.now();
      const done = await client.waitFor({ ...CSV, name: 'refused.v1' }, hasPhase('Succeeded'), { timeoutMs: 20_000, intervalMs: 600 });
      const took = Date.now() - t0;
      expect(done.status).toMatchObject({ phase: 'Succeeded' });
      expect(took).toBeGreaterThanOrEqual(550);
      expect(took).toBeLessThan(5_000);
      expect(watches().map((w) => w.fault)).toEqual(['status']);
    }, 15_000);

    it('an abort while waiting rejects with the reason at once and closes the watch', async () => {
      csv('aborted.v1', 'Installing');
      const watches = watchesFrom();
      const ctrl = new AbortController();
      later(200, () => ctrl.abort(new Error('run cancelled')));
      const t0 = Date.now();
      const err = await client.waitFor({ ...CSV, name: 'aborted.v1' }, hasPhase('Succeeded'), { timeoutMs: 20_000, intervalMs: MINUTE, signal: ctrl.signal }).catch((e: unknown) => e);
      expect((err as Error).message).toBe('run cancelled');
      expect(Date.now() - t0).toBeLessThan(2_000);
      expect(watches()).toHaveLength(1);
      expect(await closedByClient(watches()[0])).toBe(true);
    }, 15_000);

    it('an already aborted signal rejects without watching (not after the whole timeout)', async () => {
      csv('preaborted.v1', 'Installing');
      const watches = watchesFrom();
      const t0 = Date.now();
      const err = await client.waitFor({ ...CSV, name: 'preaborted.v1' }, hasPhase('Succeeded'), { timeoutMs: 20_000, intervalMs: MINUTE, signal: AbortSignal.abort(new Error('run cancelled')) }).catch((e: unknown) => e);
      expect((err as Error).message).toBe('run cancelled');
      expect(Date.now() - t0).toBeLessThan(2_000);
      expect(watches()).toEqual([]);
    }, 15_000);
  });

  describe('nextChange', () => {
    const cmSel = (name: string) => ({ namespace: 'default', fieldSelector: `metadata.name=${name}` });
    const cm = (name: string, data: Record<string, string>): void => void api.put({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' }, data });
    /** A ConfigMap, and the resourceVersion of its list to watch from (as the callers of nextChange do). */
    const listedConfigMap = async (name: string): Promise<string | undefined> => {
      cm(name, { a: '1' });
      return (await client.listVersioned('v1', 'ConfigMap', cmSel(name))).resourceVersion;
    };
    /** nextChange on that ConfigMap: its answer (or error) and how long it took. */
    const nextChange = async (name: string, resourceVersion: string | undefined, maxMs: number, wait: { intervalMs: number; signal?: AbortSignal }): Promise<{ changed: boolean | Error; ms: number }> => {
      const t0 = Date.now();
      const changed = await client.nextChange('v1', 'ConfigMap', { ...cmSel(name), resourceVersion }, maxMs, wait).catch((e: unknown) => e as Error);
      return { changed, ms: Date.now() - t0 };
    };
    /** The answer, given after at least `minMs` and well before any 60 s poll tick or 20 s maxMs. */
    const expectAnswer = (r: { changed: boolean | Error; ms: number }, changed: boolean, minMs = 0): void => {
      expect(r.changed).toBe(changed);
      expect(r.ms).toBeGreaterThanOrEqual(minMs);
      expect(r.ms).toBeLessThan(5_000);
    };

    it('true on a change, long before maxMs', async () => {
      const resourceVersion = await listedConfigMap('nc-change');
      later(200, () => cm('nc-change', { a: '2' }));
      const r = await nextChange('nc-change', resourceVersion, 20_000, { intervalMs: MINUTE });
      expectAnswer(r, true);
    }, 15_000);

    it('false after maxMs when nothing changes, and the watch is closed', async () => {
      const resourceVersion = await listedConfigMap('nc-quiet');
      const watches = watchesFrom();
      const r = await nextChange('nc-quiet', resourceVersion, 400, { intervalMs: MINUTE });
      expectAnswer(r, false, 380);
      expect(await closedByClient(watches()[0])).toBe(true);
    }, 15_000);

    it('the server closes the watch part-way: false at once (the caller lists again), no poll tick', async () => {
      const resourceVersion = await listedConfigMap('nc-closed');
      proxy.failNextWatches({ kind: 'close', afterMs: 300 });
      const r = await nextChange('nc-closed', resourceVersion, 20_000, { intervalMs: MINUTE });
      expectAnswer(r, false);
    }, 15_000);

    it('a watch that ends at once, 410 Gone or is refused waits intervalMs instead of letting the caller spin', async () => {
      const resourceVersion = await listedConfigMap('nc-spin');
      const watches = watchesFrom();
      proxy.failNextWatches({ kind: 'close', afterMs: 0 }, { kind: 'gone', afterMs: 0 }, { kind: 'status', status: 500 });
      for (let i = 0; i < 3; i++) {
        const r = await nextChange('nc-spin', resourceVersion, 20_000, { intervalMs: 500 });
        expectAnswer(r, false, 480);
      }
      expect(watches().map((w) => w.fault)).toEqual(['close', 'gone', 'status']);
    }, 20_000);

    it('an abort while waiting rejects with the reason and closes the watch; an already aborted signal makes no watch', async () => {
      const resourceVersion = await listedConfigMap('nc-abort');
      const watches = watchesFrom();
      const ctrl = new AbortController();
      later(200, () => ctrl.abort(new Error('run cancelled')));
      const r = await nextChange('nc-abort', resourceVersion, 20_000, { intervalMs: MINUTE, signal: ctrl.signal });
      expect((r.changed as Error).message).toBe('run cancelled');
      expect(r.ms).toBeLessThan(2_000);
      expect(await closedByClient(watches()[0])).toBe(true);
      const again = await nextChange('nc-abort', resourceVersion, 20_000, { intervalMs: MINUTE, signal: ctrl.signal });
      expect((again.changed as Error).message).toBe('run cancelled');
      expect(watches()).toHaveLength(1);
    }, 15_000);
  });
});
