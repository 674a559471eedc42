/**
 * The RHCOS image cache of a disconnected IPI install, as the original does it (mirror_ocp_release with
 * `mor_write_custom_config = dci_disconnected`, and the installer role's `cache_enabled` path): read the image
 * locations of the release from the installer itself (`<installer> coreos print-stream-json`, from 4.8), download
 * the images install-config needs into `provision_cache_store` on the provisioner (once: under a lock, sha256
 * checked, a file already there with the right sha256 is reused), and point install-config at the cache web
 * server: `bootstrapOSImage = <webserver_url>/<qemu file>?sha256=<uncompressed sha256>` (below 4.22) and
 * `clusterOSImage = <webserver_url>/<openstack file>?sha256=<sha256>` (below 4.10). An image the user gives
 * (`bootstraposimage` / `clusterosimage`) is not cached. Versions from 4.22 need neither: nothing is cached.
 *
 * The locations are only known once the installer runs, so the plan holds `@rhcos.<image>.<field>@` tokens in
 * the download commands and in install-config.yaml; run() reads the stream and replaces them.
 *
 * A disconnected install that needs a cached image and has no `webserver_url` is refused (the original agent's
 * pre-install assert): the bootstrap VM could not download the image. See webserverUrlMissing.
 */
import { InstallerError } from '../../core/errors.js';
import { shellQuote } from '../../engine/transports/index.js';
import { compareMinor } from '../../manifests/index.js';
import { rhcosImagesToCache, usesBootstrapOSImage, usesClusterOSImage, webserverUrlMissing, type RhcosImageKey } from './rhcos-need.js';
import type { InstallPlan, PlannedStep, ProviderInput } from '../types.js';
import { lockedArgv } from './lock.js';
import { join } from './paths.js';
import type { CommandStep, RemoteRunner } from './runner.js';
import { command, commandsOf } from './steps.js';
import { provisionerHost, text } from './vars.js';

export { rhcosImagesToCache, usesBootstrapOSImage, usesClusterOSImage, webserverUrlMissing, type RhcosImageKey };

export interface RhcosCachePlan {
  steps: PlannedStep[];
  /** Fields for platform.baremetal (token URLs when cached, the user's value otherwise). */
  baremetal: { bootstrapOSImage?: string; clusterOSImage?: string };
  /** Images downloaded, for the facts. */
  images: RhcosImageKey[];
  webserver?: string;
}

export const token = (key: RhcosImageKey, field: 'location' | 'file' | 'sha256' | 'uncompressed-sha256'): string => `@rhcos.${key}.${field}@`;


function downloadScript(store: string, key: RhcosImageKey): string {
  return [
    `f=${shellQuote(store)}/${token(key, 'file')}; want=${token(key, 'sha256')}`,
    'sum() { sha256sum "$1" | cut -d" " -f1; }',
    'if [ -f "$f" ] && [ "$(sum "$f")" = "$want" ]; then echo "reusing $f (sha256 $want)"; exit 0; fi',
    'rm -f "$f.part"',
    `curl -fsSL --retry 3 --retry-delay 10 --connect-timeout 30 --max-time 3600 -o "$f.part" ${token(key, 'location')} || { rc=$?; rm -f "$f.part"; echo "download of ${token(key, 'location')} failed (curl exit $rc)" >&2; exit $rc; }`,
    `got=$(sum "$f.part"); if [ "$got" != "$want" ]; then rm -f "$f.part"; echo "sha256 mismatch for ${token(key, 'location')}: got $got, the release says $want" >&2; exit 1; fi`,
    'chmod 0644 "$f.part" && mv -f "$f.part" "$f" && echo "cached $f (sha256 $want)"',
  ].join('\n');
}

