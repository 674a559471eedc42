/**
 * Mirror progress in the reporters, for a run shaped like the mirror-images stage's: three image groups announced
 * up front, many progress events (the engine sends several per second), one failed image, a report per group and
 * the stage summary. Plain output gets a line per group now and then (not one per image or blob), jsonl gets
 * throttled progress events, and the listr2 tree (live renderer on a fake terminal, and the line renderer) shows
 * one subtask line per group under the mirror_images task, then the summary.
 */
import { describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import type { AgentEvent, MirrorEvent } from '../../../src/core/events.js';
import { SecretRegistry } from '../../../src/core/secrets.js';
import { PlainReporter } from '../../../src/engine/reporters/plain.js';
import { JsonlReporter } from '../../../src/engine/reporters/jsonl.js';
import { TtyReporter } from '../../../src/engine/reporters/tty.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const at = (ms: number) => new Date(T0 + ms).toISOString();

const GROUPS = [
  { group: 'release', images: 41, bytes: 40 << 20 },
  { group: 'catalog redhat-operator-index:v4.16', images: 6, bytes: 6 << 20 },
  { group: 'additional images', images: 2, bytes: 0 },
];

function report(images: { total: number; copied: number; skipped: number; failed: number }, bytes: number, durationMs: number): Record<string, unknown> {
  return { images, bytes, durationMs };
}

/** The events of a stage run: groups copied one after the other over ~60 s, a progress event every 100 ms. */
function stageEvents(): MirrorEvent[] {
  const out: Array<MirrorEvent & { ts: string }> = [];
  for (const g of GROUPS) out.push({ type: 'mirror-progress', group: g.group, imagesDone: g.bytes ? 0 : g.images, imagesTotal: g.images, bytesDone: 0, bytesTotal: 0, rateBps: 0, ts: at(0) });
  let t = 0;
  for (const g of GROUPS.filter((x) => x.bytes)) {
    const steps = g.group === 'release' ? 400 : 100; // 40 s and 10 s
    for (let i = 1; i <= steps; i++) {
      t += 100;
      const done = Math.floor((g.images * i) / steps);
      out.push({ type: 'mirror-progress', group: g.group, imagesDone: done, imagesTotal: g.images, bytesDone: Math.floor((g.bytes * i) / steps), bytesTotal: g.bytes, rateBps: 1 << 20, ts: at(t) });
      if (g.group.startsWith('catalog') && i === 50) out.push({ type: 'mirror-image', group: g.group, source: 'quay.io/x/broken@sha256:0', destination: 'lab/x/broken', status: 'failed', msg: 'blob sha256:1 of quay.io/x/broken: digest mismatch', ts: at(t) });
      else if (i % 10 === 0) out.push({ type: 'mirror-image', group: g.group, source: `quay.io/x/img-${i}`, destination: `lab/x/img-${i}`, status: 'copied', ts: at(t) });
    }
    const failed = g.group.startsWith('catalog') ? 1 : 0;
    out.push({ type: 'mirror-report', group: g.group, report: report({ total: g.images, copied: g.images - failed, skipped: 0, failed }, g.bytes, steps * 100), ts: at(t) });
  }
  out.push({ type: 'mirror-report', group: 'additional images', report: report({ total: 2, copied: 0, skipped: 2, failed: 0 }, 0, 0), ts: at(t) });
  out.push({
    type: 'mirror-report',
    group: 'mirror-images',
    report: { kind: 'summary', images: 49, copied: 46, skipped: 2, failed: 1, bytes: 46 << 20, durationMs: t, groups: GROUPS.map((g) => ({ group: g.group, images: g.images, copied: 0, skipped: 0, failed: 0, bytes: g.bytes, durationMs: 0 })) },
    ts: at(t),
  });
  return out;
}

const task = { host: 'localhost', name: 'Mirror the release, the operator catalogs and the additional images', file: 'mirror-images.yml', line: 20 };

function wrapInTask(events: MirrorEvent[]): AgentEvent[] {
  return [
    { type: 'play-start', name: 'mirror-images', hosts: ['localhost'] },
    { type: 'task-start', task },
    ...events,
    { type: 'task-end', task, status: 'changed', durationMs: 50_000 },
    { type: 'play-end', name: 'mirror-images' },
  ] as AgentEvent[];
}

describe('mirror progress in the reporters', () => {
  it('plain: a line per group every 10 s at most, failures, a line per finished group and the summary', () => {
    const lines: string[] = [];
    const r = new PlainReporter({ write: (t) => lines.push(t.trimEnd()), secrets: new SecretRegistry() });
    for (const e of stageEvents()) r.on(e);
    const mirror = lines.map((l) => l.slice(25));
    // release: 40 s of progress → the first line and then one per 10 s; catalog: 10 s → first line and maybe one more.
    const releaseProgress = mirror.filter((l) => /^ {2}mirror release: \d+\/41 images/.test(l));
    expect(releaseProgress.length).toBeGreaterThanOrEqual(4);
    expect(releaseProgress.length).toBeLessThanOrEqual(5);
    expect(releaseProgress[0]).toBe('  mirror release: 0/41 images, 0 B');
    expect(releaseProgress[1]).toMatch(/release: 10\/41 images, 10\.0 MiB of 40\.0 MiB, 1\.0 MiB\/s/);
    expect(mirror.filter((l) => l.includes('img-'))).toEqual([]); // no line per copied image
    expect(mirror).toContain('  mirror failed: quay.io/x/broken@sha256:0 → lab/x/broken — blob sha256:1 of quay.io/x/broken: digest mismatch');
    expect(mirror).toContain('  mirror release: 41 images (41 copied, 0 already there), 40.0 MiB in 40.0 s');
    expect(mirror).toContain('  mirror catalog redhat-operator-index:v4.16: 6 images (5 copied, 0 already there, 1 failed), 6.0 MiB in 10.0 s');
    expect(mirror).toContain('  mirror additional images: 2 images (0 copied, 2 already there), 0 B in 0 ms');
    expect(mirror.at(-1)).toBe('  mirror summary: mirrored 49 images in 3 groups: 46 copied, 2 skipped (already there), 1 failed; 46.0 MiB in 50.0 s');
    expect(lines.length).toBeLessThan(20);
  });

  it('jsonl: progress events throttled to one per second per group (first and last kept), every report kept', () => {
    const events: Array<Record<string, unknown>> = [];
    const r = new JsonlReporter({ write: (t) => events.push(JSON.parse(t) as Record<string, unknown>), secrets: new SecretRegistry() });
    const all = stageEvents();
    for (const e of all) r.on(e);
    const release = events.filter((e) => e.type === 'mirror-progress' && e.group === 'release');
    expect(release.length).toBeGreaterThanOrEqual(40);
    expect(release.length).toBeLessThanOrEqual(43);
    expect(release.at(-1)).toMatchObject({ imagesDone: 41, imagesTotal: 41 });
    expect(all.filter((e) => e.type === 'mirror-progress').length).toBeGreaterThan(490);
    expect(events.filter((e) => e.type === 'mirror-report')).toHaveLength(4);
  });

  it('tty (live listr2 renderer on a fake terminal): one line per group under the task, then the summary', async () => {
    const term = Object.assign(new PassThrough(), { isTTY: true, columns: 160, rows: 50 });
    let screen = '';
    term.on('data', (d: Buffer) => (screen += d.toString('utf8')));
    const r = new TtyReporter({ secrets: new SecretRegistry(), write: (t) => (screen += t), renderer: 'default', streams: { stdout: term }, mirrorRefreshMs: 0 });
    const events = wrapInTask(stageEvents());
    const before = events.slice(0, 2 + 3 + 200); // play, task, the three group announcements and 20 s of release progress
    for (const e of before) r.on(e);
    // ANSI codes out, and lines joined (the renderer wraps long lines at the terminal width).
    const plain = (s: string) => s.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '').replace(/\s+/g, ' ');
    // Let the renderer draw a frame with the groups (a fixed wait is flaky on a loaded machine): up to 10 s.
    for (let i = 0; i < 100 && !plain(screen).includes('additional images: 2/2 images'); i++) await new Promise((res) => setTimeout(res, 100));
    const live = plain(screen);
    expect(live).toMatch(/release: \d+\/41 images, [\d.]+ MiB of 40\.0 MiB, 1\.0 MiB\/s/);
    expect(live).toContain('catalog redhat-operator-index:v4.16: 0/6 images');
    expect(live).toContain('additional images: 2/2 images');
    for (const e of events.slice(before.length)) r.on(e);
    await r.close();
    const final = plain(screen);
    expect(final).toContain('release: 41 images (41 copied, 0 already there), 40.0 MiB in 40.0 s');
    expect(final).toContain('catalog redhat-operator-index:v4.16: 6 images (5 copied, 0 already there, 1 failed)');
    expect(final).toContain('mirrored 49 images in 3 groups: 46 copied, 2 skipped (already there), 1 failed; 46.0 MiB in 50.0 s');
    expect(final).toMatch(/Mirror the release, the operator catalogs and the additional images \[changed, /);
  });

  it('tty without a task (mirror images on its own): the groups get a tree of their own', async () => {
    const out = new PassThrough();
    let text = '';
    out.on('data', (d: Buffer) => (text += d.toString('utf8')));
    const r = new TtyReporter({ secrets: new SecretRegistry(), write: (t) => (text += t), renderer: 'simple', streams: { stdout: out } });
    for (const e of stageEvents()) r.on(e);
    await r.close();
    expect(text).toContain('mirror images');
    expect(text).toContain('release: 41 images (41 copied, 0 already there)');
    expect(text).toContain('additional images: 2 images (0 copied, 2 already there)');
    expect(text).toContain('mirrored 49 images in 3 groups');
  });
});
