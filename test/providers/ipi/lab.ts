/**
 * An IPI lab for provider tests: the real sshd as the provisioner (fake installer, oc and ipmitool on its PATH),
 * a temp installer dir and cache, a controller-side configs dir, and a static HTTP server helper (the cache web
 * server of provision_cache_store, or the "internet" the RHCOS images come from) that counts what it serves.
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, normalize } from 'node:path';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { SecretRegistry } from '../../../src/core/secrets.js';
import { closeAllTransports, createTransport } from '../../../src/engine/transports/index.js';
import { inputSecrets } from '../../../src/providers/index.js';
import type { ProviderContext, ProviderInput } from '../../../src/providers/types.js';
import { createFakeInstaller, type FakeInstaller, type FakeInstallerOptions } from '../../helpers/fake-openshift-install.js';
import { startSshd, type SshdHandle } from '../../helpers/sshd.js';
import { sampleInput } from './fixture.js';

export interface IpiSshdHooks {
  /** The file's sshd (started in beforeAll: call it inside a test). */
  sshd(): SshdHandle;
  /** Run after each test: synchronous removals (temp dirs, fake installers) and stops of servers. */
  cleanups: Array<() => void>;
  stops: Array<() => Promise<void>>;
}

/** The hooks of a real-sshd IPI test file: one sshd for the file, transports closed at the end, per-test clean-ups. */
export function useIpiSshd(): IpiSshdHooks {
  let sshd: SshdHandle | undefined;
  const cleanups: Array<() => void> = [];
  const stops: Array<() => Promise<void>> = [];
  beforeAll(async () => {
    sshd = await startSshd();
  }, 30_000);
  afterAll(async () => {
    await closeAllTransports();
    await sshd?.stop();
  });
  afterEach(async () => {
    cleanups.splice(0).forEach((c) => c());
    for (const s of stops.splice(0)) await s();
  });
  return {
    sshd: () => {
      if (!sshd) throw new Error('the sshd of this test file is not started yet (call hooks.sshd() inside a test)');
      return sshd;
    },
    cleanups,
    stops,
  };
}

export interface IpiLab {
  fake: FakeInstaller;
  input: ProviderInput;
  ctx: ProviderContext;
  logs: string[];
  root: string;
  configs: string;
  cache: string;
}

export function ipiLab(sshd: SshdHandle, cleanups: Array<() => void>, version: string, over: Record<string, unknown> = {}, fake?: FakeInstaller | Omit<FakeInstallerOptions, 'version'>): IpiLab {
  const f = fake && 'binDir' in fake ? fake : createFakeInstaller({ version, ...(fake ?? {}) });
  if (!(fake && 'binDir' in fake)) cleanups.push(() => f.cleanup());
  const root = mkdtempSync(join(tmpdir(), 'ipi-lab-'));
  chmodSync(root, 0o777); // the provisioner user writes the installer dir and cache here
  const configs = mkdtempSync(join(tmpdir(), 'ipi-configs-'));
  cleanups.push(() => rmSync(root, { recursive: true, force: true }), () => rmSync(configs, { recursive: true, force: true }));
  const cache = join(root, 'cache');
  const input = sampleInput({ ocp_version: version, dir: join(root, 'clusterconfigs'), provision_cache_store: cache, ...over });
  const provVars = { ...sshd.inventoryVars(), provisioner_extra_path: f.binDir };
  input.groups.provisioner = [{ name: 'provisioner', vars: provVars }];
  const logs: string[] = [];
  const secrets = new SecretRegistry();
  inputSecrets(input).forEach((s) => secrets.add(s));
  const ctx: ProviderContext = {
    transport: async (h) => createTransport(h === 'provisioner' ? provVars : { ansible_connection: 'local' }, h, { secrets }),
    emit: () => undefined,
    log: (l) => logs.push(l),
    signal: new AbortController().signal,
    secrets,
    runDir: root,
    clusterConfigsDir: configs,
  };
  return { fake: f, input, ctx, logs, root, configs, cache };
}

export interface StaticServer {
  url: string;
  /** Paths served (200) in order. */
  served: string[];
  stop(): Promise<void>;
}

/** Serves the files under `dir` (the provisioner cache web server, or an upstream mirror). */
export async function serveDir(dir: () => string): Promise<StaticServer> {
  const served: string[] = [];
  const server = createServer((req, res) => {
    const rel = normalize(decodeURIComponent((req.url ?? '/').split('?')[0])).replace(/^(\.\.[/\\])+/, '');
    try {
      const p = join(dir(), rel);
      if (!statSync(p).isFile()) throw new Error('not a file');
      const body = readFileSync(p);
      served.push(rel);
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length });
      res.end(body);
    } catch {
      res.writeHead(404);
      res.end('not found');
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, served, stop: () => new Promise<void>((r) => server.close(() => r())) };
}
