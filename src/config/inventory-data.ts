/**
 * The in-memory inventory, built the way Ansible's `InventoryData` builds it: groups with parents/children, a
 * depth (longest path from `all`) and a priority (`ansible_group_priority`), hosts with their direct groups, and
 * every variable set in an inventory file together with the file:line it came from. Parsers (INI, YAML) only
 * call the mutators here, so cycle checks and `all`/`ungrouped` bookkeeping live in one place.
 */
import { InventoryError } from '../core/errors.js';

export interface SourceRef {
  file: string;
  line?: number;
}

export interface VarEntry extends SourceRef {
  value: unknown;
}

export interface GroupNode {
  name: string;
  vars: Map<string, VarEntry>;
  children: string[];
  parents: string[];
  hosts: string[];
  priority: number;
  depth: number;
  /** Where the group was first declared. */
  declared?: SourceRef;
}

export interface HostNode {
  name: string;
  vars: Map<string, VarEntry>;
  /** Groups the host was listed in directly (not their ancestors), in order. */
  groups: string[];
  declared?: SourceRef;
}

export class InventoryData {
  readonly groups = new Map<string, GroupNode>();
  readonly hosts = new Map<string, HostNode>();

  constructor() {
    this.addGroup('all');
    this.addGroup('ungrouped');
    this.addChild('all', 'ungrouped');
  }

  addGroup(name: string, where?: SourceRef): GroupNode {
    let g = this.groups.get(name);
    if (!g) {
      g = { name, vars: new Map(), children: [], parents: [], hosts: [], priority: 1, depth: 0, declared: where };
      this.groups.set(name, g);
    }
    return g;
  }

  addHost(name: string, group: string | undefined, port: number | undefined, where?: SourceRef): HostNode {
    let h = this.hosts.get(name);
    if (!h) {
      h = { name, vars: new Map(), groups: [], declared: where };
      this.hosts.set(name, h);
    }
    if (group) {
      const g = this.addGroup(group);
      if (!g.hosts.includes(name)) g.hosts.push(name);
      if (!h.groups.includes(group)) h.groups.push(group);
    }
    if (port !== undefined && where) h.vars.set('ansible_port', { value: port, ...where });
    return h;
  }

  /** Ansible refuses a group that is its own ancestor ("creates a recursive dependency loop"). */
  addChild(parent: string, child: string, where?: SourceRef): void {
    const p = this.addGroup(parent);
    const c = this.addGroup(child);
    if (p.children.includes(child)) return;
    if (parent === child) {
      throw new InventoryError('inventory-cycle', `group "${child}" cannot be a child of itself`, {
        location: where,
        hint: `remove "${child}" from the children of "${parent}"`,
      });
    }
    const loop = this.pathBetween(child, parent);
    if (loop) {
      throw new InventoryError('inventory-cycle', `adding group "${child}" as a child of "${parent}" creates a loop: ${[parent, ...loop].join(' → ')}`, {
        location: where,
        hint: 'a group cannot be its own ancestor: remove one of the children entries of that loop',
      });
    }
    p.children.push(child);
    c.parents.push(parent);
  }

  /** A path of child links from `from` down to `to` (both included), if any. */
  private pathBetween(from: string, to: string): string[] | undefined {
    const seen = new Set<string>();
    const walk = (name: string): string[] | undefined => {
      if (name === to) return [name];
      if (seen.has(name)) return undefined;
      seen.add(name);
      for (const c of this.groups.get(name)?.children ?? []) {
        const rest = walk(c);
        if (rest) return [name, ...rest];
      }
      return undefined;
    };
    return walk(from);
  }

  setGroupVar(group: string, key: string, value: unknown, where: SourceRef): void {
    const g = this.addGroup(group);
    if (key === 'ansible_group_priority') {
      // Like Group.set_variable: the priority is consumed, not kept as a variable.
      const n = typeof value === 'number' ? value : typeof value === 'string' && /^\s*[-+]?\d+\s*$/.test(value) ? Number(value) : NaN;
      if (!Number.isInteger(n)) {
        throw new InventoryError('bad-group-priority', `ansible_group_priority of group "${group}" must be an integer, got ${JSON.stringify(value)}`, {
          location: where,
        });
      }
      g.priority = n;
      return;
    }
    g.vars.set(key, { value, ...where });
  }

  setHostVar(host: string, key: string, value: unknown, where: SourceRef): void {
    const h = this.addHost(host, undefined, undefined);
    h.vars.set(key, { value, ...where });
  }

  /**
   * After all sources are read (Ansible's reconcile_inventory): groups without a parent hang under `all`, hosts
   * without a group go to `ungrouped`, hosts in a real group leave `ungrouped`; then depths are computed.
   */
  reconcile(): void {
    for (const g of this.groups.values()) {
      if (g.name !== 'all' && g.parents.length === 0) this.addChild('all', g.name);
    }
    const ungrouped = this.groups.get('ungrouped')!;
    for (const h of this.hosts.values()) {
      const real = h.groups.filter((g) => g !== 'all' && g !== 'ungrouped');
      if (real.length > 0) {
        if (h.groups.includes('ungrouped')) {
          h.groups = h.groups.filter((g) => g !== 'ungrouped');
          ungrouped.hosts = ungrouped.hosts.filter((n) => n !== h.name);
        }
      } else if (!h.groups.includes('ungrouped')) {
        h.groups.push('ungrouped');
        ungrouped.hosts.push(h.name);
      }
      if (h.groups.includes('all')) {
        // a host listed directly under `all` is still "ungrouped" for Ansible unless it has a real group
        h.groups = h.groups.filter((g) => g !== 'all');
        this.groups.get('all')!.hosts = this.groups.get('all')!.hosts.filter((n) => n !== h.name);
        if (real.length === 0 && !h.groups.includes('ungrouped')) {
          h.groups.push('ungrouped');
          ungrouped.hosts.push(h.name);
        }
      }
    }
    const depth = new Map<string, number>();
    const visit = (name: string, d: number): void => {
      if ((depth.get(name) ?? -1) >= d) return;
      depth.set(name, d);
      for (const c of this.groups.get(name)!.children) visit(c, d + 1);
    };
    visit('all', 0);
    for (const g of this.groups.values()) g.depth = depth.get(g.name) ?? 0;
  }

  /** Every group a host belongs to, directly or through a parent, `all` included. */
  groupsOf(host: string): string[] {
    const out = new Set<string>();
    const up = (g: string): void => {
      if (out.has(g)) return;
      out.add(g);
      for (const p of this.groups.get(g)?.parents ?? []) up(p);
    };
    for (const g of this.hosts.get(host)?.groups ?? []) up(g);
    out.add('all');
    return [...out];
  }

  /** Ansible's sort_groups: by depth, then ansible_group_priority, then name. */
  sortGroups(names: string[]): string[] {
    return [...names].sort((a, b) => {
      const ga = this.groups.get(a)!;
      const gb = this.groups.get(b)!;
      return ga.depth - gb.depth || ga.priority - gb.priority || (a < b ? -1 : a > b ? 1 : 0);
    });
  }
}
