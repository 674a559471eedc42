/**
 * The stage copies its images group by group (the release, each catalog, the additional images) so progress and
 * the final report speak of what the user asked for, not of one anonymous heap of blobs. Each group is one copy
 * engine run (its own progress events and report, labelled with the group); blobs shared between groups are found
 * present by the later group. The group reports are merged into one for the run record. The per-group counts and
 * the stage summary come from the one tally the reporters use too (group-tally.ts), fed by the events sent.
 */
import type { MirrorEvent } from '../../core/events.js';
import type { RegistryClient } from '../registry/client.js';
import { copyImages } from '../copy/copy-images.js';
import type { CopyReport } from '../copy/report.js';
import { parseManifest } from '../media-types.js';
import type { TransportSet } from '../transports.js';
import { GroupTally, type MirrorStageSummary } from './group-tally.js';

export type { GroupSummary, MirrorStageSummary } from './group-tally.js';

export interface CopyGroup {
  name: string;
  pairs: Array<{ source: string; destination: string }>;
  /** Images of the group not handed to the engine (already complete, or carried by a base archive). */
  skipped: number;
}

export function emptyReport(total = 0, skipped = 0): CopyReport {
  return {
    images: { total, copied: 0, skipped, failed: 0 },
    manifests: { pushed: 0, skipped: 0 },
    blobs: { copied: 0, mounted: 0, skipped: 0, bytesCopied: 0, bytesMounted: 0, bytesSkipped: 0 },
    bytes: 0,
    durationMs: 0,
    throughputBps: 0,
    retries: 0,
    platforms: { mode: 'all' },
    requests: {},
    results: [],
    failures: [],
  };
}

export function mergeReports(reports: CopyReport[], durationMs: number): CopyReport {
  const out = emptyReport();
  for (const r of reports) {
    for (const k of ['total', 'copied', 'skipped', 'failed'] as const) out.images[k] += r.images[k];
    out.manifests.pushed += r.manifests.pushed;
    out.manifests.skipped += r.manifests.skipped;
    for (const k of Object.keys(out.blobs) as Array<keyof CopyReport['blobs']>) out.blobs[k] += r.blobs[k];
    out.bytes += r.bytes;
    out.retries += r.retries;
    for (const [k, v] of Object.entries(r.requests)) out.requests[k] = (out.requests[k] ?? 0) + v;
    out.results.push(...r.results);
    out.failures.push(...r.failures);
  }
  out.durationMs = durationMs;
  out.throughputBps = Math.round(out.bytes / Math.max(0.001, durationMs / 1000));
  return out;
}

/**
 * Copy every group in turn. Every group is announced first (a progress event with nothing done), so a live view
 * can list them all from the start; a group with nothing to copy is reported at once.
 */
export async function copyGroups(
  groups: CopyGroup[],
  o: { client: RegistryClient; onEvent?: (e: MirrorEvent) => void; signal?: AbortSignal; log?: (line: string) => void },
): Promise<{ report: CopyReport; summary: MirrorStageSummary }> {
  const started = Date.now();
  const tally = new GroupTally();
  const emit = (e: MirrorEvent): void => {
    tally.apply(e);
    o.onEvent?.(e);
  };
  for (const g of groups) emit({ type: 'mirror-progress', group: g.name, imagesDone: g.skipped, imagesTotal: g.pairs.length + g.skipped, bytesDone: 0, bytesTotal: 0, rateBps: 0 });
  const reports: CopyReport[] = [];
  for (const g of groups) {
    let r: CopyReport;
    if (g.pairs.length) {
      o.log?.(`${g.name}: copying ${g.pairs.length} images${g.skipped ? ` (${g.skipped} more already there)` : ''}`);
      // The engine counts only what it was given; the group's progress still says done/total of the whole group.
      const onEvent = (e: MirrorEvent): void => {
        if (e.type === 'mirror-progress') emit({ ...e, imagesDone: e.imagesDone + g.skipped, imagesTotal: e.imagesTotal + g.skipped });
        else if (e.type === 'mirror-report') {
          // sent below, with the skipped images counted
        } else emit(e);
      };
      r = await copyImages(g.pairs, { client: o.client, onEvent, signal: o.signal, group: g.name });
      r.images.total += g.skipped;
      r.images.skipped += g.skipped;
    } else {
      r = emptyReport(g.skipped, g.skipped);
      emit({ type: 'mirror-progress', group: g.name, imagesDone: g.skipped, imagesTotal: g.skipped, bytesDone: 0, bytesTotal: 0, rateBps: 0 });
    }
    emit({ type: 'mirror-report', group: g.name, report: r as unknown as Record<string, unknown> });
    reports.push(r);
  }
  const summary: MirrorStageSummary = tally.stageSummary(Date.now() - started);
  const report = mergeReports(reports, summary.durationMs);
  emit({ type: 'mirror-report', group: 'mirror-images', report: summary as unknown as Record<string, unknown> });
  return { report, summary };
}

/** Every blob and manifest digest of an image (its index, children, configs, layers), read from its source. */
export async function imageDigests(transports: TransportSet, location: string): Promise<Set<string>> {
  const out = new Set<string>();
  const s = transports.source(location);
  const walk = async (ref: string): Promise<void> => {
    const m = await s.transport.getManifest(ref);
    out.add(m.digest);
    const parsed = parseManifest(m.bytes, m.mediaType, location);
    if (parsed.kind === 'index') for (const d of parsed.manifests) await walk(d.digest);
    else for (const d of [parsed.config, ...parsed.layers]) out.add(d.digest);
  };
  await walk(s.digest ?? s.tag ?? 'latest');
  return out;
}
