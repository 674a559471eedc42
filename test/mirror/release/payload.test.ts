// Read a synthetic release from a real docker-registry, plan the oc layout, and check completeness with HEADs.
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PayloadError } from '../../../src/core/errors.js';
import { checkReleaseMirrored, planReleaseMirror, readReleasePayload, releaseMirrorSets } from '../../../src/mirror/release/index.js';
import { startRegistry, type TestRegistry } from '../../helpers/registry.js';
import { hostileManifestLayers, plainRepo, pushReleaseFixture, type ReleaseFixture } from '../../helpers/release-fixtures.js';

let reg: TestRegistry;
let fx: ReleaseFixture;

beforeAll(async () => {
  reg = await startRegistry();
  fx = await pushReleaseFixture({ host: reg.host, components: 40 });
});
afterAll(async () => {
  await reg?.stop();
});

describe('readReleasePayload', () => {
  it('reads image-references and release-metadata from the top layer only', async () => {
    const src = plainRepo(reg.host, fx.releaseRepo);
    const p = await readReleasePayload(src, `${fx.version}-x86_64`, fx.releaseRef);
    expect(p.digest).toBe(fx.releaseDigest);
    expect(p.imageReferences.version).toBe('4.16.3');
    expect(p.imageReferences.components).toHaveLength(40);
    expect(p.imageReferences.components.map((c) => c.image)).toEqual(fx.components.map((c) => c.image));
    expect(p.metadata?.previous).toEqual(['4.16.1', '4.16.2']);
    expect(p.architecture).toBe('amd64');
    expect(p.releaseLabel).toBe('4.16.3');
    expect(p.layersRead).toHaveLength(1);
  });

  it('reads by digest too', async () => {
    const p = await readReleasePayload(plainRepo(reg.host, fx.releaseRepo), fx.releaseDigest, `${reg.host}/${fx.releaseRepo}@${fx.releaseDigest}`);
    expect(p.imageReferences.components).toHaveLength(40);
  });

  it('says clearly when the image is not a release', async () => {
    const comp = fx.components[0];
    const err = await readReleasePayload(plainRepo(reg.host, fx.componentRepo), comp.digest, comp.image).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PayloadError);
    expect((err as Error).message).toContain('has no release-manifests/image-references');
  });

  for (const [name, entries] of Object.entries(hostileManifestLayers())) {
    it(`refuses a hostile release layer (${name}) naming image, layer and entry`, async () => {
      const tag = `hostile-${name.replace(/[^a-z0-9]+/gi, '-')}`;
      const bad = await pushReleaseFixture({ host: reg.host, components: 2, manifestsLayer: entries, tag });
      const err = await readReleasePayload(plainRepo(reg.host, bad.releaseRepo), tag, bad.releaseRef).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PayloadError);
      const msg = (err as Error).message;
      expect(msg).toContain(bad.releaseRef);
      expect(msg).toMatch(/layer sha256:[a-f0-9]{64}/);
      expect(msg).toMatch(/entry "/);
    });
  }
});

describe('hostile layers leave no trace', () => {
  it('nothing was written where the hostile entries pointed (the reader never writes files)', () => {
    expect(existsSync('/tmp/dci-escape')).toBe(false);
    expect(existsSync('/etc/dci-escape')).toBe(false);
  });
});

