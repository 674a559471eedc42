/**
 * Secret hygiene, end to end: `dci-agent-ts run` on a lab inventory carrying known fake secrets (pull secret
 * auths from openshift_secret and a pullsecret_file, a disconnected registry auths file, BMC password, a registry
 * password, the DCI API secret, a kubeadmin-like password a hook prints) reporting to the fake DCI server.
 * Every byte the run writes is scanned (terminal output, the state dir with the run record, every request body the
 * DCI server received and the files it stored): zero occurrences, also base64-encoded. Files holding credentials
 * are 0600. `vars` shows secret variables as ******** in every format.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, type CliRun } from '../helpers/cli.js';
import { startFakeDciServer, type FakeDciServer } from '../helpers/fake-dci-server.js';
import { makeLab, type Lab } from '../pipeline/lab-fixture.js';
import { findLeaks, walk, type Leak } from './scan.js';

const b64 = (s: string): string => Buffer.from(s).toString('base64');
const S = {
  ocpAuthPassword: 'OcpPull-Secret-7731',
  psFilePassword: 'PsFile-Secret-5519',
  registryAuthPassword: 'RegAuth-Pass-9931',
  bmc: 'bmc-Secret-1', // makeLab's ipmi_password
  registryPassword: 'Registry-Pw-4417',
  kubeadmin: 'Kube-Admin-Pw-2208',
};
const AUTHS = {
  ocp: b64(`ocpuser:${S.ocpAuthPassword}`),
  psFile: b64(`psuser:${S.psFilePassword}`),
  registry: b64(`reguser:${S.registryAuthPassword}`),
};

let dci: FakeDciServer;
let lab: Lab;
let plain: CliRun;
let secrets: string[];

beforeAll(async () => {
  dci = await startFakeDciServer();
  lab = makeLab('', { ocpVersion: null });
  const psFile = join(lab.dir, 'pull-secret.json');
  writeFileSync(psFile, JSON.stringify({ auths: { 'registry.redhat.io': { auth: AUTHS.psFile, email: 'x@example.com' } } }));
  const regAuths = join(lab.dir, 'registry-auths.json');
  writeFileSync(regAuths, JSON.stringify({ auths: { 'registry.lab.example:5000': { auth: AUTHS.registry } } }));
  const extra = join(lab.dir, 'secrets.yml');
  writeFileSync(
    extra,
    [
      `openshift_secret: '${JSON.stringify({ auths: { 'quay.io': { auth: AUTHS.ocp } } })}'`,
      `pullsecret_file: ${psFile}`,
      `disconnected_registry_auths_file: ${regAuths}`,
      `local_registry_password: ${S.registryPassword}`,
      `lab_kubeadmin_password: ${S.kubeadmin}`,
      `dci_topic: OCP-4.16`,
      // the sno plan needs the node IP (lab-fixture's host has none)
      `rendezvous_ip: 192.0.2.10`,
      `webserver_url: http://192.0.2.1:8080`,
      // keep the cluster configs dir (teardown removes the merged pull secret) so its mode can be checked
      `dci_teardown_on_success: false`,
      `provision_cache_store: ${join(lab.dir, 'cache')}`,
      `dci_components_by_query: ['ocp?tags:build:ga']`,
      '',
    ].join('\n'),
  );
  // Hooks that try hard to print secrets: debug of the variable, a shell echo, a registered result. (A hook that
  // writes a secret into a file of its own is the hook's choice, not a leak: not tested.)
  lab.writeHook(
    0,
    'pre-run',
    `- name: show the kubeadmin password
  debug:
    msg: "kubeadmin is {{ lab_kubeadmin_password }}"
- name: echo the registry password
  shell: echo "registry password {{ local_registry_password }}"
  register: echoed
- name: show what was echoed
  debug: var=echoed
- name: show the BMC password of sno-0
  debug:
    msg: "{{ hostvars['sno-0'].ipmi_password }}"
- name: keep a report in job_logs
  copy:
    dest: "{{ job_logs.path }}/report.txt"
    content: "hooks ran\\n"
`,
  );
  secrets = [...Object.values(S), ...Object.values(AUTHS), dci.secret];
  plain = await runCli(['run', '--inventory', lab.inventory, '-e', `@${extra}`, '--output', 'plain'], { env: { ...lab.env, ...dci.credentialsEnv() }, timeoutMs: 90_000 });
}, 120_000);

afterAll(async () => {
  await dci?.close();
  if (lab) rmSync(lab.dir, { recursive: true, force: true });
});

const describeLeaks = (leaks: Leak[]): string => leaks.map((l) => `${l.where}: ${l.secret} as ${l.form}`).join('\n');

describe('secret hygiene of a run', () => {
  it('the run itself went through the hooks and reported to DCI', () => {
    expect(plain.code, (plain.stdout + plain.stderr).slice(-3000)).toBe(0);
    expect(plain.stdout + plain.stderr).toContain('show the kubeadmin password');
    expect(dci.db.jobs.size).toBe(1);
  });

  it('terminal output holds no secret, raw or base64', () => {
    const leaks = [...findLeaks('stdout', plain.stdout, secrets), ...findLeaks('stderr', plain.stderr, secrets)];
    expect(describeLeaks(leaks)).toBe('');
    expect(plain.stdout + plain.stderr).toContain('********');
  });

  it('the state dir (run record, logs, junit, facts) holds no secret', () => {
    const files = walk(lab.stateDir);
    expect(files.length).toBeGreaterThan(3);
    const leaks = files.flatMap((f) => findLeaks(f.path, f.bytes, secrets));
    expect(describeLeaks(leaks)).toBe('');
  });

  it('nothing sent to the DCI server holds a secret (requests, stored rows, uploaded files)', () => {
    const job = [...dci.db.jobs.values()][0];
    const files = dci.filesOf(job.id as string);
    expect(files.some((f) => f.name === 'report.txt')).toBe(true);
    const leaks = [
      ...files.flatMap((f) => findLeaks(`dci file ${String(f.name)}`, Buffer.from(f.content), secrets)),
      ...dci.requests.flatMap((r, i) => findLeaks(`dci request #${i} ${JSON.stringify(r).slice(0, 80)}`, JSON.stringify(r), secrets)),
      // every stored row: job fields, job state comments, results, key/values (file bodies are scanned above)
      ...findLeaks('dci database', JSON.stringify({ ...dci.db, jobs: [...dci.db.jobs.values()], files: dci.db.files.map((f) => ({ ...f, content: undefined })) }), secrets),
    ];
    expect(describeLeaks(leaks)).toBe('');
  });

  it('the merged pull secret holds every auth and is 0600; every file holding a credential is 0600', () => {
    const merged = join(lab.dir, 'clusterconfigs', 'pull-secret.json');
    expect(existsSync(merged)).toBe(true);
    expect(statSync(merged).mode & 0o777).toBe(0o600);
    const all = [...walk(lab.dir)].filter((f) => !f.path.startsWith(join(lab.dir, 'config-')) && !f.path.endsWith('secrets.yml') && !f.path.endsWith('registry-auths.json') && f.path !== join(lab.dir, 'pull-secret.json') && !f.path.endsWith('lab.yml'));
    const holding = all.filter((f) => findLeaks(f.path, f.bytes, secrets).length > 0);
    expect(holding.map((f) => f.path)).toContain(merged);
    for (const f of holding) expect(`${f.path} ${(f.mode).toString(8)}`).toBe(`${f.path} 600`);
  });
});

describe('vars redacts secret variables', () => {
  it('yaml, json and --explain show ******** for ipmi_password', async () => {
    const [yaml, json, explain] = await Promise.all([
      runCli(['vars', '-i', lab.inventory, '--host', 'sno-0']),
      runCli(['vars', '-i', lab.inventory, '--host', 'sno-0', '--output', 'json']),
      runCli(['vars', '-i', lab.inventory, '--host', 'sno-0', '--explain', 'ipmi_password']),
    ]);
    for (const r of [yaml, json, explain]) {
      expect(r.code, r.stderr).toBe(0);
      expect(describeLeaks(findLeaks('vars', r.stdout + r.stderr, [S.bmc]))).toBe('');
      expect(r.stdout).toContain('********');
    }
    // --show-secrets is the explicit way to see it
    const shown = await runCli(['vars', '-i', lab.inventory, '--host', 'sno-0', '--show-secrets']);
    expect(shown.stdout).toContain(S.bmc);
  }, 60_000);

  it('extra vars secrets are redacted too', async () => {
    const r = await runCli(['vars', '-i', lab.inventory, '--host', 'localhost', '-e', `local_registry_password=${S.registryPassword}`, '--explain', 'local_registry_password']);
    expect(r.code, r.stderr).toBe(0);
    expect(describeLeaks(findLeaks('vars --explain', r.stdout + r.stderr, [S.registryPassword]))).toBe('');
  }, 60_000);
});
