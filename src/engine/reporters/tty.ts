/**
 * TTY renderer on listr2 (loaded lazily): a live tree of play → task, with hosts and loop items shown under
 * each task while it runs. The engine is event-driven and listr2 is task-driven, so each engine task becomes
 * one listr2 run whose task function waits for that engine task's end events; the linear strategy guarantees
 * tasks do not overlap, and runs are chained so lines never interleave.
 */
import type { Writable } from 'node:stream';
import type { AgentEvent, MirrorEvent, Reporter, TaskStatus } from '../../core/events.js';
import type { SecretRegistry } from '../../core/secrets.js';
import { formatDuration, oneLine } from './format.js';
import { MirrorTracker, groupDoneText, groupProgressText, summaryText, type GroupState } from './mirror-progress.js';

/** The mirror image groups of the running task, shown as its subtasks (one line each, updated live). */
interface MirrorView {
  tracker: MirrorTracker;
  ui: Map<string, { refresh?: () => void; lastRefresh: number; done: Promise<void>; resolve: () => void }>;
}

interface Current {
  key: string;
  title: string;
  results: Map<string, { status: TaskStatus; msg?: string }>;
  lines: string[];
  items: Array<{ label: string; status: TaskStatus; msg?: string }>;
  started: number;
  done: () => void;
  /** Set by the running listr2 task. */
  push?: (line: string) => void;
  /** Mirror events seen while this task runs. */
  mirror?: MirrorView;
  mirrorSeen: Promise<void>;
  onMirrorSeen: () => void;
  isDone: boolean;
}

export interface TtyReporterOptions {
  secrets: SecretRegistry;
  /** listr2 renderer: 'default' (live, TTY) or 'simple' (line based, used in tests). */
  renderer?: 'default' | 'simple';
  /** Where play headers and debug lines go (listr2 itself writes to process.stdout). */
  write(text: string): void;
  /** Draw the live tree on these streams instead of the process's (a terminal opened elsewhere, tests). */
  streams?: { stdout: Writable; stderr?: Writable };
  /** Mirror group lines are redrawn at most this often (ms, default 250). */
  mirrorRefreshMs?: number;
}

export class TtyReporter implements Reporter {
  private chain: Promise<void> = Promise.resolve();
  private current: Current | undefined;

  constructor(private readonly o: TtyReporterOptions) {}

  private text(s: string): string {
    return this.o.secrets.redact(s);
  }

  private finish(): void {
    const c = this.current;
    this.current = undefined;
    if (c) c.isDone = true;
    c?.done();
  }

  private groupUi(m: MirrorView, group: string) {
    let u = m.ui.get(group);
    if (!u) {
      let resolve!: () => void;
      const done = new Promise<void>((r) => (resolve = r));
      u = { lastRefresh: 0, done, resolve };
      m.ui.set(group, u);
    }
    return u;
  }

  /** Mirror events: group subtasks of the running task (a tree of its own when none runs, e.g. `mirror images`). */
  private mirrorEvent(e: MirrorEvent): void {
    if (!this.current) this.start('mirror', 'mirror images');
    const c = this.current!;
    c.mirror ??= { tracker: new MirrorTracker(), ui: new Map() };
    const g = c.mirror.tracker.apply(e);
    c.onMirrorSeen();
    if (e.type === 'mirror-image' && e.status === 'failed') this.addLine(`failed: ${e.source}${e.msg ? ` — ${oneLine(e.msg, 300)}` : ''}`);
    if (!g) return;
    const u = this.groupUi(c.mirror, g.group);
    const now = Date.now();
    if (e.type === 'mirror-report' || now - u.lastRefresh >= (this.o.mirrorRefreshMs ?? 250)) {
      u.lastRefresh = now;
      u.refresh?.();
    }
    if (e.type === 'mirror-report') u.resolve();
  }

  private groupTasks(c: Current, m: MirrorView, finished: Promise<void>) {
    const groupTask = (g: GroupState) => ({
      title: this.text(groupProgressText(g)),
      task: async (_ctx: unknown, sub: { title: string }) => {
        const u = this.groupUi(m, g.group);
        u.refresh = () => {
          sub.title = this.text(groupProgressText(g));
        };
        await Promise.race([u.done, finished]);
        u.refresh = undefined;
        sub.title = this.text(groupDoneText(g));
        if (g.done?.failed) throw new Error(sub.title);
      },
    });
    return [...m.tracker.groups.values()].map(groupTask);
  }