describe('planReleaseMirror', () => {
  it('uses the oc adm release mirror tags and keeps digests', async () => {
    const p = await readReleasePayload(plainRepo(reg.host, fx.releaseRepo), `${fx.version}-x86_64`, fx.releaseRef);
    const plan = planReleaseMirror(fx.releaseRef, p.imageReferences, {
      localRegistry: 'mirror.lab:5000',
      localRepo: 'ocp4/openshift4',
      arch: p.architecture,
      releaseDigest: p.digest,
    });
    expect(plan).toHaveLength(41);
    expect(plan[0]).toEqual({
      source: `${reg.host}/${fx.releaseRepo}@${fx.releaseDigest}`,
      destination: 'mirror.lab:5000/ocp4/openshift4:4.16.3-x86_64',
      component: 'release',
      type: 'release',
    });
    expect(plan[1]).toEqual({ source: fx.components[0].image, destination: 'mirror.lab:5000/ocp4/openshift4:4.16.3-x86_64-agent-installer-api-server', component: 'agent-installer-api-server', type: 'releaseContent' });
    expect(plan.find((m) => m.component === 'etcd')?.destination).toBe('mirror.lab:5000/ocp4/openshift4:4.16.3-x86_64-etcd');
    expect(new Set(plan.map((m) => m.destination)).size).toBe(41);
  });

  it('maps arm64 to aarch64 and honours --to-release-image', () => {
    const refs = { version: '4.16.3', annotations: {}, components: [{ name: 'etcd', image: `q.io/ocp/art@sha256:${'1'.repeat(64)}` }] };
    const plan = planReleaseMirror('q.io/ocp/release:4.16.3-aarch64', refs, { localRegistry: 'r:5000', localRepo: '/ocp/', arch: 'arm64', releaseDestination: 'r:5000/ocp:4.16.3' });
    expect(plan.map((m) => m.destination)).toEqual(['r:5000/ocp:4.16.3', 'r:5000/ocp:4.16.3-aarch64-etcd']);
    expect(releaseMirrorSets('q.io/ocp/release:4.16.3-aarch64', refs, { localRegistry: 'r:5000', localRepo: 'ocp', arch: 'arm64' })).toEqual([
      { mirrors: ['r:5000/ocp'], source: 'q.io/ocp/art' },
      { mirrors: ['r:5000/ocp'], source: 'q.io/ocp/release' },
    ]);
  });

  it('refuses an impossible destination tag', () => {
    const refs = { version: '4.16.3', annotations: {}, components: [{ name: 'x'.repeat(130), image: `q.io/a@sha256:${'1'.repeat(64)}` }] };
    expect(() => planReleaseMirror('q.io/r:1', refs, { localRegistry: 'r', localRepo: 'o', arch: 'amd64' })).toThrow(/not a valid tag/);
  });
});

describe('checkReleaseMirrored', () => {
  it('is complete only when every destination tag holds the source digest', async () => {
    const p = await readReleasePayload(plainRepo(reg.host, fx.releaseRepo), `${fx.version}-x86_64`, fx.releaseRef);
    const plan = planReleaseMirror(fx.releaseRef, p.imageReferences, { localRegistry: reg.host, localRepo: 'mirror/ocp', arch: p.architecture, releaseDigest: p.digest });
    const dest = plainRepo(reg.host, 'mirror/ocp');
    const head = async (d: string) => (await dest.headManifest(d.slice(d.lastIndexOf(':') + 1)))?.digest;
    const before = await checkReleaseMirrored(plan, head, { releaseDigest: p.digest });
    expect(before.complete).toBe(false);
    expect(before.missing).toHaveLength(41);
    // Mirror by hand (same registry: manifests re-put under the new tags after mounting blobs).
    const { pushManifest } = await import('../../helpers/release-fixtures.js');
    for (const m of plan) {
      const srcRepo = m.component === 'release' ? fx.releaseRepo : fx.componentRepo;
      const digest = m.source.slice(m.source.indexOf('@') + 1);
      const src = plainRepo(reg.host, srcRepo);
      const blob = await src.getManifest(digest);
      const parsed = JSON.parse(blob.bytes.toString()) as { config: { digest: string }; layers: Array<{ digest: string }> };
      for (const d of [parsed.config, ...parsed.layers]) await dest.mountBlob!({ digest: d.digest, size: 0, mediaType: '' }, srcRepo);
      await pushManifest(reg.host, 'mirror/ocp', m.destination.slice(m.destination.lastIndexOf(':') + 1), blob);
    }
    const after = await checkReleaseMirrored(plan, head, { releaseDigest: p.digest });
    expect(after).toEqual({ complete: true, missing: [], checked: 41 });
  });
});
