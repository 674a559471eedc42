import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync, readFileSync } from 'node:fs';
import https from 'node:https';
import { startFakeK8sApi, type FakeK8sApi } from '../helpers/fake-k8s-api.js';
import { K8sClient, hasCondition, hasPhase, parseDefinitions, predicate } from '../../src/k8s/index.js';
import { KubernetesError } from '../../src/core/errors.js';

const idms = (mirror: string) => ({
  apiVersion: 'config.openshift.io/v1',
  kind: 'ImageDigestMirrorSet',
  metadata: { name: 'dci-release' },
  spec: { imageDigestMirrors: [{ source: 'quay.io/openshift-release-dev/ocp-release', mirrors: [mirror] }] },
});

describe('K8sClient on the fake API server', () => {
  let api: FakeK8sApi;
  let client: K8sClient;
  beforeAll(async () => {
    api = await startFakeK8sApi();
    client = await K8sClient.fromKubeconfig(api.kubeconfigPath);
  });
  afterAll(async () => api.stop());

  it('server-side apply creates, then is idempotent, then updates', async () => {
    const first = await client.apply(idms('registry.lab:5000/ocp/release'));
    expect(first).toMatchObject({ created: true, changed: true });
    const again = await client.apply(idms('registry.lab:5000/ocp/release'));
    expect(again).toMatchObject({ created: false, changed: false });
    const upd = await client.apply(idms('registry.lab:5000/ocp4/release'));
    expect(upd.changed).toBe(true);
    expect(api.get('ImageDigestMirrorSet', 'dci-release')?.spec).toEqual(idms('registry.lab:5000/ocp4/release').spec);
    const applies = api.calls.filter((c) => c.verb === 'apply');
    expect(applies.every((c) => c.query.fieldManager === 'dci-agent-ts' && c.query.force === 'true')).toBe(true);
  });

  it('an invalid IDMS is rejected with 422 and the schema problem', async () => {
    const bad = idms('not a registry!!');
    const err = await client.apply(bad).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KubernetesError);
    expect((err as KubernetesError).code).toBe('k8s-invalid');
    expect((err as KubernetesError).message).toMatch(/ImageDigestMirrorSet dci-release as invalid: .*mirrors/);
  });

  it('create conflicts, get returns undefined for missing objects, namespaced creates need the namespace', async () => {
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', namespace: 'nope' }, data: { x: '1' } };
    const err = (await client.create(cm).catch((e: unknown) => e)) as KubernetesError;
    expect(err.code).toBe('k8s-not-found');
    expect(err.message).toMatch(/namespaces "nope" not found/);
    await client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'nope' } });
    await client.create(cm);
    expect(((await client.create(cm).catch((e: unknown) => e)) as KubernetesError).code).toBe('k8s-conflict');
    expect(await client.get({ apiVersion: 'v1', kind: 'ConfigMap', name: 'missing', namespace: 'nope' })).toBeUndefined();
    const got = await client.get({ apiVersion: 'v1', kind: 'ConfigMap', name: 'a', namespace: 'nope' });
    expect(got?.data).toEqual({ x: '1' });
    expect(await client.delete({ apiVersion: 'v1', kind: 'ConfigMap', name: 'a', namespace: 'nope' })).toBe(true);
    expect(await client.delete({ apiVersion: 'v1', kind: 'ConfigMap', name: 'a', namespace: 'nope' })).toBe(false);
  });

  it('lists by label selector', async () => {
    await client.apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'l1', namespace: 'default', labels: { app: 'x' } } });
    await client.apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'l2', namespace: 'default', labels: { app: 'y' } } });
    const items = await client.list('v1', 'ConfigMap', { namespace: 'default', labelSelector: 'app=x' });
    expect(items.map((i) => i.metadata.name)).toEqual(['l1']);
  });

  it('waitFor returns once a controller moves the status, and times out naming the object and its last state', async () => {
    const ref = { apiVersion: 'operators.coreos.com/v1alpha1', kind: 'ClusterServiceVersion', name: 'op.v1', namespace: 'default' };
    api.put({ apiVersion: ref.apiVersion, kind: ref.kind, metadata: { name: ref.name, namespace: 'default' }, status: { phase: 'Installing' } });
    setTimeout(() => api.setStatus(ref.kind, ref.name, 'default', { phase: 'Succeeded' }), 150);
    const done = await client.waitFor(ref, hasPhase('Succeeded'), { timeoutMs: 5000, intervalMs: 50 });
    expect(done.status).toMatchObject({ phase: 'Succeeded' });
    const err = (await client.waitFor(ref, hasCondition('Ready'), { timeoutMs: 200, intervalMs: 50 }).catch((e: unknown) => e)) as KubernetesError;
    expect(err.code).toBe('k8s-timeout');
    expect(err.message).toBe('timed out after 0s waiting for ClusterServiceVersion default/op.v1 to reach condition Ready=True; last state: phase Succeeded');
  });

  it('waitFor watches from the resourceVersion: it reacts to a change long before the poll interval', async () => {
    const ref = { apiVersion: 'agent-install.openshift.io/v1beta1', kind: 'InfraEnv', name: 'w1-infra', namespace: 'default' };
    api.put({ apiVersion: ref.apiVersion, kind: ref.kind, metadata: { name: ref.name, namespace: 'default' }, spec: {} });
    setTimeout(() => api.setStatus(ref.kind, ref.name, 'default', { conditions: [{ type: 'ImageCreated', status: 'True', reason: 'ImageCreated' }] }), 300);
    const t0 = Date.now();
    const seen: Array<string | undefined> = [];
    const done = await client.waitFor(ref, hasCondition('ImageCreated'), { timeoutMs: 20_000, intervalMs: 60_000, onPoll: (o) => seen.push(o?.metadata.resourceVersion) });
    expect(Date.now() - t0).toBeLessThan(5_000);
    expect(done.status).toMatchObject({ conditions: [{ type: 'ImageCreated', status: 'True' }] });
    const watchCall = api.calls.find((c) => c.verb === 'watch' && c.kind === 'InfraEnv');
    expect(watchCall?.query).toMatchObject({ fieldSelector: 'metadata.name=w1-infra', resourceVersion: seen[0] });
    // A predicate that throws stops the watch at once (how Failed conditions end a wait).
    setTimeout(() => api.setStatus(ref.kind, ref.name, 'default', { phase: 'Broken' }), 200);
    const stop = predicate('never', (o) => {
      if ((o.status as { phase?: string }).phase === 'Broken') throw new Error('it broke');
      return false;
    });
    await expect(client.waitFor(ref, stop, { timeoutMs: 20_000, intervalMs: 60_000 })).rejects.toThrow('it broke');
  });

  it('waitGone wakes on the deletion (watch), and times out naming the object', async () => {
    api.put({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'held', namespace: 'default' } });
    const ref = { apiVersion: 'v1', kind: 'ConfigMap', name: 'held', namespace: 'default' };
    setTimeout(() => api.remove('ConfigMap', 'held', 'default'), 300);
    const t0 = Date.now();
    await client.waitGone(ref, { timeoutMs: 20_000, intervalMs: 60_000 });
    expect(Date.now() - t0).toBeLessThan(10_000);
    api.put({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'stays', namespace: 'default' } });
    await expect(client.waitGone({ ...ref, name: 'stays' }, { timeoutMs: 300, intervalMs: 60_000 })).rejects.toThrow('timed out after 0s waiting for ConfigMap default/stays to be deleted');
  });

  it('a rejected token names the kubeconfig', async () => {
    const path = `${api.kubeconfigPath}-bad`;
    writeFileSync(path, readFileSync(api.kubeconfigPath, 'utf8').replace(api.token, 'wrong'));
    const bad = await K8sClient.fromKubeconfig(path);
    const err = (await bad.list('v1', 'Namespace').catch((e: unknown) => e)) as KubernetesError;
    expect(err.code).toBe('k8s-unauthorized');
    expect(err.message).toContain(`the kubeconfig at ${path} is rejected`);
  });

  it('verifies TLS: a kubeconfig without the cluster CA is refused with a TLS error; skip-verify is refused up front', async () => {
    const noCa = `${api.kubeconfigPath}-noca`;
    writeFileSync(noCa, readFileSync(api.kubeconfigPath, 'utf8').replace(/ +certificate-authority-data: .*\n/, ''));
    const c = await K8sClient.fromKubeconfig(noCa);
    const err = (await c.list('v1', 'Namespace').catch((e: unknown) => e)) as KubernetesError;
    expect(err.code).toBe('k8s-tls');
    expect(err.message).toContain(`is not trusted (kubeconfig ${noCa})`);
    const skip = `${api.kubeconfigPath}-skip`;
    writeFileSync(skip, readFileSync(api.kubeconfigPath, 'utf8').replace(/ +certificate-authority-data: .*\n/, '    insecure-skip-tls-verify: true\n'));
    expect(await K8sClient.fromKubeconfig(skip).catch((e: unknown) => (e as KubernetesError).message)).toMatch(/disables TLS verification/);
  });

  it('one client per kubeconfig content: later tasks reuse it and its TLS connection; an edited kubeconfig is read again', async () => {
    let connections = 0;
    const create = https.Agent.prototype.createConnection;
    https.Agent.prototype.createConnection = function (this: https.Agent, ...args: Parameters<typeof create>) {
      connections++;
      return create.apply(this, args);
    } as typeof create;
    try {
      const path = `${api.kubeconfigPath}-shared`;
      writeFileSync(path, readFileSync(api.kubeconfigPath, 'utf8'));
      const first = await K8sClient.fromKubeconfig(path);
      await first.list('v1', 'Namespace');
      const opened = connections;
      expect(opened).toBeGreaterThan(0);
      for (let i = 0; i < 10; i++) {
        const c = await K8sClient.fromKubeconfig(path);
        expect(c).toBe(first);
        await c.get({ apiVersion: 'v1', kind: 'Namespace', name: 'none' });
        await c.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: `shared-${i}` } });
      }
      expect(connections).toBe(opened);
      // The kubeconfig is rewritten (e.g. a new token): the next task must use the new content.
      writeFileSync(path, readFileSync(api.kubeconfigPath, 'utf8').replace(api.token, 'rotated-away') + '\n');
      const again = await K8sClient.fromKubeconfig(path);
      expect(again).not.toBe(first);
      expect(((await again.list('v1', 'Namespace').catch((e: unknown) => e)) as KubernetesError).code).toBe('k8s-unauthorized');
    } finally {
      https.Agent.prototype.createConnection = create;
    }
  });

  it('an unknown kind and a missing kubeconfig give clear errors', async () => {
    const err = (await client.apply({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } }).catch((e: unknown) => e)) as KubernetesError;
    expect(err.code).toBe('k8s-unknown-kind');
    expect(err.message).toMatch(/does not serve example.com\/v1 Widget \(needed to (get|apply) Widget w\)/);
    expect(await K8sClient.fromKubeconfig('/nonexistent/kc').catch((e: unknown) => (e as KubernetesError).code)).toBe('k8s-kubeconfig');
  });

  it('parseDefinitions accepts dicts, lists, List kinds and multi-document YAML', () => {
    const objs = parseDefinitions('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\napiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: Secret, metadata: {name: s}}\n', 'definition', 'ns1');
    expect(objs.map((o) => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`)).toEqual(['ConfigMap/ns1/a', 'Secret/ns1/s']);
    expect(() => parseDefinitions({ kind: 'ConfigMap', metadata: { name: 'x' } }, 'definition')).toThrow(/definition has no apiVersion/);
  });
});
