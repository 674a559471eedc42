/**
 * Issue #8's end-to-end check: a full `dci-agent-ts run --inventory lab.yml` through the real CLI, for every
 * install_type (ipi, sno, acm) on OCP 4.12 (ImageContentSourcePolicy) and 4.16 (ImageDigestMirrorSet), disconnected:
 * pre-run → mirror-images (real source and mirror registries) → install (fake installer over the real sshd / fake
 * Redfish BMC / fake ACM hub) → deploy-operators (fake cluster API with OLM and MCO controllers) → post-run.
 * It checks what a partner would: the job succeeded with every stage ok, the version's mirror objects (and only
 * those) in install-config and on the cluster, the installer the version needs, the order of commands and API
 * calls, the credentials fetched 0600, and no secret anywhere in the run record.
 */
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { collectMirrorSets, type MirrorSetObject } from '../../src/manifests/index.js';
import { resolvePullSourcesFromMirrorSets } from '../../src/manifests/resolve.js';
import type { KObj } from '../helpers/fake-k8s-api.js';
import { CATALOG_SOURCE, filesUnder, MIRROR_AUTH, makeCaseLab, startSharedLab, type CaseLab, type InstallType, type SharedLab } from './full-run-lab.js';

const VERSIONS = { '4.12': '4.12.30', '4.16': '4.16.3' } as const;
const CASES: Array<[InstallType, keyof typeof VERSIONS]> = [
  ['ipi', '4.12'],
  ['ipi', '4.16'],
  ['sno', '4.12'],
  ['sno', '4.16'],
  ['acm', '4.12'],
  ['acm', '4.16'],
];

let shared: SharedLab;
beforeAll(async () => {
  shared = await startSharedLab(Object.values(VERSIONS));
}, 60_000);
afterAll(async () => {
  await shared?.stop();
});

interface RunSummary {
  runId: string;
  state: string;
  result?: string;
  stages: Array<{ name: string; status: string; msg?: string }>;
  notes: string[];
}

const mode = (p: string): number => statSync(p).mode & 0o777;

/** Client writes on the cluster API, as `verb Kind ns/name`, in order. */
const clusterWrites = (lab: CaseLab): string[] => lab.clusterApi.writes();
const installConfigOf = (lab: CaseLab): Record<string, unknown> =>
  (JSON.parse(readFileSync(join(lab.installerDir, '.openshift_install_state.json'), 'utf8')) as { installConfig: Record<string, unknown> }).installConfig;
/**
 * The order in which the given install phases first show in the terminal (`[install] <phase>: ...` lines).
 * Phases not asked for are left out, so a new intermediate phase does not break the order check.
 */
const phases = (stdout: string, wanted: string[]): string[] => [...new Set([...stdout.matchAll(/stdout: \[install\] ([a-z-]+): /g)].map((m) => m[1]))].filter((p) => wanted.includes(p));
const IPI_PHASES = ['prepare', 'installer', 'rhcos', 'install-config', 'manifests', 'extra-manifests', 'poweroff', 'cluster', 'credentials'];
const SNO_PHASES = ['prepare', 'installer', 'agent-config', 'image', 'publish', 'boot', 'bootstrap', 'install', 'credentials'];
/** A fake installer call as `tool words...` (paths and log flags left out). */
const callLine = (c: { tool: string; argv: string[] }): string => `${c.tool} ${c.argv.filter((a) => !a.startsWith('/') && !['--dir', '--log-level', 'debug', '--registry-config', '--to'].includes(a)).join(' ')}`.trim();

