import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeK8sApi, type FakeK8sApi } from '../../helpers/fake-k8s-api.js';
import { startMcoController } from '../../helpers/k8s-controllers.js';
import { makeContext, runModule } from '../helpers.js';

const ICSP = 'apiVersion: operator.openshift.io/v1alpha1\nkind: ImageContentSourcePolicy\nmetadata:\n  name: dci-release\nspec:\n  repositoryDigestMirrors:\n  - source: quay.io/openshift-release-dev/ocp-release\n    mirrors:\n    - registry.lab:5000/ocp-4.12/4.12.45\n';
const CATALOG = 'apiVersion: operators.coreos.com/v1alpha1\nkind: CatalogSource\nmetadata:\n  name: cs-redhat-operators\n  namespace: openshift-marketplace\nspec:\n  sourceType: grpc\n  image: registry.lab:5000/redhat/redhat-operator-index:v4.12\n';
const BAD_IDMS = 'apiVersion: config.openshift.io/v1\nkind: ImageDigestMirrorSet\nmetadata:\n  name: broken\nspec:\n  imageDigestMirrors:\n  - source: quay.io/x\n    mirrors: ["has spaces/not a repo"]\n';

describe('apply_mirror_sets on the fake API', () => {
  let api: FakeK8sApi;
  let stop: () => void;
  const dirs: string[] = [];
  beforeAll(async () => {
    api = await startFakeK8sApi();
    stop = startMcoController(api, { delayMs: 30, updateMs: 150 });
  });
  afterAll(async () => {
    stop();
    await api.stop();
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  });
  const ctx = (over: Parameters<typeof makeContext>[0] = {}) => makeContext({ vars: { kubeconfig_path: api.kubeconfigPath }, ...over });
  const dirWith = async (files: Record<string, string>) => {
    const dir = await mkdtemp(join(tmpdir(), 'dci-sets-'));
    dirs.push(dir);
    for (const [n, c] of Object.entries(files)) await writeFile(join(dir, n), c);
    return dir;
  };

  it('check mode lists what it would apply (mirror sets first) without calling the API', async () => {
    const before = api.calls.length;
    const dir = await dirWith({ 'a-catalogSource.yaml': CATALOG, 'b-icsp.yaml': ICSP, 'notes.txt': 'ignored' });
    const r = await runModule('dci.agent.apply_mirror_sets', { dir }, ctx({ checkMode: true }));
    expect(r.would_apply).toEqual(['ImageContentSourcePolicy dci-release', 'CatalogSource openshift-marketplace/cs-redhat-operators']);
    expect(api.calls.length).toBe(before);
  });

  it('applies an ICSP (4.12) and waits for the pools; a second run changes nothing and does not wait', async () => {
    const dir = await dirWith({ 'a-catalogSource.yaml': CATALOG, 'b-icsp.yaml': ICSP });
    const r = await runModule('apply_mirror_sets', { dir, poll_interval: 0.03, mcp_settle: 3 }, ctx());
    expect(r).toMatchObject({ failed: false, changed: true, mirror_sets_changed: true, pools_waited: true });
    expect(api.get('MachineConfigPool', 'master')?.status).toMatchObject({ configuration: { name: 'rendered-master-1' } });
    const again = await runModule('apply_mirror_sets', { dir, poll_interval: 0.03 }, ctx());
    expect(again).toMatchObject({ changed: false, mirror_sets_changed: false, pools_waited: false });
  });

  it('an IDMS the CRD schema refuses fails with the schema problem; a missing dir is named', async () => {
    const r = await runModule('apply_mirror_sets', { dir: await dirWith({ 'idms.yaml': BAD_IDMS }) }, ctx());
    expect(r.failed).toBe(true);
    expect(r.msg).toMatch(/rejected ImageDigestMirrorSet broken as invalid: .*mirrors/);
    expect(api.get('ImageDigestMirrorSet', 'broken')).toBeUndefined();
    const missing = await runModule('apply_mirror_sets', { dir: '/nonexistent/sets' }, ctx());
    expect(missing.msg).toMatch(/cannot read the mirror sets directory \/nonexistent\/sets: ENOENT/);
  });
});
