/**
 * Load an inventory (a file, or a directory of inventory files) the way Ansible does and give every host a
 * VarStore: its variables from the inventory file(s), `group_vars/` and `host_vars/`, layered by precedence
 * (precedence.ts) with file:line provenance.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { InventoryError, nearestNames } from '../core/errors.js';
import type { EngineInventory, InventoryHost } from '../engine/types.js';
import { displayPath } from './display-path.js';
import { extraVarsLayer, type ExtraVars } from './extra-vars.js';
import { parseIniInventory } from './ini-inventory.js';
import { InventoryData, type VarEntry } from './inventory-data.js';
import { VarStore, type VarExplanation, type VarLayer } from './var-store.js';
import { findVarsFiles, loadVarsFile, type VarsFile } from './vars-files.js';
import { parseYamlInventory } from './yaml-inventory.js';
import { isPlainMapping, loadAnsibleYaml } from './yaml-loader.js';

export type InventoryFormat = 'yaml' | 'ini';

export interface InventorySource {
  /** Path as shown to users. */
  file: string;
  format: InventoryFormat;
}

export interface InventoryGroupInfo {
  name: string;
  /** Hosts listed directly in the group. */
  hosts: string[];
  children: string[];
  parents: string[];
  /** Longest path from `all` (Ansible's group depth: deeper groups override shallower ones). */
  depth: number;
  /** `ansible_group_priority` (default 1): among groups of the same depth, higher wins. */
  priority: number;
  /** Variables set for the group in the inventory file(s) (not group_vars/). */
  vars: Record<string, unknown>;
}

export interface InventoryHostInfo {
  name: string;
  /** Every group of the host (ancestors and `all` included), in precedence order: lowest first. */
  groups: string[];
  /** True for the implicit `localhost` Ansible provides when the inventory does not define it. */
  implicit: boolean;
  /** Layered variables with provenance (no extra vars). */
  store: VarStore;
  /** Where the host was first listed. */
  declared?: { file: string; line?: number };
}

export interface LoadedInventory {
  /** The path given, as shown to users. */
  path: string;
  /** Directory whose group_vars/ and host_vars/ were read. */
  basedir: string;
  sources: InventorySource[];
  groups: Record<string, InventoryGroupInfo>;
  /** Hosts defined by the inventory (not the implicit localhost). */
  hosts: Record<string, InventoryHostInfo>;
  /** The implicit localhost, when the inventory does not define `localhost`. */
  implicitLocalhost?: InventoryHostInfo;
  /** Non-fatal problems Ansible would warn about (skipped keys...). */
  warnings: string[];
  /**
   * The engine's view: merged (untemplated) variables per host, plus extra vars when given; groups map to all
   * their hosts (children included). The implicit localhost is in `hosts` but in no group, as in Ansible.
   */
  toEngineInventory(extra?: ExtraVars): EngineInventory;
}

const YAML_EXTENSIONS = ['.yml', '.yaml', '.json'];
/** Ansible's INVENTORY_IGNORE_EXTS (+ REJECT_EXTS): skipped when the inventory is a directory. */
const DIR_IGNORED_EXTS = ['.pyc', '.pyo', '.swp', '.bak', '~', '.rpm', '.md', '.txt', '.rst', '.orig', '.ini', '.cfg', '.retry'];
const DIR_IGNORED_NAMES = new Set(['host_vars', 'group_vars', 'vars_plugins']);

export async function loadInventory(path: string): Promise<LoadedInventory> {
  const abs = resolve(path);
  const shown = displayPath(abs);
  let st;
  try {
    st = await stat(abs);
  } catch {
    throw new InventoryError('inventory-not-found', `inventory not found: ${shown}`, { hint: 'pass --inventory with the path of an INI or YAML inventory file (or a directory of them)' });
  }
  const data = new InventoryData();
  const warnings: string[] = [];
  const sources: InventorySource[] = [];
  let basedir: string;
  if (st.isDirectory()) {
    basedir = abs;
    const { files, ignored } = await inventoryFilesIn(abs);
    if (files.length === 0) {
      throw new InventoryError('inventory-dir-empty', `inventory directory ${shown} contains no inventory file`, {
        hint:
          (ignored.length > 0 ? `files ignored in a directory, as Ansible does: ${ignored.map((f) => basename(f)).join(', ')}; ` : '') +
          'add a hosts.yml (or an extension-less INI file such as "hosts"), or pass the file itself with --inventory',
      });
    }
    for (const f of files) sources.push(await parseInventoryFile(f, data, warnings));
  } else {
    basedir = dirname(abs);
    sources.push(await parseInventoryFile(abs, data, warnings));
  }
  data.reconcile();
  return buildLoaded(shown, basedir, sources, data, warnings);
}