describe.each(CASES)('dci-agent-ts run: %s on OCP %s, disconnected (e2e)', (installType, minorVersion) => {
  const version = VERSIONS[minorVersion];
  const icsp = minorVersion === '4.12';
  let lab: CaseLab;
  let run: { code: number; stdout: string; stderr: string; ms: number };
  let runDir: string;
  /** The release as mirrored: the digest pull spec the installer is overridden to. */
  let mirroredRelease: string;

  beforeAll(async () => {
    lab = await makeCaseLab(shared, installType, version);
    const t0 = Date.now();
    const r = await runCli(['run', '--inventory', lab.inventory, '--output', 'plain'], { env: lab.env, timeoutMs: 60_000 });
    run = { ...r, ms: Date.now() - t0 };
    console.log(`${installType} ${version}: full run ${run.ms} ms (exit ${r.code})`);
    if (r.code !== 0) console.error(`${r.stdout.slice(-8000)}\n${r.stderr}`);
    // E2E_OUTPUT_DIR=dir keeps each run's terminal output (debugging a case).
    if (process.env.E2E_OUTPUT_DIR) writeFileSync(join(process.env.E2E_OUTPUT_DIR, `${installType}-${version}.log`), r.stdout);
    mirroredRelease = `${shared.mirror.host}/ocp-${minorVersion}/${version}@${shared.releases[version].releaseDigest}`;
    const runs = join(lab.stateDir, 'runs');
    runDir = join(runs, existsSync(runs) ? (readdirSync(runs)[0] ?? 'none') : 'none');
  }, 70_000);
  afterAll(async () => {
    await lab?.cleanup();
  });

  it('exits 0 with every stage ok in the run record', () => {
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/job state: success/);
    expect(readdirSync(join(lab.stateDir, 'runs'))).toHaveLength(1);
    const summary = JSON.parse(readFileSync(join(runDir, 'summary.json'), 'utf8')) as RunSummary;
    expect(summary.result).toBe('success');
    expect(summary.stages.map((s) => `${s.name} ${s.status}`)).toEqual(['pre-run ok', 'mirror-images ok', 'install ok', 'deploy-operators ok', 'post-run ok', 'success ok', 'teardown ok']);
    expect(summary.notes).toContainEqual(expect.stringMatching(icsp ? /mirror sets: ICSP/ : /mirror sets: IDMS/));
    expect(summary.notes).toContainEqual(expect.stringContaining(`install: ${installType} cluster ${lab.cluster}.lab.example installed`));
    // The plan of what the install did is part of the record.
    expect(readFileSync(join(runDir, 'install-plan', 'plan.txt'), 'utf8').length).toBeGreaterThan(0);
  });

  it(`puts the ${icsp ? 'ICSP' : 'IDMS (+ITMS for the tag-pulled image)'} mirror objects, and only those, on the cluster`, () => {
    const api = lab.clusterApi;
    const mirrorsOf = (objs: KObj[]): string[] =>
      objs.flatMap((o) => ((o.spec as Record<string, Array<{ mirrors?: string[] }>>)[o.kind === 'ImageContentSourcePolicy' ? 'repositoryDigestMirrors' : o.kind === 'ImageTagMirrorSet' ? 'imageTagMirrors' : 'imageDigestMirrors'] ?? []).flatMap((m) => m.mirrors ?? []));
    if (icsp) {
      expect(api.list('ImageContentSourcePolicy').length).toBeGreaterThan(0);
      expect(api.list('ImageDigestMirrorSet')).toEqual([]);
      expect(api.list('ImageTagMirrorSet')).toEqual([]);
      expect(mirrorsOf(api.list('ImageContentSourcePolicy')).every((m) => m.startsWith(`${shared.mirror.host}/`))).toBe(true);
    } else {
      expect(api.list('ImageContentSourcePolicy')).toEqual([]);
      expect(api.list('ImageDigestMirrorSet').length).toBeGreaterThan(0);
      expect(api.list('ImageTagMirrorSet').length).toBeGreaterThan(0);
      expect(mirrorsOf(api.list('ImageDigestMirrorSet')).every((m) => m.startsWith(`${shared.mirror.host}/`))).toBe(true);
    }
    // What the nodes will do with these objects: a release component pulled by digest (and, from 4.14, the tool
    // image pulled by tag) is served by the mirror registry first.
    const sets = collectMirrorSets([...api.list('ImageContentSourcePolicy'), ...api.list('ImageDigestMirrorSet'), ...api.list('ImageTagMirrorSet')] as unknown as MirrorSetObject[]);
    const firstLocation = (ref: string): string | undefined => resolvePullSourcesFromMirrorSets(ref, { idms: sets.idms, itms: sets.itms, icsp: sets.icsp }).locations[0]?.location;
    const component = shared.releases[version].components[0].image;
    expect(firstLocation(component)).toBe(`${shared.mirror.host}/ocp-${minorVersion}/${version}`);
    // An ICSP only redirects pulls by digest: the tag-pulled image still comes from its source on 4.12, and the
    // user is told so in the terminal and in the end-of-run summary.
    const summaryNotes = (JSON.parse(readFileSync(join(runDir, 'summary.json'), 'utf8')) as RunSummary).notes;
    if (icsp) {
      expect(run.stdout).toMatch(/WARNING: .*referenced by tag \(e\.g\. \S+e2e\/tools:v1\); ImageContentSourcePolicy mirrors serve digest pulls only/);
      expect(summaryNotes).toContainEqual(expect.stringMatching(/^mirror: warning: 1 image\(s\) are referenced by tag/));
    } else {
      expect(run.stdout).not.toMatch(/WARNING: .*referenced by tag/);
      expect(summaryNotes.filter((n) => n.includes('referenced by tag'))).toEqual([]);
    }
    expect(firstLocation(shared.toolsRef)?.startsWith(icsp ? shared.source.host : `${shared.mirror.host}/e2e`)).toBe(true);
    // The mirrored catalog replaces the default online ones.
    expect((api.get('CatalogSource', CATALOG_SOURCE, 'openshift-marketplace')?.spec as { image: string }).image).toMatch(new RegExp(`^${shared.mirror.host}/redhat/redhat-operator-index`));
    expect(api.get('OperatorHub', 'cluster')?.spec).toEqual({ disableAllDefaultSources: true });
  });

  it('deploy-operators applies mirror sets and CatalogSources before any Subscription, and every CSV succeeds', () => {
    const writes = clusterWrites(lab);
    const firstSub = writes.findIndex((w) => w.includes(' Subscription '));
    expect(firstSub).toBeGreaterThan(0);
    const before = writes.slice(0, firstSub);
    const mirrorKinds = icsp ? ['ImageContentSourcePolicy'] : ['ImageDigestMirrorSet', 'ImageTagMirrorSet'];
    for (const k of [...mirrorKinds, 'CatalogSource']) expect(before.some((w) => w.startsWith(`apply ${k} `)), `${k} applied before the first Subscription`).toBe(true);
    expect(writes.slice(firstSub).some((w) => /ImageDigestMirrorSet|ImageTagMirrorSet|ImageContentSourcePolicy|CatalogSource/.test(w))).toBe(false);
    // Per operator, in dci_operators order: namespace, OperatorGroup, Subscription, (Manual) the InstallPlan approval.
    const olm = writes.filter((w) => /Namespace e2e-|OperatorGroup|Subscription|InstallPlan/.test(w)).map((w) => w.replace(/install-\d+/, 'install-N'));
    expect(olm).toEqual([
      'apply Namespace e2e-etcd',
      'apply OperatorGroup e2e-etcd/etcd',
      'apply Subscription e2e-etcd/etcd',
      'patch InstallPlan e2e-etcd/install-N',
      'apply Namespace e2e-jaeger',
      'apply OperatorGroup e2e-jaeger/jaeger-product',
      'apply Subscription e2e-jaeger/jaeger-product',
    ]);
    // The mirror sets changed the nodes' registries.conf: the MachineConfigPools were waited for, and are Updated.
    expect(run.stdout).toContain('mirror sets changed: waiting for the MachineConfigPools');
    for (const pool of lab.clusterApi.list('MachineConfigPool')) {
      expect((pool.status as { conditions: Array<{ type: string; status: string }> }).conditions, pool.metadata.name).toContainEqual({ type: 'Updated', status: 'True' });
    }
    expect((lab.clusterApi.get('Subscription', 'etcd', 'e2e-etcd')?.spec as { source: string }).source).toBe(CATALOG_SOURCE);
    for (const [csv, ns] of [['etcd.v0.9.4', 'e2e-etcd'], ['jaeger-operator.v1.51.0-1', 'e2e-jaeger']]) {
      expect((lab.clusterApi.get('ClusterServiceVersion', csv, ns)?.status as { phase?: string } | undefined)?.phase, csv).toBe('Succeeded');
    }
  });

  it('fetched kubeconfig and kubeadmin-password 0600, the kubeconfig of the installed cluster', () => {
    const kubeconfig = join(lab.configsDir, 'kubeconfig');
    const password = join(lab.configsDir, 'kubeadmin-password');
    expect(mode(kubeconfig)).toBe(0o600);
    expect(mode(password)).toBe(0o600);
    expect(readFileSync(kubeconfig, 'utf8')).toContain(`server: ${lab.clusterApi.url}`);
    expect(readFileSync(password, 'utf8').trim().length).toBeGreaterThan(4);
    // teardown removed the merged pull secret.
    expect(filesUnder(lab.configsDir)).not.toContain('pull-secret.json');
  });

  it('gives the installer the merged pull secret: lab auths + mirror registry auths, cloud.openshift.com dropped (disconnected)', () => {
    let pullSecret: string;
    if (installType === 'acm') {
      const data = lab.hub!.get('Secret', `pullsecret-${lab.cluster}`, lab.cluster)?.data as Record<string, string>;
      pullSecret = Buffer.from(data['.dockerconfigjson'], 'base64').toString('utf8');
    } else {
      pullSecret = String(installConfigOf(lab).pullSecret);
    }
    const auths = (JSON.parse(pullSecret) as { auths: Record<string, { auth: string }> }).auths;
    expect(Object.keys(auths)).toEqual(expect.arrayContaining(['quay.io', shared.mirror.host]));
    expect(Object.keys(auths)).not.toContain('cloud.openshift.com');
    expect(auths[shared.mirror.host].auth).toBe(MIRROR_AUTH);
  });

  it('keeps every secret out of every file of the run record', () => {
    const secrets = [...lab.secretValues(), 'cloud-token-x'];
    expect(secrets.length).toBeGreaterThan(6);
    const files = filesUnder(runDir);
    expect(files.length).toBeGreaterThan(10);
    for (const f of files) {
      const text = readFileSync(join(runDir, f), 'utf8');
      for (const s of secrets) expect(text.includes(s), `${f} holds the secret ${s.slice(0, 4)}…`).toBe(false);
    }
    for (const s of secrets) expect(run.stdout.includes(s), `terminal output holds ${s.slice(0, 4)}…`).toBe(false);
  });

  if (installType === 'ipi') {
    it(`extracts ${icsp ? 'openshift-baremetal-install (< 4.16)' : 'openshift-install (≥ 4.16)'} from the mirrored release and installs with it over ssh`, () => {
      const tool = icsp ? 'openshift-baremetal-install' : 'openshift-install';
      const calls = lab.fake!.calls();
      expect(calls.map(callLine)).toEqual([`oc adm release extract --command=${tool} ${mirroredRelease}`, `${tool} coreos print-stream-json`, `${tool} create manifests`, `${tool} create cluster`]);
      expect(calls.filter((c) => c.argv.includes('create')).map((c) => c.releaseOverride)).toEqual([mirroredRelease, mirroredRelease]);
      const ic = installConfigOf(lab);
      expect(ic).toHaveProperty(icsp ? 'imageContentSources' : 'imageDigestSources');
      expect(ic).not.toHaveProperty(icsp ? 'imageDigestSources' : 'imageContentSources');
      const sources = ic[icsp ? 'imageContentSources' : 'imageDigestSources'] as Array<{ source: string; mirrors: string[] }>;
      // The synthetic release lives on the source registry: its component repository maps to the local mirror.
      expect(sources.find((s) => s.source === `${shared.source.host}/openshift-release-dev/ocp-v4.0-art-dev`)?.mirrors).toEqual([`${shared.mirror.host}/ocp-${minorVersion}/${version}`]);
      const baremetal = (ic.platform as { baremetal: { hosts: unknown[]; bootstrapOSImage?: string } }).baremetal;
      expect(baremetal.hosts).toHaveLength(4);
      // The record's copy of install-config.yaml carries the same mirror key, with the secrets redacted.
      const recorded = load(readFileSync(join(runDir, 'install-plan', 'install-config.yaml'), 'utf8')) as Record<string, unknown>;
      expect(Object.keys(recorded)).toContain(icsp ? 'imageContentSources' : 'imageDigestSources');
      expect(Object.keys(recorded)).not.toContain(icsp ? 'imageDigestSources' : 'imageContentSources');

      // Disconnected below 4.22: the bootstrap VM boots the RHCOS image cached under provision_cache_store and
      // served by the cache web server; the installer fetched it from there and its sha256 matched.
      const qemu = lab.fake!.rhcos.images.qemu;
      expect(baremetal.bootstrapOSImage).toMatch(new RegExp(`^${lab.webUrl}/${qemu.file.replace(/\./g, '\\.')}\\?sha256=[0-9a-f]{64}$`));
      expect(lab.fake!.osImageDownloads()).toEqual([{ field: 'bootstrapOSImage', url: baremetal.bootstrapOSImage }]);
      // The extra manifest reached the installer's openshift/ dir.
      expect(readFileSync(join(lab.installerDir, 'openshift', '99-e2e-extra.yaml'), 'utf8')).toContain('name: e2e-extra');
      // Every node was powered off through its BMC, with the password on stdin (never in argv).
      const ipmi = lab.fake!.ipmi;
      for (let i = 0; i < 4; i++) expect(ipmi.power(`192.0.2.${100 + i}`), `node ${i}`).toBe('off');
      expect(ipmi.calls().every((c) => c.passwordFrom === 'env')).toBe(true);
    });

    it('runs the install phases in order: installer, RHCOS cache, install-config, manifests, power off, create cluster, credentials', () => {
      expect(phases(run.stdout, IPI_PHASES)).toEqual(IPI_PHASES);
    });
  }

  if (installType === 'sno') {
    it('runs the install phases in order: installer, agent config, ISO, publish, BMC boot, wait-for, credentials', () => {
      expect(phases(run.stdout, SNO_PHASES)).toEqual(SNO_PHASES);
    });

    it('builds the agent ISO, boots it through Redfish (InsertMedia → one-time Cd boot → reset), then waits', () => {
      const calls = lab.fake!.calls();
      expect(calls.map(callLine)).toEqual([
        `oc adm release extract --command=openshift-install ${mirroredRelease}`,
        'openshift-install agent create image',
        'openshift-install agent wait-for bootstrap-complete',
        'openshift-install agent wait-for install-complete',
      ]);
      expect(calls.slice(1).every((c) => c.releaseOverride === mirroredRelease)).toBe(true);
      const changes = lab.bmc!.calls.filter((c) => c.method !== 'GET').map((c) => `${c.method} ${c.path.replace(/^.*\/(Actions\/)?/, '')} ${c.status}`);
      expect(changes).toEqual(['POST VirtualMedia.InsertMedia 204', 'PATCH 1 204', 'POST ComputerSystem.Reset 204']);
      const iso = `${lab.webUrl}/${lab.cluster}/agent.x86_64.iso`;
      expect(lab.bmc!.calls.find((c) => c.path.endsWith('InsertMedia'))?.body).toMatchObject({ Image: iso });
      expect(lab.bmc!.state.booted).toBe(iso);
      const ic = installConfigOf(lab);
      expect(ic).toHaveProperty(icsp ? 'imageContentSources' : 'imageDigestSources');
      expect(ic).not.toHaveProperty(icsp ? 'imageDigestSources' : 'imageContentSources');
      expect(ic.controlPlane).toMatchObject({ replicas: 1 });
    });
  }

  if (installType === 'acm') {
    it('creates the spoke on the hub in order, the BMC secret only once the discovery image exists, release from the mirror', () => {
      const hub = lab.hub!;
      const c = lab.cluster;
      expect(hub.writes()).toEqual([
        `apply Namespace ${c}`,
        `apply ConfigMap multicluster-engine/mirror-registry-${c}`,
        'apply AgentServiceConfig agent',
        `apply Secret ${c}/pullsecret-${c}`,
        `apply ClusterImageSet img-${version}-dci`,
        `apply AgentClusterInstall ${c}/${c}`,
        `apply ClusterDeployment ${c}/${c}`,
        `apply KlusterletAddonConfig ${c}/${c}`,
        `apply ManagedCluster ${c}`,
        `apply InfraEnv ${c}/${c}-infra`,
        `apply Secret ${c}/bmh-${c}`,
        `apply BareMetalHost ${c}/${c}`,
      ]);
      const imageReady = hub.calls.findIndex((x) => x.controller && x.kind === 'InfraEnv');
      const bmcSecret = hub.calls.findIndex((x) => !x.controller && x.kind === 'Secret' && x.name === `bmh-${c}`);
      expect(imageReady).toBeGreaterThan(-1);
      expect(bmcSecret).toBeGreaterThan(imageReady);
      expect(hub.get('ClusterImageSet', `img-${version}-dci`)?.spec).toEqual({ releaseImage: mirroredRelease });
      const conf = String((hub.get('ConfigMap', `mirror-registry-${c}`, 'multicluster-engine')?.data as Record<string, string>)['registries.conf']);
      expect(conf).toContain(`location = "${shared.mirror.host}/ocp-${minorVersion}/${version}"`);
      if (icsp) {
        expect(conf).toContain('mirror-by-digest-only = true');
        expect(conf).not.toContain('pull-from-mirror');
      } else {
        expect(conf).not.toContain('mirror-by-digest-only');
        expect(conf).toContain('pull-from-mirror = "digest-only"');
      }
      expect((hub.get('AgentClusterInstall', c, c)?.status as { conditions: Array<{ type: string; status: string }> }).conditions).toContainEqual(expect.objectContaining({ type: 'Completed', status: 'True' }));
      expect(readFileSync(join(lab.configsDir, 'kubeadmin-password'), 'utf8')).toBe('spoke-kubeadmin-pass');
    });
  }

  if (installType !== 'acm' && !icsp) {
    // Last in this block: it runs the same job again on the same lab.
    it('a second run of the same lab succeeds and reuses what is there: mirror, installer and RHCOS caches, cluster objects', async () => {
      const extractsBefore = lab.fake!.calls().filter((c) => c.tool === 'oc').length;
      const writesBefore = clusterWrites(lab).length;
      const r = await runCli(['run', '--inventory', lab.inventory, '--output', 'plain'], { env: lab.env, timeoutMs: 60_000 });
      if (r.code !== 0) console.error(r.stdout.slice(-6000), r.stderr);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/release 4\.16\.3: already complete/);
      expect(lab.fake!.calls().filter((c) => c.tool === 'oc')).toHaveLength(extractsBefore);
      if (installType === 'ipi') expect(r.stdout).toMatch(/reusing \S+qemu\S+ \(sha256 [0-9a-f]{64}\)/);
      // Same mirror sets: nothing for the MCO to roll out again.
      expect(r.stdout).not.toContain('mirror sets changed');
      const again = clusterWrites(lab).slice(writesBefore);
      expect(again.filter((w) => w.startsWith('apply Subscription'))).toEqual(['apply Subscription e2e-etcd/etcd', 'apply Subscription e2e-jaeger/jaeger-product']);
      expect(readdirSync(join(lab.stateDir, 'runs'))).toHaveLength(2);
    }, 70_000);
  }
});

