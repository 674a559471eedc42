/** The plan as written into the run record: files, plan.txt in order, secrets redacted, replaced atomically. */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { afterEach, describe, expect, it } from 'vitest';
import { SecretRegistry } from '../../../src/core/secrets.js';
import { inputSecrets, writeInstallPlan } from '../../../src/providers/index.js';
import { ipiProvider } from '../../../src/providers/ipi/index.js';
import { SECRET_VALUES, sampleInput } from '../ipi/fixture.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));
}

describe('writeInstallPlan', () => {
  it('writes every file and plan.txt with no secret in any of them', async () => {
    const root = mkdtempSync(join(tmpdir(), 'plan-out-'));
    dirs.push(root);
    const input = sampleInput({ dci_extra_manifests: [{ name: '99-x.yaml', content: 'kind: ConfigMap\n' }] });
    const secrets = new SecretRegistry();
    inputSecrets(input).forEach((s) => secrets.add(s));
    const plan = ipiProvider.plan(input);
    const out = join(root, 'install-plan');
    const written = await writeInstallPlan(plan, out, secrets);
    expect(written).toEqual(['pull-secret.txt', 'install-config.yaml', 'openshift/99-x.yaml', 'plan.txt']);
    for (const f of walk(out)) {
      const text = readFileSync(f, 'utf8');
      for (const s of SECRET_VALUES) expect(text, `${f} leaks ${s}`).not.toContain(s);
    }
    const ic = load(readFileSync(join(out, 'install-config.yaml'), 'utf8')) as { platform: { baremetal: { hosts: Array<{ bmc: { password: string } }> } }; pullSecret: string };
    expect(ic.platform.baremetal.hosts[0].bmc.password).toBe('********');
    expect(JSON.parse(ic.pullSecret).auths['quay.io'].auth).toBe('********');
    expect(statSync(join(out, 'install-config.yaml')).mode & 0o777).toBe(0o600);
    const txt = readFileSync(join(out, 'plan.txt'), 'utf8');
    const order = ['oc adm release extract', 'create manifests', 'create cluster', 'wait-for install-complete'].map((s) => txt.indexOf(s));
    expect(order.every((i) => i > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(txt).toContain('OPENSHIFT_INSTALL_RELEASE_IMAGE_OVERRIDE=registry.lab:5000/ocp4/openshift4:4.16.3');
  });

  it('replaces an earlier plan, refuses a directory that is not one', async () => {
    const root = mkdtempSync(join(tmpdir(), 'plan-out-'));
    dirs.push(root);
    const out = join(root, 'p');
    const plan = ipiProvider.plan(sampleInput());
    await writeInstallPlan(plan, out, new SecretRegistry());
    writeFileSync(join(out, 'stale.yaml'), 'x');
    await writeInstallPlan(plan, out, new SecretRegistry());
    expect(readdirSync(out)).not.toContain('stale.yaml');
    const other = join(root, 'mine');
    mkdirSync(other);
    writeFileSync(join(other, 'notes.md'), 'keep me');
    await expect(writeInstallPlan(plan, other, new SecretRegistry())).rejects.toThrow(/not an earlier install plan/);
    expect(readFileSync(join(other, 'notes.md'), 'utf8')).toBe('keep me');
  });
});
