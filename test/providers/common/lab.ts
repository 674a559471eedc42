/**
 * What every provider lab test builds the same way: one real sshd per test file as the provisioner (with the
 * per-test clean-ups), the ProviderContext a provider runs with (transports over that sshd, logs collected,
 * secrets registered), and a static HTTP server over a directory (the cache web server of provision_cache_store,
 * or the "internet" RHCOS images come from) that records what it served. Used by the ipi and sno provider tests
 * and by the full-run lab (test/e2e/full-run-lab.ts).
 */
import { createReadStream, statSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, normalize, sep } from 'node:path';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { SecretRegistry } from '../../../src/core/secrets.js';
import { closeAllTransports, createTransport } from '../../../src/engine/transports/index.js';
import { inputSecrets } from '../../../src/providers/index.js';
import type { ProviderContext, ProviderInput } from '../../../src/providers/types.js';
import { startSshd, type SshdHandle } from '../../helpers/sshd.js';

export interface SshdHooks {
  /** The file's sshd (started in beforeAll: call it inside a test). */
  sshd(): SshdHandle;
  /** Run after each test, in order: removals of temp dirs and fakes (sync or async). */
  cleanups: Array<() => unknown>;
  /** Run after the clean-ups: stops of servers. */
  stops: Array<() => Promise<void>>;
}

/** The hooks of a real-sshd provider test file: one sshd for the file, transports closed at the end, per-test clean-ups. */
export function useProvisionerSshd(): SshdHooks {
  let sshd: SshdHandle | undefined;
  const cleanups: Array<() => unknown> = [];
  const stops: Array<() => Promise<void>> = [];
  beforeAll(async () => {
    sshd = await startSshd();
  }, 30_000);
  afterAll(async () => {
    await closeAllTransports();
    await sshd?.stop();
  });
  afterEach(async () => {
    for (const c of cleanups.splice(0)) await c();
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

export interface ProviderLabContext {
  ctx: ProviderContext;
  /** Every line the provider logged, in order. */
  logs: string[];
  secrets: SecretRegistry;
}

/**
 * The context a provider runs with in a lab: the provisioner reached with `provVars` (the sshd's inventory
 * variables), any other host locally; the input's secrets registered; the run record under `runDir`.
 */
export function providerContext(input: ProviderInput, provVars: Record<string, unknown>, runDir: string, clusterConfigsDir: string, everyHostIsProvisioner = false): ProviderLabContext {
  const logs: string[] = [];
  const secrets = new SecretRegistry();
  inputSecrets(input).forEach((s) => secrets.add(s));
  const ctx: ProviderContext = {
    transport: async (h) => createTransport(h === 'provisioner' || everyHostIsProvisioner ? provVars : { ansible_connection: 'local' }, h, { secrets }),
    emit: () => undefined,
    log: (l) => logs.push(l),
    signal: new AbortController().signal,
    secrets,
    runDir,
    clusterConfigsDir,
  };
  return { ctx, logs, secrets };
}

export interface StaticServer {
  url: string;
  /** Paths served (200) in order. */
  served: string[];
  stop(): Promise<void>;
}

/** Serves the files under `dir` (a path, or a function read at each request), nothing outside it. */
export async function serveDir(dir: string | (() => string)): Promise<StaticServer> {
  const served: string[] = [];
  const rootOf = typeof dir === 'string' ? () => dir : dir;
  const server = createServer((req, res) => {
    const root = normalize(rootOf());
    const rel = decodeURIComponent((req.url ?? '/').split('?')[0]);
    const p = normalize(join(root, rel));
    let size: number | undefined;
    try {
      size = p.startsWith(root + sep) && statSync(p).isFile() ? statSync(p).size : undefined;
    } catch {
      size = undefined;
    }
    if (size === undefined) {
      res.writeHead(404);
      res.end('not found');
      return;
    }
    served.push(p.slice(root.length));
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': size });
    createReadStream(p).pipe(res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, served, stop: () => new Promise<void>((r) => server.close(() => r())) };
}
