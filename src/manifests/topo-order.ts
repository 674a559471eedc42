/**
 * The stable topological order runtime-utils (topo.go) uses to merge several mirror lists for one source:
 * predecessors first, ties by byte order, cycles broken by emitting the smallest unused node in byte order.
 * The result does not depend on the order in which edges were added.
 */
import { compareBytes } from './types.js';

export function topoSort(edges: Iterable<readonly [string, string]>): string[] {
  const ins = new Map<string, Set<string>>();
  const outs = new Map<string, Set<string>>();
  const node = (n: string): void => {
    if (!ins.has(n)) {
      ins.set(n, new Set());
      outs.set(n, new Set());
    }
  };
  for (const [from, to] of edges) {
    node(from);
    node(to);
    outs.get(from)!.add(to);
    ins.get(to)!.add(from);
  }
  const all = [...ins.keys()].sort(compareBytes);
  const used = new Set<string>();
  const queue: string[] = all.filter((n) => ins.get(n)!.size === 0);
  const res: string[] = [];
  let allIndex = 0;
  while (queue.length > 0 || allIndex < all.length) {
    let n: string;
    if (queue.length > 0) {
      n = queue.shift()!;
      if (used.has(n)) continue;
    } else {
      n = all[allIndex++];
      if (used.has(n)) continue;
    }
    used.add(n);
    res.push(n);
    const next: string[] = [];
    for (const out of outs.get(n)!) {
      const pending = ins.get(out)!;
      pending.delete(n);
      if (pending.size === 0 && !used.has(out)) next.push(out);
    }
    next.sort(compareBytes);
    queue.push(...next);
  }
  return res;
}
