/**
 * TTY renderer on listr2 (loaded lazily): a live tree of play → task, with hosts and loop items shown under
 * each task while it runs. The engine is event-driven and listr2 is task-driven, so each engine task becomes
 * one listr2 run whose task function waits for that engine task's end events; the linear strategy guarantees
 * tasks do not overlap, and runs are chained so lines never interleave.
 */
import type { AgentEvent, Reporter, TaskStatus } from '../../core/events.js';
import type { SecretRegistry } from '../../core/secrets.js';
import { formatDuration, oneLine } from './format.js';

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
}

export interface TtyReporterOptions {
  secrets: SecretRegistry;
  /** listr2 renderer: 'default' (live, TTY) or 'simple' (line based, used in tests). */
  renderer?: 'default' | 'simple';
  /** Where play headers and debug lines go (listr2 itself writes to process.stdout). */
  write(text: string): void;
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
    c?.done();
  }

  private start(key: string, title: string): Current {
    let done!: () => void;
    const finished = new Promise<void>((r) => (done = r));
    const c: Current = { key, title, results: new Map(), lines: [], items: [], started: Date.now(), done };
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
        { exitOnError: false, renderer, rendererOptions: { collapseSubtasks: false, collapseErrors: false } },
      );
      await list.run().catch(() => undefined);
    });
    return c;
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
