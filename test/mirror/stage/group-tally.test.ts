/**
 * One tally for mirror progress: the stage's summary (written to mirror-report.json) and what a reporter shows
 * from the stage's events are the same counts. Groups with nothing to copy need no registry, so the stage's own
 * copyGroups runs here; the reporter's tracker reads only its events.
 */
import { describe, expect, it } from 'vitest';
import type { MirrorEvent } from '../../../src/core/events.js';
import { copyGroups } from '../../../src/mirror/stage/copy-groups.js';
import { GroupTally, groupSummaryOf } from '../../../src/mirror/stage/group-tally.js';
import { MirrorTracker, groupDoneText, summaryText } from '../../../src/engine/reporters/mirror-progress.js';
import type { RegistryClient } from '../../../src/mirror/registry/client.js';

describe('the mirror group tally', () => {
  it('a reporter fed by the stage events ends with the summary the stage returns, group by group', async () => {
    const events: MirrorEvent[] = [];
    const { summary } = await copyGroups(
      [
        { name: 'release', pairs: [], skipped: 41 },
        { name: 'catalog redhat-operator-index:v4.16', pairs: [], skipped: 0 },
        { name: 'additional images', pairs: [], skipped: 2 },
      ],
      { client: {} as RegistryClient, onEvent: (e) => events.push(e) },
    );
    expect(summary).toMatchObject({ kind: 'summary', images: 43, copied: 0, skipped: 43, failed: 0, bytes: 0 });
    expect(summary.groups.map((g) => [g.group, g.images, g.skipped])).toEqual([
      ['release', 41, 41],
      ['catalog redhat-operator-index:v4.16', 0, 0],
      ['additional images', 2, 2],
    ]);

    const tracker = new MirrorTracker();
    for (const e of events) tracker.apply(e);
    expect(tracker.summary).toEqual(summary);
    expect([...tracker.groups.values()].map((g) => g.done)).toEqual(summary.groups);
    expect(groupDoneText(tracker.group('release'))).toBe('release: 41 images (0 copied, 41 already there), 0 B in 0 ms');
    expect(summaryText(tracker.summary ?? summary)).toMatch(/^mirrored 43 images in 3 groups: 0 copied, 43 skipped \(already there\); 0 B in /);
  });

  it('the stage summary sums the finished groups only, in the order they were announced', () => {
    const t = new GroupTally();
    const progress = (group: string, imagesDone: number, imagesTotal: number, bytesDone: number): MirrorEvent => ({ type: 'mirror-progress', group, imagesDone, imagesTotal, bytesDone, bytesTotal: 0, rateBps: 0 });
    for (const g of ['b', 'a', 'c']) t.apply(progress(g, 0, 3, 0));
    t.apply(progress('a', 2, 3, 500));
    expect(t.group('a')).toMatchObject({ imagesDone: 2, imagesTotal: 3, bytesDone: 500 });
    t.apply({ type: 'mirror-report', group: 'a', report: { images: { total: 3, copied: 2, skipped: 0, failed: 1 }, bytes: 700, durationMs: 40 } });
    t.apply({ type: 'mirror-report', group: 'b', report: { images: { total: 3, copied: 0, skipped: 3, failed: 0 }, bytes: 0, durationMs: 5 } });
    expect(t.group('a')).toMatchObject({ imagesDone: 3, imagesTotal: 3 });
    const s = t.stageSummary(99);
    expect(s).toEqual({
      kind: 'summary',
      images: 6,
      copied: 2,
      skipped: 3,
      failed: 1,
      bytes: 700,
      durationMs: 99,
      groups: [groupSummaryOf('b', { images: { total: 3, copied: 0, skipped: 3, failed: 0 }, bytes: 0, durationMs: 5 }), { group: 'a', images: 3, copied: 2, skipped: 0, failed: 1, bytes: 700, durationMs: 40 }],
    });
    // The stage summary event is kept, not counted as a group.
    expect(t.apply({ type: 'mirror-report', group: 'mirror-images', report: s as unknown as Record<string, unknown> })).toBeUndefined();
    expect(t.summary).toEqual(s);
    expect(t.groups.has('mirror-images')).toBe(false);
  });
});
