/**
 * The upgrade graph of one channel, as OLM walks it: the head is the entry nothing replaces or skips (exactly
 * one), the replaces chain runs down from it, skipped entries hang off chain members, and every entry must be
 * reached (no cycle, nothing stranded). `filterByVersionRange` keeps the minimal piece of that chain that
 * still reaches every in-range bundle, the way oc-mirror v2's catalog filter does.
 */
import type { FbcChannel } from './fbc-model.js';
import type { SemVersion, VersionRange } from './version-range.js';

interface GraphNode {
  name: string;
  replaces?: GraphNode;
  skips: GraphNode[];
}

export interface ChannelGraph {
  head: GraphNode;
  /** Entries of the channel by name (nodes created for missing replaces/skips targets are not listed). */
  entries: Set<string>;
}

/** Thrown with every problem found in a channel (duplicates, self references, heads, cycles). */
export class ChannelGraphError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('; '));
    this.name = 'ChannelGraphError';
  }
}

export function buildChannelGraph(ch: FbcChannel): ChannelGraph {
  if (ch.entries.length === 0) throw new ChannelGraphError(['channel has no entries']);
  const nodes = new Map<string, GraphNode>();
  const node = (name: string): GraphNode => {
    let n = nodes.get(name);
    if (!n) {
      n = { name, skips: [] };
      nodes.set(name, n);
    }
    return n;
  };
  const incoming = new Map<string, Set<GraphNode>>();
  const addIncoming = (target: string, from: GraphNode): void => {
    let s = incoming.get(target);
    if (!s) incoming.set(target, (s = new Set()));
    s.add(from);
  };
  const seen = new Set<string>();
  const problems: string[] = [];
  for (const e of ch.entries) {
    const ce = node(e.name);
    if (seen.has(e.name)) {
      problems.push(`duplicate channel entry "${e.name}"`);
      continue;
    }
    seen.add(e.name);
    if (e.replaces) {
      if (e.replaces === e.name) problems.push(`invalid channel entry "${e.name}": replaces itself`);
      const r = node(e.replaces);
      addIncoming(r.name, ce);
      ce.replaces = r;
    }
    const skips = new Set<GraphNode>();
    for (const s of e.skips ?? []) {
      if (s === e.name) problems.push(`invalid channel entry "${e.name}": skips itself`);
      const sk = node(s);
      addIncoming(sk.name, ce);
      skips.add(sk);
    }
    ce.skips = [...skips];
  }
  const heads = ch.entries.filter((e) => (incoming.get(e.name)?.size ?? 0) === 0).map((e) => nodes.get(e.name) as GraphNode);
  const uniqueHeads = [...new Set(heads)];
  if (uniqueHeads.length === 0) problems.push('no channel heads found');
  else if (uniqueHeads.length > 1) problems.push(`multiple channel heads found: [${uniqueHeads.map((h) => h.name).sort().join(' ')}]`);
  if (problems.length) throw new ChannelGraphError(problems);

  // Kahn's walk from the head: whatever still has incoming edges afterwards sits on a cycle or is
  // only reachable from one.
  const queue: GraphNode[] = [uniqueHeads[0]];
  while (queue.length) {
    const cur = queue.shift() as GraphNode;
    const targets = cur.replaces ? [cur.replaces, ...cur.skips] : cur.skips;
    for (const t of targets) {
      const s = incoming.get(t.name);
      if (!s) continue;
      s.delete(cur);
      if (s.size === 0) {
        incoming.delete(t.name);
        queue.push(t);
      }
    }
  }
  if (incoming.size > 0) throw new ChannelGraphError(['detected a cycle in the upgrade graph of the channel']);
  return { head: uniqueHeads[0], entries: seen };
}

/**
 * Entries a channel keeps for a version range. Counting from the tail up, each chain node gets the number of
 * distinct in-range bundles at or below it (itself, its skips, the rest of the chain). The new head is the
 * lowest chain node with the highest count; the new tail is the first node with count 0 (excluded). Chain
 * nodes between them are kept even when out of range (with a warning), plus in-range skipped bundles.
 */
export function filterByVersionRange(
  graph: ChannelGraph,
  range: VersionRange,
  versions: ReadonlyMap<string, SemVersion>,
  warn: (message: string) => void,
): Set<string> {
  const chain: GraphNode[] = [];
  const onChain = new Set<GraphNode>();
  for (let cur: GraphNode | undefined = graph.head; cur && !onChain.has(cur); cur = cur.replaces) {
    chain.push(cur);
    onChain.add(cur);
  }
  const inRange = (name: string): boolean => {
    const v = versions.get(name);
    return v !== undefined && range.test(v);
  };
  // Iterative version of the upstream recursion: process from the bottom of the chain up.
  const seen = new Set<string>();
  const counts = new Map<GraphNode, number>();
  for (let i = chain.length - 1; i >= 0; i--) {
    const cur = chain[i];
    let count = i + 1 < chain.length ? (counts.get(chain[i + 1]) ?? 0) : 0;
    if (!seen.has(cur.name) && inRange(cur.name)) {
      seen.add(cur.name);
      count++;
    }
    for (const s of cur.skips) {
      if (!seen.has(s.name) && inRange(s.name)) {
        seen.add(s.name);
        count++;
      }
    }
    counts.set(cur, count);
  }
  let max = -1;
  let headIdx = 0;
  let tailIdx = chain.length;
  for (let i = 0; i < chain.length; i++) {
    const c = counts.get(chain[i]) ?? 0;
    if (c >= max) {
      headIdx = i;
      max = c;
    }
    if (c === 0) {
      tailIdx = i;
      break;
    }
  }
  const keep = new Set<string>();
  for (let i = headIdx; i < tailIdx; i++) {
    const cur = chain[i];
    const v = versions.get(cur.name);
    if (v === undefined) {
      warn(`including bundle "${cur.name}": it is unversioned but is required to ensure inclusion of all bundles in the range`);
    } else if (!range.test(v)) {
      warn(
        `including bundle "${cur.name}" with version "${formatVersion(v)}": it falls outside the specified range of "${range.text}" but is required to ensure inclusion of all bundles in the range`,
      );
    }
    keep.add(cur.name);
    for (const s of cur.skips) if (inRange(s.name)) keep.add(s.name);
  }
  return keep;
}

function formatVersion(v: SemVersion): string {
  return `${v.major}.${v.minor}.${v.patch}${v.prerelease ? `-${v.prerelease}` : ''}${v.build ? `+${v.build}` : ''}`;
}
