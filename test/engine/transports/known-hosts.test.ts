import { describe, expect, it } from 'vitest';
import { createHmac, randomBytes } from 'node:crypto';
import { checkHostKey, fingerprint, keyTypeOf, knownHostsName, parseKnownHosts } from '../../../src/engine/transports/known-hosts.js';
import { resolveSshTarget } from '../../../src/engine/transports/ssh-target.js';

function blob(type: string, seed: string): Buffer {
  const t = Buffer.from(type);
  const k = Buffer.from(seed.padEnd(32, 'x'));
  const len = (b: Buffer) => {
    const l = Buffer.alloc(4);
    l.writeUInt32BE(b.length);
    return l;
  };
  return Buffer.concat([len(t), t, len(k), k]);
}

const A = blob('ssh-ed25519', 'a');
const B = blob('ssh-ed25519', 'b');
const line = (hosts: string, key: Buffer) => `${hosts} ${keyTypeOf(key)} ${key.toString('base64')}`;
const hashed = (name: string) => {
  const salt = randomBytes(20);
  return `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update(name).digest('base64')}`;
};

describe('known_hosts', () => {
  it('names hosts like OpenSSH: bare on port 22, [host]:port otherwise', () => {
    expect(knownHostsName('h', 22)).toBe('h');
    expect(knownHostsName('10.0.0.1', 2222)).toBe('[10.0.0.1]:2222');
  });
  it('matches plain, comma lists, wildcards and hashed names; negation excludes', () => {
    const lines = parseKnownHosts([line('alpha,beta', A), line('*.example.com,!bad.example.com', A), line(hashed('[10.1.1.1]:2222'), A)].join('\n'), 'kh');
    expect(checkHostKey(lines, 'beta', 22, A).status).toBe('match');
    expect(checkHostKey(lines, 'node.example.com', 22, A).status).toBe('match');
    expect(checkHostKey(lines, 'bad.example.com', 22, A).status).toBe('unknown');
    expect(checkHostKey(lines, '10.1.1.1', 2222, A).status).toBe('match');
    expect(checkHostKey(lines, '10.1.1.1', 22, A).status).toBe('unknown');
  });
  it('a different key for a known host is "changed" and names the line; @revoked wins', () => {
    const lines = parseKnownHosts(`# c\n${line('gamma', A)}\n@revoked * ${keyTypeOf(B)} ${B.toString('base64')}\n`, 'kh');
    const d = checkHostKey(lines, 'gamma', 22, blob('ssh-ed25519', 'c'));
    expect(d.status).toBe('changed');
    if (d.status === 'changed') expect(d.lines.map((l) => `${l.file}:${l.line}`)).toEqual(['kh:2']);
    expect(checkHostKey(lines, 'gamma', 22, B).status).toBe('revoked');
  });
  it('fingerprints like ssh-keygen -l', () => {
    expect(fingerprint(A)).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
  });
});

describe('ssh target from inventory variables', () => {
  it('reads Ansible names and ssh_common_args options', () => {
    const t = resolveSshTarget(
      {
        ansible_host: '10.0.0.5',
        ansible_port: '2200',
        ansible_user: 'core',
        ansible_ssh_private_key_file: '~/.ssh/k',
        ansible_ssh_common_args: '-o UserKnownHostsFile=/tmp/kh -o StrictHostKeyChecking=accept-new -o ConnectTimeout=3',
      },
      'node1',
    );
    expect(t).toMatchObject({ name: 'node1', address: '10.0.0.5', port: 2200, user: 'core', knownHostsFiles: ['/tmp/kh'], hostKeyPolicy: 'accept-new', connectTimeoutMs: 3000 });
    expect(t.keyFiles[0]).toMatch(/\/\.ssh\/k$/);
    expect(resolveSshTarget({ ansible_host_key_checking: false }, 'h').hostKeyPolicy).toBe('off');
    expect(resolveSshTarget({ dci_ssh_known_hosts: '/x/kh' }, 'h').knownHostsFiles).toEqual(['/x/kh']);
    expect(() => resolveSshTarget({ ansible_ssh_host_key_checking: 'maybe' }, 'h')).toThrow(/not one of yes, no, accept-new/);
    expect(() => resolveSshTarget({ ansible_ssh_common_args: '-o ProxyCommand="ssh -W %h:%p jump"' }, 'h')).toThrow(/ProxyJump\/ProxyCommand .* not supported/);
  });
});
