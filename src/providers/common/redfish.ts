/**
 * A Redfish BMC client for the two things the installers do through it. Booting a node from an ISO through
 * virtual media, the way the redhatci vendor roles do it (kvm/hpe `iso.yml`): find the system and its CD virtual
 * media, eject what is inserted, InsertMedia with the ISO URL, set a one-time boot override to Cd, then restart
 * (ForceRestart when on, On when off). And powering a node off before an IPI install (the installer role's
 * `redfish_command PowerGracefulShutdown`), with a ForceOff when the OS does not shut down in time.
 * TLS is verified unless `disable_bmc_certificate_verification` is set (BMCs often have self-signed certs).
 */
import { InstallerError } from '../../core/errors.js';

export interface RedfishTarget {
  /** Inventory host the BMC belongs to (for messages). */
  host: string;
  baseUrl: string;
  systemPath?: string;
  verifyTls: boolean;
  username: string;
  password: string;
}

export interface RedfishCall {
  method: string;
  path: string;
  status: number;
}

type Json = Record<string, unknown>;

export class RedfishClient {
  readonly calls: RedfishCall[] = [];
  private dispatcher?: import('undici').Dispatcher;

  constructor(
    readonly target: RedfishTarget,
    private readonly signal?: AbortSignal,
  ) {}

  private async agent(): Promise<import('undici').Dispatcher> {
    if (!this.dispatcher) {
      const { Agent } = await import('undici');
      this.dispatcher = new Agent({ connect: { rejectUnauthorized: this.target.verifyTls }, headersTimeout: 60_000, bodyTimeout: 60_000 });
    }
    return this.dispatcher;
  }

  async close(): Promise<void> {
    await this.dispatcher?.close();
  }

