// End to end on real registries: read a 40-component release, mirror it with the copy engine to the oc layout,
// then check with the mirror-set resolver that every original pull spec resolves to an existing mirror image
// with the same digest, and that a re-check of a complete mirror is HEAD-only and says complete.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertCopySucceeded, copyImages, createRegistryClient, type RegistryClient } from '../../../src/mirror/index.js';
import { buildMirrorSets } from '../../../src/manifests/build-mirror-sets.js';
import { resolvePullSourcesFromMirrorSets } from '../../../src/manifests/resolve.js';
import { checkReleaseMirrorComplete, checkReleaseMirrored, planReleaseMirror, readReleaseImage, releaseArchFor, releaseMirrorSets } from '../../../src/mirror/release/index.js';
import { startRegistry, type TestRegistry } from '../../helpers/registry.js';
import { plainRepo, pushReleaseFixture, type ReleaseFixture } from '../../helpers/release-fixtures.js';

let src: TestRegistry;
let dst: TestRegistry;
let fx: ReleaseFixture;
let client: RegistryClient;

beforeAll(async () => {
  [src, dst] = await Promise.all([startRegistry({ accessLog: true }), startRegistry({ accessLog: true })]);
  fx = await pushReleaseFixture({ host: src.host, components: 40 });
  client = createRegistryClient({ plainHttp: [src.host, dst.host] });
});
afterAll(async () => {
  await client?.close();
  await Promise.all([src?.stop(), dst?.stop()]);
});

describe('release mirror', () => {
  it('mirrors the release and every component by digest to the oc layout; every pull spec resolves to the mirror', async () => {
    const payload = await readReleaseImage(`docker://${fx.releaseRef}`, { client });
    expect(payload.imageReferences.components).toHaveLength(40);
    const target = { localRegistry: dst.host, localRepo: 'ocp4/openshift4', arch: payload.architecture, releaseDigest: payload.digest };
    const plan = planReleaseMirror(fx.releaseRef, payload.imageReferences, target);
    const dest = plainRepo(dst.host, 'ocp4/openshift4');
    const head = async (d: string) => (await dest.headManifest(d.slice(d.lastIndexOf(':') + 1)))?.digest;
    expect((await checkReleaseMirrored(plan, head, { releaseDigest: payload.digest })).complete).toBe(false);

    const report = await copyImages(plan.map((m) => ({ source: `docker://${m.source}`, destination: `docker://${m.destination}` })), { client });
    assertCopySucceeded(report);
    expect(report.images.copied).toBe(41);

    // The tags oc would create, each holding the source digest.
    expect(await head(`${dst.host}/ocp4/openshift4:4.16.3-x86_64`)).toBe(fx.releaseDigest);
    expect(await head(`${dst.host}/ocp4/openshift4:4.16.3-x86_64-etcd`)).toBe(fx.components.find((c) => c.name === 'etcd')!.digest);

    // Resolution: what a cluster with these mirror sets would pull for every original pull spec — from oc's
    // own mirror sets, and from the mirror-set builder fed with the plan.
    const sets = releaseMirrorSets(fx.releaseRef, payload.imageReferences, target);
    expect(sets.map((s) => s.source)).toEqual([`${src.host}/${fx.releaseRepo}`, `${src.host}/${fx.componentRepo}`]);
    const built = buildMirrorSets(plan, { version: '4.16' }).entries.filter((g) => g.kind === 'idms').map((g) => g.entries);
    const originals = [`${src.host}/${fx.releaseRepo}@${fx.releaseDigest}`, ...fx.components.map((c) => c.image)];
    for (const idms of [[sets], built]) {
      for (const image of originals) {
        const r = resolvePullSourcesFromMirrorSets(image, { idms });
        const first = r.locations[0];
        expect(first.role).toBe('mirror');
        expect(first.reference.startsWith(`${dst.host}/ocp4/openshift4@sha256:`)).toBe(true);
        const digest = first.reference.slice(first.reference.indexOf('@') + 1);
        expect((await dest.headManifest(digest))?.digest).toBe(digest);
      }
    }

    // The skip check reads the payload from the mirror's copy: nothing is downloaded from the source.
    const srcBefore = (await src.requests()).length;
    const skip = await checkReleaseMirrorComplete({ client, releaseRef: fx.releaseRef, target: { localRegistry: dst.host, localRepo: 'ocp4/openshift4' } });
    expect(skip).toMatchObject({ complete: true, checked: 42 });
    const fromSource = (await src.requests()).slice(srcBefore);
    expect(fromSource.map((r) => r.method)).toEqual(['HEAD']);
    const elsewhere = await checkReleaseMirrorComplete({ client, releaseRef: fx.releaseRef, target: { localRegistry: dst.host, localRepo: 'ocp4/other' } });
    expect(elsewhere.complete).toBe(false);
    expect(elsewhere.reason).toContain('is not in');

    // Complete now; the check costs one HEAD per image and nothing else.
    const before = (await dst.requests()).length;
    const again = await checkReleaseMirrored(plan, head, { releaseDigest: payload.digest });
    expect(again).toMatchObject({ complete: true, checked: 41 });
    const during = (await dst.requests()).slice(before);
    expect(during.every((r) => r.method === 'HEAD')).toBe(true);
    expect(during).toHaveLength(41);
  });
});

describe('multi-arch release', () => {
  it('keeps the manifest list when asked: tag <version>-multi holds the index digest, both platforms copied', async () => {
    const multi = await pushReleaseFixture({ host: src.host, components: 3, multiArch: true, version: '4.17.0' });
    const payload = await readReleaseImage(`docker://${multi.releaseRef}`, { client });
    expect(payload.isIndex).toBe(true);
    expect(payload.architecture).toBe('amd64');
    expect((await readReleaseImage(`docker://${multi.releaseRef}`, { client, platform: { architecture: 'arm64' } })).architecture).toBe('arm64');
    const arch = releaseArchFor(payload, { keepManifestList: true });
    expect(arch).toBe('multi');
    expect(releaseArchFor(payload)).toBe('x86_64');
    const plan = planReleaseMirror(multi.releaseRef, payload.imageReferences, { localRegistry: dst.host, localRepo: 'ocp4/multi', arch, releaseDigest: payload.digest });
    expect(plan[0].destination).toBe(`${dst.host}/ocp4/multi:4.17.0-multi`);
    assertCopySucceeded(await copyImages(plan.map((m) => ({ source: `docker://${m.source}`, destination: `docker://${m.destination}` })), { client }));
    const dest = plainRepo(dst.host, 'ocp4/multi');
    expect((await dest.headManifest('4.17.0-multi'))?.digest).toBe(multi.releaseDigest);
    const index = JSON.parse((await dest.getManifest(multi.releaseDigest)).bytes.toString()) as { manifests: Array<{ digest: string }> };
    for (const m of index.manifests) expect(await dest.headManifest(m.digest)).toBeDefined();
  });
});
