/**
 * Mirror progress as the reporters show it: one state per image group (the release, each catalog, the additional
 * images), the words for a group in progress, a finished group and the end summary, and the throttle that keeps
 * line-based outputs to periodic lines (the copy engine reports several times a second).
 */
import type { MirrorEvent } from '../../core/events.js';
import { formatBytes } from '../../mirror/copy/report.js';
import { formatDuration } from './format.js';

type Progress = Extract<MirrorEvent, { type: 'mirror-progress' }>;

export interface GroupState {
  group: string;
  imagesDone: number;
  imagesTotal: number;
  bytesDone: number;
  bytesTotal: number;
  rateBps: number;
  /** Set by the group's mirror-report. */
  done?: { total: number; copied: number; skipped: number; failed: number; bytes: number; durationMs: number };
  /** When a line/event was last let through for this group (ms). */
  lastShown?: number;
}

export interface StageSummary {
  kind: 'summary';
  images: number;
  copied: number;
  skipped: number;
  failed: number;
  bytes: number;
  durationMs: number;
  groups: Array<{ group: string; images: number; copied: number; skipped: number; failed: number; bytes: number; durationMs: number }>;
}

/** The stage's last mirror-report (group totals); other reports are one group's copy report. */
export function isStageSummary(report: Record<string, unknown>): report is Record<string, unknown> & StageSummary {
  return report.kind === 'summary' && Array.isArray(report.groups);
}

const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

export function groupProgressText(g: GroupState): string {
  const bytes = g.bytesTotal > 0 ? `${formatBytes(g.bytesDone)} of ${formatBytes(g.bytesTotal)}` : formatBytes(g.bytesDone);
  return `${g.group}: ${g.imagesDone}/${g.imagesTotal} images, ${bytes}${g.rateBps > 0 ? `, ${formatBytes(g.rateBps)}/s` : ''}`;
}

export function groupDoneText(g: GroupState): string {
  const d = g.done;
  if (!d) return groupProgressText(g);
  const parts = [`${d.copied} copied`, `${d.skipped} already there`];
  if (d.failed) parts.push(`${d.failed} failed`);
  return `${g.group}: ${d.total} images (${parts.join(', ')}), ${formatBytes(d.bytes)} in ${formatDuration(d.durationMs)}`;
}

export function summaryText(s: StageSummary): string {
  return `mirrored ${s.images} images in ${s.groups.length} groups: ${s.copied} copied, ${s.skipped} skipped (already there)${s.failed ? `, ${s.failed} failed` : ''}; ${formatBytes(s.bytes)} in ${formatDuration(s.durationMs)}`;
}

/** Per-group state fed by mirror events. */
export class MirrorTracker {
  readonly groups = new Map<string, GroupState>();
  summary: StageSummary | undefined;

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
      const images = (e.report.images ?? {}) as Record<string, unknown>;
      g.done = { total: num(images.total), copied: num(images.copied), skipped: num(images.skipped), failed: num(images.failed), bytes: num(e.report.bytes), durationMs: num(e.report.durationMs) };
      g.imagesDone = g.imagesTotal = g.done.total;
    }
    return g;
  }

  /**
   * Whether a progress event deserves a line: the first of each group, then one per `intervalMs`; never the last
   * one (the group's report line follows at once).
   */
  due(e: Progress, nowMs: number, intervalMs: number): boolean {
    const g = this.group(e.group);
    if (e.imagesDone >= e.imagesTotal) return false;
    if (g.lastShown !== undefined && nowMs - g.lastShown < intervalMs) return false;
    g.lastShown = nowMs;
    return true;
  }
}