async function inventoryFilesIn(dir: string): Promise<{ files: string[]; ignored: string[] }> {
  const files: string[] = [];
  const ignored: string[] = [];
  for (const n of (await readdir(dir)).sort()) {
    if (n.startsWith('.') || DIR_IGNORED_NAMES.has(n)) continue;
    const full = join(dir, n);
    if (DIR_IGNORED_EXTS.some((e) => n.endsWith(e))) {
      ignored.push(full);
      continue;
    }
    const s = await stat(full);
    if (s.isDirectory()) {
      const sub = await inventoryFilesIn(full);
      files.push(...sub.files);
      ignored.push(...sub.ignored);
    } else if (s.isFile()) files.push(full);
  }
  return { files, ignored };
}

/**
 * Ansible tries its yaml plugin first for .yml/.yaml/.json and extension-less files, then ini. For an
 * extension-less file we take YAML only when it parses to a mapping (an INI file never does).
 */
async function parseInventoryFile(abs: string, data: InventoryData, warnings: string[]): Promise<InventorySource> {
  const file = displayPath(abs);
  const text = await readFile(abs, 'utf8');
  const ext = extname(abs).toLowerCase();
  if (YAML_EXTENSIONS.includes(ext)) {
    const { value, positions } = loadAnsibleYaml(text, file);
    parseYamlInventory(value, positions, file, data, warnings);
    return { file, format: 'yaml' };
  }
  if (ext === '') {
    let yamlError: unknown;
    try {
      const { value, positions } = loadAnsibleYaml(text, file);
      if (isPlainMapping(value)) {
        parseYamlInventory(value, positions, file, data, warnings);
        return { file, format: 'yaml' };
      }
    } catch (e) {
      yamlError = e;
    }
    try {
      parseIniInventory(text, file, data);
    } catch (e) {
      // Report the YAML error when the file looks like YAML (`all:` / `---` first), else the INI one.
      const first = text.split(/\r?\n/).find((l) => l.trim() && !l.trim().startsWith('#'))?.trim() ?? '';
      if (yamlError && (/^[^\s[=]+:(\s|$)/.test(first) || first === '---')) throw yamlError;
      throw e;
    }
    return { file, format: 'ini' };
  }
  parseIniInventory(text, file, data);
  return { file, format: 'ini' };
}

function entriesToLayer(level: VarLayer['level'], label: string, entries: Map<string, VarEntry>): VarLayer {
  const vars: Record<string, unknown> = {};
  const origins: Record<string, { file?: string; line?: number }> = {};
  for (const [k, e] of entries) {
    vars[k] = e.value;
    origins[k] = e.file ? { file: e.file, line: e.line } : {};
  }
  return { level, label, vars, origins };
}

function fileLayer(level: VarLayer['level'], label: string, f: VarsFile): VarLayer {
  const origins: Record<string, { line?: number }> = {};
  for (const [k, line] of Object.entries(f.lines)) origins[k] = { line };
  return { level, label, vars: f.vars, file: f.file, origins };
}

async function buildLoaded(shown: string, basedir: string, sources: InventorySource[], data: InventoryData, warnings: string[]): Promise<LoadedInventory> {
  const cache = new Map<string, Promise<VarsFile>>();
  const load = (p: string): Promise<VarsFile> => {
    let v = cache.get(p);
    if (!v) cache.set(p, (v = loadVarsFile(p)));
    return v;
  };
  // Every host asks for the files of its groups: look each group up once.
  const found = new Map<string, Promise<VarsFile[]>>();
  const varsFilesFor = (sub: 'group_vars' | 'host_vars', name: string): Promise<VarsFile[]> => {
    const key = `${sub}/${name}`;
    let v = found.get(key);
    if (!v) found.set(key, (v = findVarsFiles(basedir, sub, name).then((files) => Promise.all(files.map(load)))));
    return v;
  };
  for (const sub of ['group_vars', 'host_vars'] as const) {
    try {
      const s = await stat(join(basedir, sub));
      if (!s.isDirectory()) warnings.push(`${displayPath(join(basedir, sub))} is not a directory: skipped`);
    } catch {
      /* absent: nothing to read */
    }
  }

  for (const h of data.hosts.keys()) if (data.groups.has(h)) warnings.push(`"${h}" is both a host and a group (Ansible warns about this too)`);
  const allGroup = data.groups.get('all')!;
  const groupVarsAll = await varsFilesFor('group_vars', 'all');

  const buildStore = async (host: string, hostEntries: Map<string, VarEntry>, groups: string[], hostLabel = `host "${host}" in the inventory`): Promise<VarStore> => {
    const store = new VarStore();
    store.add(entriesToLayer('inventory-all', 'group "all" in the inventory', allGroup.vars));
    const sorted = data.sortGroups(groups.filter((g) => g !== 'all'));
    for (const g of sorted) store.add(entriesToLayer('inventory-group', `group "${g}" in the inventory`, data.groups.get(g)!.vars));
    for (const f of groupVarsAll) store.add(fileLayer('group_vars-all', 'group_vars for "all"', f));
    for (const g of sorted) for (const f of await varsFilesFor('group_vars', g)) store.add(fileLayer('group_vars', `group_vars for "${g}"`, f));
    store.add(entriesToLayer('inventory-host', hostLabel, hostEntries));
    for (const f of await varsFilesFor('host_vars', host)) store.add(fileLayer('host_vars', `host_vars for "${host}"`, f));
    return store;
  };

  const hosts: Record<string, InventoryHostInfo> = {};
  for (const h of data.hosts.values()) {
    const groups = data.groupsOf(h.name);
    const ordered = ['all', ...data.sortGroups(groups.filter((g) => g !== 'all'))];
    hosts[h.name] = { name: h.name, groups: ordered, implicit: false, store: await buildStore(h.name, h.vars, groups), declared: h.declared };
  }
  let implicitLocalhost: InventoryHostInfo | undefined;
  if (!data.hosts.has('localhost')) {
    // Ansible's implicit localhost: a local connection, no groups (but group "all" vars still apply to it).
    const entries = new Map<string, VarEntry>([['ansible_connection', { value: 'local', file: '' }]]);
    const label = 'implicit localhost (not in the inventory, added as Ansible does)';
    implicitLocalhost = { name: 'localhost', groups: [], implicit: true, store: await buildStore('localhost', entries, [], label) };
  }

  const groups: Record<string, InventoryGroupInfo> = {};
  for (const g of data.groups.values()) {
    const vars: Record<string, unknown> = {};
    for (const [k, e] of g.vars) vars[k] = e.value;
    groups[g.name] = { name: g.name, hosts: [...g.hosts], children: [...g.children], parents: [...g.parents], depth: g.depth, priority: g.priority, vars };
  }

  const loaded: LoadedInventory = {
    path: shown,
    basedir: displayPath(basedir),
    sources,
    groups,
    hosts,
    implicitLocalhost,
    warnings,
    toEngineInventory(extra?: ExtraVars): EngineInventory {
      const out: EngineInventory = { hosts: {}, groups: {} };
      const layer = extra ? extraVarsLayer(extra) : undefined;
      const all = [...Object.values(hosts), ...(implicitLocalhost ? [implicitLocalhost] : [])];
      for (const h of all) {
        const store = layer ? h.store.with(layer) : h.store;
        const entry: InventoryHost = { name: h.name, vars: store.merged(), groups: [...h.groups] };
        out.hosts[h.name] = entry;
      }
      for (const g of Object.keys(groups)) out.groups[g] = groupHosts(groups, g);
      out.groups.all = Object.keys(hosts);
      return out;
    },
  };
  return loaded;
}

/** Hosts of a group and of all its descendants, direct hosts first (Ansible's Group.get_hosts). */
function groupHosts(groups: Record<string, InventoryGroupInfo>, name: string): string[] {
  const out = new Set<string>();
  const seen = new Set<string>();
  const walk = (g: string): void => {
    if (seen.has(g)) return;
    seen.add(g);
    for (const h of groups[g]?.hosts ?? []) out.add(h);
    for (const c of groups[g]?.children ?? []) walk(c);
  };
  walk(name);
  return [...out];
}

/** A host of the inventory, or the implicit localhost; a clear error with suggestions otherwise. */
export function findHost(inv: LoadedInventory, host: string): InventoryHostInfo {
  const h = Object.hasOwn(inv.hosts, host) ? inv.hosts[host] : host === 'localhost' ? inv.implicitLocalhost : undefined;
  if (h) return h;
  const names = Object.keys(inv.hosts);
  const near = nearestNames(host, names);
  throw new InventoryError('unknown-host', `host "${host}" is not in the inventory ${inv.path}`, {
    hint: near.length > 0 ? `did you mean ${near.map((n) => `"${n}"`).join(', ')}?` : `known hosts: ${names.slice(0, 20).join(', ') || '(none)'}`,
  });
}

/** The host's VarStore, with the extra vars on top when given. */
export function hostVarStore(inv: LoadedInventory, host: string, extra?: ExtraVars): VarStore {
  const h = findHost(inv, host);
  return extra ? h.store.with(extraVarsLayer(extra)) : h.store;
}

/** Merged variables of a host (inventory, group_vars, host_vars, then extra vars), untemplated. */
export function hostVars(inv: LoadedInventory, host: string, extra?: ExtraVars): Record<string, unknown> {
  return hostVarStore(inv, host, extra).merged();
}

/** Where a host's variable comes from, and what it overrode. Throws when the variable is not defined. */
export function explainVar(inv: LoadedInventory, host: string, name: string, extra?: ExtraVars): VarExplanation {
  const store = hostVarStore(inv, host, extra);
  const e = store.explain(name);
  if (e) return e;
  const near = nearestNames(name, store.names());
  throw new InventoryError('unknown-variable', `variable "${name}" is not defined for host "${host}"`, {
    hint: near.length > 0 ? `did you mean ${near.map((n) => `"${n}"`).join(', ')}?` : 'run `dci-agent-ts vars` without --explain to list the host\'s variables',
  });
}
