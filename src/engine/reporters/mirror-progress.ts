/**
 * Mirror progress as the reporters show it: one state per image group (the release, each catalog, the additional
 * images), the words for a group in progress, a finished group and the end summary, and the throttle that keeps
 * line-based outputs to periodic lines (the copy engine reports several times a second).
 */
import type { MirrorEvent } from '../../core/events.js';
import { formatBytes } from '../../mirror/copy/report.js';
import { GroupTally, type GroupState, type MirrorStageSummary } from '../../mirror/stage/group-tally.js';
import { formatDuration } from './format.js';

export { isStageSummary, type GroupState } from '../../mirror/stage/group-tally.js';
/** The stage summary as the reporters read it (the stage's own type). */
export type StageSummary = MirrorStageSummary;

type Progress = Extract<MirrorEvent, { type: 'mirror-progress' }>;

export function groupProgressText(g: GroupState): string {
  const bytes = g.bytesTotal > 0 ? `${formatBytes(g.bytesDone)} of ${formatBytes(g.bytesTotal)}` : formatBytes(g.bytesDone);
  return `${g.group}: ${g.imagesDone}/${g.imagesTotal} images, ${bytes}${g.rateBps > 0 ? `, ${formatBytes(g.rateBps)}/s` : ''}`;
}

export function groupDoneText(g: GroupState): string {
  const d = g.done;
  if (!d) return groupProgressText(g);
  const parts = [`${d.copied} copied`, `${d.skipped} already there`];
  if (d.failed) parts.push(`${d.failed} failed`);
  return `${g.group}: ${d.images} images (${parts.join(', ')}), ${formatBytes(d.bytes)} in ${formatDuration(d.durationMs)}`;
}

export function summaryText(s: StageSummary): string {
  return `mirrored ${s.images} images in ${s.groups.length} groups: ${s.copied} copied, ${s.skipped} skipped (already there)${s.failed ? `, ${s.failed} failed` : ''}; ${formatBytes(s.bytes)} in ${formatDuration(s.durationMs)}`;
}

/** The stage's per-group tally (fed by mirror events), plus the throttle of line-based outputs. */
export class MirrorTracker extends GroupTally {
  /** When a line/event was last let through, per group (ms). */
  private readonly lastShown = new Map<string, number>();

  /**
   * Whether a progress event deserves a line: the first of each group, then one per `intervalMs`; never the last
   * one (the group's report line follows at once).
   */
  due(e: Progress, nowMs: number, intervalMs: number): boolean {
    this.group(e.group);
    if (e.imagesDone >= e.imagesTotal) return false;
    const last = this.lastShown.get(e.group);
    if (last !== undefined && nowMs - last < intervalMs) return false;
    this.lastShown.set(e.group, nowMs);
    return true;
  }
}