  async call(method: 'GET' | 'POST' | 'PATCH', path: string, body?: Json): Promise<Json> {
    const { request } = await import('undici');
    const auth = Buffer.from(`${this.target.username}:${this.target.password}`).toString('base64');
    let res;
    try {
      res = await request(new URL(path, this.target.baseUrl), {
        method,
        dispatcher: await this.agent(),
        signal: this.signal,
        headers: { authorization: `Basic ${auth}`, accept: 'application/json', ...(body ? { 'content-type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : undefined,
      });
    } catch (e) {
      const err = e as Error & { code?: string };
      const tls = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY/i.test(String(err.code ?? err.message));
      throw new InstallerError('bmc-unreachable', `host "${this.target.host}": the BMC at ${this.target.baseUrl} did not answer ${method} ${path}: ${err.message}`, {
        location: { host: this.target.host },
        hint: tls ? 'the BMC certificate is not trusted: add its CA to the system trust, or set disable_bmc_certificate_verification=true for this lab' : 'check ipmi_address/bmc_address and that the BMC is reachable from the controller',
        cause: e,
      });
    }
    const text = await res.body.text();
    this.calls.push({ method, path, status: res.statusCode });
    if (res.statusCode === 401 || res.statusCode === 403) {
      throw new InstallerError('bmc-auth', `host "${this.target.host}": the BMC refused the credentials (HTTP ${res.statusCode} on ${method} ${path})`, {
        location: { host: this.target.host },
        hint: `check ipmi_user and ipmi_password of ${this.target.host}`,
      });
    }
    if (res.statusCode >= 300) {
      let detail = text.slice(0, 300);
      try {
        const j = JSON.parse(text) as { error?: { message?: string; '@Message.ExtendedInfo'?: Array<{ Message?: string }> } };
        detail = j.error?.['@Message.ExtendedInfo']?.[0]?.Message ?? j.error?.message ?? detail;
      } catch {
        /* not JSON: keep the text */
      }
      throw new InstallerError('bmc-call-failed', `host "${this.target.host}": Redfish ${method} ${path} failed (HTTP ${res.statusCode}): ${detail}`, { location: { host: this.target.host } });
    }
    if (!text) return {};
    try {
      return JSON.parse(text) as Json;
    } catch {
      return {};
    }
  }

  async systemPath(): Promise<string> {
    if (this.target.systemPath) return this.target.systemPath;
    const col = await this.call('GET', '/redfish/v1/Systems');
    const members = (col.Members as Array<{ '@odata.id': string }> | undefined) ?? [];
    if (members.length !== 1) {
      throw new InstallerError('bmc-ambiguous-system', `host "${this.target.host}": the BMC lists ${members.length} systems; cannot tell which one is the node`, {
        location: { host: this.target.host },
        hint: 'give the full address: bmc_address=redfish-virtualmedia://<ip>/redfish/v1/Systems/<id> (or vendor=dell|hpe)',
      });
    }
    this.target.systemPath = members[0]['@odata.id'];
    return this.target.systemPath;
  }

  /** The CD/DVD virtual media resource of the system (system-level first, then its manager's). */
  async cdMedia(system: Json): Promise<Json & { '@odata.id': string }> {
    const collections: string[] = [];
    const own = (system.VirtualMedia as { '@odata.id'?: string } | undefined)?.['@odata.id'];
    if (own) collections.push(own);
    for (const m of ((system.Links as Json | undefined)?.ManagedBy as Array<{ '@odata.id': string }> | undefined) ?? []) {
      const mgr = await this.call('GET', m['@odata.id']);
      const vm = (mgr.VirtualMedia as { '@odata.id'?: string } | undefined)?.['@odata.id'];
      if (vm) collections.push(vm);
    }
    for (const c of collections) {
      const col = await this.call('GET', c);
      for (const m of (col.Members as Array<{ '@odata.id': string }> | undefined) ?? []) {
        const media = await this.call('GET', m['@odata.id']);
        const types = ((media.MediaTypes as string[] | undefined) ?? []).map((t) => t.toUpperCase());
        if (types.includes('CD') || types.includes('DVD')) return { ...media, '@odata.id': m['@odata.id'] };
      }
    }
    throw new InstallerError('bmc-no-virtual-media', `host "${this.target.host}": the BMC offers no CD/DVD virtual media`, {
      location: { host: this.target.host },
      hint: 'enable virtual media on the BMC (license/feature) or install this node another way',
    });
  }

  /**
   * Power the system off: nothing when it is already off; else GracefulShutdown (ForceOff when the BMC does not
   * offer it), then wait for PowerState Off and ForceOff when the OS has not shut down within `gracefulMs`.
   * Returns what was done, for the task output.
   */
  async powerOff(log: (line: string) => void, o: { gracefulMs?: number; pollMs?: number } = {}): Promise<'already-off' | 'graceful' | 'forced'> {
    const gracefulMs = o.gracefulMs ?? 120_000;
    const pollMs = o.pollMs ?? 5_000;
    const sysPath = await this.systemPath();
    const system = await this.call('GET', sysPath);
    if (system.PowerState === 'Off') {
      log(`[install] poweroff: ${this.target.host} is already off`);
      return 'already-off';
    }
    const reset = ((system.Actions as Record<string, Record<string, unknown> | undefined> | undefined) ?? {})['#ComputerSystem.Reset'];
    const target = typeof reset?.target === 'string' ? reset.target : `${sysPath}/Actions/ComputerSystem.Reset`;
    const allowed = reset?.['ResetType@Redfish.AllowableValues'];
    const canGraceful = !Array.isArray(allowed) || allowed.includes('GracefulShutdown');
    const force = async (): Promise<'forced'> => {
      log(`[install] poweroff: ForceOff ${this.target.host}`);
      await this.call('POST', target, { ResetType: 'ForceOff' });
      return 'forced';
    };
    if (!canGraceful) return force();
    log(`[install] poweroff: GracefulShutdown ${this.target.host} (ForceOff after ${Math.round(gracefulMs / 1000)} s)`);
    await this.call('POST', target, { ResetType: 'GracefulShutdown' });
    const deadline = Date.now() + gracefulMs;
    for (;;) {
      const s = await this.call('GET', sysPath);
      if (s.PowerState === 'Off') return 'graceful';
      if (Date.now() >= deadline || this.signal?.aborted) break;
      await new Promise((r) => setTimeout(r, pollMs));
    }
    return force();
  }

  /** The whole boot sequence; returns the calls made (method path status), in order. */
  async bootFromIso(isoUrl: string, log: (line: string) => void): Promise<RedfishCall[]> {
    const sysPath = await this.systemPath();
    const system = await this.call('GET', sysPath);
    const media = await this.cdMedia(system);
    const actions = (media.Actions as Record<string, { target?: string }> | undefined) ?? {};
    if (media.Inserted === true) {
      log(`[install] boot: eject ${String(media.Image ?? 'the inserted media')} from ${media['@odata.id']}`);
      await this.call('POST', actions['#VirtualMedia.EjectMedia']?.target ?? `${media['@odata.id']}/Actions/VirtualMedia.EjectMedia`, {});
    }
    log(`[install] boot: insert ${isoUrl} into ${media['@odata.id']}`);
    await this.call('POST', actions['#VirtualMedia.InsertMedia']?.target ?? `${media['@odata.id']}/Actions/VirtualMedia.InsertMedia`, { Image: isoUrl, Inserted: true, WriteProtected: true });
    log(`[install] boot: one-time boot from Cd on ${sysPath}`);
    await this.call('PATCH', sysPath, { Boot: { BootSourceOverrideTarget: 'Cd', BootSourceOverrideEnabled: 'Once' } });
    const resetType = system.PowerState === 'On' ? 'ForceRestart' : 'On';
    const resetTarget = ((system.Actions as Record<string, { target?: string }> | undefined) ?? {})['#ComputerSystem.Reset']?.target ?? `${sysPath}/Actions/ComputerSystem.Reset`;
    log(`[install] boot: ${resetType} ${sysPath}`);
    await this.call('POST', resetTarget, { ResetType: resetType });
    return this.calls;
  }
}
