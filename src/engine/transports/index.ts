/**
 * Transports: where a task acts. `createTransport` picks local or ssh from the host's variables
 * (ansible_connection, or localhost → local) and hands out pooled ssh connections: one per user@host:port for the
 * whole run, reused by every task; `closeAllTransports` ends them.
 */
import type { Transport } from '../types.js';
import { TransportError } from '../../core/errors.js';
import { LocalTransport } from './local.js';
import { SshTransport } from './ssh.js';
import type { SshConnection } from './ssh-connection.js';
import { resolveSshTarget, targetKey, type SshTarget } from './ssh-target.js';

export { LocalTransport } from './local.js';
export { BecomeTransport, becomeTransport } from './become.js';
export { SshTransport, remoteCommandLine } from './ssh.js';
export { resolveSshTarget, type SshTarget, type HostKeyPolicy } from './ssh-target.js';
export { shellQuote, quoteArgv, shlexSplit } from './shell-quote.js';
export { checkHostKey, parseKnownHosts, fingerprint, knownHostsName } from './known-hosts.js';

export interface CreateTransportOptions {
  /** Register secrets (ansible_password) for redaction. */
  secrets?: { add(value: unknown): void };
}

const LOCAL_NAMES = new Set(['localhost', '127.0.0.1', '::1']);
const pool = new Map<string, Promise<SshConnection>>();
const local = new LocalTransport();

/** The transport for a host. Cheap: ssh connects on first use and is shared with every later task on that host. */
export function createTransport(hostVars: Record<string, unknown>, hostName: string, opts: CreateTransportOptions = {}): Transport {
  const connection = String(hostVars.ansible_connection ?? (LOCAL_NAMES.has(hostName) && hostVars.ansible_host === undefined ? 'local' : 'ssh'));
  if (connection === 'local') return hostName === 'localhost' ? local : new LocalTransport(hostName);
  if (connection !== 'ssh' && connection !== 'paramiko' && connection !== 'ansible.builtin.ssh') {
    throw new TransportError('unsupported-connection', `host ${hostName}: ansible_connection '${connection}' is not supported`, {
      hint: 'use ssh or local',
      location: { host: hostName },
    });
  }
  const target = resolveSshTarget(hostVars, hostName);
  if (target.password) opts.secrets?.add(target.password);
  return new SshTransport(hostName, () => pooledConnection(target));
}

async function pooledConnection(target: SshTarget): Promise<SshConnection> {
  const key = targetKey(target);
  let pending = pool.get(key);
  if (pending) {
    const conn = await pending.catch(() => undefined);
    if (conn && !conn.closed) return conn;
    // A failed or dropped connection is retried once per use: the next task reconnects.
    if (pool.get(key) === pending) pool.delete(key);
  }
  pending = pool.get(key);
  if (!pending) {
    const { SshConnection } = await import('./ssh-connection.js');
    pending = SshConnection.open(target);
    pool.set(key, pending);
    pending.catch(() => {
      if (pool.get(key) === pending) pool.delete(key);
    });
  }
  return pending;
}

/** Number of live pooled ssh connections (for tests and the run summary). */
export function openConnectionCount(): number {
  return pool.size;
}

/** Close every pooled ssh connection (end of run, or on interrupt). */
export async function closeAllTransports(): Promise<void> {
  const all = [...pool.values()];
  pool.clear();
  await Promise.all(all.map((p) => p.then((c) => c.close(), () => undefined)));
}
