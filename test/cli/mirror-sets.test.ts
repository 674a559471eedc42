import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadAll } from 'js-yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { schemaErrors } from '../manifests/crd-schemas.js';

const dir = mkdtempSync(join(tmpdir(), 'mirror-sets-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const D = (c: string): string => 'sha256:' + c.repeat(64);
const file = (name: string, text: string): string => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

const mappingTxt = file(
  'mapping.txt',
  [
    '# oc adm release mirror style mapping',
    `quay.io/openshift-release-dev/ocp-v4.0-art-dev@${D('1')}=registry.local:5000/ocp/release:4.16.3-x86_64-etcd`,
    'quay.io/openshift-release-dev/ocp-release:4.16.3-x86_64=registry.local:5000/ocp/release-images:4.16.3-x86_64',
    `quay.io/prometheus/busybox@${D('2')}=registry.local:5000/mirror/quay.io/prometheus/busybox@${D('2')}`,
    'registry.redhat.io/rhel9/support-tools:latest=registry.local:5000/rhel9/support-tools:latest',
    '',
  ].join('\n'),
);

type Obj = { apiVersion: string; kind: string; metadata: { name: string }; spec: Record<string, unknown> };

describe('dci-agent-ts mirror-sets render', () => {
  it('prints IDMS + ITMS for 4.16 as a multi-document stream oc apply accepts', async () => {
    const r = await runCli(['mirror-sets', 'render', '--mapping', mappingTxt, '--version', '4.16.0-0.nightly-2024-05-01-000000']);
    expect(r.stderr).toContain('mirror-set kind: idms');
    expect(r.code).toBe(0);
    const docs = loadAll(r.stdout) as Obj[];
    expect(docs.map((d) => `${d.kind}/${d.metadata.name}`)).toEqual([
      'ImageDigestMirrorSet/idms-release-0',
      'ImageDigestMirrorSet/idms-generic-0',
      'ImageTagMirrorSet/itms-release-0',
      'ImageTagMirrorSet/itms-generic-0',
    ]);
    for (const d of docs) expect(schemaErrors(d.kind as 'ImageDigestMirrorSet', d)).toEqual([]);
    expect(docs[0].spec.imageDigestMirrors).toEqual([
      { source: 'quay.io/openshift-release-dev/ocp-release', mirrors: ['registry.local:5000/ocp/release-images'] },
      { source: 'quay.io/openshift-release-dev/ocp-v4.0-art-dev', mirrors: ['registry.local:5000/ocp/release'] },
    ]);
  });

  it('prints ICSP for 4.13 (auto) and honours --kind', async () => {
    const r = await runCli(['mirror-sets', 'render', '--mapping', mappingTxt, '--version', '4.13.9']);
    expect(r.code).toBe(0);
    const kinds = (loadAll(r.stdout) as Obj[]).map((d) => d.kind);
    expect(new Set(kinds)).toEqual(new Set(['ImageContentSourcePolicy']));
    expect(r.stderr).toMatch(/warning: .*referenced by tag/);
    const forced = await runCli(['mirror-sets', 'render', '--mapping', mappingTxt, '--version', '4.13.9', '--kind', 'idms']);
    expect((loadAll(forced.stdout) as Obj[])[0].kind).toBe('ImageDigestMirrorSet');
  });

  it('--out writes one file per object and the install-config fragment with the CA', async () => {
    const out = join(dir, 'out');
    const ca = file('ca.pem', '-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n');
    const r = await runCli(['mirror-sets', 'render', '--mapping', mappingTxt, '--version', '4.14.0-rc.2', '--out', out, '--ca-file', ca]);
    expect(r.code).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['idms-generic-0.yaml', 'idms-release-0.yaml', 'install-config-mirrors.yaml', 'itms-generic-0.yaml', 'itms-release-0.yaml']);
    const fragment = loadAll(readFileSync(join(out, 'install-config-mirrors.yaml'), 'utf8'))[0] as Record<string, unknown>;
    expect(Object.keys(fragment).sort()).toEqual(['additionalTrustBundle', 'imageDigestSources']);
    expect(fragment.additionalTrustBundle).toContain('MIIBfake');
  });

  it('bad input: one clear error, exit 2, nothing written', async () => {
    const bad = file('bad.txt', 'quay.io/NS/Repo:1=registry.local/ns/repo:1\n');
    const out = join(dir, 'not-written');
    const r = await runCli(['mirror-sets', 'render', '--mapping', bad, '--version', '4.16', '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: mapping entry 1 \(quay.io\/NS\/Repo:1 → registry.local\/ns\/repo:1\): source repository "quay.io\/NS\/Repo" is not a valid/m);
    expect(r.stderr).not.toMatch(/at .*\.ts:\d+/);
    expect(existsSync(out)).toBe(false);
    const missing = await runCli(['mirror-sets', 'render', '--mapping', join(dir, 'nope.txt'), '--version', '4.16']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('cannot read mapping file');
    const kind = await runCli(['mirror-sets', 'render', '--mapping', mappingTxt, '--version', '4.16', '--kind', 'both']);
    expect(kind.code).toBe(2);
    expect(kind.stderr).toContain('--kind both: use auto, idms, icsp or itms');
    const old = await runCli(['mirror-sets', 'render', '--mapping', mappingTxt, '--version', '4.12', '--kind', 'idms']);
    expect(old.code).toBe(2);
    expect(old.stderr).toContain('needs OpenShift 4.13');
  });
});

describe('dci-agent-ts mirror-sets registries-conf / resolve / migrate-icsp', () => {
  const idms = file(
    'idms.yaml',
    `apiVersion: config.openshift.io/v1
kind: ImageDigestMirrorSet
metadata:
  name: release
spec:
  imageDigestMirrors:
    - source: quay.io/openshift-release-dev/ocp-v4.0-art-dev
      mirrors: [registry.local:5000/ocp/release]
      mirrorSourcePolicy: NeverContactSource
---
apiVersion: config.openshift.io/v1
kind: ImageTagMirrorSet
metadata:
  name: tags
spec:
  imageTagMirrors:
    - source: registry.redhat.io/rhel9
      mirrors: [registry.local:5000/rhel9]
`,
  );

  it('renders registries.conf like MCO', async () => {
    const r = await runCli(['mirror-sets', 'registries-conf', idms, '--insecure', 'registry.local:5000']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('[[registry]]\n  prefix = ""\n  location = "quay.io/openshift-release-dev/ocp-v4.0-art-dev"\n  blocked = true\n');
    expect(r.stdout).toContain('    location = "registry.local:5000/rhel9"\n    insecure = true\n    pull-from-mirror = "tag-only"');
    file('registries.conf', r.stdout);
  });

  it('refuses what MCO refuses, with its message', async () => {
    const bad = file('bad-idms.yaml', 'apiVersion: config.openshift.io/v1\nkind: ImageDigestMirrorSet\nmetadata: {name: x}\nspec:\n  imageDigestMirrors:\n  - source: quay.io/ns\n    mirrors: ["mirror.local/ns:tag"]\n');
    const r = await runCli(['mirror-sets', 'registries-conf', bad]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('invalid format for mirror "mirror.local/ns:tag"');
    expect(r.stderr).toContain('ImageDigestMirrorSet x');
    const notSet = file('cm.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n');
    const r2 = await runCli(['mirror-sets', 'registries-conf', notSet]);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toContain('expected an ImageDigestMirrorSet, ImageTagMirrorSet or ImageContentSourcePolicy');
  });

  it('resolve --output json lists the locations in the order CRI-O tries them', async () => {
    const image = `quay.io/openshift-release-dev/ocp-v4.0-art-dev@${D('e')}`;
    const r = await runCli(['mirror-sets', 'resolve', image, '--sets', idms, '--output', 'json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { image: string; locations: Array<{ location: string; insecure: boolean; reference: string; blocked: boolean }> };
    expect(out.image).toBe(image);
    expect(out.locations.map(({ location, insecure, reference, blocked }) => ({ location, insecure, reference, blocked }))).toEqual([
      { location: 'registry.local:5000/ocp/release', insecure: false, reference: `registry.local:5000/ocp/release@${D('e')}`, blocked: false },
      { location: 'quay.io/openshift-release-dev/ocp-v4.0-art-dev', insecure: false, reference: image, blocked: true },
    ]);
    const viaConf = await runCli(['mirror-sets', 'resolve', 'registry.redhat.io/rhel9/support-tools:latest', '--registries-conf', join(dir, 'registries.conf'), '--output', 'json']);
    expect(viaConf.code).toBe(0);
    expect((JSON.parse(viaConf.stdout) as { locations: Array<{ reference: string; insecure: boolean }> }).locations.map((l) => [l.reference, l.insecure])).toEqual([
      ['registry.local:5000/rhel9/support-tools:latest', true],
      ['registry.redhat.io/rhel9/support-tools:latest', false],
    ]);
    const text = await runCli(['mirror-sets', 'resolve', 'registry.redhat.io/rhel9/support-tools:latest', '--sets', idms]);
    expect(text.stdout).toMatch(/^1\. registry.local:5000\/rhel9\/support-tools:latest — mirror of "registry.redhat.io\/rhel9"/m);
  });

  it('resolve needs exactly one of --sets / --registries-conf', async () => {
    const r = await runCli(['mirror-sets', 'resolve', 'quay.io/a/b:1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('give either --sets FILE... or --registries-conf FILE');
  });

  it('migrate-icsp converts like oc adm migrate icsp', async () => {
    const icsp = file(
      'icsp.yaml',
      `apiVersion: operator.openshift.io/v1alpha1
kind: ImageContentSourcePolicy
metadata:
  name: convert
  creationTimestamp: "2024-01-01T00:00:00Z"
  labels: {icspIdx: "1"}
spec:
  repositoryDigestMirrors:
  - source: source.example.com
    mirrors: [z1.example.com, y2.example.com]
`,
    );
    const r = await runCli(['mirror-sets', 'migrate-icsp', icsp]);
    expect(r.code).toBe(0);
    const [idmsOut] = loadAll(r.stdout) as Obj[];
    expect(idmsOut).toEqual({
      apiVersion: 'config.openshift.io/v1',
      kind: 'ImageDigestMirrorSet',
      metadata: { name: 'convert', labels: { icspIdx: '1' } },
      spec: { imageDigestMirrors: [{ source: 'source.example.com', mirrors: ['z1.example.com', 'y2.example.com'] }] },
    });
    expect(schemaErrors('ImageDigestMirrorSet', idmsOut)).toEqual([]);
    const wrong = await runCli(['mirror-sets', 'migrate-icsp', idms]);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('expected an operator.openshift.io/v1alpha1 ImageContentSourcePolicy');
  });
});

describe('dci-agent-ts mirror-sets registries-conf --version', () => {
  const icsp = file('icsp-old.yaml', 'apiVersion: operator.openshift.io/v1alpha1\nkind: ImageContentSourcePolicy\nmetadata: {name: old}\nspec:\n  repositoryDigestMirrors:\n  - source: quay.io/ns\n    mirrors: [mirror.local/ns]\n');
  const idms = file('idms-new.yaml', 'apiVersion: config.openshift.io/v1\nkind: ImageDigestMirrorSet\nmetadata: {name: new}\nspec:\n  imageDigestMirrors:\n  - source: quay.io/other\n    mirrors: [mirror.local/other]\n');

  it('4.12 nodes get the mirror-by-digest-only form; IDMS is refused there', async () => {
    const r = await runCli(['mirror-sets', 'registries-conf', icsp, '--version', '4.12.30']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('  mirror-by-digest-only = true\n');
    expect(r.stdout).not.toContain('pull-from-mirror');
    const bad = await runCli(['mirror-sets', 'registries-conf', icsp, idms, '--version', '4.12']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('has no ImageDigestMirrorSet/ImageTagMirrorSet API');
  });

  it('4.14 with ICSP and IDMS together warns about early z-streams', async () => {
    const r = await runCli(['mirror-sets', 'registries-conf', icsp, idms, '--version', '4.14.1']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('refuses ImageContentSourcePolicy together with IDMS/ITMS');
    expect(r.stdout).toContain('pull-from-mirror = "digest-only"');
  });
});
