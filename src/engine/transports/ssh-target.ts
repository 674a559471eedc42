/**
 * Turn a host's inventory variables into SSH connection settings, with Ansible's variable names:
 * ansible_host/ansible_port/ansible_user, ansible_ssh_private_key_file, ansible_password, host key checking
 * (ansible_ssh_host_key_checking, ansible_host_key_checking, dci_ssh_known_hosts, ansible_ssh_known_hosts_file,
 * and `-o UserKnownHostsFile=… -o StrictHostKeyChecking=…` inside ansible_ssh_common_args/extra_args), and
 * `-o ServerAliveInterval=… -o ServerAliveCountMax=…` for the keepalives.
 */
import { homedir, userInfo } from 'node:os';
import { join } from 'node:path';
import { TransportError } from '../../core/errors.js';
import { shlexSplit } from './shell-quote.js';

export type HostKeyPolicy = 'strict' | 'accept-new' | 'off';

export interface SshTarget {
  /** Inventory name (for messages). */
  name: string;
  address: string;
  port: number;
  user: string;
  /** Explicit key files (ansible_ssh_private_key_file, -i); empty → agent then ~/.ssh/id_* defaults. */
  keyFiles: string[];
  password?: string;
  knownHostsFiles: string[];
  /** Where accept-new writes a new key. */
  knownHostsWriteFile: string;
  hostKeyPolicy: HostKeyPolicy;
  connectTimeoutMs: number;
  /** SSH keepalives (`-o ServerAliveInterval=… -o ServerAliveCountMax=…`): how fast a silent partition is noticed. */
  keepaliveIntervalMs: number;
  keepaliveCountMax: number;
}

function pick(vars: Record<string, unknown>, ...names: string[]): string | undefined {
  for (const n of names) {
    const v = vars[n];
    if (v !== undefined && v !== null && v !== '') return String(v);
  }
  return undefined;
}

function positive(value: string | undefined, fallback: number): number {
  const n = Number(value);
  return value !== undefined && Number.isInteger(n) && n > 0 ? n : fallback;
}

export function expandTilde(p: string): string {
  return p === '~' || p.startsWith('~/') ? join(homedir(), p.slice(1)) : p;
}

function policyFrom(value: string | undefined): HostKeyPolicy | undefined {
  if (value === undefined) return undefined;
  const v = value.trim().toLowerCase();
  if (v === 'accept-new' || v === 'accept_new') return 'accept-new';
  if (['no', 'false', 'off', '0'].includes(v)) return 'off';
  if (['yes', 'true', 'on', '1', 'strict', 'ask'].includes(v)) return 'strict';
  throw new TransportError('bad-host-key-checking', `host key checking value ${JSON.stringify(value)} is not one of yes, no, accept-new`);
}

/** `-o Key=Value` / `-o Key Value` / `-i file` from ansible_ssh_common_args and ansible_ssh_extra_args. */
function sshOptions(args: string | undefined): { options: Record<string, string>; identities: string[] } {
  const options: Record<string, string> = {};
  const identities: string[] = [];
  if (!args) return { options, identities };
  const words = shlexSplit(args);
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    let opt: string | undefined;
    if (w === '-o') opt = words[++i];
    else if (w.startsWith('-o')) opt = w.slice(2);
    else if (w === '-i') identities.push(words[++i]);
    else if (w.startsWith('-i')) identities.push(w.slice(2));
    if (!opt) continue;
    const m = /^([A-Za-z]+)\s*[= ]\s*(.*)$/.exec(opt);
    if (m) options[m[1].toLowerCase()] = m[2];
  }
  return { options, identities };
}

export function resolveSshTarget(vars: Record<string, unknown>, hostName: string): SshTarget {
  const { options, identities } = sshOptions([pick(vars, 'ansible_ssh_common_args'), pick(vars, 'ansible_ssh_extra_args')].filter(Boolean).join(' '));
  const proxy = options.proxyjump ?? options.proxycommand;
  if (proxy !== undefined || /(^|\s)-J\s/.test(pick(vars, 'ansible_ssh_common_args') ?? '')) {
    // Connecting directly would fail later with a misleading network error; say what is missing instead.
    throw new TransportError('ssh-proxy-unsupported', `host ${hostName}: ProxyJump/ProxyCommand in ansible_ssh_common_args is not supported by the built-in ssh transport`, {
      hint: 'reach the host directly (route or VPN from the jumphost), or run the agent on the jumphost itself',
      location: { host: hostName },
    });
  }
  const portText = pick(vars, 'ansible_port', 'ansible_ssh_port') ?? options.port ?? '22';
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new TransportError('bad-port', `host ${hostName}: ansible_port ${JSON.stringify(portText)} is not a TCP port`, { location: { host: hostName } });
  }
  const keyFile = pick(vars, 'ansible_ssh_private_key_file', 'ansible_private_key_file');
  const configured = pick(vars, 'ansible_ssh_known_hosts_file', 'dci_ssh_known_hosts') ?? options.userknownhostsfile;
  const knownHostsFiles = configured ? configured.split(/\s+/).filter(Boolean).map(expandTilde) : [join(homedir(), '.ssh', 'known_hosts'), '/etc/ssh/ssh_known_hosts'];
  const policy =
    policyFrom(pick(vars, 'ansible_ssh_host_key_checking', 'ansible_host_key_checking')) ??
    policyFrom(options.stricthostkeychecking) ??
    policyFrom(process.env.ANSIBLE_HOST_KEY_CHECKING) ??
    'strict';
  const timeout = Number(pick(vars, 'ansible_ssh_timeout', 'ansible_timeout') ?? options.connecttimeout ?? '10');
  return {
    name: hostName,
    address: pick(vars, 'ansible_host', 'ansible_ssh_host') ?? hostName,
    port,
    user: pick(vars, 'ansible_user', 'ansible_ssh_user') ?? options.user ?? userInfo().username,
    keyFiles: [...(keyFile ? [keyFile] : []), ...identities, ...(options.identityfile ? [options.identityfile] : [])].map(expandTilde),
    password: pick(vars, 'ansible_password', 'ansible_ssh_pass', 'ansible_ssh_password'),
    knownHostsFiles,
    knownHostsWriteFile: knownHostsFiles[0],
    hostKeyPolicy: policy,
    connectTimeoutMs: (Number.isFinite(timeout) && timeout > 0 ? timeout : 10) * 1000,
    // Without an explicit ServerAliveInterval we still probe every 15 s: a silent partition must not hang a run.
    keepaliveIntervalMs: positive(options.serveraliveinterval, 15) * 1000,
    keepaliveCountMax: positive(options.serveralivecountmax, 3),
  };
}

/**
 * Pool key: one connection per user@address:port. The trust settings are part of the key so that a host
 * configured with stricter checking never rides on a connection another entry verified differently.
 */
export function targetKey(t: SshTarget): string {
  return `${t.user}@${t.address}:${t.port}|${t.hostKeyPolicy}|${t.knownHostsFiles.join(':')}|${t.keyFiles.join(':')}`;
}
