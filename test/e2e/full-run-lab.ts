/**
 * A complete disconnected lab for full `dci-agent-ts run` tests, built from the project's fakes and real services:
 *  - shared by every case (startSharedLab): a "connected" source registry holding a synthetic release per OCP
 *    version, a catalog image per version (with real bundle/operand images) and one tagged tool image; the lab's
 *    mirror registry; the provisioner host (real sshd on 127.0.0.1);
 *  - per case (makeCaseLab): a fake cluster API with OLM and MCO controllers, and for the install type: the fake
 *    installer and `oc` on the provisioner's PATH (ipi, sno), the cache web server and a fake Redfish BMC (sno),
 *    a fake ACM hub with the assisted-service controller (acm); and the inventory that ties them together.
 * Everything started here is stopped by the matching stop()/cleanup().
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pushCatalogImage, sampleCatalog, withRealImages, type CatalogImageFixture } from '../helpers/catalog-fixtures.js';
import { createFakeInstaller, type FakeInstaller } from '../helpers/fake-openshift-install.js';
import { startFakeK8sApi, type FakeK8sApi } from '../helpers/fake-k8s-api.js';
import type { FakeRedfish } from '../helpers/fake-redfish.js';
import { startAssistedController, startMcoController, startOlmController, type FakePackage } from '../helpers/k8s-controllers.js';
import { startRegistry, type TestRegistry } from '../helpers/registry.js';
import { buildImage, gzLayer, pushImage, pushReleaseFixture, type ReleaseFixture } from '../helpers/release-fixtures.js';
import { startSshd, type SshdHandle } from '../helpers/sshd.js';
import { serveDir } from '../providers/common/lab.js';
import { startSnoServices } from '../providers/sno/lab.js';

export type InstallType = 'ipi' | 'sno' | 'acm';

/** Credentials that must never reach the run record. */
export const SECRETS = {
  quayPassword: 'quay-E2E-secret-pass',
  mirrorPassword: 'mirror-E2E-secret-pass',
  bmcPassword: 'bmc-E2E-secret-pass',
};
const b64 = (s: string): string => Buffer.from(s).toString('base64');
export const QUAY_AUTH = b64(`quayuser:${SECRETS.quayPassword}`);
export const MIRROR_AUTH = b64(`mirroruser:${SECRETS.mirrorPassword}`);

/** The catalog source mirror-images creates for operators_index (dci_catalog_source_name default). */
export const CATALOG_SOURCE = 'mirrored-redhat-operators';

/** The operators the lab asks for: one with Manual approval (the default), one Automatic. */
export const OPERATORS = [
  { name: 'etcd', namespace: 'e2e-etcd', channel: 'stable', catalog_source: CATALOG_SOURCE },
  { name: 'jaeger-product', namespace: 'e2e-jaeger', channel: 'stable', catalog_source: CATALOG_SOURCE, install_approval: 'Automatic' },
];

/** What the fake OLM serves for the mirrored catalog: the heads of the sample catalog's channels. */
const PACKAGES: FakePackage[] = [
  { name: 'etcd', defaultChannel: 'stable', channels: [{ name: 'stable', currentCSV: 'etcd.v0.9.4' }] },
  { name: 'jaeger-product', defaultChannel: 'stable', channels: [{ name: 'stable', currentCSV: 'jaeger-operator.v1.51.0-1' }] },
];

export interface SharedLab {
  source: TestRegistry;
  mirror: TestRegistry;
  sshd: SshdHandle;
  releases: Record<string, ReleaseFixture>;
  catalogs: Record<string, CatalogImageFixture>;
  /** An additional image pulled by tag (gives an ImageTagMirrorSet from 4.14). */
  toolsRef: string;
  stop(): Promise<void>;
}

const minor = (v: string): string => v.split('.').slice(0, 2).join('.');

export async function startSharedLab(versions: string[]): Promise<SharedLab> {
  const started: Array<() => Promise<void>> = [];
  try {
    const [source, mirror] = await Promise.all([startRegistry(), startRegistry({ accessLog: true })]);
    started.push(() => source.stop(), () => mirror.stop());
    const sshd = await startSshd();
    started.push(() => sshd.stop());
    const releases: Record<string, ReleaseFixture> = {};
    for (const v of versions) releases[v] = await pushReleaseFixture({ host: source.host, version: v, components: 6 });
    const fbc = await withRealImages(source.host, sampleCatalog(source.host));
    const catalogs: Record<string, CatalogImageFixture> = {};
    for (const v of versions) catalogs[v] = await pushCatalogImage({ host: source.host, fbc, tag: `v${minor(v)}` });
    await pushImage(source.host, 'e2e/tools', buildImage([gzLayer([{ name: 'usr/bin/e2e-tool', content: '#!/bin/sh\necho tool\n', mode: 0o755 }])]), 'v1');
    return {
      source,
      mirror,
      sshd,
      releases,
      catalogs,
      toolsRef: `${source.host}/e2e/tools:v1`,
      stop: () => stopAll(started),
    };
  } catch (e) {
    await stopAll(started);
    throw e;
  }
}

