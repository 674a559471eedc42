/**
 * A fake Redfish BMC (HTTP) for one system: service root, Systems, Managers, VirtualMedia with InsertMedia /
 * EjectMedia, the Boot override PATCH and ComputerSystem.Reset. It checks what a real BMC checks (Basic auth,
 * allowable values, media already inserted, the ISO URL reachable — it downloads the image like a BMC does)
 * and records every call in order (a shutdown of a system already off is refused with 409, like iDRAC does). A reset with a Cd override and media inserted "boots" the ISO: `booted`
 * holds the image URL and `onBoot` is called (the fake installer waits for that).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface FakeRedfishOptions {
  username: string;
  password: string;
  systemId?: string;
  managerId?: string;
  powerState?: 'On' | 'Off';
  /** Media already inserted when the test starts (a previous job's ISO). */
  insertedImage?: string;
  onBoot?: (image: string) => void;
  /** The OS ignores the ACPI shutdown request: GracefulShutdown is accepted but the system stays on. */
  ignoreGracefulShutdown?: boolean;
  /** The reset types this BMC offers (default: the usual full list). */
  resetTypes?: string[];
  /** Serve HTTPS with this key/cert (PEM), like a real BMC with its self-signed certificate. */
  tls?: { key: string; cert: string };
}

export interface RedfishRecord {
  method: string;
  path: string;
  body?: Record<string, unknown>;
  status: number;
}

export interface FakeRedfish {
  url: string;
  host: string;
  calls: RedfishRecord[];
  state: { powerState: 'On' | 'Off'; inserted: boolean; image: string | null; bootTarget: string; bootEnabled: string; booted: string | null };
  stop(): Promise<void>;
}

