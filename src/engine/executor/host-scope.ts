/**
 * The variables a host sees without task-level layers: the magic variables (`inventory_hostname`, `groups`,
 * `group_names`, `hostvars`, `omit`, `playbook_dir`, ...) under its own layers (inventory, play vars, facts,
 * extra vars). Written once, for the play runner and for code that templates inventory values outside a play
 * (`mirror images|to-disk|from-disk`), so `{{ }}` in an inventory means the same thing in both.
 */
import { dirname, resolve } from 'node:path';
import { OMIT, type Templar } from '../template/index.js';
import type { EngineInventory, InventoryFileOf } from '../types.js';
import type { TagSelection } from './tags.js';
import { composeVars, resolvedView, type VarLayers } from './vars.js';

/** The ansible-core release whose behaviour the engine follows (its oracle in tests). */
const ANSIBLE_VERSION = { full: '2.14.18', major: 2, minor: 14, revision: 18, string: '2.14.18' };

/** The play being run, for `ansible_play_hosts` and friends (absent outside a play). */
export interface PlayInfo {
  name?: string;
  /** Every host the play started with. */
  hostsAll: readonly string[];
  /** Hosts of the play still running (not failed, unreachable or ended). */
  active(): string[];
}

export type { InventoryFileOf };

/**
 * inventory_file per host from a loaded inventory (config's LoadedInventory.hosts): the file that first listed the
 * host, made absolute now (paths there are relative to the current directory); the implicit localhost has none.
 */
export function inventoryFilesOf(hosts: Readonly<Record<string, { declared?: { file: string } }>>): InventoryFileOf {
  const files = new Map<string, string>();
  for (const [name, h] of Object.entries(hosts)) if (h.declared) files.set(name, resolve(h.declared.file));
  return (host) => files.get(host);
}

export interface HostScopeOptions {
  inventory: EngineInventory;
  templar: Templar;
  /**
   * A host's layers above the magic variables, without task-level ones: what `hostvars[host]` shows. Return the
   * same layer objects from call to call (templated values are wrapped once per layer object). Default: the
   * host's inventory variables.
   */
  layers?(host: string): Omit<VarLayers, 'magic'>;
  /** Hosts `hostvars` knows besides the inventory's (added during a run). */
  extraHosts?(): Iterable<string>;
  checkMode?: boolean;
  tags?: TagSelection;
  /** `playbook_dir` (defined only when given). */
  playbookDir?: string;
  /** `inventory_file` and `inventory_dir` (defined only when given). */
  inventoryFile?: InventoryFileOf;
  play?(): PlayInfo | undefined;
}

export interface HostScope {
  /** The magic variables of a host. */
  magic(host: string): Record<string, unknown>;
  /** Magic variables + the host's layers, templated values still lazy. */
  baseVars(host: string): Record<string, unknown>;
  /** `baseVars` with templated values rendered on access. */
  view(host: string): Record<string, unknown>;
  /** `hostvars`: every host's `view`, by name. */
  readonly hostvars: Record<string, unknown>;
}

export function createHostScope(o: HostScopeOptions): HostScope {
  const inv = o.inventory;
  const layers = o.layers ?? ((host: string) => ({ inventory: inv.hosts[host]?.vars ?? {} }));
  const names = (): string[] => [...new Set([...Object.keys(inv.hosts), ...(o.extraHosts?.() ?? [])])];
  const known = (host: string): boolean => Object.hasOwn(inv.hosts, host) || names().includes(host);

  const magic = (host: string): Record<string, unknown> => {
    const play = o.play?.();
    const out: Record<string, unknown> = {
      inventory_hostname: host,
      inventory_hostname_short: host.split('.')[0],
      groups: inv.groups,
      group_names: groupNames(inv, host),
      hostvars,
    };
    if (play) {
      // Getters: the active hosts change as hosts fail or end during the play.
      Object.defineProperties(out, {
        ansible_play_hosts: { get: () => play.active(), enumerable: true, configurable: true },
        play_hosts: { get: () => play.active(), enumerable: true, configurable: true },
        ansible_play_batch: { get: () => play.active(), enumerable: true, configurable: true },
      });
      out.ansible_play_hosts_all = play.hostsAll;
      out.ansible_play_name = play.name;
    }
    out.ansible_check_mode = o.checkMode ?? false;
    out.ansible_run_tags = o.tags?.tags.length ? o.tags.tags : ['all'];
    out.ansible_skip_tags = o.tags?.skipTags ?? [];
    if (o.playbookDir !== undefined) out.playbook_dir = o.playbookDir;
    const inventoryFile = typeof o.inventoryFile === 'function' ? o.inventoryFile(host) : o.inventoryFile;
    if (inventoryFile !== undefined) {
      out.inventory_file = inventoryFile;
      out.inventory_dir = dirname(inventoryFile);
    }
    out.omit = OMIT;
    out.ansible_version = ANSIBLE_VERSION;
    return out;
  };

  const baseVars = (host: string): Record<string, unknown> => composeVars({ ...layers(host), magic: magic(host) });
  const view = (host: string): Record<string, unknown> => resolvedView(baseVars(host), o.templar);

  const hostvars: Record<string, unknown> = new Proxy({} as Record<string, unknown>, {
    get: (_t, key) => (typeof key === 'string' && known(key) ? view(key) : undefined),
    has: (_t, key) => typeof key === 'string' && known(key),
    ownKeys: () => names(),
    getOwnPropertyDescriptor: (_t, key) => (typeof key === 'string' && known(key) ? { enumerable: true, configurable: true, value: baseVars(key) } : undefined),
  });

  return { magic, baseVars, view, hostvars };
}

/** Ansible's `group_names`: the host's groups except `all` (`ungrouped` included), sorted. */
export function groupNames(inv: EngineInventory, host: string): string[] {
  const direct = inv.hosts[host]?.groups ?? [];
  const fromGroups = Object.entries(inv.groups)
    .filter(([, hosts]) => hosts.includes(host))
    .map(([g]) => g);
  return [...new Set([...direct, ...fromGroups])].filter((g) => g !== 'all').sort();
}