describe('dci-agent-ts run --check: sno on OCP 4.16, disconnected (e2e)', () => {
  let lab: CaseLab;
  let checkRunDir = '';
  beforeAll(async () => {
    lab = await makeCaseLab(shared, 'sno', VERSIONS['4.16']);
  }, 30_000);
  afterAll(async () => {
    await lab?.cleanup();
  });

  it('plans every stage into the run record and touches nothing: no push, no installer, no BMC, no cluster write', async () => {
    const pushesBefore = (await shared.mirror.requests()).filter((q) => q.method === 'PUT' || q.method === 'POST').length;
    const r = await runCli(['run', '--inventory', lab.inventory, '--output', 'plain', '--check'], { env: lab.env, timeoutMs: 60_000 });
    if (r.code !== 0) console.error(r.stdout.slice(-6000), r.stderr);
    expect(r.code).toBe(0);
    expect((await shared.mirror.requests()).filter((q) => q.method === 'PUT' || q.method === 'POST')).toHaveLength(pushesBefore);
    expect(lab.fake!.calls()).toEqual([]);
    expect(lab.bmc!.calls).toEqual([]);
    expect(lab.clusterApi.writes()).toEqual([]);
    expect(existsSync(join(lab.configsDir, 'kubeconfig'))).toBe(false);
    const runs = join(lab.stateDir, 'runs');
    const runDir = join(runs, readdirSync(runs)[0]);
    const plan = filesUnder(runDir);
    expect(plan).toEqual(expect.arrayContaining(['install-plan/install-config.yaml', 'install-plan/agent-config.yaml', 'install-plan/plan.txt', 'operators/plan/plan.txt']));
    const ic = load(readFileSync(join(runDir, 'install-plan', 'install-config.yaml'), 'utf8')) as Record<string, unknown>;
    expect(ic).toHaveProperty('imageDigestSources');
    expect(ic).not.toHaveProperty('imageContentSources');
    const operatorsPlan = readFileSync(join(runDir, 'operators', 'plan', 'plan.txt'), 'utf8');
    expect(operatorsPlan).toMatch(/apply Subscription e2e-etcd\/etcd/);
    for (const f of plan) {
      const text = readFileSync(join(runDir, f), 'utf8');
      for (const s of lab.secretValues()) expect(text.includes(s), `${f} holds a secret`).toBe(false);
    }
    checkRunDir = runDir;
  }, 70_000);

  // In check mode mirror-images still writes the outputs it would produce into the run record, so the operators
  // plan lists the mirror objects deploy-operators would apply first.
  it('--check also records the mirror outputs and the mirror objects deploy-operators would apply', () => {
    const files = filesUnder(checkRunDir);
    expect(files).toEqual(expect.arrayContaining(['mirror/mapping.txt', 'mirror/install-config-sources.yaml']));
    expect(files.some((f) => /^mirror\/idms-/.test(f))).toBe(true);
    expect(readFileSync(join(checkRunDir, 'operators', 'plan', 'plan.txt'), 'utf8')).toMatch(/apply ImageDigestMirrorSet/);
  });
});