  private start(key: string, title: string): Current {
    let done!: () => void;
    const finished = new Promise<void>((r) => (done = r));
    let onMirrorSeen!: () => void;
    const mirrorSeen = new Promise<void>((r) => (onMirrorSeen = r));
    const c: Current = { key, title, results: new Map(), lines: [], items: [], started: Date.now(), done, mirrorSeen, onMirrorSeen, isDone: false };
    this.current = c;
    const renderer = this.o.renderer ?? 'default';
    this.chain = this.chain.then(async () => {
      const { Listr } = await import('listr2');
      const list = new Listr(
        [
          {
            title: c.title,
            task: async (_ctx, task) => {
              c.push = (line: string) => {
                task.output = line;
              };
              for (const l of c.lines) task.output = l;
              await Promise.race([finished, mirrorSeen]);
              // Mirroring started in this task: one subtask per image group, then the summary once the task ends.
              // (Every group is announced in one go before any copy, so they are all known here.)
              const m = c.mirror;
              if (m) {
                return task.newListr(
                  [
                    ...this.groupTasks(c, m, finished),
                    {
                      title: this.text('summary: waiting for the groups'),
                      task: async (_ctx: unknown, sub: { title: string }) => {
                        await finished;
                        const end = this.conclude(c);
                        task.title = end.title;
                        sub.title = this.text(m.tracker.summary ? summaryText(m.tracker.summary) : 'summary: no images mirrored');
                        if (end.error) throw new Error(end.error);
                      },
                    },
                  ],
                  { concurrent: true, exitOnError: false },
                );
              }
              await finished;
              const statuses = [...c.results.values()];
              const failed = statuses.filter((s) => s.status === 'failed' || s.status === 'unreachable');
              const summary = summarise(statuses.map((s) => s.status));
              task.title = this.text(`${c.title} [${summary}, ${formatDuration(Date.now() - c.started)}]`);
              if (c.items.length) {
                // Loops: once the task is done, its items become finished subtasks of the tree.
                return task.newListr(
                  c.items.map((it) => ({
                    title: this.text(it.label),
                    task: (_c: unknown, sub: { skip(msg?: string): void }) => {
                      if (it.status === 'skipped') sub.skip(this.text(`${it.label} [skipped]`));
                      if (it.status === 'failed') throw new Error(this.text(`${it.label}: ${oneLine(it.msg ?? 'failed', 500)}`));
                    },
                  })),
                  { exitOnError: false, concurrent: false },
                );
              }
              if (statuses.length && statuses.every((s) => s.status === 'skipped')) task.skip(this.text(`${c.title} [skipped]`));
              if (failed.length) {
                const [host, r] = [...c.results.entries()].find(([, s]) => s.status === 'failed' || s.status === 'unreachable') ?? ['', { msg: '' }];
                throw new Error(this.text(`${c.title}: [${host}] ${oneLine(r.msg ?? 'failed', 1000)}`));
              }
            },
            rendererOptions: { persistentOutput: true, outputBar: Infinity },
          },
        ],
        await this.listrOptions(renderer),
      );
      await list.run().catch(() => undefined);
    });
    return c;
  }

  /** The finished task's title and, when it failed, its message (for the mirror summary subtask). */
  private conclude(c: Current): { title: string; error?: string } {
    const statuses = [...c.results.values()];
    const summary = summarise(statuses.map((s) => s.status));
    const title = this.text(`${c.title} [${summary ? `${summary}, ` : ''}${formatDuration(Date.now() - c.started)}]`);
    const failed = [...c.results.entries()].find(([, s]) => s.status === 'failed' || s.status === 'unreachable');
    return { title, error: failed ? this.text(`${c.title}: [${failed[0]}] ${oneLine(failed[1].msg ?? 'failed', 1000)}`) : undefined };
  }

