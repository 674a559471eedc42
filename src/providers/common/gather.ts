/**
 * Building a ProviderInput: the controller's variables, the inventory groups with each host's variables, the
 * mirror stage's outputs, and the contents of the files a plan embeds (pull secret, SSH public key, extra
 * manifests), read here on the controller so that plan() stays pure.
 */
import { readdir, readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { InstallerError } from '../../core/errors.js';
import type { ExtraVars, LoadedInventory } from '../../config/index.js';
import type { ProviderInput } from '../types.js';
import { load } from 'js-yaml';
import { EXTRA_MANIFESTS_VAR, NETWORK_CONFIG_VAR, PULL_SECRET_VAR, SSH_KEY_VAR, type ExtraManifest } from './install-config.js';
import { text } from './vars.js';

export interface GatherOptions {
  vars: Record<string, unknown>;
  groups: ProviderInput['groups'];
  /** Plan only: a pull secret file that cannot be read is a note, not an error (no lab needed). */
  lenient?: boolean;
  /** Receives the notes of a lenient gathering. */
  notes?: string[];
}

const expand = (p: string): string => (p === '~' ? homedir() : p.startsWith('~/') ? join(homedir(), p.slice(2)) : p);

async function readVarFile(variable: string, path: string): Promise<string> {
  try {
    return await readFile(expand(path), 'utf8');
  } catch (e) {
    throw new InstallerError('unreadable-file', `${variable} ${path} cannot be read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, {
      hint: `fix ${variable} in the inventory (or -e ${variable}=...)`,
      cause: e,
    });
  }
}

async function pullSecretText(vars: Record<string, unknown>, o: GatherOptions): Promise<string | undefined> {
  for (const name of ['dci_pullsecret_file', 'pullsecret_file']) {
    const p = text(vars, name);
    if (!p) continue;
    try {
      return await readVarFile(name, p);
    } catch (e) {
      if (!o.lenient) throw e;
      o.notes?.push(`${(e as Error).message}: the plan shows an empty pull secret`);
      return undefined;
    }
  }
  const inline = vars.openshift_secret;
  if (typeof inline === 'string' && inline !== '') return inline;
  if (inline && typeof inline === 'object') return JSON.stringify(inline);
  return undefined;
}

async function mainSshKey(vars: Record<string, unknown>): Promise<string | undefined> {
  const inline = text(vars, 'ssh_public_key', 'ssh_key');
  if (inline?.startsWith('ssh-') || inline?.startsWith('ecdsa-')) return inline.trim();
  const p = text(vars, 'ssh_public_key_path');
  if (p) return (await readVarFile('ssh_public_key_path', p)).trim();
  // The installer role's default: the user's id_rsa.pub, when there is one.
  return readFile(join(homedir(), '.ssh', 'id_rsa.pub'), 'utf8').then((t) => t.trim(), () => undefined);
}

/** The user key plus every `ssh_extra_keys_paths` key (the installer role's sshKey), one per line. */
async function sshKey(vars: Record<string, unknown>): Promise<string | undefined> {
  const keys: string[] = [];
  const main = await mainSshKey(vars);
  if (main) keys.push(main);
  const extra = vars.ssh_extra_keys_paths;
  const paths = Array.isArray(extra) ? extra.map(String) : typeof extra === 'string' && extra !== '' ? [extra] : [];
  for (const p of paths) {
    const k = (await readVarFile('ssh_extra_keys_paths', p)).trim();
    if (!/^(ssh-|ecdsa-|sk-)/.test(k)) throw new InstallerError('bad-ssh-key', `ssh_extra_keys_paths ${p} is not an SSH public key`, { hint: 'list .pub files (ssh-ed25519 AAAA..., ssh-rsa AAAA...)' });
    keys.push(k);
  }
  return keys.length ? [...new Set(keys)].join('\n') : undefined;
}

async function manifests(vars: Record<string, unknown>): Promise<ExtraManifest[]> {
  const dir = text(vars, 'customize_extramanifests_path');
  if (!dir) return [];
  let names: string[];
  try {
    names = (await readdir(expand(dir))).filter((n) => /\.(ya?ml|json)$/.test(n)).sort();
  } catch (e) {
    throw new InstallerError('unreadable-file', `customize_extramanifests_path ${dir} cannot be read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, {
      hint: 'point customize_extramanifests_path at a directory of YAML manifests on the controller',
    });
  }
  return Promise.all(names.map(async (name) => ({ name, content: await readVarFile('customize_extramanifests_path', join(dir, name)) })));
}

/**
 * `master_network_config_template` / `worker_network_config_template` (installer role, from 4.10): a Jinja
 * template on the controller rendered once per node with that node's variables into its nmstate
 * `networkConfig`. Rendered here (the plan stays pure) into the host variable NETWORK_CONFIG_VAR.
 */
async function networkConfigs(vars: Record<string, unknown>, groups: ProviderInput['groups']): Promise<ProviderInput['groups']> {
  const roles = [
    ['masters', 'master_network_config_template'],
    ['workers', 'worker_network_config_template'],
  ] as const;
  if (!roles.some(([, v]) => text(vars, v))) return groups;
  const { createTemplar } = await import('../../engine/template/index.js');
  const templar = createTemplar({});
  const out = { ...groups };
  for (const [group, variable] of roles) {
    const path = text(vars, variable);
    if (!path) continue;
    const source = await readVarFile(variable, path);
    out[group] = (groups[group] ?? []).map((h) => {
      let doc: unknown;
      try {
        const scope = { ...vars, ...h.vars, inventory_hostname: h.name, inventory_hostname_short: h.name.split('.')[0], hostvars: { [h.name]: h.vars } };
        doc = load(templar.renderTextSync(source, scope, { file: path }));
      } catch (e) {
        throw new InstallerError('bad-network-config', `host "${h.name}": ${variable} ${path} does not render to YAML: ${(e as Error).message.split('\n')[0]}`, {
          location: { host: h.name, file: path },
          hint: `the template sees ${h.name}'s variables (and inventory_hostname): fix the template or the variable it names`,
        });
      }
      if (!doc || typeof doc !== 'object' || Array.isArray(doc)) {
        throw new InstallerError('bad-network-config', `host "${h.name}": ${variable} ${path} renders to ${doc === null || doc === undefined ? 'nothing' : Array.isArray(doc) ? 'a list' : typeof doc}, not an nmstate mapping`, {
          location: { host: h.name, file: path },
          hint: 'the template must produce an nmstate document (interfaces:, dns-resolver:, routes:)',
        });
      }
      return { ...h, vars: { ...h.vars, [NETWORK_CONFIG_VAR]: doc } };
    });
  }
  return out;
}

export async function gatherProviderInput(o: GatherOptions): Promise<ProviderInput> {
  const vars: Record<string, unknown> = { ...o.vars };
  const ps = await pullSecretText(vars, o);
  if (ps !== undefined) vars[PULL_SECRET_VAR] = ps;
  const key = await sshKey(vars);
  if (key) vars[SSH_KEY_VAR] = key;
  vars[EXTRA_MANIFESTS_VAR] = await manifests(vars);
  const input: ProviderInput = { vars, groups: await networkConfigs(vars, o.groups) };
  const sources = vars.dci_mirror_install_config_sources;
  const mirror: NonNullable<ProviderInput['mirror']> = {};
  if (sources && typeof sources === 'object' && !Array.isArray(sources)) mirror.installConfigSources = sources as Record<string, unknown>;
  const trust = text(vars, 'dci_mirror_trust_bundle');
  if (trust) mirror.additionalTrustBundle = trust;
  const conf = text(vars, 'dci_mirror_registries_conf');
  if (conf) mirror.registriesConf = conf;
  const release = text(vars, 'dci_mirror_release_image');
  if (release) mirror.releaseImage = release;
  if (Object.keys(mirror).length) input.mirror = mirror;
  return input;
}

/** Groups of hosts from an engine-style inventory view (`groups` name → host names, per-host vars). */
export function groupsFrom(groupNames: Record<string, readonly string[]>, varsOf: (host: string) => Record<string, unknown>): ProviderInput['groups'] {
  const out: ProviderInput['groups'] = {};
  for (const [g, hosts] of Object.entries(groupNames)) {
    if (g === 'all' || g === 'ungrouped') continue;
    out[g] = hosts.map((name) => ({ name, vars: varsOf(name) }));
  }
  return out;
}

/**
 * The input for `install plan`: the controller's variables and every group, straight from the inventory, with
 * their templates rendered as the engine would (`groups`, `hostvars`, other variables; `ansible_user_dir` is the
 * login user's home, `~`, since nothing is gathered). A variable that cannot render stays as written.
 */
export async function providerInputFromInventory(inv: LoadedInventory, extra?: ExtraVars, options: Pick<GatherOptions, 'lenient' | 'notes'> = {}): Promise<ProviderInput> {
  const { controllerHost } = await import('../../config/index.js');
  const engine = inv.toEngineInventory(extra);
  const controller = controllerHost(inv);
  const render = await inventoryRenderer(engine.groups, Object.fromEntries(Object.entries(engine.hosts).map(([h, v]) => [h, v.vars])));
  const vars = render(controller, engine.hosts[controller]?.vars ?? {});
  return gatherProviderInput({ vars, groups: groupsFrom(engine.groups, (h) => render(h, engine.hosts[h]?.vars ?? {})), ...options });
}

async function inventoryRenderer(groups: Record<string, readonly string[]>, hosts: Record<string, Record<string, unknown>>): Promise<(host: string, vars: Record<string, unknown>) => Record<string, unknown>> {
  const { createTemplar, LazyValue } = await import('../../engine/template/index.js');
  const templar = createTemplar({});
  const lazy = (vars: Record<string, unknown>): Record<string, unknown> =>
    Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, typeof v === 'string' && templar.isTemplate(v) ? new LazyValue(v) : v]));
  const hostvars = Object.fromEntries(Object.entries(hosts).map(([h, v]) => [h, lazy(v)]));
  return (host, vars) => {
    const scope = { ansible_user_dir: '~', ...lazy(vars), groups, hostvars, inventory_hostname: host, inventory_hostname_short: host.split('.')[0] };
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(vars)) {
      if (typeof v !== 'string' || !templar.isTemplate(v)) {
        out[k] = v;
        continue;
      }
      try {
        out[k] = templar.renderSync(v, scope);
      } catch {
        out[k] = v;
      }
    }
    return out;
  };
}
