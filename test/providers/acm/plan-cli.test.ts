/** `dci-agent-ts install plan` for install_type=acm: one YAML per hub object, plan.txt in order, no secrets. */
import { describe, expect, it, onTestFinished } from 'vitest';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { runCli } from '../../helpers/cli.js';

const INVENTORY = `all:
  vars:
    install_type: acm
    acm_cluster_name: sno1
    acm_base_domain: lab.example.com
    acm_bmc_address: redfish-virtualmedia+https://10.0.0.5/redfish/v1/Systems/1
    acm_boot_mac_address: "52:54:00:aa:bb:cc"
    acm_machine_cidr: 192.168.16.0/24
    acm_bmc_user: root
    acm_bmc_pass: bmc-very-secret
    hub_kubeconfig_path: /etc/hub/kubeconfig
    dci_disconnected: true
    local_registry_host: registry.lab
    local_registry_port: 5000
  hosts:
    localhost:
      ansible_connection: local
`;

describe('install plan for acm', () => {
  it('writes every hub object and the ordered steps, with no network, secrets redacted', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dci-acm-plan-'));
    onTestFinished(() => rm(dir, { recursive: true, force: true }));
    await writeFile(join(dir, 'inv.yml'), INVENTORY);
    await writeFile(join(dir, 'ps.json'), JSON.stringify({ auths: { 'quay.io': { auth: Buffer.from('u:quay-secret-456').toString('base64') } } }));
    const out = join(dir, 'plan');
    const r = await runCli(['install', 'plan', '-i', join(dir, 'inv.yml'), '-e', 'ocp_version=4.16.3', '-e', `pullsecret_file=${join(dir, 'ps.json')}`, '--out', out]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('acm install plan (16 steps, 1 files, 12 objects)');
    const objects = (await readdir(join(out, 'objects'))).sort();
    expect(objects[0]).toBe('01-namespace-sno1.yaml');
    expect(objects[11]).toBe('12-baremetalhost-sno1-sno1.yaml');
    const cis = load(await readFile(join(out, 'objects', '05-clusterimageset-img-4.16.3-dci.yaml'), 'utf8')) as { spec: { releaseImage: string } };
    expect(cis.spec.releaseImage).toBe('registry.lab:5000/ocp-4.16/4.16.3:4.16.3');
    const text = await readFile(join(out, 'plan.txt'), 'utf8');
    expect(text).toMatch(/10\. \[api\] apply InfraEnv sno1\/sno1-infra[\s\S]*11\. \[api\] wait InfraEnv sno1\/sno1-infra: wait: condition ImageCreated=True/);
    const all = [text, ...(await Promise.all(objects.map((f) => readFile(join(out, 'objects', f), 'utf8'))))].join('\n');
    expect(all).not.toContain('bmc-very-secret');
    expect(all).not.toContain(Buffer.from('u:quay-secret-456').toString('base64'));
  });
});