  private async listrOptions(renderer: 'default' | 'simple'): Promise<Record<string, unknown>> {
    const base = { exitOnError: false, renderer, rendererOptions: { collapseSubtasks: false, collapseErrors: false } as Record<string, unknown> };
    const streams = this.o.streams;
    if (!streams) return base;
    // A terminal that is not process.stdout: listr2's live renderer, told that it may draw there.
    const { DefaultRenderer, SimpleRenderer, ListrLogger, ProcessOutput } = await import('listr2');
    // listr2 types these as process streams; it only writes to them (and reads columns/rows when present).
    const out = streams.stdout as NodeJS.WriteStream;
    const logger = new ListrLogger({ processOutput: new ProcessOutput(out, (streams.stderr ?? streams.stdout) as NodeJS.WriteStream, { dump: [] }) });
    const Live = class extends DefaultRenderer {
      static override nonTTY = true;
    };
    const Simple = class extends SimpleRenderer {
      static override nonTTY = true;
    };
    return { ...base, renderer: renderer === 'default' ? Live : Simple, rendererOptions: { ...base.rendererOptions, logger } };
  }

  private runDir?: string;

  /** A plain line between task trees (after the current tree is finished). */
  private say(text: string): void {
    this.finish();
    const line = this.text(`${text}\n`);
    this.chain = this.chain.then(() => this.o.write(line));
  }

  private addLine(line: string): void {
    const c = this.current;
    if (!c) return;
    const l = this.text(line);
    c.lines.push(l);
    c.push?.(l);
  }

  on(e: AgentEvent): void {
    switch (e.type) {
      case 'play-start': {
        this.finish();
        const line = this.text(`PLAY [${e.name}] (${e.hosts.join(', ')})\n`);
        this.chain = this.chain.then(() => this.o.write(line));
        break;
      }
      case 'task-start': {
        const key = `${e.task.file}:${e.task.line}:${e.task.name}`;
        if (this.current?.key !== key) {
          this.finish();
          this.start(key, this.text(e.task.name));
        }
        break;
      }
      case 'item-end':
        this.addLine(`${e.status}: [${e.task.host}] ${e.label}`);
        this.current?.items.push({ label: `[${e.task.host}] ${e.label}${e.status === 'ok' || e.status === 'changed' ? ` (${e.status})` : ''}`, status: e.status, msg: e.msg });
        break;
      case 'task-output':
        this.addLine(`[${e.task.host}] ${e.line}`);
        break;
      case 'debug':
        this.addLine(`[${e.task.host}] ${oneLine(e.msg, 1000)}`);
        break;
      case 'task-end':
        this.current?.results.set(e.task.host, { status: e.status, msg: e.msg });
        if (e.status !== 'ok' && e.status !== 'skipped') this.addLine(`${e.status}: [${e.task.host}]${e.msg ? ` ${oneLine(e.msg, 500)}` : ''}`);
        break;
      case 'warning': {
        const line = this.text(`WARNING: ${e.msg}\n`);
        this.chain = this.chain.then(() => this.o.write(line));
        break;
      }
      case 'play-end':
        this.finish();
        break;
      // Pipeline events: stage banners, job states and the end-of-run summary, between the task trees.
      case 'run-start':
        this.runDir = e.runDir;
        this.say(`run ${e.runId} (inventory ${e.inventory})`);
        break;
      case 'stage-start':
        this.say(`STAGE [${e.stage}]`);
        break;
      case 'stage-end':
        this.say(`STAGE [${e.stage}] ${e.status} [${formatDuration(e.durationMs)}]${e.msg ? ` — ${oneLine(e.msg, 500)}` : ''}`);
        break;
      case 'job-state':
        this.say(`job state: ${e.state}${e.comment ? ` (${oneLine(e.comment, 300)})` : ''}`);
        break;
      case 'run-end':
        this.say(
          [`run ${e.runId} ${e.state} [${formatDuration(e.durationMs)}]`, ...e.summary.map((n) => `  ${n}`), ...(this.runDir ? [`  record: ${this.runDir} (dci-agent-ts runs show ${e.runId})`] : [])].join('\n'),
        );
        break;
      case 'mirror-progress':
      case 'mirror-image':
      case 'mirror-report':
        this.mirrorEvent(e);
        break;
      default:
        break;
    }
  }

  async close(): Promise<void> {
    this.finish();
    await this.chain;
  }
}

function summarise(statuses: TaskStatus[]): string {
  const counts = new Map<string, number>();
  for (const s of statuses) counts.set(s, (counts.get(s) ?? 0) + 1);
  return [...counts.entries()].map(([s, n]) => (statuses.length === 1 ? s : `${s}=${n}`)).join(' ');
}
