/**
 * Bare HTTP/1.1 keep-alive connections for the blob relay (./blob-relay.ts): one request at a time per connection,
 * response bodies framed by Content-Length only, and (plain TCP) **one read buffer per connection, reused for every
 * read** — its reader must be done with a chunk, or stop reading, before it returns.
 *
 * Why not node:http for the relay: copying the bench's 414 MB through node:http and streams cost ~2.6 s of client
 * CPU, a bare-socket prototype of the same requests 0.9–1.0 s (interleaved runs, same registries): node:http's
 * per-request objects, a Buffer allocated for every 64 KiB socket read (and the GC that follows), and stream
 * machinery per chunk. The relay hashes each chunk and writes it on before the next read, so one buffer serves.
 *
 * What this does not do, on purpose: close-delimited response bodies, redirects, 1xx, proxies, auth challenges. A
 * response it cannot frame ends the exchange with `framed: false` and the connection is closed; the callers then
 * leave the request to node:http, which handles all of those. Chunked bodies are de-chunked.
 */
import { connect as netConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions, type SecureContext } from 'node:tls';

export interface RawOrigin {
  scheme: 'http' | 'https';
  host: string;
  port: number;
  secureContext?: SecureContext;
  rejectUnauthorized?: boolean;
}

export interface RawHead {
  status: number;
  /** Lower-cased names; a repeated header keeps its last value. */
  headers: Map<string, string>;
  /** false: the body ends only when the server closes (no Content-Length, not chunked): it is not read. */
  framed: boolean;
  /** Transfer-Encoding: chunked (read and de-chunked; contentLength is 0 then). */
  chunked: boolean;
  contentLength: number;
}

/** One request's callbacks. Body chunks are views of the connection's read buffer: valid only during the call. */
export interface RawExchange {
  onHead(head: RawHead): void;
  /** Return false to stop reading until `resume()` (the chunk stays untouched until then). */
  onBody(chunk: Buffer): boolean;
  onEnd(): void;
  onError(e: Error): void;
}

/** Big enough for a socket read of a busy loopback or LAN connection; one per connection. */
const READ_BUFFER = 256 << 10;
/** A TLS record carries at most 16 KiB of data: a read never needs more. */
const TLS_READ = 16 << 10;
/** Registries answer with a few hundred bytes of headers; more is not a registry. */
const MAX_HEAD = 64 << 10;

type OnRead = NonNullable<import('node:net').TcpSocketConnectOpts['onread']>;

/**
 * tls.connect passes `onread` on to the socket it creates (Node's _tls_wrap reads options.onread when it makes
 * its own socket), but @types/node does not list it for TLS: this is the one place that says so.
 */
function tlsWithOnread(o: ConnectionOptions, onread: OnRead): ConnectionOptions {
  return Object.assign(o, { onread });
}

function originKey(o: RawOrigin): string {
  return `${o.scheme}://${o.host}:${o.port}`;
}

function framingError(message: string): Error {
  return Object.assign(new Error(message), { code: 'ECONNRESET' });
}

export class RawConnection {
  readonly socket: Socket;
  /** Whether the connection came from the idle pool (a server may have closed it meanwhile). */
  reused = false;
  private exchange: RawExchange | undefined;
  private phase: 'idle' | 'head' | 'body' | 'chunk-line' | 'chunk-data' | 'chunk-end' | 'trailer' = 'idle';
  /** A chunk-size line, trailer line or chunk end read so far (chunked bodies). */
  private line = '';
  private head = '';
  private remaining = 0;
  private noBody = false;
  private keepAlive = true;
  /** Bytes of the response seen, for "did the server answer at all" after an error on a reused connection. */
  responseBytes = 0;

