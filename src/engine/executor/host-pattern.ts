/**
 * Ansible host patterns: `all`, `*`, group and host names, `web*` wildcards, `~regex`, unions (`a:b`, `a,b`),
 * intersections (`a:&b`) and exclusions (`a:!b`). Hosts come back in inventory order.
 */
import type { EngineInventory } from '../types.js';

export function matchHosts(pattern: string, inv: EngineInventory): string[] {
  const order = Object.keys(inv.hosts);
  const parts = pattern
    .split(/[:,](?![^[]*\])/)
    .map((p) => p.trim())
    .filter(Boolean);
  let selected = new Set<string>();
  const positives = parts.filter((p) => !p.startsWith('!') && !p.startsWith('&'));
  for (const p of positives) for (const h of resolveOne(p, inv, order)) selected.add(h);
  for (const p of parts.filter((x) => x.startsWith('&'))) {
    const keep = new Set(resolveOne(p.slice(1), inv, order));
    selected = new Set([...selected].filter((h) => keep.has(h)));
  }
  for (const p of parts.filter((x) => x.startsWith('!'))) {
    for (const h of resolveOne(p.slice(1), inv, order)) selected.delete(h);
  }
  const all = [...selected];
  const rank = new Map(order.map((h, i) => [h, i]));
  return all.sort((a, b) => (rank.get(a) ?? 1e9) - (rank.get(b) ?? 1e9));
}

function resolveOne(p: string, inv: EngineInventory, order: string[]): string[] {
  // Ansible's implicit localhost is not part of `all`: only hosts the inventory lists are.
  if (p === 'all' || p === '*') return inv.groups.all ?? order;
  if (inv.groups[p]) return inv.groups[p];
  if (inv.hosts[p]) return [p];
  if (p === 'localhost' || p === '127.0.0.1') return [p];
  if (p.startsWith('~')) {
    const re = new RegExp(p.slice(1));
    return order.filter((h) => re.test(h));
  }
  if (/[*?[]/.test(p)) {
    const re = new RegExp(`^${p.replace(/[.+^${}()|\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
    const groups = Object.keys(inv.groups).filter((g) => re.test(g)).flatMap((g) => inv.groups[g]);
    return [...new Set([...order.filter((h) => re.test(h)), ...groups])];
  }
  return [];
}

