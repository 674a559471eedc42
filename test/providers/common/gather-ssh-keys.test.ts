/** sshKey of install-config: the user key plus ssh_extra_keys_paths, read on the controller when gathering. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { afterEach, describe, expect, it } from 'vitest';
import { gatherProviderInput } from '../../../src/providers/index.js';
import { ipiProvider } from '../../../src/providers/ipi/index.js';
import { sampleInput } from '../ipi/fixture.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function keyFiles(files: Record<string, string>): Record<string, string> {
  const d = mkdtempSync(join(tmpdir(), 'ssh-keys-'));
  dirs.push(d);
  return Object.fromEntries(Object.entries(files).map(([n, c]) => (writeFileSync(join(d, n), c), [n, join(d, n)])));
}

describe('ssh_extra_keys_paths', () => {
  it('adds every extra key after the user key, in install-config sshKey', async () => {
    const f = keyFiles({ 'ops.pub': 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOps ops@lab\n', 'ci.pub': 'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQCi ci@lab\n' });
    const base = sampleInput();
    const input = await gatherProviderInput({ vars: { ...base.vars, ssh_public_key: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIUser me@jumphost', ssh_extra_keys_paths: [f['ops.pub'], f['ci.pub']] }, groups: base.groups });
    const ic = load(ipiProvider.plan(input).files.find((x) => x.path === 'install-config.yaml')!.content) as { sshKey: string };
    expect(ic.sshKey.split('\n')).toEqual(['ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIUser me@jumphost', 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOps ops@lab', 'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQCi ci@lab']);
  });

  it('a file that is not a public key, or that cannot be read, is named', async () => {
    const f = keyFiles({ id_rsa: '-----BEGIN OPENSSH PRIVATE KEY-----\nb3Blbn...\n' });
    const base = sampleInput();
    await expect(gatherProviderInput({ vars: { ...base.vars, ssh_extra_keys_paths: f.id_rsa }, groups: base.groups })).rejects.toThrow(`ssh_extra_keys_paths ${f.id_rsa} is not an SSH public key`);
    await expect(gatherProviderInput({ vars: { ...base.vars, ssh_extra_keys_paths: ['/nonexistent/k.pub'] }, groups: base.groups })).rejects.toThrow('ssh_extra_keys_paths /nonexistent/k.pub cannot be read: ENOENT');
  });
});
