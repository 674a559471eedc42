import { describe, expect, it } from 'vitest';
import { SettingsError } from '../../src/core/errors.js';
import { ansibleBool, resolveNodeSettings, resolveSettings } from '../../src/config/index.js';

function errorOf(f: () => unknown): SettingsError {
  try {
    f();
  } catch (e) {
    if (e instanceof SettingsError) return e;
    throw e;
  }
  throw new Error('expected a SettingsError');
}

describe('resolveSettings', () => {
  it('applies the original agent defaults', () => {
    const s = resolveSettings({});
    expect(s).toMatchObject({
      installType: 'ipi',
      disconnected: false,
      provisionCacheStore: '~/releases',
      configDirs: ['/etc/dci-openshift-agent'],
      teardownOnSuccess: true,
      teardownOnFailure: false,
      operators: [],
      opmMirrorList: {},
      mirrorSetKind: 'auto',
    });
    expect(s.dciLocalRegistry).toBeUndefined();
  });

  it('accepts Ansible-ish values: string ports, yes/no words, numbers as versions', () => {
    const s = resolveSettings({
      install_type: 'sno',
      dci_disconnected: 'yes',
      local_registry_host: 'reg.lab',
      local_registry_port: '5000',
      ocp_version: 4.16,
      dci_teardown_on_success: 'False',
      dci_config_dirs: '/etc/one',
      mirror_set_kind: 'ImageDigestMirrorSet',
      opm_mirror_list: ['sriov-network-operator'],
      custom_hook_var: { anything: true },
    });
    expect(s).toMatchObject({
      installType: 'sno',
      disconnected: true,
      localRegistryPort: 5000,
      dciLocalRegistry: 'reg.lab:5000',
      ocpVersion: '4.16',
      teardownOnSuccess: false,
      configDirs: ['/etc/one'],
      mirrorSetKind: 'idms',
      opmMirrorList: { 'sriov-network-operator': {} },
    });
  });

  it('normalizes operators like the agent (Manual unless a starting CSV is pinned)', () => {
    const s = resolveSettings({
      dci_operators: [
        { name: 'sriov-network-operator', channel: 'stable', namespace: 'openshift-sriov-network-operator' },
        { name: 'lso', starting_csv: 'local-storage-operator.v4.16.0', skippable: 'yes' },
      ],
    });
    expect(s.operators).toEqual([
      { name: 'sriov-network-operator', channel: 'stable', namespace: 'openshift-sriov-network-operator', installApproval: 'Manual', skippable: false, validateInstall: true },
      { name: 'lso', startingCsv: 'local-storage-operator.v4.16.0', installApproval: 'Automatic', skippable: true, validateInstall: true },
    ]);
  });

  it('names the variable and its file:line in errors', () => {
    const e = errorOf(() => resolveSettings({ local_registry_host: 'r', local_registry_port: 'abc' }, { local_registry_port: { file: 'lab.yml', line: 7 } }));
    expect(e.message).toBe('local_registry_port: expected a port number, got "abc"');
    expect(e.location).toMatchObject({ file: 'lab.yml', line: 7 });
    expect(e.exitCode).toBe(2);
  });

  it.each([
    [{ install_type: 'upi' }, 'install_type: unknown install type "upi": expected one of ipi, sno, acm ("upi" is an install type of the original agent that dci-agent-ts does not support yet)'],
    [{ dci_disconnected: 'maybe' }, 'dci_disconnected: expected a boolean (true/false, yes/no), got "maybe"'],
    [{ local_registry_host: 'r', local_registry_port: 70000 }, 'local_registry_port: expected a port number, got 70000'],
    [{ dci_operators: [{ channel: 'stable' }] }, 'dci_operators: entry 1.name: each operator needs a "name" (the package name)'],
    [{ dci_operators: 'sriov' }, 'dci_operators: expected a list of operators ({name, channel, namespace...}), got "sriov"'],
    [{ dci_config_dirs: [1] }, 'dci_config_dirs: expected a list of strings, got a list'],
    [{ dci_disconnected: true }, 'dci_disconnected: is true but no local registry is set'],
    [{ local_registry_port: 5000 }, 'local_registry_port: is set but local_registry_host is not'],
    [{ mirror_set_kind: 'foo' }, 'mirror_set_kind: expected auto, idms (ImageDigestMirrorSet), itms (ImageTagMirrorSet) or icsp (ImageContentSourcePolicy), got "foo"'],
  ])('refuses %j', (vars, message) => {
    expect(errorOf(() => resolveSettings(vars)).message).toBe(message);
  });

  it('lists secret variables so the CLI can redact them', () => {
    expect(resolveSettings({ DCI_API_SECRET: 'x', local_registry_password: 'y', acm_bmc_pass: 'z', user: 'u' }).secretVariables.sort()).toEqual([
      'DCI_API_SECRET',
      'acm_bmc_pass',
      'local_registry_password',
    ]);
  });
});

describe('resolveNodeSettings', () => {
  it('reads BMC data and MACs (IPI and ABI-style names)', () => {
    expect(resolveNodeSettings('m0', 'master', { ipmi_address: '10.0.0.1', ipmi_user: 'root', ipmi_password: 'pw', ipmi_port: '623', provision_mac: 'EC:F4:BB:DA:0C:58' })).toEqual({
      name: 'm0',
      role: 'master',
      bmcAddress: '10.0.0.1',
      bmcUser: 'root',
      bmcPassword: 'pw',
      bmcPort: 623,
      provisionMac: 'ec:f4:bb:da:0c:58',
    });
    expect(resolveNodeSettings('w0', 'worker', { bmc_address: 'redfish://x', bmc_user: 'u' })).toMatchObject({ bmcAddress: 'redfish://x', bmcUser: 'u' });
  });

  it('refuses a malformed MAC, naming the host', () => {
    const e = errorOf(() => resolveNodeSettings('m0', 'master', { provision_mac: 'ec:f4:bb' }, { provision_mac: { file: 'lab.ini', line: 3 } }));
    expect(e.message).toBe('provision_mac: expected a MAC address like 52:54:00:aa:bb:cc, got "ec:f4:bb"');
    expect(e.location).toMatchObject({ file: 'lab.ini', line: 3, host: 'm0' });
  });
});

describe('ansibleBool', () => {
  it('accepts what Ansible | bool accepts', () => {
    expect(['yes', 'On', 'TRUE', '1', 'y', 't', 1, true].map(ansibleBool)).toEqual(Array(8).fill(true));
    expect(['no', 'Off', 'false', '0', 'n', 'f', 0, false].map(ansibleBool)).toEqual(Array(8).fill(false));
    expect(['maybe', 2, null].map(ansibleBool)).toEqual([undefined, undefined, undefined]);
  });
});
