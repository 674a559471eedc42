/**
 * Test helper: an HTTPS proxy in front of the fake Kubernetes API (../helpers/fake-k8s-api.ts) that can end the next
 * watch requests the way a real API server does: close the stream part-way (its own timeout, a restart), answer
 * with a 410 Gone ERROR event (the resourceVersion was compacted) and close, or refuse the watch with an HTTP
 * status. Everything else is forwarded unchanged. Each watch is logged with its query and with whether the client
 * closed the connection before the proxy ended it (an aborted wait must not leave its watch open).
 */
import { request, createServer, type RequestOptions, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generatePki } from '../helpers/registry.js';
import type { FakeK8sApi } from '../helpers/fake-k8s-api.js';

export type WatchFault = { kind: 'close'; afterMs: number } | { kind: 'gone'; afterMs: number } | { kind: 'status'; status: number };

export interface ProxiedWatch {
  query: Record<string, string>;
  fault?: WatchFault['kind'];
  /** The client closed the connection while the watch was open (abort, timeout, decision). */
  closedByClient: boolean;
}

export interface WatchFaultProxy {
  /** A kubeconfig like the fake API's, pointing at the proxy (its own CA). */
  kubeconfigPath: string;
  watches: ProxiedWatch[];
  /** Apply these faults, in order, to the next watch requests. */
  failNextWatches(...faults: WatchFault[]): void;
  close(): Promise<void>;
}

const GONE = { type: 'ERROR', object: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'too old resource version', reason: 'Expired', code: 410 } };

export async function startWatchFaultProxy(api: FakeK8sApi): Promise<WatchFaultProxy> {
  const dir = mkdtempSync(join(tmpdir(), 'k8s-watch-proxy-'));
  const pki = await generatePki(join(dir, 'pki'));
  const faults: WatchFault[] = [];
  const watches: ProxiedWatch[] = [];
  const upstream = new URL(api.url);
  const upstreamOptions = (req: IncomingMessage): RequestOptions => ({
    host: upstream.hostname,
    port: upstream.port,
    method: req.method,
    path: req.url,
    headers: req.headers,
    ca: api.caPem,
    agent: false,
  });

  /** Forward to the fake API as is. */
  const forward = (req: IncomingMessage, res: ServerResponse): void => {
    const up = request(upstreamOptions(req), (upRes) => {
      res.writeHead(upRes.statusCode ?? 502, upRes.headers);
      upRes.pipe(res);
    });
    up.on('error', () => res.destroy());
    res.on('close', () => up.destroy());
    req.pipe(up);
  };

  /**
   * Forward a watch, sending the response headers at once as a real API server does (the fake API now does too;
   * sending them here keeps that true whatever is upstream, since a client cannot abort a watch before its headers
   * arrive). `cutAfterMs`: end the
   * stream cleanly there, as a server ends a watch on its own timeout or restart.
   */
  const forwardWatch = (req: IncomingMessage, res: ServerResponse, cutAfterMs?: number): void => {
    res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
    res.flushHeaders();
    const up = request(upstreamOptions(req), (upRes) => {
      upRes.on('error', () => undefined);
      upRes.pipe(res);
    });
    up.on('error', () => {
      if (!res.writableEnded) res.destroy();
    });
    res.on('close', () => up.destroy());
    req.pipe(up);
    if (cutAfterMs === undefined) return;
    const t = setTimeout(() => {
      up.destroy();
      res.end();
    }, cutAfterMs);
    res.on('close', () => clearTimeout(t));
  };

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? '/', 'https://proxy');
    if (url.searchParams.get('watch') !== 'true') return forward(req, res);
    const fault = faults.shift();
    const watch: ProxiedWatch = { query: Object.fromEntries(url.searchParams), fault: fault?.kind, closedByClient: false };
    watches.push(watch);
    res.on('close', () => {
      if (!res.writableEnded) watch.closedByClient = true;
    });
    if (fault?.kind === 'status') {
      res.writeHead(fault.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', message: 'injected', code: fault.status }));
      return;
    }
    if (fault?.kind === 'gone') {
      // Headers now, the ERROR event later (the client is waiting on an open stream), then the server closes it.
      res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
      res.flushHeaders();
      const t = setTimeout(() => res.end(`${JSON.stringify(GONE)}\n`), fault.afterMs);
      res.on('close', () => clearTimeout(t));
      return;
    }
    forwardWatch(req, res, fault?.kind === 'close' ? fault.afterMs : undefined);
  };

  const server: Server = createServer({ cert: readFileSync(pki.certFile), key: readFileSync(pki.keyFile) }, handle);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  const kubeconfigPath = join(dir, 'kubeconfig');
  writeFileSync(
    kubeconfigPath,
    readFileSync(api.kubeconfigPath, 'utf8')
      .replace(api.url, `https://127.0.0.1:${port}`)
      .replace(/certificate-authority-data: .*/, `certificate-authority-data: ${readFileSync(pki.caFile).toString('base64')}`),
    { mode: 0o600 },
  );

  return {
    kubeconfigPath,
    watches,
    failNextWatches: (...next) => void faults.push(...next),
    async close() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
