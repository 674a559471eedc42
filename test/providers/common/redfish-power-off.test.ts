/** RedfishClient.powerOff against the fake BMC: graceful first, ForceOff when the OS ignores it, nothing when off. */
import { afterEach, describe, expect, it } from 'vitest';
import { RedfishClient } from '../../../src/providers/common/redfish.js';
import { startFakeRedfish, type FakeRedfishOptions } from '../../helpers/fake-redfish.js';

const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const s of stops.splice(0)) await s();
});

async function setup(o: Partial<FakeRedfishOptions> = {}) {
  const b = await startFakeRedfish({ username: 'admin', password: 'bmc-pass', ...o });
  const c = new RedfishClient({ host: 'master-0', baseUrl: b.url, verifyTls: true, username: 'admin', password: 'bmc-pass' });
  stops.push(() => c.close(), () => b.stop());
  const lines: string[] = [];
  const posts = () => b.calls.filter((x) => x.method === 'POST').map((x) => String(x.body?.ResetType));
  return { b, c, lines, posts, log: (l: string) => lines.push(l) };
}

describe('RedfishClient.powerOff', () => {
  it('a running node: GracefulShutdown, then it is off', async () => {
    const t = await setup({ powerState: 'On' });
    expect(await t.c.powerOff(t.log, { gracefulMs: 5000, pollMs: 50 })).toBe('graceful');
    expect(t.posts()).toEqual(['GracefulShutdown']);
    expect(t.b.state.powerState).toBe('Off');
    expect(t.lines.join('\n')).toMatch(/GracefulShutdown master-0/);
  });

  it('a node already off: no reset at all (a BMC refuses to shut down an off system)', async () => {
    const t = await setup({ powerState: 'Off' });
    expect(await t.c.powerOff(t.log)).toBe('already-off');
    expect(t.posts()).toEqual([]);
    expect(t.lines.join('\n')).toMatch(/master-0 is already off/);
  });

  it('an OS that ignores the shutdown request: ForceOff once the graceful time is up', async () => {
    const t = await setup({ powerState: 'On', ignoreGracefulShutdown: true });
    const started = Date.now();
    expect(await t.c.powerOff(t.log, { gracefulMs: 300, pollMs: 50 })).toBe('forced');
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    expect(t.posts()).toEqual(['GracefulShutdown', 'ForceOff']);
    expect(t.b.state.powerState).toBe('Off');
  });

  it('a BMC that does not offer GracefulShutdown: ForceOff directly', async () => {
    const t = await setup({ powerState: 'On', resetTypes: ['On', 'ForceOff', 'ForceRestart'] });
    expect(await t.c.powerOff(t.log)).toBe('forced');
    expect(t.posts()).toEqual(['ForceOff']);
  });

  it('bad credentials: the node and the variables to fix', async () => {
    const b = await startFakeRedfish({ username: 'admin', password: 'right' });
    const c = new RedfishClient({ host: 'master-1', baseUrl: b.url, systemPath: '/redfish/v1/Systems/1', verifyTls: true, username: 'admin', password: 'wrong' });
    stops.push(() => c.close(), () => b.stop());
    const err = await c.powerOff(() => undefined).then(() => undefined, (e: Error & { hint?: string }) => e);
    expect(err?.message).toMatch(/host "master-1": the BMC refused the credentials \(HTTP 401/);
    expect(err?.hint).toMatch(/ipmi_user and ipmi_password of master-1/);
  });
});
