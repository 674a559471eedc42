/**
 * OpenSSH known_hosts checking for the ssh transport: plain and hashed (`|1|salt|hash`) host patterns,
 * `[host]:port` for non-22 ports, wildcards and negation, `@revoked` keys. The decision is made here; the ssh
 * transport refuses anything but a match (unless the inventory opted in to accept-new or turned checking off).
 */
import { createHash, createHmac } from 'node:crypto';
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';

export interface KnownHostLine {
  file: string;
  line: number;
  patterns: string[];
  keyType: string;
  key: Buffer;
  marker?: '@revoked' | '@cert-authority';
}

export type HostKeyDecision =
  | { status: 'match'; line: KnownHostLine }
  | { status: 'unknown' }
  | { status: 'changed'; lines: KnownHostLine[] }
  | { status: 'revoked'; line: KnownHostLine };

/** The name OpenSSH looks up: `host` on port 22, `[host]:port` otherwise. */
export function knownHostsName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

/** `SHA256:…` as `ssh-keygen -l` prints it. */
export function fingerprint(key: Buffer): string {
  return `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;
}

/** The key type written inside an SSH public key blob (first length-prefixed string). */
export function keyTypeOf(key: Buffer): string {
  if (key.length < 4) return 'unknown';
  const n = key.readUInt32BE(0);
  return key.subarray(4, 4 + n).toString('latin1');
}

export function parseKnownHosts(text: string, file: string): KnownHostLine[] {
  const out: KnownHostLine[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const s = raw.trim();
    if (!s || s.startsWith('#')) return;
    const fields = s.split(/\s+/);
    let marker: KnownHostLine['marker'];
    if (fields[0] === '@revoked' || fields[0] === '@cert-authority') marker = fields.shift() as KnownHostLine['marker'];
    if (fields.length < 3) return;
    const [hosts, keyType, b64] = fields;
    out.push({ file, line: i + 1, patterns: hosts.split(','), keyType, key: Buffer.from(b64, 'base64'), marker });
  });
  return out;
}

function wildcard(pattern: string, name: string): boolean {
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i');
  return re.test(name);
}

function hashedMatch(pattern: string, name: string): boolean {
  const parts = pattern.split('|');
  // |1|base64(salt)|base64(hmac_sha1(salt, name))
  if (parts.length !== 4 || parts[1] !== '1') return false;
  const salt = Buffer.from(parts[2], 'base64');
  const expected = Buffer.from(parts[3], 'base64');
  return createHmac('sha1', salt).update(name).digest().equals(expected);
}

/** Does this line's host field apply to `name`? A matching negated pattern (`!host`) excludes the line. */
export function lineMatches(line: KnownHostLine, name: string): boolean {
  let matched = false;
  for (const p of line.patterns) {
    if (p.startsWith('|')) {
      if (hashedMatch(p, name)) matched = true;
    } else if (p.startsWith('!')) {
      if (wildcard(p.slice(1), name)) return false;
    } else if (wildcard(p, name)) {
      matched = true;
    }
  }
  return matched;
}

export async function loadKnownHosts(files: string[]): Promise<KnownHostLine[]> {
  const all: KnownHostLine[] = [];
  for (const f of files) {
    const text = await readFile(f, 'utf8').catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return '';
      throw e;
    });
    all.push(...parseKnownHosts(text, f));
  }
  return all;
}

/** Decide about a presented host key. Any known key for the host that differs is "changed" (refuse). */
export function checkHostKey(lines: KnownHostLine[], host: string, port: number, key: Buffer): HostKeyDecision {
  const name = knownHostsName(host, port);
  const relevant = lines.filter((l) => l.marker !== '@cert-authority' && lineMatches(l, name));
  const revoked = relevant.find((l) => l.marker === '@revoked' && l.key.equals(key));
  if (revoked) return { status: 'revoked', line: revoked };
  const plain = relevant.filter((l) => !l.marker);
  const match = plain.find((l) => l.key.equals(key));
  if (match) return { status: 'match', line: match };
  // OpenSSH only calls a key "changed" when a key of the same type is known; a host with keys of other types
  // only would make it negotiate one of those. We offer every algorithm, so any known key that differs is a change.
  if (plain.length) return { status: 'changed', lines: plain };
  return { status: 'unknown' };
}

/** Record a newly accepted key (accept-new), as `ssh` would: one plain line, file created 0600 if needed. */
export async function appendKnownHost(file: string, host: string, port: number, key: Buffer): Promise<void> {
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  const existing = await readFile(file, 'utf8').catch(() => '');
  const sep = existing && !existing.endsWith('\n') ? '\n' : '';
  await appendFile(file, `${sep}${knownHostsName(host, port)} ${keyTypeOf(key)} ${key.toString('base64')}\n`, { mode: 0o600 });
}
