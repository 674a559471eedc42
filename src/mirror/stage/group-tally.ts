/**
 * The one per-group tally of a mirror stage run: for each image group (the release, each catalog, the additional
 * images) images done/total, bytes done/total and rate while it copies, its summary once its report came, and the
 * stage summary over the groups. It is fed by the stage's mirror events only, so the stage (which sends them and
 * writes the summary into mirror-report.json) and the reporters (which show them, possibly from a jsonl stream)
 * count the same way. Kept free of heavy imports: the reporters load it at start-up.
 */
import type { MirrorEvent } from '../../core/events.js';

/** One finished group: what `mirror-report.json` and the stage summary event list per group. */
export interface GroupSummary {
  group: string;
  images: number;
  copied: number;
  skipped: number;
  failed: number;
  bytes: number;
  durationMs: number;
}

/** The end-of-stage summary, also sent as a `mirror-report` event with `report.kind === 'summary'`. */
export interface MirrorStageSummary extends Omit<GroupSummary, 'group'> {
  kind: 'summary';
  groups: GroupSummary[];
}

export interface GroupState {
  group: string;
  imagesDone: number;
  imagesTotal: number;
  bytesDone: number;
  bytesTotal: number;
  rateBps: number;
  /** Set by the group's mirror-report. */
  done?: GroupSummary;
}

/** The stage's last mirror-report (group totals); other reports are one group's copy report. */
export function isStageSummary(report: Record<string, unknown>): report is Record<string, unknown> & MirrorStageSummary {
  return report.kind === 'summary' && Array.isArray(report.groups);
}

const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

/** A group's summary from its copy report (a `CopyReport`, or the same read back from an event stream). */
export function groupSummaryOf(group: string, report: Record<string, unknown>): GroupSummary {
  const images = (report.images ?? {}) as Record<string, unknown>;
  return { group, images: num(images.total), copied: num(images.copied), skipped: num(images.skipped), failed: num(images.failed), bytes: num(report.bytes), durationMs: num(report.durationMs) };
}

export class GroupTally {
  /** In the order the groups were first heard of (the stage announces them all up front). */
  readonly groups = new Map<string, GroupState>();
  /** The stage summary, once its event came. */
  summary: MirrorStageSummary | undefined;

  group(name: string): GroupState {
    let g = this.groups.get(name);
    if (!g) {
      g = { group: name, imagesDone: 0, imagesTotal: 0, bytesDone: 0, bytesTotal: 0, rateBps: 0 };
      this.groups.set(name, g);
    }
    return g;
  }

  /** Apply an event; returns the group it touched (undefined for the stage summary). */
  apply(e: MirrorEvent): GroupState | undefined {
    if (e.type === 'mirror-report' && isStageSummary(e.report)) {
      this.summary = e.report;
      return undefined;
    }
    const g = this.group(e.group);
    if (e.type === 'mirror-progress') Object.assign(g, { imagesDone: e.imagesDone, imagesTotal: e.imagesTotal, bytesDone: e.bytesDone, bytesTotal: e.bytesTotal, rateBps: e.rateBps });
    if (e.type === 'mirror-report') {
      g.done = groupSummaryOf(e.group, e.report);
      g.imagesDone = g.imagesTotal = g.done.images;
    }
    return g;
  }

  /** The stage summary over the finished groups, in their order. */
  stageSummary(durationMs: number): MirrorStageSummary {
    const s: MirrorStageSummary = { kind: 'summary', images: 0, copied: 0, skipped: 0, failed: 0, bytes: 0, durationMs: 0, groups: [] };
    for (const g of this.groups.values()) {
      if (!g.done) continue;
      s.groups.push(g.done);
      s.images += g.done.images;
      s.copied += g.done.copied;
      s.skipped += g.done.skipped;
      s.failed += g.done.failed;
      s.bytes += g.done.bytes;
    }
    s.durationMs = durationMs;
    return s;
  }
}
