/**
 * One transport per target host for the whole run (an SSH connection is opened once and reused by every task),
 * plus a wrapper applying the task's `become` and `environment` keywords to every command a module runs and, for
 * `become`, to every file it writes, reads or stats.
 */
import type { ExecOutcome, ExecRequest, FileStat, Transport } from '../types.js';
import { LocalTransport } from '../transports/local.js';
import { BecomeTransport } from '../transports/become.js';

/** Connection settings of a host, from its (resolved) inventory variables. */
export interface ConnectionSpec {
  host: string;
  connection: string;
  vars: Record<string, unknown>;
}

export type TransportFactory = (spec: ConnectionSpec) => Promise<Transport>;

const LOCAL_NAMES = new Set(['localhost', '127.0.0.1', '::1']);

/** Ansible's rule: `ansible_connection`, else local for the implicit localhost, else ssh. */
export function connectionOf(host: string, vars: Record<string, unknown>, override?: unknown): string {
  const c = override ?? vars.ansible_connection;
  if (typeof c === 'string' && c) return c === 'paramiko' || c === 'smart' ? 'ssh' : c;
  return LOCAL_NAMES.has(host) && vars.ansible_host === undefined ? 'local' : 'ssh';
}

export const defaultTransportFactory: TransportFactory = async (spec) => {
  if (spec.connection === 'local') return new LocalTransport(spec.host);
  if (spec.connection === 'ssh') {
    // Loaded on first remote host only: ssh2 and its native crypto cost nothing to local-only runs.
    const { createTransport } = await import('../transports/index.js');
    return createTransport(spec.vars, spec.host);
  }
  throw new Error(`connection type '${spec.connection}' is not supported (use local or ssh)`);
};

export class TransportPool {
  private readonly open = new Map<string, Promise<Transport>>();
  readonly controller: Transport = new LocalTransport('localhost');

  constructor(private readonly factory: TransportFactory = defaultTransportFactory) {}

  get(spec: ConnectionSpec): Promise<Transport> {
    if (spec.connection === 'local') return Promise.resolve(this.controller);
    const key = `${spec.connection}:${spec.host}`;
    let t = this.open.get(key);
    if (!t) {
      t = this.factory(spec);
      // A failed connection is not cached: the next task retries (and reports unreachable again).
      t.catch(() => this.open.delete(key));
      this.open.set(key, t);
    }
    return t;
  }

  async closeAll(): Promise<void> {
    const all = [...this.open.values()];
    this.open.clear();
    await Promise.allSettled(all.map(async (p) => (await p).close()));
    // SSH connections are pooled by the transports family; end them with the run.
    if (all.length) await import('../transports/index.js').then((t) => t.closeAllTransports()).catch(() => undefined);
    await this.controller.close().catch(() => undefined);
  }
}

/**
 * Applies `become`/`environment` to every command, and `become` to put/get/stat too (modules never see these
 * keywords): like ansible-core, a file a become task writes is created and moved into place by the become user
 * (so it ends up owned by root, and /etc is writable), and reads and stats see what that user sees.
 */
export class KeywordTransport implements Transport {
  readonly kind: 'local' | 'ssh';
  readonly host: string;
  /** Where put/get/stat go: through sudo as the become user, or straight to the connection. */
  private readonly files: Transport;

  constructor(
    private readonly inner: Transport,
    private readonly opts: { become?: boolean; becomeUser?: string; env?: Record<string, string> },
  ) {
    this.kind = inner.kind;
    this.host = inner.host;
    this.files = opts.become ? new BecomeTransport(inner, opts.becomeUser ?? 'root') : inner;
  }

  exec(request: ExecRequest): Promise<ExecOutcome> {
    const env = this.opts.env ? { ...this.opts.env, ...request.env } : request.env;
    return this.inner.exec({
      ...request,
      env,
      become: request.become ?? this.opts.become,
      becomeUser: request.becomeUser ?? this.opts.becomeUser,
    });
  }

  put(path: string, data: string | Uint8Array, mode?: number): Promise<void> {
    return this.files.put(path, data, mode);
  }

  get(path: string): Promise<Buffer> {
    return this.files.get(path);
  }

  stat(path: string): Promise<FileStat> {
    return this.files.stat(path);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
