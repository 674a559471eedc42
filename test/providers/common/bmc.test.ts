/** BMC address formats per vendor (installer role templates) and the Redfish endpoint of the SNO path. */
import { describe, expect, it } from 'vitest';
import { bmcAddress, redfishEndpoint } from '../../../src/providers/common/bmc.js';

const host = (vars: Record<string, unknown>) => ({ name: 'm0', vars: { ipmi_address: '10.0.0.5', ...vars } });

describe('bmcAddress', () => {
  it.each([
    [{}, {}, 'ipmi://10.0.0.5:623', undefined],
    [{ ipmi_port: 6230 }, {}, 'ipmi://10.0.0.5:6230', undefined],
    [{ vendor: 'dell' }, {}, 'redfish://10.0.0.5/redfish/v1/Systems/System.Embedded.1', false],
    [{ vendor: 'dell' }, { enable_virtualmedia: true }, 'idrac-virtualmedia://10.0.0.5/redfish/v1/Systems/System.Embedded.1', false],
    [{ vendor: 'HPE' }, { disable_bmc_certificate_verification: 'yes' }, 'redfish://10.0.0.5/redfish/v1/Systems/1', true],
    [{ vendor: 'hpe' }, { enable_virtualmedia: 'true' }, 'redfish-virtualmedia://10.0.0.5/redfish/v1/Systems/1', false],
    [{ vendor: 'kvm', kvm_uuid: 'abcd-1234' }, {}, 'redfish://10.0.0.5:8082/redfish/v1/Systems/abcd-1234', true],
    [{ vendor: 'irmc' }, {}, 'irmc://10.0.0.5:443', false],
    [{ ipmi_address: 'redfish-virtualmedia+https://10.0.0.9/redfish/v1/Systems/7' }, {}, 'redfish-virtualmedia+https://10.0.0.9/redfish/v1/Systems/7', false],
  ])('%j with %j → %s', (hostVars, vars, address, insecure) => {
    const r = bmcAddress(host(hostVars), {}, vars);
    expect(r.address).toBe(address);
    expect(r.disableCertificateVerification).toBe(insecure);
  });

  it('uses the redfish inventory groups of the original (dell_hosts_redfish)', () => {
    const h = host({});
    expect(bmcAddress(h, { dell_hosts_redfish: [h] }, {}).address).toBe('redfish://10.0.0.5/redfish/v1/Systems/System.Embedded.1');
  });

  it('names the host and variable on bad data', () => {
    expect(() => bmcAddress(host({ vendor: 'kvm' }), {}, {})).toThrow(/host "m0": kvm_uuid is required/);
    expect(() => bmcAddress(host({ vendor: 'acme' }), {}, {})).toThrow(/host "m0": vendor "acme" is not a BMC vendor/);
    expect(() => bmcAddress(host({ ipmi_address: 'ftp://x' }), {}, {})).toThrow(/host "m0": ipmi_address has an unknown scheme/);
  });
});

describe('redfishEndpoint', () => {
  it('bare IP → https, system discovered; TLS verified by default', () => {
    expect(redfishEndpoint(host({}), {}, {})).toEqual({ baseUrl: 'https://10.0.0.5', systemPath: undefined, verifyTls: true });
  });
  it('a redfish-virtualmedia URL keeps its system path; verification off when asked', () => {
    expect(redfishEndpoint(host({ bmc_address: 'redfish-virtualmedia://10.0.0.9:8443/redfish/v1/Systems/abc' }), {}, { disable_bmc_certificate_verification: true })).toEqual({
      baseUrl: 'https://10.0.0.9:8443',
      systemPath: '/redfish/v1/Systems/abc',
      verifyTls: false,
    });
  });
  it('dell vendor gives System.Embedded.1; ipmi:// is refused with a hint', () => {
    expect(redfishEndpoint(host({ vendor: 'dell' }), {}, {}).systemPath).toBe('/redfish/v1/Systems/System.Embedded.1');
    expect(() => redfishEndpoint(host({ bmc_address: 'ipmi://10.0.0.5:623' }), {}, {})).toThrow(/not a Redfish address/);
  });
});
