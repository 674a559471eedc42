/**
 * The RHCOS image cache of a disconnected IPI install, on the real sshd with the fake installer: the locations
 * come from `coreos print-stream-json`, the images are downloaded once into provision_cache_store (sha256
 * checked), install-config points at the cache web server with `?sha256=`, and the fake installer downloads the
 * bootstrap image from there and checks it like the real one does for the bootstrap VM.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { rhcosValues, token } from '../../../src/providers/common/rhcos-cache.js';
import { ipiProvider } from '../../../src/providers/ipi/index.js';
import { installPrerequisiteError } from '../../../src/providers/prerequisites.js';
import { InstallerError } from '../../../src/core/errors.js';
import { sampleInput } from './fixture.js';
import { ipiLab, serveDir, useIpiSshd, type StaticServer } from './lab.js';

const hooks = useIpiSshd();
const { cleanups, stops } = hooks;

interface State {
  installConfig: { platform: { baremetal: Record<string, unknown> } };
}
const stateOf = (root: string): State => JSON.parse(readFileSync(join(root, 'clusterconfigs', '.openshift_install_state.json'), 'utf8')) as State;

/** Upstream (where the stream says the images are) and the cache web server (serving provision_cache_store). */
async function servers(): Promise<{ upstream: StaticServer; web: StaticServer; setUpstream(d: string): void; setCache(d: string): void }> {
  let up = '/nonexistent';
  let cache = '/nonexistent';
  const upstream = await serveDir(() => up);
  const web = await serveDir(() => cache);
  stops.push(upstream.stop, web.stop);
  return { upstream, web, setUpstream: (d) => (up = d), setCache: (d) => (cache = d) };
}

