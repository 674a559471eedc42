/** The Redfish client against the fake BMC: TLS verified by default, opt-out per lab, system discovery. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { InstallerError } from '../../../src/core/errors.js';
import { RedfishClient } from '../../../src/providers/sno/redfish.js';
import { selfSignedCert, startFakeRedfish, type FakeRedfish } from '../../helpers/fake-redfish.js';

const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const s of stops.splice(0)) await s();
});

async function isoServer(): Promise<string> {
  const server: Server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    res.end('ISO');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  stops.push(() => new Promise<void>((r) => server.close(() => r())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/x.iso`;
}

async function bmc(tls: boolean): Promise<FakeRedfish> {
  const b = await startFakeRedfish({ username: 'admin', password: 'bmc-pass', ...(tls ? { tls: selfSignedCert() } : {}), systemId: 'System.Embedded.1', managerId: 'iDRAC.Embedded.1' });
  stops.push(() => b.stop());
  return b;
}

describe('RedfishClient', () => {
  it('refuses a self-signed BMC certificate by default, with the opt-out in the hint', async () => {
    const b = await bmc(true);
    const c = new RedfishClient({ host: 'node-1', baseUrl: b.url, verifyTls: true, username: 'admin', password: 'bmc-pass' });
    stops.push(() => c.close());
    const err = await c.bootFromIso(await isoServer(), () => undefined).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(InstallerError);
    expect((err as InstallerError).message).toMatch(/host "node-1": the BMC at https:\/\/127\.0\.0\.1:\d+ did not answer GET \/redfish\/v1\/Systems/);
    expect((err as InstallerError).hint).toMatch(/disable_bmc_certificate_verification=true/);
    expect(b.calls).toEqual([]);
  });

  it('with verification disabled: discovers the system and runs InsertMedia → boot override → reset', async () => {
    const b = await bmc(true);
    const iso = await isoServer();
    const c = new RedfishClient({ host: 'node-1', baseUrl: b.url, verifyTls: false, username: 'admin', password: 'bmc-pass' });
    stops.push(() => c.close());
    const lines: string[] = [];
    await c.bootFromIso(iso, (l) => lines.push(l));
    expect(b.calls.filter((x) => x.method !== 'GET').map((x) => `${x.method} ${x.path}`)).toEqual([
      'POST /redfish/v1/Managers/iDRAC.Embedded.1/VirtualMedia/Cd/Actions/VirtualMedia.InsertMedia',
      'PATCH /redfish/v1/Systems/System.Embedded.1',
      'POST /redfish/v1/Systems/System.Embedded.1/Actions/ComputerSystem.Reset',
    ]);
    expect(b.state.booted).toBe(iso);
    expect(lines.join('\n')).not.toContain('bmc-pass');
  });

  it('an ISO the BMC cannot download is a clear error from InsertMedia', async () => {
    const b = await bmc(false);
    const c = new RedfishClient({ host: 'node-1', baseUrl: b.url, verifyTls: true, username: 'admin', password: 'bmc-pass' });
    stops.push(() => c.close());
    await expect(c.bootFromIso('http://127.0.0.1:9/missing.iso', () => undefined)).rejects.toThrow(/Redfish POST .*InsertMedia failed \(HTTP 400\): unable to mount .* cannot be downloaded/);
    expect(b.calls.some((x) => x.method === 'PATCH')).toBe(false);
  });
});
