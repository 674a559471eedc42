/**
 * Merging the entries of several mirror-set objects into one mirror list per source, as runtime-utils
 * (vendored by the machine-config-operator) does before writing registries.conf (rules R1–R5 of
 * mirror-semantics.md §2.2).
 */
import { topoSort } from './topo-order.js';
import { compareBytes, type MirrorEntry, type MirrorSourcePolicy } from './types.js';

export interface MergedMirrorSet {
  source: string;
  mirrors: string[];
  mirrorSourcePolicy?: MirrorSourcePolicy;
}

/** True when `mirrors` has at least one entry other than the source itself (else the entry is ignored). */
export function mirrorsContainARealMirror(source: string, mirrors: readonly string[] | undefined): boolean {
  return (mirrors ?? []).some((m) => m !== source);
}

/**
 * Merge entries (objects in the order seen, each a list of entries) into one set per source, sorted by
 * source in byte order. `ignorePolicy` is used for ImageContentSourcePolicy entries (no policy field).
 */
export function mergeMirrorSets(objects: readonly (readonly MirrorEntry[])[], options: { ignorePolicy?: boolean } = {}): MergedMirrorSet[] {
  const lists = new Map<string, string[][]>();
  const never = new Set<string>();
  for (const entries of objects) {
    for (const e of entries) addEntry(lists, never, e, options.ignorePolicy === true);
  }
  return finishMerge(lists, never);
}

/** Digest collection: IDMS entries first, then ICSP entries (policy blank), as MCO feeds them. */
export function mergeDigestMirrorSets(idms: readonly (readonly MirrorEntry[])[], icsp: readonly (readonly MirrorEntry[])[]): MergedMirrorSet[] {
  const lists = new Map<string, string[][]>();
  const never = new Set<string>();
  for (const entries of idms) for (const e of entries) addEntry(lists, never, e, false);
  for (const entries of icsp) for (const e of entries) addEntry(lists, never, e, true);
  return finishMerge(lists, never);
}

function addEntry(lists: Map<string, string[][]>, never: Set<string>, e: MirrorEntry, ignorePolicy: boolean): void {
  if (!mirrorsContainARealMirror(e.source, e.mirrors)) return; // policy of such an entry is ignored too
  if (!ignorePolicy && e.mirrorSourcePolicy === 'NeverContactSource') never.add(e.source);
  let l = lists.get(e.source);
  if (!l) lists.set(e.source, (l = []));
  l.push([...(e.mirrors ?? [])]);
}

function finishMerge(lists: Map<string, string[][]>, never: Set<string>): MergedMirrorSet[] {
  const res: MergedMirrorSet[] = [];
  for (const source of [...lists.keys()].sort(compareBytes)) {
    const mirrors = mergedMirrors(source, lists.get(source)!);
    const item: MergedMirrorSet = { source, mirrors };
    if (never.has(source)) item.mirrorSourcePolicy = 'NeverContactSource';
    res.push(item);
  }
  return res;
}

function mergedMirrors(source: string, lists: readonly string[][]): string[] {
  const edges: Array<[string, string]> = [];
  for (const mirrors of lists) {
    for (let i = 0; i + 1 < mirrors.length; i++) edges.push([mirrors[i], mirrors[i + 1]]);
    if (!mirrors.includes(source)) edges.push([mirrors[mirrors.length - 1], source]);
  }
  const sorted = topoSort(edges);
  if (sorted[sorted.length - 1] === source) sorted.pop();
  return sorted;
}
