import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startFakeK8sApi, type FakeK8sApi } from '../../helpers/fake-k8s-api.js';
import { makeContext, runModule, withTempDir } from '../helpers.js';

describe('k8s and k8s_info modules on the fake API server', () => {
  let api: FakeK8sApi;
  beforeAll(async () => {
    api = await startFakeK8sApi();
  });
  afterAll(async () => api.stop());
  const ctx = (over: Parameters<typeof makeContext>[0] = {}) => makeContext({ vars: { kubeconfig_path: api.kubeconfigPath }, ...over });

  it('creates from a YAML definition, reports no change the second time, deletes with state absent', async () => {
    const definition = 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: hooks\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\n  namespace: hooks\ndata:\n  a: "1"\n';
    const first = await runModule('kubernetes.core.k8s', { definition }, ctx());
    expect(first).toMatchObject({ changed: true, failed: false });
    expect(api.get('ConfigMap', 'cfg', 'hooks')?.data).toEqual({ a: '1' });
    const second = await runModule('k8s', { definition }, ctx());
    expect(second.changed).toBe(false);
    const gone = await runModule('community.kubernetes.k8s', { state: 'absent', kind: 'ConfigMap', name: 'cfg', namespace: 'hooks' }, ctx());
    expect(gone.changed).toBe(true);
    expect(api.get('ConfigMap', 'cfg', 'hooks')).toBeUndefined();
    expect((await runModule('k8s', { state: 'absent', kind: 'ConfigMap', name: 'cfg', namespace: 'hooks' }, ctx())).changed).toBe(false);
  });

  it('reads src files relative to the task dir and honours check mode', async () => {
    await withTempDir(async (dir) => {
      await writeFile(join(dir, 'cm.yml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: from-src}\ndata: {k: v}\n');
      const check = await runModule('k8s', { src: 'cm.yml', namespace: 'default' }, ctx({ taskDir: dir, checkMode: true }));
      expect(check.changed).toBe(true);
      expect(api.get('ConfigMap', 'from-src', 'default')).toBeUndefined();
      const real = await runModule('k8s', { src: 'cm.yml', namespace: 'default' }, ctx({ taskDir: dir }));
      expect(real).toMatchObject({ changed: true, method: 'create', result: { metadata: { name: 'from-src', namespace: 'default' } } });
      const missing = await runModule('k8s', { src: 'nope.yml' }, ctx({ taskDir: dir }));
      expect(missing.failed).toBe(true);
      expect(missing.msg).toContain(`cannot read src ${join(dir, 'nope.yml')}`);
    });
  });

  it('k8s_info wait wakes on the change, not after wait_sleep: an object created 300 ms later is returned at once', async () => {
    setTimeout(() => api.put({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'late', namespace: 'default', labels: { app: 'late' } }, data: { k: 'v' } }), 300);
    const t0 = Date.now();
    const info = await runModule('k8s_info', { kind: 'ConfigMap', name: 'late', namespace: 'default', wait: true, wait_timeout: 60, wait_sleep: 30 }, ctx());
    expect(info.failed).toBe(false);
    expect(info.resources).toMatchObject([{ metadata: { name: 'late' }, data: { k: 'v' } }]);
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(api.calls.some((c) => c.verb === 'watch' && c.kind === 'ConfigMap')).toBe(true);
  });

  it('fails with the schema problem on an invalid CatalogSource', async () => {
    const res = await runModule(
      'k8s',
      { definition: { apiVersion: 'operators.coreos.com/v1alpha1', kind: 'CatalogSource', metadata: { name: 'bad', namespace: 'openshift-marketplace' }, spec: { sourceType: 'grpc', grpcPodConfig: { securityContextConfig: 'weird' } } } },
      ctx(),
    );
    expect(res.failed).toBe(true);
    expect(res.msg).toMatch(/rejected CatalogSource openshift-marketplace\/bad as invalid: .*securityContextConfig/);
  });

  it('waits for a condition set by a controller, and k8s_info waits and filters by label', async () => {
    api.onChange((type, obj) => {
      if (type === 'ADDED' && obj.kind === 'MachineConfigPool') {
        setTimeout(() => api.setStatus('MachineConfigPool', obj.metadata.name, undefined, { conditions: [{ type: 'Updated', status: 'True' }] }), 100);
      }
    });
    const mcp = { apiVersion: 'machineconfiguration.openshift.io/v1', kind: 'MachineConfigPool', metadata: { name: 'master', labels: { role: 'master' } } };
    const res = await runModule('k8s', { definition: mcp, wait: true, wait_condition: { type: 'Updated', status: 'True' }, wait_sleep: 0.05 }, ctx());
    expect(res.failed).toBe(false);
    expect(res.result).toMatchObject({ status: { conditions: [{ type: 'Updated', status: 'True' }] } });
    const info = await runModule('kubernetes.core.k8s_info', { api_version: 'machineconfiguration.openshift.io/v1', kind: 'MachineConfigPool', label_selectors: ['role=master'], wait: true, wait_condition: { type: 'Updated' } }, ctx());
    expect((info.resources as unknown[]).length).toBe(1);
    const none = await runModule('k8s_info', { api_version: 'machineconfiguration.openshift.io/v1', kind: 'MachineConfigPool', label_selectors: ['role=worker'] }, ctx());
    expect(none.resources).toEqual([]);
    const timeout = await runModule('k8s_info', { kind: 'ConfigMap', name: 'never', namespace: 'default', wait: true, wait_timeout: 0.2, wait_sleep: 0.05 }, ctx());
    expect(timeout.failed).toBe(true);
    expect(timeout.msg).toMatch(/timed out after 0.2s waiting for ConfigMap default\/never to exist/);
  });

  it('wait without a condition waits for a Deployment to roll out, and times out saying so', async () => {
    const dep = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'default' }, spec: { replicas: 2 } };
    const off = api.onChange((type, obj) => {
      if (type === 'ADDED' && obj.kind === 'Deployment' && obj.metadata.name === 'web') {
        setTimeout(() => api.setStatus('Deployment', 'web', 'default', { replicas: 2, updatedReplicas: 1, availableReplicas: 1, observedGeneration: 1 }), 50);
        setTimeout(() => api.setStatus('Deployment', 'web', 'default', { replicas: 2, updatedReplicas: 2, availableReplicas: 2, observedGeneration: 1 }), 250);
      }
    });
    const res = await runModule('k8s', { definition: dep, wait: true, wait_timeout: 10, wait_sleep: 0.05 }, ctx());
    off();
    expect(res.failed).toBe(false);
    expect(res.result).toMatchObject({ status: { availableReplicas: 2 } });
    const stuck = await runModule('k8s', { definition: { ...dep, metadata: { name: 'stuck', namespace: 'default' } }, wait: true, wait_timeout: 0.3, wait_sleep: 0.05 }, ctx());
    expect(stuck.failed).toBe(true);
    expect(stuck.msg).toMatch(/waiting for Deployment default\/stuck to reach rolled out \(all replicas updated and available\)/);
  });

  it('registers Secret values for redaction', async () => {
    const c = ctx();
    await runModule('k8s', { definition: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's1', namespace: 'default' }, stringData: { password: 'hunter2-very-secret' } } }, c);
    expect(c.secrets.redact('pw=hunter2-very-secret')).not.toContain('hunter2');
    const again = await runModule('k8s', { definition: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's1', namespace: 'default' }, stringData: { password: 'hunter2-very-secret' } } }, c);
    expect(again.changed).toBe(false);
    // A fresh run that only reads the Secret still learns its values.
    const reader = ctx();
    const info = await runModule('k8s_info', { kind: 'Secret', name: 's1', namespace: 'default' }, reader);
    expect((info.resources as Array<{ data: Record<string, string> }>)[0].data.password).toBe(Buffer.from('hunter2-very-secret').toString('base64'));
    expect(reader.secrets.redact('hunter2-very-secret')).not.toContain('hunter2');
  });
});
