/**
 * Runs a plan's commands on the installer host: `~` expanded to the login user's home, extra PATH entries
 * (`provisioner_extra_path`: where `oc` lives, or a test's fake binaries) put in front, every output line
 * streamed into the task output (redacted by the reporters), a timeout, and a clear InstallerError naming the
 * phase and the last lines when a command fails.
 */
import { InstallerError } from '../../core/errors.js';
import type { ExecOutcome, Transport } from '../../engine/types.js';
import { quoteArgv, shellQuote } from '../../engine/transports/index.js';
import type { PlannedStep, ProviderContext } from '../types.js';
import { expandHome } from './paths.js';

export type CommandStep = Extract<PlannedStep, { kind: 'command' }>;

export interface RunOptions {
  env?: Record<string, string>;
  /** Return the outcome instead of throwing on a non-zero exit (for retry logic). */
  allowFailure?: boolean;
  /** Phase name for errors and progress lines. */
  phase: string;
  /** Stream lines into the task output (installer logs); short commands only log on failure. */
  stream?: boolean;
  /** Fed to the command's stdin (BMC passwords: never in argv or the environment, which `ps` shows). */
  stdin?: string;
}

export class RemoteRunner {
  private home = '';
  readonly tail: string[] = [];

  constructor(
    readonly transport: Transport,
    readonly ctx: ProviderContext,
    private readonly extraPath: string[] = [],
  ) {}

  get host(): string {
    return this.transport.host;
  }

  /** Learn `$HOME` on the host (plans keep `~/`). */
  async init(): Promise<void> {
    const r = await this.transport.exec({ shell: 'printf %s "$HOME"', signal: this.ctx.signal, timeoutMs: 60_000 });
    if (r.rc !== 0 || !r.stdout.startsWith('/')) {
      throw new InstallerError('provisioner-unreachable', `cannot run commands on ${this.host}: ${(r.stderr || r.stdout).trim() || `exit ${r.rc}`}`, {
        location: { host: this.host },
        hint: 'check the provisioner entry of the inventory (ansible_host, ansible_user, key) and that sshd answers',
      });
    }
    this.home = r.stdout;
  }

  path(p: string): string {
    return this.home ? expandHome(p, this.home) : p;
  }

  phase(name: string, detail: string): void {
    this.ctx.log(`[install] ${name}: ${detail}`);
  }

  async run(step: CommandStep, opts: RunOptions): Promise<ExecOutcome> {
    const argv = step.argv.map((a) => this.path(a));
    const prefix = this.extraPath.length ? `PATH=${this.extraPath.map((p) => shellQuote(this.path(p))).join(':')}:"$PATH"; export PATH; ` : '';
    this.phase(opts.phase, what(step));
    const lines: string[] = [];
    const onLine = (stream: 'stdout' | 'stderr', raw: string): void => {
      // The installer prints the kubeadmin password when it finishes: register it before the line goes anywhere.
      const pw = /password: "([^"]+)"/.exec(raw)?.[1];
      if (pw) this.ctx.secrets.add(pw);
      const line = this.ctx.secrets.redact(raw);
      lines.push(line);
      if (lines.length > 200) lines.shift();
      if (opts.stream) this.ctx.log(line, stream);
    };
    const r = await this.transport.exec({ shell: `${prefix}exec ${quoteArgv(argv)}`, env: opts.env, stdin: opts.stdin, timeoutMs: step.timeoutMs, signal: this.ctx.signal, onLine });
    this.tail.splice(0, this.tail.length, ...lines.slice(-20));
    if (r.rc === 0 || opts.allowFailure) return r;
    throw this.failure(step, opts.phase, r);
  }

  failure(step: CommandStep, phase: string, r: ExecOutcome): InstallerError {
    const last = this.ctx.secrets.redact(this.tail.slice(-8).join('\n') || (r.stderr || r.stdout).split('\n').slice(-8).join('\n'));
    const outcome = r.timedOut ? `timed out after ${Math.round((step.timeoutMs ?? 0) / 1000)} s` : `failed (exit ${r.rc})`;
    return new InstallerError('install-step-failed', `install phase "${phase}" on ${this.host}: ${what(step)} ${outcome}${last ? `:\n${last}` : ''}`, {
      location: { host: this.host },
      hint: r.timedOut ? 'raise dci_install_timeout (seconds) if the lab is slow, or look at .openshift_install.log in the installer dir' : 'see the task output above and .openshift_install.log in the installer dir',
    });
  }

  async put(path: string, content: string, mode: number): Promise<void> {
    await this.transport.put(this.path(path), content, mode);
  }

  async get(path: string): Promise<Buffer> {
    return this.transport.get(this.path(path));
  }
}

/** A step's description without its `phase:` prefix. */
function what(step: CommandStep): string {
  const i = step.description.indexOf(': ');
  return i >= 0 ? step.description.slice(i + 2) : step.description;
}