/** A self-signed certificate for 127.0.0.1 (openssl), as BMCs ship. */
export function selfSignedCert(): { key: string; cert: string } {
  const dir = mkdtempSync(join(tmpdir(), 'fake-bmc-tls-'));
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2', '-subj', '/CN=fake-bmc', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
    return { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert: readFileSync(join(dir, 'cert.pem'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const BOOT_TARGETS = ['None', 'Pxe', 'Cd', 'Hdd', 'BiosSetup', 'UefiHttp', 'UefiTarget'];
const BOOT_ENABLED = ['Once', 'Continuous', 'Disabled'];
const RESET_TYPES = ['On', 'ForceOff', 'GracefulShutdown', 'GracefulRestart', 'ForceRestart', 'PowerCycle', 'Nmi'];

function redfishError(message: string): Record<string, unknown> {
  return { error: { code: 'Base.1.8.GeneralError', message, '@Message.ExtendedInfo': [{ MessageId: 'Base.1.8.GeneralError', Message: message }] } };
}

async function readBody(req: IncomingMessage): Promise<string> {
  let s = '';
  for await (const c of req) s += String(c);
  return s;
}

async function imageReachable(url: string): Promise<boolean> {
  try {
    const res = await fetch(url);
    await res.body?.cancel();
    return res.ok;
  } catch {
    return false;
  }
}

export async function startFakeRedfish(o: FakeRedfishOptions): Promise<FakeRedfish> {
  const sysId = o.systemId ?? '1';
  const mgrId = o.managerId ?? 'BMC';
  const sys = `/redfish/v1/Systems/${sysId}`;
  const mgr = `/redfish/v1/Managers/${mgrId}`;
  const vm = `${mgr}/VirtualMedia/Cd`;
  const calls: RedfishRecord[] = [];
  const resetTypes = o.resetTypes ?? RESET_TYPES;
  const state: FakeRedfish['state'] = {
    powerState: o.powerState ?? 'On',
    inserted: o.insertedImage !== undefined,
    image: o.insertedImage ?? null,
    bootTarget: 'None',
    bootEnabled: 'Disabled',
    booted: null,
  };

  const boot = (): void => {
    if (state.bootTarget === 'Cd' && state.inserted && state.image) {
      state.booted = state.image;
      o.onBoot?.(state.image);
    }
    if (state.bootEnabled === 'Once') {
      state.bootTarget = 'None';
      state.bootEnabled = 'Disabled';
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = (req.url ?? '/').split('?')[0].replace(/\/+$/, '') || '/';
    const method = req.method ?? 'GET';
    const raw = await readBody(req);
    let body: Record<string, unknown> | undefined;
    const send = (status: number, payload?: unknown): void => {
      calls.push({ method, path, ...(body ? { body } : {}), status });
      res.writeHead(status, { 'content-type': 'application/json', ...(status === 401 ? { 'www-authenticate': 'Basic realm="fake-bmc"' } : {}) });
      res.end(payload === undefined ? '' : JSON.stringify(payload));
    };
    const expected = `Basic ${Buffer.from(`${o.username}:${o.password}`).toString('base64')}`;
    if (req.headers.authorization !== expected) return send(401, redfishError('Unauthorized: bad credentials'));
    if (raw) {
      try {
        body = JSON.parse(raw) as Record<string, unknown>;
      } catch {
        return send(400, redfishError('MalformedJSON'));
      }
    }
    const route = `${method} ${path}`;
    switch (route) {
      case 'GET /redfish/v1':
        return send(200, { '@odata.id': '/redfish/v1', RedfishVersion: '1.11.0', Systems: { '@odata.id': '/redfish/v1/Systems' }, Managers: { '@odata.id': '/redfish/v1/Managers' } });
      case 'GET /redfish/v1/Systems':
        return send(200, { Members: [{ '@odata.id': sys }], 'Members@odata.count': 1 });
      case `GET ${sys}`:
        return send(200, {
          '@odata.id': sys,
          Id: sysId,
          PowerState: state.powerState,
          Boot: { BootSourceOverrideTarget: state.bootTarget, BootSourceOverrideEnabled: state.bootEnabled, 'BootSourceOverrideTarget@Redfish.AllowableValues': BOOT_TARGETS },
          Links: { ManagedBy: [{ '@odata.id': mgr }] },
          Actions: { '#ComputerSystem.Reset': { target: `${sys}/Actions/ComputerSystem.Reset`, 'ResetType@Redfish.AllowableValues': resetTypes } },
        });
      case `PATCH ${sys}`: {
        const b = (body?.Boot ?? {}) as Record<string, unknown>;
        if (b.BootSourceOverrideTarget !== undefined && !BOOT_TARGETS.includes(String(b.BootSourceOverrideTarget))) return send(400, redfishError(`PropertyValueNotInList: BootSourceOverrideTarget ${String(b.BootSourceOverrideTarget)}`));
        if (b.BootSourceOverrideEnabled !== undefined && !BOOT_ENABLED.includes(String(b.BootSourceOverrideEnabled))) return send(400, redfishError(`PropertyValueNotInList: BootSourceOverrideEnabled ${String(b.BootSourceOverrideEnabled)}`));
        if (b.BootSourceOverrideTarget !== undefined) state.bootTarget = String(b.BootSourceOverrideTarget);
        if (b.BootSourceOverrideEnabled !== undefined) state.bootEnabled = String(b.BootSourceOverrideEnabled);
        return send(204);
      }
      case `POST ${sys}/Actions/ComputerSystem.Reset`: {
        const t = String(body?.ResetType ?? '');
        if (!resetTypes.includes(t)) return send(400, redfishError(`ActionParameterNotSupported: ResetType ${t}`));
        if (t === 'On' && state.powerState === 'On') return send(409, redfishError('the system is already powered on'));
        if ((t === 'ForceRestart' || t === 'GracefulRestart') && state.powerState === 'Off') return send(409, redfishError('the system is powered off'));
        if ((t === 'ForceOff' || t === 'GracefulShutdown') && state.powerState === 'Off') return send(409, redfishError('the system is already powered off'));
        if (t === 'GracefulShutdown' && o.ignoreGracefulShutdown) return send(204);
        if (t === 'ForceOff' || t === 'GracefulShutdown') state.powerState = 'Off';
        else {
          state.powerState = 'On';
          boot();
        }
        return send(204);
      }
      case 'GET /redfish/v1/Managers':
        return send(200, { Members: [{ '@odata.id': mgr }] });
      case `GET ${mgr}`:
        return send(200, { '@odata.id': mgr, Id: mgrId, VirtualMedia: { '@odata.id': `${mgr}/VirtualMedia` } });
      case `GET ${mgr}/VirtualMedia`:
        return send(200, { Members: [{ '@odata.id': `${mgr}/VirtualMedia/Floppy` }, { '@odata.id': vm }] });
      case `GET ${mgr}/VirtualMedia/Floppy`:
        return send(200, { '@odata.id': `${mgr}/VirtualMedia/Floppy`, Id: 'Floppy', MediaTypes: ['Floppy', 'USBStick'], Inserted: false, Image: null });
      case `GET ${vm}`:
        return send(200, {
          '@odata.id': vm,
          Id: 'Cd',
          MediaTypes: ['CD', 'DVD'],
          Inserted: state.inserted,
          Image: state.image,
          Actions: { '#VirtualMedia.InsertMedia': { target: `${vm}/Actions/VirtualMedia.InsertMedia` }, '#VirtualMedia.EjectMedia': { target: `${vm}/Actions/VirtualMedia.EjectMedia` } },
        });
      case `POST ${vm}/Actions/VirtualMedia.InsertMedia`: {
        if (state.inserted) return send(409, redfishError('Virtual media is already inserted: eject it first'));
        const image = body?.Image;
        if (typeof image !== 'string' || !/^https?:\/\//.test(image)) return send(400, redfishError('PropertyValueFormatError: Image must be an http(s) URL'));
        if (body?.Inserted === false) return send(400, redfishError('Inserted must be true'));
        if (!(await imageReachable(image))) return send(400, redfishError(`unable to mount ${image}: the image cannot be downloaded`));
        state.inserted = true;
        state.image = image;
        return send(204);
      }
      case `POST ${vm}/Actions/VirtualMedia.EjectMedia`:
        if (!state.inserted) return send(400, redfishError('no media inserted'));
        state.inserted = false;
        state.image = null;
        return send(204);
      default:
        return send(404, redfishError(`ResourceNotFound: ${route}`));
    }
  };

  const listener = (req: IncomingMessage, res: ServerResponse): void => {
    handle(req, res).catch((e: Error) => {
      res.writeHead(500);
      res.end(e.message);
    });
  };
  const server = o.tls ? createHttpsServer({ key: o.tls.key, cert: o.tls.cert }, listener) : createServer(listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `${o.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    calls,
    state,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
