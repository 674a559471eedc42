/**
 * Settings for a whole inventory: the pipeline's settings from the controller's variables (host `jumphost` when
 * the inventory defines it, else `localhost`, like the original agent which runs its plays there), plus the
 * installer data of every master/worker, with what each install type requires.
 */
import { SettingsError } from '../core/errors.js';
import type { ExtraVars } from './extra-vars.js';
import { hostVarStore, type LoadedInventory } from './load-inventory.js';
import { resolveNodeSettings, resolveSettings, type NodeSettings, type Settings } from './settings.js';

export interface InventorySettings {
  /** The host whose variables gave the settings. */
  controller: string;
  settings: Settings;
  nodes: NodeSettings[];
  /** Values that load but are probably not what the user meant. */
  warnings: string[];
}

const NODE_GROUPS: Array<['masters' | 'workers', 'master' | 'worker']> = [
  ['masters', 'master'],
  ['workers', 'worker'],
];

export function controllerHost(inv: LoadedInventory): string {
  return Object.hasOwn(inv.hosts, 'jumphost') ? 'jumphost' : 'localhost';
}

export function resolveInventorySettings(inv: LoadedInventory, extra?: ExtraVars): InventorySettings {
  const controller = controllerHost(inv);
  const store = hostVarStore(inv, controller, extra);
  const settings = resolveSettings(store.merged(), store.provenanceAll());
  const nodes: NodeSettings[] = [];
  for (const [group, role] of NODE_GROUPS) {
    for (const host of groupMembers(inv, group)) {
      const hs = hostVarStore(inv, host, extra);
      const vars = hs.merged();
      const node = resolveNodeSettings(host, role, vars, hs.provenanceAll());
      checkRequired(inv, settings, node, vars);
      nodes.push(node);
    }
  }
  checkInstallType(inv, settings, store.provenanceAll(), nodes);
  return { controller, settings, nodes, warnings: versionWarnings(store.merged(), store.provenanceAll()) };
}

/** INI `ocp_version=4.10` is the float 4.1 for Ansible too: say so instead of installing the wrong version. */
function versionWarnings(vars: Record<string, unknown>, prov: Record<string, { file?: string; line?: number }>): string[] {
  const out: string[] = [];
  for (const name of ['ocp_version', 'version']) {
    const v = vars[name];
    if (typeof v === 'number') {
      const p = prov[name];
      const where = p?.file ? `${p.file}${p.line ? `:${p.line}` : ''}: ` : '';
      out.push(`${where}${name} is the number ${v}, not a version string (write ${name}="X.Y" in INI files, quoted, if you meant e.g. 4.10)`);
    }
  }
  return out;
}

function groupMembers(inv: LoadedInventory, group: string): string[] {
  const out = new Set<string>();
  const walk = (g: string, seen: Set<string>): void => {
    if (seen.has(g) || !inv.groups[g]) return;
    seen.add(g);
    inv.groups[g].hosts.forEach((h) => out.add(h));
    inv.groups[g].children.forEach((c) => walk(c, seen));
  };
  walk(group, new Set());
  return [...out];
}

function missing(inv: LoadedInventory, host: string, what: string, why: string): SettingsError {
  const d = inv.hosts[host]?.declared;
  return new SettingsError('missing-setting', `host "${host}": ${what} is required ${why}`, {
    location: { file: d?.file, line: d?.line, host },
    hint: `add ${what}=... to the host line (or host_vars/${host}.yml)`,
  });
}

function checkRequired(inv: LoadedInventory, s: Settings, n: NodeSettings, vars: Record<string, unknown>): void {
  const why = `for an ${s.installType} install`;
  const needBmc = s.installType === 'ipi' || (s.installType === 'sno' && vars.sno_install_type === 'baremetal');
  if (!needBmc) return;
  if (!n.bmcAddress) throw missing(inv, n.name, 'ipmi_address', why);
  if (!n.bmcUser) throw missing(inv, n.name, 'ipmi_user', why);
  if (!n.bmcPassword) throw missing(inv, n.name, 'ipmi_password', why);
  if (s.installType === 'ipi' && !n.provisionMac) throw missing(inv, n.name, 'provision_mac', why);
  if (s.installType === 'sno' && !n.baremetalMac) throw missing(inv, n.name, 'baremetal_mac', why);
}

function checkInstallType(inv: LoadedInventory, s: Settings, prov: Record<string, { file?: string; line?: number }>, nodes: NodeSettings[]): void {
  const where = prov.install_type ?? { file: inv.path };
  if (s.installType === 'ipi' || s.installType === 'sno') {
    const masters = nodes.filter((n) => n.role === 'master');
    if (masters.length === 0) {
      throw new SettingsError('missing-setting', `install_type ${s.installType} needs a [masters] group with the control-plane host${s.installType === 'sno' ? '' : 's'}`, {
        location: { file: where.file, line: where.line },
        hint: 'add a masters group listing each node with its ipmi_address, ipmi_user, ipmi_password and MAC',
      });
    }
    if (s.installType === 'sno' && masters.length !== 1) {
      throw new SettingsError('bad-setting', `install_type sno needs exactly one host in [masters], found ${masters.length}: ${masters.map((m) => m.name).join(', ')}`, {
        location: { file: where.file, line: where.line },
        hint: 'a Single Node OpenShift cluster has one node; use install_type=ipi for more',
      });
    }
    for (const [name, value] of [
      ['cluster', s.cluster],
      ['domain', s.baseDomain],
    ] as const) {
      if (!value) {
        throw new SettingsError('missing-setting', `${name} is required for an ${s.installType} install`, {
          location: { file: inv.path },
          hint: `set ${name}=... in [all:vars] (cluster name and base DNS domain of the cluster)`,
        });
      }
    }
  }
}
