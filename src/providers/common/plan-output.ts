/**
 * Writing a plan for people to read: every file (secrets redacted), every Kubernetes object as one YAML file,
 * and plan.txt with the commands, API and HTTP calls in the order run() performs them. The directory is built
 * aside and renamed into place, so a reader never sees half a plan.
 */
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { writeFileAtomic } from '../../core/atomic-write.js';
import { InstallerError } from '../../core/errors.js';
import { quoteArgv } from '../../engine/transports/index.js';
import type { SecretRegistry } from '../../core/secrets.js';
import type { InstallPlan } from '../types.js';
import { loadAll } from 'js-yaml';
import { yaml } from './install-config.js';

/** Facts that are credentials: never printed, even redacted. */
const HIDDEN_FACTS = new Set(['bmc_password', 'bmc_username', 'power_off']);

export function objectFileName(index: number, o: InstallPlan['objects'][number]): string {
  const ns = o.metadata.namespace ? `${o.metadata.namespace}-` : '';
  return `${String(index + 1).padStart(2, '0')}-${o.kind.toLowerCase()}-${ns}${o.metadata.name}.yaml`.replace(/[^A-Za-z0-9._-]/g, '_');
}

export function renderPlanText(plan: InstallPlan, secrets: SecretRegistry, notes: string[] = []): string {
  const f = plan.facts;
  const lines = [
    `# dci-agent-ts install plan: ${plan.installType}${f.ocp_version ? `, OpenShift ${String(f.ocp_version)}` : ''}${f.cluster ? `, cluster ${String(f.cluster)}${f.base_domain ? `.${String(f.base_domain)}` : ''}` : ''}`,
    `# installer dir: ${plan.workDir}${f.provisioner ? ` on ${String(f.provisioner)}` : ''}`,
  ];
  if (f.mirror_origin) lines.push(`# mirrors: ${String(f.mirror_origin)} (install-config key: ${String(f.mirror_key)})`);
  if (f.release_image_override) lines.push(`# OPENSHIFT_INSTALL_RELEASE_IMAGE_OVERRIDE=${String(f.release_image_override)}`);
  if (f.pull_secret_missing === true) lines.push('# warning: no pull secret found (dci_pullsecret_file/pullsecret_file/openshift_secret): install-config shows {"auths":{}}; a run needs one');
  const rhcos = Array.isArray(f.rhcos_cached_images) ? (f.rhcos_cached_images as string[]) : [];
  if (rhcos.length) lines.push(`# RHCOS ${rhcos.join(' and ')} image(s) cached in provision_cache_store, served from ${String(f.rhcos_cache_webserver)}: @rhcos.<image>.<field>@ stands for what the installer's "coreos print-stream-json" gives at run time`);
  const powerOff = Array.isArray(f.power_off) ? (f.power_off as Array<{ node: string; kind: string }>) : [];
  if (powerOff.length) lines.push(`# nodes powered off right before the installer creates the cluster: ${powerOff.map((n) => `${n.node} (${n.kind})`).join(', ')}`);
  if (Array.isArray(f.poweroff_skipped) && f.poweroff_skipped.length) lines.push(`# not powered off (poweroff=false): ${(f.poweroff_skipped as string[]).join(', ')}`);
  for (const n of notes) lines.push(`# ${n}`);
  lines.push('', 'Files:');
  for (const file of plan.files) lines.push(`  ${file.path}${file.secret ? '  (mode 0600 on the host; secrets redacted in this copy)' : ''}`);
  if (plan.objects.length) {
    lines.push('', 'Kubernetes objects:');
    plan.objects.forEach((o, i) => lines.push(`  objects/${objectFileName(i, o)}  ${o.apiVersion} ${o.kind} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name}`));
  }
  lines.push('', 'Steps (in order):');
  plan.steps.forEach((s, i) => {
    const n = `${String(i + 1).padStart(2, ' ')}.`;
    if (s.kind === 'command') lines.push(`${n} [${s.host}] ${s.description}`, `      $ ${quoteArgv(s.argv)}${s.timeoutMs ? `   # timeout ${Math.round(s.timeoutMs / 1000)} s` : ''}`);
    else if (s.kind === 'api') lines.push(`${n} [api] ${s.verb} ${s.object}: ${s.description}`);
    else lines.push(`${n} [http] ${s.method} ${s.url}: ${s.description}`);
  });
  const shown = Object.fromEntries(Object.entries(f).filter(([k]) => !HIDDEN_FACTS.has(k)));
  lines.push('', 'Facts for later stages:', ...yaml(shown).trimEnd().split('\n').map((l) => `  ${l}`), '');
  return secrets.redact(lines.join('\n'));
}

/** YAML stays valid YAML once redacted (a bare `********` would read as an alias): redact the values, re-dump. */
function redactFile(path: string, content: string, secrets: SecretRegistry): string {
  const redacted = secrets.redact(content);
  if (redacted === content || !/\.ya?ml$/.test(path)) return redacted;
  try {
    const docs = loadAll(content);
    return docs.map((d) => yaml(secrets.redactDeep(d))).join('---\n');
  } catch {
    return redacted;
  }
}

async function isReplaceable(dir: string): Promise<boolean> {
  const entries = await readdir(dir).catch(() => undefined);
  if (entries === undefined) return !(await stat(dir).then(() => true, () => false));
  return entries.length === 0 || entries.includes('plan.txt');
}

/** Write the plan into `outDir` (replacing an earlier plan there). Returns the files written, relative. */
export async function writeInstallPlan(plan: InstallPlan, outDir: string, secrets: SecretRegistry, notes: string[] = []): Promise<string[]> {
  if (!(await isReplaceable(outDir))) {
    throw new InstallerError('plan-dir-not-empty', `${outDir} exists and is not an earlier install plan (no plan.txt): refusing to replace it`, { hint: 'give --out an empty or new directory' });
  }
  await mkdir(dirname(outDir), { recursive: true });
  const tmp = `${outDir}.tmp-${randomBytes(4).toString('hex')}`;
  const written: string[] = [];
  try {
    for (const file of plan.files) {
      await writeFileAtomic(join(tmp, file.path), redactFile(file.path, file.content, secrets), { mode: file.secret ? 0o600 : 0o644, fsync: false });
      written.push(file.path);
    }
    for (const [i, o] of plan.objects.entries()) {
      const name = join('objects', objectFileName(i, o));
      await writeFileAtomic(join(tmp, name), secrets.redact(yaml(o)), { mode: 0o644, fsync: false });
      written.push(name);
    }
    await writeFileAtomic(join(tmp, 'plan.txt'), renderPlanText(plan, secrets, notes), { mode: 0o644, fsync: false });
    written.push('plan.txt');
    await rm(outDir, { recursive: true, force: true });
    await rename(tmp, outDir);
  } catch (e) {
    await rm(tmp, { recursive: true, force: true });
    throw e;
  }
  return written;
}