async function stopAll(fns: Array<() => unknown>): Promise<void> {
  for (const f of fns.splice(0).reverse()) {
    try {
      await f();
    } catch {
      // keep stopping the rest
    }
  }
}

export interface CaseLab {
  installType: InstallType;
  version: string;
  cluster: string;
  dir: string;
  inventory: string;
  stateDir: string;
  configsDir: string;
  /** Where the provisioner's installer works (ipi, sno). */
  installerDir: string;
  env: Record<string, string>;
  /** The installed cluster's API (deploy-operators talks to it). */
  clusterApi: FakeK8sApi;
  hub?: FakeK8sApi;
  fake?: FakeInstaller;
  bmc?: FakeRedfish;
  webUrl?: string;
  /** Every secret value of this lab (credentials, tokens) to look for in the run record. */
  secretValues(): string[];
  cleanup(): Promise<void>;
}

const yamlList = (xs: string[]): string => `[${xs.map((x) => JSON.stringify(x)).join(', ')}]`;

export async function makeCaseLab(shared: SharedLab, installType: InstallType, version: string): Promise<CaseLab> {
  const cleanups: Array<() => unknown> = [];
  try {
    const dir = mkdtempSync(join(tmpdir(), `e2e-${installType}-`));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    // The provisioner user (sshd test user) writes the installer dir and the cache here.
    chmodSync(dir, 0o777);
    const cluster = `e2e${installType}${version.split('.')[1]}`;
    const configsDir = join(dir, 'clusterconfigs');
    const installerDir = join(dir, 'installer');
    const cacheDir = join(dir, 'cache');

    const clusterApi = await startFakeK8sApi();
    cleanups.push(() => clusterApi.stop());
    const stopOlm = startOlmController(clusterApi, { catalogs: { [CATALOG_SOURCE]: PACKAGES }, delayMs: 30 });
    const stopMco = startMcoController(clusterApi, { delayMs: 30, updateMs: 150 });
    cleanups.push(stopOlm, stopMco);
    const clusterKubeconfig = readFileSync(clusterApi.kubeconfigPath, 'utf8');

    const auths = join(dir, 'mirror-auths.json');
    writeFileSync(auths, JSON.stringify({ auths: { [shared.mirror.host]: { auth: MIRROR_AUTH } } }), { mode: 0o600 });
    const release = shared.releases[version];
    const common = [
      `cluster: ${cluster}`,
      'domain: lab.example',
      `install_type: ${installType}`,
      `ocp_version: "${version}"`,
      'dci_disconnected: true',
      'local_registry_host: 127.0.0.1',
      `local_registry_port: ${shared.mirror.port}`,
      `dci_plain_http_registries: ${yamlList([shared.source.host, shared.mirror.host])}`,
      `ocp_release_image: ${release.releaseRef}`,
      `operators_index: ${shared.catalogs[version].ref}`,
      `dci_additional_images: ${yamlList([shared.toolsRef])}`,
      `dci_operators: ${JSON.stringify(OPERATORS)}`,
      'dci_operators_poll_interval: 0.05',
      `openshift_secret: {"auths": {"quay.io": {"auth": "${QUAY_AUTH}", "email": "e2e@example.com"}, "cloud.openshift.com": {"auth": "${b64('cloud:cloud-token-x')}"}}}`,
      `disconnected_registry_auths_file: ${auths}`,
      `dci_cluster_configs_dir: ${configsDir}`,
      `provision_cache_store: ${cacheDir}`,
      `dir: ${installerDir}`,
      'ssh_public_key: ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE2eFakeKeyForTheFullRunE2e dci@e2e',
      'dci_install_timeout: 120',
    ];
    const lab: Partial<CaseLab> = {};
    const provisioner = (binDir: string): string[] => {
      const v = { ...shared.sshd.inventoryVars(), provisioner_extra_path: binDir };
      return ['    provisioner:', '      hosts:', '        provisioner:', ...Object.entries(v).map(([k, x]) => `          ${k}: ${JSON.stringify(x)}`)];
    };
    let vars: string[] = [];
    let children: string[] = [];
    if (installType === 'ipi') {
      // verifyOsImages: create cluster downloads bootstrapOSImage from the cache web server and checks its sha256.
      const fake = createFakeInstaller({ version, kubeconfig: clusterKubeconfig, verifyOsImages: true });
      cleanups.push(() => fake.cleanup());
      lab.fake = fake;
      const web = await serveDir(cacheDir);
      cleanups.push(web.stop);
      lab.webUrl = web.url;
      // The IPMI BMCs behind the fake ipmitool only open with the lab's password.
      for (let i = 0; i < 4; i++) fake.ipmi.setPassword(`192.0.2.${100 + i}`, SECRETS.bmcPassword);
      const manifests = join(dir, 'extra-manifests');
      mkdirSync(manifests);
      writeFileSync(join(manifests, '99-e2e-extra.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: e2e-extra\n  namespace: openshift-config\ndata:\n  from: customize_extramanifests_path\n');
      vars = ['apivip: 192.0.2.5', 'ingressvip: 192.0.2.6', 'extcidrnet: 192.0.2.0/24', 'prov_nic: eno1', `webserver_url: ${web.url}`, `customize_extramanifests_path: ${manifests}`];
      const node = (name: string, i: number) => [
        `        ${name}:`,
        `          ipmi_address: 192.0.2.${100 + i}`,
        '          ipmi_user: root',
        `          ipmi_password: ${SECRETS.bmcPassword}`,
        `          provision_mac: "52:54:00:00:01:${String(10 + i)}"`,
      ];
      children = [...provisioner(fake.binDir), '    masters:', '      hosts:', ...node('master-0', 0), ...node('master-1', 1), ...node('master-2', 2), '    workers:', '      hosts:', ...node('worker-0', 3)];
    } else if (installType === 'sno') {
      // The SNO lab of the provider tests: fake installer waiting for the ISO boot, cache web server, Redfish BMC.
      const { fake, web, bmc, stop } = await startSnoServices({ version, cacheDir, bmcPassword: SECRETS.bmcPassword, kubeconfig: clusterKubeconfig });
      cleanups.push(stop);
      lab.fake = fake;
      lab.bmc = bmc;
      lab.webUrl = web.url;
      vars = ['extcidrnet: 192.0.2.0/24', `webserver_url: ${web.url}`];
      children = [
        ...provisioner(fake.binDir),
        '    masters:',
        '      hosts:',
        '        sno-0:',
        '          ansible_host: 192.0.2.20',
        `          ipmi_address: ${bmc.url}`,
        '          ipmi_user: root',
        `          ipmi_password: ${SECRETS.bmcPassword}`,
        '          baremetal_mac: "52:54:00:00:02:10"',
        '          installation_disk: /dev/vda',
      ];
    } else {
      const hub = await startFakeK8sApi();
      cleanups.push(() => hub.stop());
      const stopAssisted = startAssistedController(hub, { delayMs: 30, spokeKubeconfig: clusterKubeconfig });
      cleanups.push(stopAssisted);
      lab.hub = hub;
      vars = [
        `acm_cluster_name: ${cluster}`,
        'acm_base_domain: lab.example',
        'acm_machine_cidr: 192.0.2.0/24',
        `hub_kubeconfig_path: ${hub.kubeconfigPath}`,
        'acm_poll_interval: 0.05',
        'acm_infraenv_timeout: 20',
        'acm_install_timeout: 30',
      ];
      children = [
        '    masters:',
        '      hosts:',
        '        spoke-0:',
        '          acm_bmc_address: redfish-virtualmedia+https://192.0.2.200/redfish/v1/Systems/1',
        '          ipmi_user: root',
        `          ipmi_password: ${SECRETS.bmcPassword}`,
        '          baremetal_mac: "52:54:00:00:03:10"',
      ];
    }
    const inventory = join(dir, 'lab.yml');
    writeFileSync(
      inventory,
      ['all:', '  vars:', ...[...common, ...vars].map((l) => `    ${l}`), '  hosts:', '    localhost:', '      ansible_connection: local', '  children:', ...children, ''].join('\n'),
    );
    const stateDir = join(dir, 'state');
    return {
      installType,
      version,
      cluster,
      dir,
      inventory,
      stateDir,
      configsDir,
      installerDir,
      env: { DCI_AGENT_TS_STATE_DIR: stateDir },
      clusterApi,
      ...lab,
      secretValues: () =>
        [
          ...Object.values(SECRETS),
          QUAY_AUTH,
          MIRROR_AUTH,
          clusterApi.token,
          ...(lab.hub ? [lab.hub.token] : []),
          ...['kubeadmin-password'].map((f) => join(configsDir, f)).filter(existsSync).map((f) => readFileSync(f, 'utf8').trim()),
        ].filter(Boolean),
      cleanup: () => stopAll(cleanups),
    };
  } catch (e) {
    await stopAll(cleanups);
    throw e;
  }
}

/** Every file under `dir` (relative paths). */
export function filesUnder(dir: string, base = dir): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    return e.isDirectory() ? filesUnder(p, base) : [p.slice(base.length + 1)];
  });
}