/** What the plan adds for the RHCOS images (nothing for a connected install without cache_enabled). */
export function rhcosCachePlan(input: ProviderInput, version: string, installer: string, store: string, why: string): RhcosCachePlan {
  const vars = input.vars;
  const userBootstrap = text(vars, 'bootstraposimage');
  const userCluster = text(vars, 'clusterosimage');
  const out: RhcosCachePlan = { steps: [], baremetal: {}, images: [] };
  if (userBootstrap && usesBootstrapOSImage(version)) out.baremetal.bootstrapOSImage = userBootstrap;
  if (userCluster && usesClusterOSImage(version)) out.baremetal.clusterOSImage = userCluster;
  const wanted = rhcosImagesToCache(vars, version);
  if (wanted.length === 0) return out;
  if (compareMinor(version, '4.8') < 0) {
    throw new InstallerError('rhcos-cache-unsupported', `the inventory: caching the RHCOS images of OpenShift ${version} needs the installer's "coreos print-stream-json" (4.8 and later)`, {
      hint: 'set bootstraposimage and clusterosimage to images your lab already serves (URL?sha256=...)',
    });
  }
  const missing = webserverUrlMissing(vars, version, why);
  if (missing) throw missing;
  let webserver = text(vars, 'webserver_url');
  if (!webserver) {
    // cache_enabled: the installer role's own cache web server, port webserver_caching_port of the provisioner.
    const prov = provisionerHost(input);
    webserver = `http://${text(prov.vars, 'ansible_host') ?? prov.name}:${text(vars, 'webserver_caching_port') ?? '8080'}`;
  }
  if (!/^https?:\/\//.test(webserver)) throw new InstallerError('bad-host-data', `the inventory: webserver_url ${JSON.stringify(webserver)} must be an http:// or https:// URL`, { hint: 'e.g. webserver_url=http://registry.lab:8080' });
  const base = webserver.replace(/\/+$/, '');
  out.webserver = base;
  out.images = wanted;
  const host = provisionerHost(input).name;
  out.steps.push(command(host, 'rhcos', `read the RHCOS image locations of ${version} (${installer.split('/').pop()} coreos print-stream-json)`, [installer, 'coreos', 'print-stream-json'], 10 * 60_000));
  for (const key of wanted) {
    out.steps.push(command(host, 'rhcos', `cache the RHCOS ${key} image in ${store} (once, under a lock; sha256 checked, reused when present)`, lockedArgv(join(store, '.rhcos-cache.lock'), downloadScript(store, key), 3600), 3 * 3600_000));
  }
  for (const key of wanted) {
    // A web server that does not serve provision_cache_store only shows up 30+ minutes later as a bootstrap
    // failure: say it now (a warning: the provisioner may reach it by another route than the one tried here).
    out.steps.push(command(host, 'rhcos-check', `check that ${base} serves the cached ${key} image (a warning only)`, ['curl', '-fsS', '-o', '/dev/null', '-r', '0-0', '--max-time', '30', `${base}/${token(key, 'file')}`], 60_000));
  }
  if (wanted.includes('qemu')) out.baremetal.bootstrapOSImage = `${base}/${token('qemu', 'file')}?sha256=${token('qemu', 'uncompressed-sha256')}`;
  if (wanted.includes('openstack')) out.baremetal.clusterOSImage = `${base}/${token('openstack', 'file')}?sha256=${token('openstack', 'sha256')}`;
  return out;
}

export type RhcosValues = Record<string, string>;

interface StreamDisk {
  location?: unknown;
  sha256?: unknown;
  'uncompressed-sha256'?: unknown;
}

/** The token values of each image, from `coreos print-stream-json` output (stream metadata, x86_64). */
export function rhcosValues(streamJson: string, keys: RhcosImageKey[], host: string): RhcosValues {
  const bad = (why: string): InstallerError =>
    new InstallerError('bad-rhcos-stream', `the installer's "coreos print-stream-json" on ${host} ${why}`, { location: { host }, hint: 'the installer binary in the cache may be damaged: remove it from provision_cache_store/<version> and run again' });
  let doc: unknown;
  try {
    doc = JSON.parse(streamJson);
  } catch (e) {
    throw bad(`is not JSON: ${(e as Error).message}`);
  }
  const artifacts = (doc as { architectures?: { x86_64?: { artifacts?: Record<string, { formats?: Record<string, { disk?: StreamDisk }> }> } } }).architectures?.x86_64?.artifacts;
  if (!artifacts) throw bad('has no architectures.x86_64.artifacts');
  const out: RhcosValues = {};
  for (const key of keys) {
    const disk = artifacts[key]?.formats?.['qcow2.gz']?.disk;
    if (!disk) throw bad(`has no ${key} qcow2.gz image`);
    const location = disk.location;
    if (typeof location !== 'string' || !/^(https?|file):\/\/\S+$/.test(location)) throw bad(`gives no usable location for the ${key} image: ${JSON.stringify(location)}`);
    const file = location.split('?')[0].split('/').pop() ?? '';
    if (!/^[A-Za-z0-9._+-]+$/.test(file)) throw bad(`gives an unusable file name for the ${key} image: ${JSON.stringify(file)}`);
    for (const f of ['sha256', 'uncompressed-sha256'] as const) {
      const v = disk[f];
      if (typeof v !== 'string' || !/^[0-9a-f]{64}$/.test(v)) throw bad(`gives no ${f} for the ${key} image`);
      out[token(key, f)] = v;
    }
    out[token(key, 'location')] = location;
    out[token(key, 'file')] = file;
  }
  return out;
}

/** Replace the tokens in text (install-config) as they are. */
export function fillTokens(s: string, values: RhcosValues): string {
  return s.replace(/@rhcos\.[a-z]+\.[a-z0-9-]+@/g, (t) => values[t] ?? t);
}

/** Replace the tokens in a command step: shell-quoted in the download scripts, as they are in plain argv. */
function fillStep(step: CommandStep, values: RhcosValues, quoted: boolean): CommandStep {
  return { ...step, argv: step.argv.map((a) => a.replace(/@rhcos\.[a-z]+\.[a-z0-9-]+@/g, (t) => (values[t] === undefined ? t : quoted ? shellQuote(values[t]) : values[t]))) };
}

/** Run the planned RHCOS steps; returns the token values for install-config (empty when nothing is cached). */
export async function runRhcosCache(plan: InstallPlan, runner: RemoteRunner): Promise<RhcosValues> {
  const [stream, ...downloads] = commandsOf(plan, 'rhcos');
  if (!stream) return {};
  const keys = (plan.facts.rhcos_cached_images as RhcosImageKey[] | undefined) ?? [];
  const r = await runner.run(stream, { phase: 'rhcos' });
  const values = rhcosValues(r.stdout, keys, runner.host);
  for (const key of keys) runner.phase('rhcos', `${key}: ${values[token(key, 'location')]} (sha256 ${values[token(key, 'sha256')]})`);
  for (const d of downloads) await runner.run(fillStep(d, values, true), { phase: 'rhcos', stream: true });
  for (const c of commandsOf(plan, 'rhcos-check')) {
    const step = fillStep(c, values, false);
    const r = await runner.run(step, { phase: 'rhcos-check', allowFailure: true });
    const url = step.argv[step.argv.length - 1];
    if (r.rc === 0) runner.phase('rhcos-check', `${url} is served`);
    else runner.phase('rhcos-check', `warning: ${url} cannot be fetched from ${runner.host} (curl exit ${r.rc}: ${(r.stderr || r.stdout).trim().split('\n').pop() ?? ''}); the installer will fail to download it unless webserver_url serves provision_cache_store`);
  }
  return values;
}
