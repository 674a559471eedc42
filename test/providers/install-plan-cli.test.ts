/** `dci-agent-ts install plan`: the plan files for the example inventories, no network; bad input exits 2. */
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { afterEach, describe, expect, it } from 'vitest';
import { REPO_ROOT, runCli } from '../helpers/cli.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
const scratch = () => {
  const d = mkdtempSync(join(tmpdir(), 'install-plan-cli-'));
  dirs.push(d);
  return d;
};

describe('dci-agent-ts install plan', () => {
  it('ipi example at 4.12: install-config with imageContentSources and VIP lists, plan.txt in order, no passwords', async () => {
    const out = join(scratch(), 'plan');
    const r = await runCli(['install', 'plan', '-i', join(REPO_ROOT, 'inventories/examples/ipi.ini'), '-e', 'ocp_version=4.12.30', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    // prepare ×2, extract, RHCOS stream + qemu image + web server check (disconnected below 4.22), manifests, bootstrap cleanup, power off ×5, create, wait-for
    expect(r.stdout).toContain(`ipi install plan (15 steps, 2 files, 0 objects) written to ${out}`);
    expect(readdirSync(out).sort()).toEqual(['install-config.yaml', 'plan.txt', 'pull-secret.txt']);
    const ic = load(readFileSync(join(out, 'install-config.yaml'), 'utf8')) as Record<string, Record<string, unknown>>;
    expect(ic.imageContentSources).toBeDefined();
    expect(ic.imageDigestSources).toBeUndefined();
    expect((ic.platform.baremetal as Record<string, unknown>).apiVIPs).toEqual(['192.168.10.40']);
    const all = readdirSync(out).map((f) => readFileSync(join(out, f), 'utf8')).join('\n');
    for (const pw of ['calvin-m0', 'calvin-m1', 'calvin-w0']) expect(all).not.toContain(pw);
    const txt = readFileSync(join(out, 'plan.txt'), 'utf8');
    expect(txt).toMatch(/oc adm release extract[^\n]*--command=openshift-baremetal-install/);
    expect(txt.indexOf('create manifests')).toBeLessThan(txt.indexOf('create cluster'));
    // The RHCOS cache before install-config is used, the power-off right before create cluster.
    expect(txt).toMatch(/openshift-baremetal-install coreos print-stream-json/);
    expect((ic.platform.baremetal as Record<string, unknown>).bootstrapOSImage).toBe('http://registry.dcilab.example.lab:8080/@rhcos.qemu.file@?sha256=@rhcos.qemu.uncompressed-sha256@');
    expect(txt).toMatch(/\[provisioner\.dcilab\.example\.lab\] poweroff: power off master-0 through IPMI 192\.168\.10\.100:623/);
    expect(txt.indexOf('power off worker-1')).toBeLessThan(txt.indexOf('--log-level debug create cluster'));
    expect(txt.indexOf('coreos print-stream-json')).toBeLessThan(txt.indexOf('create manifests'));
    expect(r.stderr).toMatch(/note: pullsecret_file .* cannot be read/);
  });

  it('sno example at 4.16: agent-config and the Redfish boot calls', async () => {
    const out = join(scratch(), 'plan');
    const r = await runCli(['install', 'plan', '-i', join(REPO_ROOT, 'inventories/examples/sno.yml'), '-e', 'ocp_version=4.16.3', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const ac = load(readFileSync(join(out, 'agent-config.yaml'), 'utf8')) as Record<string, unknown>;
    expect(ac.rendezvousIP).toBe('192.168.16.20');
    const txt = readFileSync(join(out, 'plan.txt'), 'utf8');
    expect(txt).toMatch(/\[http\] POST https:\/\/192\.168\.16\.200.*InsertMedia/);
    expect(txt.indexOf('InsertMedia')).toBeLessThan(txt.indexOf('wait-for bootstrap-complete'));
  });

  it('renders inventory templates as the engine would (groups, hostvars, inventory_hostname, ansible_user_dir)', async () => {
    const dir = scratch();
    const inv = join(dir, 'hosts.yml');
    writeFileSync(
      inv,
      [
        'all:',
        '  vars:',
        '    install_type: sno',
        '    ocp_version: "4.16.3"',
        '    cluster: sno1',
        '    domain: example.lab',
        '    dir: "{{ ansible_user_dir }}/sno-{{ cluster }}"',
        '    webserver_url: "http://{{ hostvars[groups[\'provisioner\'][0]].ansible_host }}:8080"',
        '  children:',
        '    provisioner: {hosts: {prov1: {ansible_host: 10.1.1.1}}}',
        '    masters:',
        '      hosts:',
        '        sno-0: {ansible_host: 10.1.1.20, ipmi_address: 10.1.1.200, ipmi_user: root, ipmi_password: pw1234, baremetal_mac: "52:54:00:00:00:01", installation_disk: "/dev/disk/by-id/{{ inventory_hostname }}-disk"}',
        '',
      ].join('\n'),
    );
    const out = join(dir, 'plan');
    const r = await runCli(['install', 'plan', '-i', inv, '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const txt = readFileSync(join(out, 'plan.txt'), 'utf8');
    expect(txt).toContain('# installer dir: ~/sno-sno1 on prov1');
    expect(txt).toContain('InsertMedia http://10.1.1.1:8080/sno1/agent.x86_64.iso');
    expect(readFileSync(join(out, 'agent-config.yaml'), 'utf8')).toContain('deviceName: /dev/disk/by-id/sno-0-disk');
  });

  it('exits 2 with one clear message on bad input', async () => {
    const dir = scratch();
    const noVersion = await runCli(['install', 'plan', '-i', join(REPO_ROOT, 'inventories/examples/sno.yml'), '--out', join(dir, 'p')]);
    expect(noVersion.code).toBe(2);
    expect(noVersion.stderr).toMatch(/ocp_version is required/);
    expect(noVersion.stderr).not.toMatch(/\n\s+at /);
    const inv = join(dir, 'hosts.ini');
    writeFileSync(inv, '[all:vars]\ninstall_type=sno\ncluster=c\ndomain=d.lab\nocp_version=4.16\nwebserver_url=http://w:8080\n[masters]\nsno-0 ipmi_address=10.0.0.1 ipmi_user=u ipmi_password=p baremetal_mac=52:54:00:00:00:01\n');
    const noIp = await runCli(['install', 'plan', '-i', inv, '--out', join(dir, 'p2')]);
    expect(noIp.code).toBe(2);
    expect(noIp.stderr).toMatch(/host "sno-0": ansible_host is required for an sno install/);
    expect(readdirSync(dir)).not.toContain('p2');
  });
});