  constructor(
    readonly origin: RawOrigin,
    private readonly timeoutMs: number,
    private readonly onClosed: (c: RawConnection) => void,
  ) {
    const callback = (n: number, buf: Uint8Array): boolean => this.onData(Buffer.from(buf.buffer, buf.byteOffset, n));
    // TLS: a fresh buffer for every read. Node's TLS layer goes on decrypting buffered records into the read buffer
    // after the reader asked it to stop, so a reused buffer would be overwritten under a pending write (seen in
    // tests: the destination refused the blob with DIGEST_INVALID). Plain TCP stops at once: one buffer serves.
    const onread = origin.scheme === 'https' ? { buffer: (): Buffer => Buffer.allocUnsafe(TLS_READ), callback } : { buffer: Buffer.allocUnsafe(READ_BUFFER), callback };
    this.socket =
      origin.scheme === 'https'
        ? tlsConnect(tlsWithOnread({
            host: origin.host,
            port: origin.port,
            servername: isIP(origin.host) ? undefined : origin.host,
            ...(origin.secureContext ? { secureContext: origin.secureContext } : {}),
            ...(origin.rejectUnauthorized === false ? { rejectUnauthorized: false } : {}),
          }, onread))
        : netConnect({ host: origin.host, port: origin.port, noDelay: true, onread });
    this.socket.on('error', (e) => this.fail(e));
    this.socket.on('timeout', () => this.socket.destroy(Object.assign(new Error(`no data from the server for ${Math.round(this.timeoutMs / 1000)} s`), { code: 'ETIMEDOUT' })));
    this.socket.on('close', () => {
      this.fail(framingError('the connection closed before the response ended'));
      this.onClosed(this);
    });
  }

  get reusable(): boolean {
    return this.keepAlive && this.phase === 'idle' && !this.exchange && !this.socket.destroyed;
  }

  /** Send a request head (a body, if any, is the caller's to write on `socket`, Content-Length given here). */
  send(method: string, target: string, headers: Record<string, string>, exchange: RawExchange): void {
    if (this.exchange) throw new Error('raw connection busy');
    this.exchange = exchange;
    this.phase = 'head';
    this.head = '';
    this.noBody = method === 'HEAD';
    this.responseBytes = 0;
    this.socket.setTimeout(this.timeoutMs);
    const host = this.origin.host.includes(':') ? `[${this.origin.host}]` : this.origin.host;
    const defaultPort = this.origin.port === (this.origin.scheme === 'https' ? 443 : 80);
    let text = `${method} ${target} HTTP/1.1\r\nhost: ${defaultPort ? host : `${host}:${this.origin.port}`}\r\n`;
    for (const [k, v] of Object.entries(headers)) text += `${k}: ${v}\r\n`;
    this.socket.write(`${text}\r\n`, 'latin1');
  }

  resume(): void {
    this.socket.resume();
  }

  destroy(e?: Error): void {
    this.keepAlive = false;
    this.socket.destroy(e);
  }

  private fail(e: Error): void {
    const x = this.exchange;
    this.exchange = undefined;
    this.keepAlive = false;
    x?.onError(e);
  }

  private finish(): void {
    const x = this.exchange;
    this.exchange = undefined;
    this.phase = 'idle';
    this.socket.setTimeout(0);
    x?.onEnd();
  }

  /** The onread callback: parse the head, then hand out body slices of the (reused) buffer. */
  private onData(b: Buffer): boolean {
    this.responseBytes += b.length;
    let off = 0;
    while (off < b.length) {
      if (this.phase === 'head') {
        const before = this.head.length;
        const text = this.head + b.toString('latin1', off, Math.min(b.length, off + MAX_HEAD));
        const end = text.indexOf('\r\n\r\n');
        if (end < 0) {
          if (text.length >= MAX_HEAD) return this.protocolError('a response head larger than 64 KiB');
          this.head = text;
          return true;
        }
        off += end + 4 - before;
        if (!this.parseHead(text.slice(0, end))) return false;
      } else if (this.phase === 'body') {
        const n = Math.min(this.remaining, b.length - off);
        const chunk = b.subarray(off, off + n);
        off += n;
        this.remaining -= n;
        const more = this.exchange?.onBody(chunk) ?? true;
        if (this.socket.destroyed) return false;
        if (this.remaining === 0) this.finish();
        if (!more) {
          if (off < b.length) return this.protocolError('data after the response while the reader paused');
          return false;
        }
      } else if (this.phase === 'chunk-data') {
        const n = Math.min(this.remaining, b.length - off);
        const chunk = b.subarray(off, off + n);
        off += n;
        this.remaining -= n;
        if (this.remaining === 0) this.phase = 'chunk-end';
        const more = this.exchange?.onBody(chunk) ?? true;
        if (this.socket.destroyed) return false;
        if (!more) {
          if (off < b.length) return this.protocolError('data after a chunk while the reader paused');
          return false;
        }
      } else if (this.phase === 'chunk-line' || this.phase === 'chunk-end' || this.phase === 'trailer') {
        const nl = b.indexOf(10, off);
        const upto = nl < 0 ? b.length : nl + 1;
        this.line += b.toString('latin1', off, upto);
        off = upto;
        if (this.line.length > 4096) return this.protocolError('a chunk line longer than 4 KiB');
        if (nl < 0) continue;
        const line = this.line.replace(/\r?\n$/, '');
        this.line = '';
        if (this.phase === 'chunk-end') {
          if (line !== '') return this.protocolError('no line end after a chunk');
          this.phase = 'chunk-line';
        } else if (this.phase === 'trailer') {
          if (line === '') this.finish();
        } else {
          const size = /^([0-9a-fA-F]{1,12})(;.*)?$/.exec(line.trim());
          if (!size) return this.protocolError(`a bad chunk size line ${JSON.stringify(line.slice(0, 40))}`);
          this.remaining = parseInt(size[1], 16);
          this.phase = this.remaining === 0 ? 'trailer' : 'chunk-data';
        }
      } else {
        // Nothing was asked: a server speaking out of turn is not one to keep talking to.
        return this.protocolError('data from the server with no request outstanding');
      }
    }
    return true;
  }