describe('dci-agent-ts run: ipi on OCP 4.16 whose install fails (e2e)', () => {
  let lab: CaseLab;
  beforeAll(async () => {
    lab = await makeCaseLab(shared, 'ipi', VERSIONS['4.16']);
    // The cluster never initializes: create cluster fails, and so does the wait-for retry.
    lab.fake!.failAt(['install', 'wait-for']);
  }, 30_000);
  afterAll(async () => {
    await lab?.cleanup();
  });

  it('ends in failure (exit 1) naming the install phase, skips deploy-operators, leaves the cluster untouched and no credentials', async () => {
    const r = await runCli(['run', '--inventory', lab.inventory, '--output', 'plain'], { env: lab.env, timeoutMs: 60_000 });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/job state: failure/);
    expect(r.stdout).toMatch(/install phase "cluster" on provisioner: create cluster .* failed \(exit 6\)/);
    expect(r.stdout).toContain('FATAL failed to initialize the cluster');
    expect(lab.fake!.calls().map(callLine).slice(-2)).toEqual(['openshift-install create cluster', 'openshift-install wait-for install-complete']);
    const runs = join(lab.stateDir, 'runs');
    const runDir = join(runs, readdirSync(runs)[0]);
    const summary = JSON.parse(readFileSync(join(runDir, 'summary.json'), 'utf8')) as RunSummary & { failedTask?: { stage: string; task: string; msg: string } };
    expect(summary.result).toBe('failure');
    const status = Object.fromEntries(summary.stages.map((s) => [s.name, s.status]));
    expect(status).toMatchObject({ 'pre-run': 'ok', 'mirror-images': 'ok', install: 'failed' });
    expect(status['deploy-operators'] === undefined || status['deploy-operators'] === 'skipped').toBe(true);
    expect(summary.failedTask?.stage).toBe('install');
    expect(summary.failedTask?.msg).toMatch(/wait-for install-complete failed too/);
    expect(lab.clusterApi.writes()).toEqual([]);
    expect(existsSync(join(lab.configsDir, 'kubeconfig'))).toBe(false);
    for (const f of filesUnder(runDir)) {
      const text = readFileSync(join(runDir, f), 'utf8');
      for (const s of lab.secretValues()) expect(text.includes(s), `${f} holds a secret`).toBe(false);
    }
  }, 70_000);
});
