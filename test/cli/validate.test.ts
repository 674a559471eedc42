/**
 * `dci-agent-ts validate` through the real CLI: the bundled examples pass with a summary; every bad input of the
 * foundation issue gives exit 2 and one clear message naming file:line or the variable.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { writeTree, type TempTree } from '../config/fixtures.js';

describe('dci-agent-ts validate', () => {
  it.each([
    ['ipi.ini', 'ipi', ['inventory:     inventories/examples/ipi.ini (ini)', 'disconnected:  yes', 'registry:      registry.dcilab.example.lab:5000', 'cluster:       dcilab.example.lab']],
    ['sno.yml', 'sno', ['inventory:     inventories/examples/sno.yml (yaml)', 'disconnected:  no', 'operators:     lvms-operator@stable-4.16, sriov-network-operator@stable']],
    ['acm.yml', 'acm', ['install_type:  acm', 'cluster:       spoke1.example.lab']],
  ])('accepts inventories/examples/%s and prints the summary', async (file, type, lines) => {
    const r = await runCli(['validate', '--inventory', `inventories/examples/${file}`]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    for (const l of lines) expect(r.stdout).toContain(l);
    expect(r.stdout).toContain(`OK: inventories/examples/${file} is valid for an ${type} install`);
  });

  it('lists hosts with ansible_host and each node with its BMC, never a password', async () => {
    const r = await runCli(['validate', '-i', 'inventories/examples/ipi.ini']);
    expect(r.stdout).toMatch(/^ {2}master-0 +master {2}bmc admin@192\.168\.10\.100 {2}provision_mac ec:f4:bb:da:0c:58$/m);
    expect(r.stdout).toMatch(/^ {2}sno-0|^ {2}provisioner\.dcilab\.example\.lab +ansible_host=- +groups: provisioner$/m);
    expect(r.stdout).not.toContain('calvin');
  });

  it('applies -e before checking (a wrong override is refused)', async () => {
    const ok = await runCli(['validate', '-i', 'inventories/examples/sno.yml', '-e', 'local_registry_host=reg.lab', '-e', 'local_registry_port=5000']);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('registry:      reg.lab:5000');
    const bad = await runCli(['validate', '-i', 'inventories/examples/sno.yml', '-e', 'install_type=upi']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('error: install_type: unknown install type "upi": expected one of ipi, sno, acm ("upi" is an install type of the original agent that dci-agent-ts does not support yet)');
  });

  describe.concurrent('bad input: exit 2, one clear message', () => {
    let tree: TempTree;
    beforeAll(async () => {
      tree = await writeTree({
        'bad.yml': 'all:\n  hosts:\n    m0:\n      ipmi_user: root\n     bad: indent\n',
        'bad.ini': '[all:vars]\ninstall_type=ipi\n[masters]\nm0 ipmi_password="abc\n',
        'novalue.ini': '[masters]\nm0 ipmi_user\n',
        'cycle.ini': '[a:children]\nb\n[b:children]\na\n[a]\nh1\n',
        'self.yml': 'all:\n  children:\n    a:\n      children:\n        a:\n',
        'range.ini': '[workers]\nworker-[3:1]\n',
        'range2.yml': 'all:\n  hosts:\n    "node[01:100]":\n',
        'type.ini': '[all:vars]\ninstall_type=foo\n[masters]\nm0\n',
        'port.yml': 'all:\n  vars:\n    install_type: sno\n    local_registry_host: reg\n    local_registry_port: abc\n',
        'ok.yml': 'all:\n  vars:\n    install_type: acm\n',
        'emptydir/hosts.ini': '[g]\nh\n',
        'emptydir/README.md': '# lab\n',
        'undefined-child.ini': '[a:children]\nmissing\n',
        'mac.yml': 'all:\n  vars: {install_type: sno, cluster: c, domain: d}\n  children:\n    masters:\n      hosts:\n        sno-0:\n          baremetal_mac: 52:54:00:11:22:33\n',
      });
    });
    afterAll(() => tree.cleanup());

    const cases: Array<[string, string[], string]> = [
      ['malformed YAML (file:line)', ['validate', '-i', 'bad.yml'], 'error: bad.yml:5: invalid YAML: bad indentation of a mapping entry (column 6)'],
      ['malformed INI host line (file:line)', ['validate', '-i', 'bad.ini'], 'error: bad.ini:4: cannot parse host line: no closing quotation'],
      ['INI variable without a value', ['validate', '-i', 'novalue.ini'], 'error: novalue.ini:2: expected key=value host variable assignment, got "ipmi_user"'],
      ['a group that is its own child through another (cycle)', ['validate', '-i', 'cycle.ini'], 'error: cycle.ini:4: adding group "a" as a child of "b" creates a loop: b → a → b'],
      ['a group that is its own child', ['validate', '-i', 'self.yml'], 'error: self.yml:5: group "a" cannot be a child of itself'],
      ['a host range that does not expand', ['validate', '-i', 'range.ini'], 'error: range.ini:2: host range "worker-[3:1]" does not expand to any host (is the start after the end?)'],
      ['a host range with unequal padding', ['validate', '-i', 'range2.yml'], 'error: range2.yml:3: host range [01:100] must use equal-length begin and end (zero padding)'],
      ['an unknown install_type (lists the known ones)', ['validate', '-i', 'type.ini'], 'error: type.ini:2: install_type: unknown install type "foo": expected one of ipi, sno, acm'],
      ['a wrong type: local_registry_port: abc', ['validate', '-i', 'port.yml'], 'error: port.yml:5: local_registry_port: expected a port number, got "abc"'],
      ['a YAML 1.1 sexagesimal MAC', ['validate', '-i', 'mac.yml'], 'error: mac.yml:7: baremetal_mac: expected a MAC address like 52:54:00:aa:bb:cc, got 41135080953 (YAML reads an unquoted MAC made of digits as a base-60 number: quote it) (host sno-0)'],
      ['an -e @file that does not exist', ['validate', '-i', 'ok.yml', '-e', '@missing.yml'], 'error: -e @missing.yml: file not found: '],
      ['an inventory directory without an inventory file', ['validate', '-i', 'emptydir'], 'error: inventory directory emptydir contains no inventory file\n  hint: files ignored in a directory, as Ansible does: README.md, hosts.ini;'],
      ['a child group never defined', ['validate', '-i', 'undefined-child.ini'], 'error: undefined-child.ini:2: section [a:children] includes an undefined group: missing'],
      ['an inventory that does not exist', ['validate', '-i', 'nope.ini'], 'error: inventory not found: nope.ini'],
    ];
    it.each(cases)('%s', async (_name, args, message) => {
      const r = await runCli(args, { cwd: tree.dir });
      expect(r.stdout).toBe('');
      expect(r.stderr.startsWith(message), r.stderr).toBe(true);
      expect(r.stderr.split('\n').filter((l) => l.startsWith('error:'))).toHaveLength(1);
      expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace without --debug
      expect(r.code).toBe(2);
    });
  });

  it('warns when INI typing turns a version into a number (4.10 → 4.1)', async () => {
    const tree = await writeTree({ 'lab.ini': '[all:vars]\ninstall_type=acm\nocp_version=4.10\n' });
    try {
      const r = await runCli(['validate', '-i', 'lab.ini'], { cwd: tree.dir });
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('version:       4.1\n');
      expect(r.stdout).toContain('warning: lab.ini:3: ocp_version is the number 4.1, not a version string (write ocp_version="X.Y" in INI files, quoted, if you meant e.g. 4.10)');
    } finally {
      await tree.cleanup();
    }
  });

  it('has --help with examples', async () => {
    const r = await runCli(['validate', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Examples:\n  dci-agent-ts validate --inventory inventories/examples/ipi.ini');
  });

  describe('install prerequisites (what `run` refuses before its first stage)', () => {
    // The bundled disconnected IPI lab on a known version, without a cache web server and without the provisioner cache.
    const noCache = ['-e', 'ocp_version=4.16.3', '-e', 'webserver_url=', '-e', 'cache_enabled=false'];

    it('refuses a disconnected ipi lab without webserver_url: exit 2, one message naming it', async () => {
      const r = await runCli(['validate', '-i', 'inventories/examples/ipi.ini', ...noCache]);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/^error: the inventory: webserver_url is required for an ipi install with dci_disconnected on OpenShift 4\.16\.3/);
      expect(r.stderr).toContain('hint: set webserver_url=');
      expect(r.stderr).not.toMatch(/\n\s+at /);
    });

    it('accepts the same lab when a custom-install hook replaces the built-in install', async () => {
      const tree = await writeTree({ 'cfg/hooks/custom-install.yml': '- name: our own install\n  debug: msg=install\n' });
      try {
        const r = await runCli(['validate', '-i', 'inventories/examples/ipi.ini', ...noCache, '-e', JSON.stringify({ dci_config_dirs: [`${tree.dir}/cfg`] })]);
        expect(r.stderr).toBe('');
        expect(r.code).toBe(0);
        expect(r.stdout).toContain('OK: inventories/examples/ipi.ini is valid for an ipi install');
      } finally {
        await tree.cleanup();
      }
    });
  });
});