  private parseHead(text: string): boolean {
    const lines = text.split('\r\n');
    const m = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '');
    if (!m) return this.protocolError(`not an HTTP/1.1 response: ${JSON.stringify((lines[0] ?? '').slice(0, 80))}`);
    const status = Number(m[1]);
    const headers = new Map<string, string>();
    for (const line of lines.slice(1)) {
      const i = line.indexOf(':');
      if (i > 0) headers.set(line.slice(0, i).trim().toLowerCase(), line.slice(i + 1).trim());
    }
    if (/\bclose\b/i.test(headers.get('connection') ?? '')) this.keepAlive = false;
    const bodyless = this.noBody || status === 204 || status === 304;
    const len = headers.get('content-length');
    const te = headers.get('transfer-encoding');
    const chunked = !bodyless && te !== undefined && /^chunked$/i.test(te.trim());
    const framed = bodyless || chunked || (te === undefined && len !== undefined && /^\d+$/.test(len));
    const contentLength = bodyless || !framed || chunked ? 0 : Number(len);
    if (status < 200) return this.protocolError(`an interim ${status} response`);
    this.exchange?.onHead({ status, headers, framed, chunked, contentLength });
    if (this.socket.destroyed) return false; // the reader gave up on this response
    if (!framed) {
      // Not ours to read: the exchange ends here and the connection is not reused.
      this.keepAlive = false;
      this.finish();
      this.socket.destroy();
      return false;
    }
    if (chunked) {
      this.phase = 'chunk-line';
      this.line = '';
      return true;
    }
    this.remaining = contentLength;
    this.phase = 'body';
    if (this.remaining === 0) this.finish();
    return true;
  }

  private protocolError(what: string): false {
    this.socket.destroy(framingError(`${originKey(this.origin)}: ${what}`));
    return false;
  }
}

/** Idle keep-alive connections per origin (last used first); a connection the server closed leaves the pool. */
export class RawPool {
  private readonly idle = new Map<string, RawConnection[]>();
  private readonly all = new Set<RawConnection>();

  constructor(private readonly timeoutMs: number) {}

  /** An idle connection to the origin (most recently used first), or a new one — always new when `fresh`. */
  acquire(origin: RawOrigin, fresh = false): RawConnection {
    const list = fresh ? undefined : this.idle.get(originKey(origin));
    while (list?.length) {
      const c = list.pop()!;
      if (c.reusable) {
        c.reused = true;
        return c;
      }
      c.destroy();
    }
    const c = new RawConnection(origin, this.timeoutMs, (closed) => this.forget(closed));
    this.all.add(c);
    return c;
  }

  /** Back to the pool when the exchange ended cleanly and the server keeps it open; else closed. */
  release(c: RawConnection): void {
    if (!c.reusable) {
      c.destroy();
      return;
    }
    const key = originKey(c.origin);
    let list = this.idle.get(key);
    if (!list) this.idle.set(key, (list = []));
    list.push(c);
  }

  close(): void {
    for (const c of this.all) c.destroy();
    this.all.clear();
    this.idle.clear();
  }

  private forget(c: RawConnection): void {
    this.all.delete(c);
    const list = this.idle.get(originKey(c.origin));
    const i = list?.indexOf(c) ?? -1;
    if (list && i >= 0) list.splice(i, 1);
  }
}
