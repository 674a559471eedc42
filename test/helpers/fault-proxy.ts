/**
 * A fault-injecting HTTP proxy in front of a registry (plain HTTP). Rules match by method and path and fire a
 * number of times: answer with a status (503, 429 + Retry-After), answer with a canned body (schema 1, oversized
 * manifests), drop the connection part-way through a response body, end a body early (truncated, chunked), or
 * flip a byte in it (corrupt). Everything else is forwarded unchanged (the Host header is kept, so the registry's
 * Location headers point back at the proxy). Every request is logged.
 */
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse, type OutgoingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Socket } from 'node:net';

export type Fault =
  | { kind: 'status'; status: number; retryAfter?: number; body?: string }
  | { kind: 'respond'; status: number; headers?: Record<string, string>; body: Buffer | string }
  | { kind: 'drop'; afterBytes?: number }
  | { kind: 'truncate'; afterBytes?: number }
  | { kind: 'corrupt'; offset?: number };

export interface FaultRule {
  method?: string;
  path: RegExp;
  fault: Fault;
  /** How many times the rule fires (default: always). */
  times?: number;
  /** Set by the proxy: how many times it fired. */
  fired?: number;
}

export interface ProxyLogEntry {
  method: string;
  path: string;
  status: number;
  range?: string;
  fault?: Fault['kind'];
}

export interface FaultProxy {
  host: string;
  url: string;
  log: ProxyLogEntry[];
  add(rule: FaultRule): FaultRule;
  clear(): void;
  close(): Promise<void>;
}

export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const t = new URL(target);
  const rules: FaultRule[] = [];
  const log: ProxyLogEntry[] = [];
  const sockets = new Set<Socket>();

  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    const method = req.method ?? 'GET';
    const path = req.url ?? '/';
    const rule = rules.find((r) => (!r.method || r.method === method) && r.path.test(path) && (r.times === undefined || (r.fired ?? 0) < r.times));
    const entry: ProxyLogEntry = { method, path, status: 0, range: req.headers.range, fault: rule?.fault.kind };
    log.push(entry);
    if (rule) rule.fired = (rule.fired ?? 0) + 1;
    const f = rule?.fault;
    if (f?.kind === 'status') {
      req.resume();
      entry.status = f.status;
      const headers: OutgoingHttpHeaders = { 'content-type': 'application/json' };
      if (f.retryAfter !== undefined) headers['retry-after'] = String(f.retryAfter);
      res.writeHead(f.status, headers);
      res.end(f.body ?? JSON.stringify({ errors: [{ code: 'UNAVAILABLE', message: 'injected fault' }] }));
      return;
    }
    if (f?.kind === 'respond') {
      req.resume();
      entry.status = f.status;
      const body = Buffer.from(f.body);
      res.writeHead(f.status, { 'content-length': String(body.length), ...f.headers });
      res.end(method === 'HEAD' ? undefined : body);
      return;
    }
    const upstream = httpRequest(
      { host: t.hostname, port: t.port, method, path, headers: req.headers },
      (up) => {
        entry.status = up.statusCode ?? 0;
        const headers = { ...up.headers };
        const total = Number(up.headers['content-length'] ?? 0);
        if (!f || method === 'HEAD' || total === 0) {
          res.writeHead(up.statusCode ?? 502, headers);
          up.pipe(res);
          return;
        }
        const limit = f.kind === 'drop' || f.kind === 'truncate' ? (f.afterBytes ?? Math.floor(total / 2)) : Infinity;
        const flipAt = f.kind === 'corrupt' ? (f.offset ?? Math.floor(total / 2)) : -1;
        if (f.kind === 'truncate') {
          delete headers['content-length'];
          headers['transfer-encoding'] = 'chunked';
        }
        res.writeHead(up.statusCode ?? 502, headers);
        let sent = 0;
        up.on('data', (chunk: Buffer) => {
          let c = chunk;
          if (flipAt >= sent && flipAt < sent + c.length) {
            c = Buffer.from(c);
            c[flipAt - sent] ^= 0xff;
          }
          if (sent + c.length >= limit) {
            const part = c.subarray(0, Math.max(0, limit - sent));
            sent = limit;
            up.destroy();
            if (f.kind === 'drop') res.write(part, () => res.socket?.destroy());
            else res.end(part);
            return;
          }
          sent += c.length;
          res.write(c);
        });
        up.on('end', () => res.end());
      },
    );
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(upstream);
  };

  const server = createServer(handler);
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    host: `127.0.0.1:${port}`,
    url: `http://127.0.0.1:${port}`,
    log,
    add(rule) {
      rules.push(rule);
      return rule;
    },
    clear() {
      rules.length = 0;
      log.length = 0;
    },
    close() {
      for (const s of sockets) s.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export interface ConnectProxy {
  url: string;
  /** host:port of every CONNECT tunnel opened through the proxy. */
  tunnels: string[];
  close(): Promise<void>;
}

/** A forward proxy (HTTP CONNECT tunnels only, what undici's ProxyAgent uses) that records each tunnel. */
export async function startConnectProxy(): Promise<ConnectProxy> {
  const { connect } = await import('node:net');
  const tunnels: string[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((_req, res) => {
    res.writeHead(405);
    res.end('CONNECT only');
  });
  server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
    const target = req.url ?? '';
    tunnels.push(target);
    const [host, port] = [target.slice(0, target.lastIndexOf(':')), Number(target.slice(target.lastIndexOf(':') + 1))];
    const up = connect(port, host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) up.write(head);
      up.pipe(client);
      client.pipe(up);
    });
    sockets.add(up);
    sockets.add(client);
    up.on('error', () => client.destroy());
    client.on('error', () => up.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    tunnels,
    close() {
      for (const s of sockets) s.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