describe('RHCOS cache (disconnected ipi)', () => {
  it('4.9: qemu and openstack images cached once, served with ?sha256=, checked by the installer; a second install reuses them', async () => {
    const s = await servers();
    const l = ipiLab(hooks.sshd(), cleanups, '4.9.59', {}, { rhcosBaseUrl: '' });
    // The fake made its images before the server existed: point the stream at the upstream server now.
    const stream = join(l.fake.stateDir, 'stream.json');
    writeFileSync(stream, readFileSync(stream, 'utf8').replaceAll(`"location": "/`, `"location": "${s.upstream.url}/`));
    writeFileSync(join(l.fake.stateDir, 'verify-os-images'), 'yes\n');
    s.setUpstream(l.fake.rhcos.dir);
    s.setCache(l.cache);
    l.input.vars.webserver_url = s.web.url;

    await ipiProvider.run(ipiProvider.plan(l.input), l.ctx);
    const { qemu, openstack } = l.fake.rhcos.images;
    expect(s.upstream.served.sort()).toEqual([`/${openstack.file}`, `/${qemu.file}`].sort());
    const b = stateOf(l.root).installConfig.platform.baremetal;
    expect(b.bootstrapOSImage).toBe(`${s.web.url}/${qemu.file}?sha256=${qemu.uncompressedSha256}`);
    expect(b.clusterOSImage).toBe(`${s.web.url}/${openstack.file}?sha256=${openstack.sha256}`);
    // The installer fetched both from the cache web server and found the digests right.
    expect(l.fake.osImageDownloads().map((d) => d.field)).toEqual(['bootstrapOSImage', 'clusterOSImage']);
    expect(readdirSync(l.cache).filter((f) => f.startsWith('rhcos-')).sort()).toEqual([openstack.file, qemu.file].sort());
    expect(readdirSync(l.cache).some((f) => f.endsWith('.part'))).toBe(false);
    expect(l.logs.filter((x) => x.startsWith('[install] rhcos-check:') && !x.includes(': check that'))).toEqual([`[install] rhcos-check: ${s.web.url}/${qemu.file} is served`, `[install] rhcos-check: ${s.web.url}/${openstack.file} is served`]);

    const again = ipiLab(hooks.sshd(), cleanups, '4.9.59', { provision_cache_store: l.cache, webserver_url: s.web.url }, l.fake);
    await ipiProvider.run(ipiProvider.plan(again.input), again.ctx);
    expect(s.upstream.served).toHaveLength(2);
    expect(again.logs.filter((x) => x.startsWith('reusing '))).toHaveLength(2);
  });

  it('an image whose sha256 is not the one of the release: the install stops before install-config, nothing left in the cache', async () => {
    const l = ipiLab(hooks.sshd(), cleanups, '4.16.3');
    const qemu = l.fake.rhcos.images.qemu;
    writeFileSync(join(l.fake.rhcos.dir, qemu.file), 'tampered');
    const err = await ipiProvider.run(ipiProvider.plan(l.input), l.ctx).then(() => undefined, (e: Error) => e);
    expect(err?.message).toMatch(/install phase "rhcos" on provisioner: cache the RHCOS qemu image .* failed \(exit 1\)/);
    expect(err?.message).toMatch(new RegExp(`sha256 mismatch for file://.*${qemu.file.replaceAll('.', '\\.')}: got [0-9a-f]{64}, the release says ${qemu.sha256}`));
    expect(existsSync(join(l.cache, qemu.file))).toBe(false);
    expect(existsSync(join(l.cache, `${qemu.file}.part`))).toBe(false);
    expect(l.fake.calls().some((c) => c.argv.includes('manifests'))).toBe(false);
  });

  it('a damaged file already in the cache is downloaded again', async () => {
    const l = ipiLab(hooks.sshd(), cleanups, '4.16.3');
    const qemu = l.fake.rhcos.images.qemu;
    await ipiProvider.run(ipiProvider.plan(l.input), l.ctx);
    writeFileSync(join(l.cache, qemu.file), 'half a download');
    const again = ipiLab(hooks.sshd(), cleanups, '4.16.3', { provision_cache_store: l.cache }, l.fake);
    await ipiProvider.run(ipiProvider.plan(again.input), again.ctx);
    expect(readFileSync(join(l.cache, qemu.file))).toEqual(readFileSync(join(l.fake.rhcos.dir, qemu.file)));
    expect(again.logs.join('\n')).toMatch(/cached .*qcow2\.gz \(sha256/);
  });

  it('a bootstraposimage given by the lab is used as is: no stream read, nothing downloaded', async () => {
    const given = `http://cache.lab:8080/rhcos-own.qcow2.gz?sha256=${'a'.repeat(64)}`;
    const l = ipiLab(hooks.sshd(), cleanups, '4.16.3', { bootstraposimage: given });
    await ipiProvider.run(ipiProvider.plan(l.input), l.ctx);
    expect(stateOf(l.root).installConfig.platform.baremetal.bootstrapOSImage).toBe(given);
    expect(l.fake.calls().some((c) => c.argv.includes('print-stream-json'))).toBe(false);
    expect(existsSync(l.cache) ? readdirSync(l.cache).filter((f) => f.startsWith('rhcos-')) : []).toEqual([]);
  });
});

describe('RHCOS cache plan', () => {
  const rhcosSteps = (over: Record<string, unknown>) => ipiProvider.plan(sampleInput(over)).steps.filter((s) => s.description.startsWith('rhcos:'));
  const baremetal = (over: Record<string, unknown>) => (ipiProvider.plan(sampleInput(over)).files.find((f) => f.path === 'install-config.yaml')!.content.match(/(bootstrap|cluster)OSImage: .*/g) ?? []);

  it('per version like the original: qemu below 4.22, openstack below 4.10, nothing from 4.22', () => {
    expect(rhcosSteps({ ocp_version: '4.9.59' }).map((s) => s.description.replace(/ in .*/, ''))).toEqual(['rhcos: read the RHCOS image locations of 4.9.59 (openshift-baremetal-install coreos print-stream-json)', 'rhcos: cache the RHCOS qemu image', 'rhcos: cache the RHCOS openstack image']);
    expect(rhcosSteps({ ocp_version: '4.16.3' })).toHaveLength(2);
    expect(baremetal({ ocp_version: '4.16.3' })).toEqual([`bootstrapOSImage: http://registry.lab:8080/${token('qemu', 'file')}?sha256=${token('qemu', 'uncompressed-sha256')}`]);
    expect(rhcosSteps({ ocp_version: '4.22.0' })).toEqual([]);
    expect(baremetal({ ocp_version: '4.22.0' })).toEqual([]);
  });

  it('connected: nothing cached unless cache_enabled, then served from the provisioner (webserver_caching_port)', () => {
    expect(rhcosSteps({ dci_disconnected: false, webserver_url: undefined })).toEqual([]);
    const input = sampleInput({ dci_disconnected: false, webserver_url: undefined, cache_enabled: 'yes', webserver_caching_port: 8081 });
    input.groups.provisioner[0].vars.ansible_host = '10.1.1.5';
    const ic = ipiProvider.plan(input).files.find((f) => f.path === 'install-config.yaml')!.content;
    expect(ic).toContain(`bootstrapOSImage: http://10.1.1.5:8081/${token('qemu', 'file')}?sha256=`);
  });

  it('disconnected without webserver_url: refused like the original (one error naming webserver_url and what to set, exit 2)', () => {
    const err = (() => {
      try {
        ipiProvider.plan(sampleInput({ webserver_url: undefined }));
      } catch (e) {
        return e as InstallerError;
      }
    })();
    expect(err).toBeInstanceOf(InstallerError);
    expect(err?.code).toBe('missing-webserver-url');
    expect(err?.exitCode).toBe(2);
    expect(err?.message).toBe("the inventory: webserver_url is required for an ipi install with dci_disconnected on OpenShift 4.16.3: the RHCOS bootstrap VM (qemu) image is served to the cluster from the lab's cache web server, a disconnected cluster cannot download it");
    expect(err?.hint).toBe('set webserver_url=http://<cache host>:<port> (an HTTP server serving provision_cache_store), or give bootstraposimage=<URL?sha256=...> of an image your lab already serves, or set cache_enabled=true to serve the cache from the provisioner (port webserver_caching_port)');
    // Below 4.10 both images are needed: giving only the bootstrap one is not enough.
    expect(() => ipiProvider.plan(sampleInput({ ocp_version: '4.9.59', webserver_url: undefined, bootstraposimage: `http://x/y.qcow2.gz?sha256=${'b'.repeat(64)}` }))).toThrow(/RHCOS nodes \(openstack\) image is served .*/);
  });

  it('webserver_url is not needed when nothing is served from the cache: images given, 4.22+, cache_enabled, connected', () => {
    const image = `http://x/y.qcow2.gz?sha256=${'b'.repeat(64)}`;
    const ic = (over: Record<string, unknown>) => ipiProvider.plan(sampleInput({ webserver_url: undefined, ...over })).files.find((f) => f.path === 'install-config.yaml')!.content;
    expect(ic({ bootstraposimage: image })).toContain(`bootstrapOSImage: ${image}`);
    expect(ic({ ocp_version: '4.9.59', bootstraposimage: image, clusterosimage: image })).toContain(`clusterOSImage: ${image}`);
    expect(ic({ ocp_version: '4.22.0' })).not.toContain('OSImage');
    expect(ic({ cache_enabled: true })).toContain('bootstrapOSImage: http://provisioner:8080/');
    expect(ic({ dci_disconnected: false })).not.toContain('OSImage');
    expect(installPrerequisiteError({ ...sampleInput().vars, webserver_url: undefined, bootstraposimage: image })).toBeUndefined();
  });

  it('the pre-flight check the pipeline runs gives the plan\'s error; unknown or templated versions and other install types are left to the plan', () => {
    const vars = { ...sampleInput().vars, webserver_url: undefined };
    expect(installPrerequisiteError(vars)?.message).toMatch(/^the inventory: webserver_url is required for an ipi install with dci_disconnected on OpenShift 4\.16\.3/);
    expect(installPrerequisiteError({ ...vars, install_type: undefined, ocp_version: undefined, version: '4.12.30' })?.code).toBe('missing-webserver-url');
    expect(installPrerequisiteError({ ...vars, ocp_version: undefined })).toBeUndefined();
    expect(installPrerequisiteError({ ...vars, ocp_version: '{{ job_version }}' })).toBeUndefined();
    expect(installPrerequisiteError({ ...vars, install_type: 'acm' })).toBeUndefined();
    expect(installPrerequisiteError({ ...vars, dci_disconnected: 'no' })).toBeUndefined();
  });

  it('clear errors: a version without print-stream-json, a bad webserver_url', () => {
    expect(() => ipiProvider.plan(sampleInput({ ocp_version: '4.7.60' }))).toThrow(/needs the installer's "coreos print-stream-json" \(4\.8 and later\)/);
    expect(() => ipiProvider.plan(sampleInput({ webserver_url: 'registry.lab:8080' }))).toThrow(/webserver_url "registry\.lab:8080" must be an http:\/\/ or https:\/\/ URL/);
  });

  it('reads the stream metadata strictly: missing image, bad digest, not JSON', () => {
    const disk = { location: 'https://rhcos.example/x/rhcos-1-qemu.x86_64.qcow2.gz', sha256: 'c'.repeat(64), 'uncompressed-sha256': 'd'.repeat(64) };
    const stream = (d: unknown) => JSON.stringify({ architectures: { x86_64: { artifacts: { qemu: { formats: { 'qcow2.gz': { disk: d } } } } } } });
    expect(rhcosValues(stream(disk), ['qemu'], 'prov')).toMatchObject({ [token('qemu', 'file')]: 'rhcos-1-qemu.x86_64.qcow2.gz', [token('qemu', 'uncompressed-sha256')]: 'd'.repeat(64) });
    expect(() => rhcosValues(stream(disk), ['qemu', 'openstack'], 'prov')).toThrow(/on prov has no openstack qcow2\.gz image/);
    expect(() => rhcosValues(stream({ ...disk, sha256: 'nope' }), ['qemu'], 'prov')).toThrow(/gives no sha256 for the qemu image/);
    expect(() => rhcosValues(stream({ ...disk, location: 'https://x/a b;rm -rf ~' }), ['qemu'], 'prov')).toThrow(/no usable location/);
    expect(() => rhcosValues('Error: unknown command "coreos"', ['qemu'], 'prov')).toThrow(/is not JSON/);
  });
});
