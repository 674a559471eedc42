/**
 * Through a real `dci-agent-ts run`: hooks that call the cluster through our Kubernetes modules start the client
 * library load at run start, like deploy-operators with operators does. Observed with Node's own NODE_DEBUG switch
 * (`dci_k8s` section, src/k8s/client.ts): "preload started: hook <file> uses <module>", and for the first real call
 * how long it waited. The tests hook's k8s_info reads a ConfigMap from the fake API server (real HTTPS, token).
 */
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { startFakeK8sApi, type FakeK8sApi } from '../helpers/fake-k8s-api.js';
import { makeLab, recordingHook, type Lab } from './lab-fixture.js';

let api: FakeK8sApi;
beforeAll(async () => {
  api = await startFakeK8sApi();
  api.put({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'probe', namespace: 'default' }, data: { answer: '42' } });
}, 30_000);
afterAll(async () => api.stop());

const labs: Lab[] = [];
afterAll(() => {
  for (const l of labs) rmSync(l.dir, { recursive: true, force: true });
});

/** A lab that applies (not plan mode) and talks to the fake API; only deploy-operators (no operators) and its hooks run. */
function lab(): Lab {
  const l = makeLab(`    kubeconfig_path: ${api.kubeconfigPath}\n`);
  labs.push(l);
  return l;
}

const K8S_INFO_HOOK = `${recordingHook('tests')}
- name: read the probe
  k8s_info:
    kind: ConfigMap
    name: probe
    namespace: default
  register: probe
- name: record what the cluster said
  shell: echo "answer={{ probe.resources[0].data.answer }}" >> {{ order_log }}
`;

async function run(l: Lab, extra: string[] = []) {
  const r = await runCli(['run', '--inventory', l.inventory, '--output', 'plain', '--stages', 'deploy-operators', '-e', 'dci_install_mode=apply', ...extra], {
    env: { ...l.env, NODE_DEBUG: 'dci_k8s' },
    timeoutMs: 90_000,
  });
  const trace = r.stderr.split('\n').filter((line) => line.startsWith('DCI_K8S '));
  return { ...r, trace, preloads: trace.filter((line) => line.includes('preload started')) };
}

describe('Kubernetes client preload for hooks, through dci-agent-ts run', () => {
  it('a tests hook using k8s_info starts the preload at run start; its first call finds the library loading or loaded', async () => {
    const l = lab();
    l.writeHook(1, 'tests', K8S_INFO_HOOK);
    const r = await run(l);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(readFileSync(l.orderLog, 'utf8')).toContain('answer=42');
    expect(r.preloads).toEqual([expect.stringContaining(`preload started: hook ${join(l.hookDirs[1], 'hooks', 'tests.yml')} uses k8s_info`)]);
    // The first use comes after the preload started: it never started the load itself.
    const first = r.trace.find((line) => line.includes('first use'));
    expect(first).toBeDefined();
    expect(first).not.toContain('no preload');
    expect(r.trace.indexOf(r.preloads[0])).toBeLessThan(r.trace.indexOf(first!));
  }, 120_000);

  it('a k8s module in a task file the hook includes counts too (kubernetes.core.k8s_info, include_tasks)', async () => {
    const l = lab();
    l.writeHook(0, 'tests', `${recordingHook('tests')}\n- include_tasks: probe.yml\n`);
    writeFileSync(
      join(l.hookDirs[0], 'hooks', 'probe.yml'),
      `- kubernetes.core.k8s_info:\n    kind: ConfigMap\n    name: probe\n    namespace: default\n  register: probe\n- shell: echo "answer={{ probe.resources[0].data.answer }}" >> {{ order_log }}\n`,
    );
    const r = await run(l);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(readFileSync(l.orderLog, 'utf8')).toContain('answer=42');
    expect(r.preloads).toEqual([expect.stringContaining(`hooks/probe.yml uses kubernetes.core.k8s_info`)]);
  }, 120_000);

  it('hooks without k8s modules do not preload, and the library is never loaded', async () => {
    const l = lab();
    l.writeHook(0, 'tests', recordingHook('tests'));
    l.writeHook(1, 'post-run', recordingHook('post-run', '- debug:\n    msg: "k8s: not a module here, just text"\n'));
    const r = await run(l);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(readFileSync(l.orderLog, 'utf8')).toContain('tests');
    expect(r.trace).toEqual([]);
  }, 120_000);

  it('--check does not preload, even with a k8s_info hook', async () => {
    const l = lab();
    l.writeHook(1, 'tests', `- name: read the probe\n  k8s_info:\n    kind: ConfigMap\n    name: probe\n    namespace: default\n`);
    const r = await run(l, ['--check']);
    expect(r.preloads).toEqual([]);
    // The run happened (a run record exists); only the preload was left out.
    expect(readdirSync(join(l.stateDir, 'runs')).length).toBe(1);
  }, 120_000);

  it('a hook that does not parse is the engine error, reported when the hook runs (the scan never fails a run)', async () => {
    const l = lab();
    l.writeHook(0, 'tests', '- k8s_info: [unclosed\n');
    const r = await run(l);
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).toMatch(/tests\.yml/);
  }, 120_000);
});
