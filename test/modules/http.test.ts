/**
 * uri and get_url against real local servers: plain HTTP, and HTTPS with a private CA (verified by default,
 * accepted with ca_path, or with validate_certs: false).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer as createHttp, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttps } from 'node:https';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { generatePki, type TestPki } from '../helpers/registry.js';
import { makeContext, runModule } from './helpers.js';

const PAYLOAD = 'payload-bytes\n';
const requests: Array<{ method?: string; url?: string; headers: IncomingMessage['headers']; body: string }> = [];

function handler(req: IncomingMessage, res: ServerResponse): void {
  let body = '';
  req.on('data', (d: Buffer) => (body += d.toString()));
  req.on('end', () => {
    requests.push({ method: req.method, url: req.url, headers: req.headers, body });
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/json') {
      res.writeHead(200, { 'content-type': 'application/json', 'x-custom-header': 'yes' });
      res.end(JSON.stringify({ ok: true, echo: body ? (JSON.parse(body) as unknown) : null }));
    } else if (url.pathname === '/text') {
      res.writeHead(201, { 'content-type': 'text/plain' });
      res.end('created');
    } else if (url.pathname === '/redirect') {
      res.writeHead(302, { location: '/json' });
      res.end();
    } else if (url.pathname === '/auth') {
      const ok = req.headers.authorization === `Basic ${Buffer.from('alice:s3cret-pw').toString('base64')}`;
      res.writeHead(ok ? 200 : 401, { 'content-type': 'text/plain' });
      res.end(ok ? 'welcome' : 'no');
    } else if (url.pathname === '/file.bin') {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(PAYLOAD.length) });
      res.end(PAYLOAD);
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('missing');
    }
  });
}

let http: Server;
let https: Server;
let base: string;
let secureBase: string;
let pki: TestPki;
let dir: string;

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'dci-http-'));
  pki = await generatePki(join(dir, 'pki'));
  http = createHttp(handler);
  https = createHttps({ cert: readFileSync(pki.certFile), key: readFileSync(pki.keyFile) }, handler);
  base = `http://127.0.0.1:${await listen(http)}`;
  secureBase = `https://127.0.0.1:${await listen(https)}`;
});

afterAll(async () => {
  await new Promise((r) => http?.close(r));
  await new Promise((r) => https?.close(r));
  rmSync(dir, { recursive: true, force: true });
});

describe('uri', () => {
  it('GET JSON: status, parsed json, lower-cased headers, msg', async () => {
    const r = await runModule('uri', { url: `${base}/json` });
    expect(r).toMatchObject({ changed: false, failed: false, status: 200, url: `${base}/json`, redirected: false, json: { ok: true }, content_type: 'application/json', x_custom_header: 'yes' });
    expect(r.msg).toBe('OK (unknown bytes)'); // chunked response: no Content-Length, as Ansible reports
    expect(r.content).toBeUndefined();
  });
  it('POST body_format json sends JSON with the content type; return_content; status_code list', async () => {
    const r = await runModule('uri', { url: `${base}/json`, method: 'POST', body: { a: [1, 2] }, body_format: 'json', return_content: true, status_code: [200, 201] });
    expect(r.json).toEqual({ ok: true, echo: { a: [1, 2] } });
    expect(typeof r.content).toBe('string');
    const last = requests[requests.length - 1];
    expect(last.headers['content-type']).toBe('application/json');
    expect(last.method).toBe('POST');
    expect((await runModule('uri', { url: `${base}/text`, status_code: '201' })).status).toBe(201);
  });
  it('fails when the status is not expected, like Ansible', async () => {
    const r = await runModule('uri', { url: `${base}/nothing` });
    expect(r).toMatchObject({ failed: true, status: 404, msg: 'Status code was 404 and not [200]: HTTP Error 404: Not Found' });
    expect(r.content).toBeUndefined();
    expect(await runModule('uri', { url: `${base}/nothing`, status_code: 404, return_content: true })).toMatchObject({ failed: false, msg: 'HTTP Error 404: Not Found', content: 'missing' });
  });
  it('follows safe redirects', async () => {
    const r = await runModule('uri', { url: `${base}/redirect` });
    expect(r).toMatchObject({ status: 200, redirected: true, url: `${base}/json` });
    expect((await runModule('uri', { url: `${base}/redirect`, follow_redirects: 'none', status_code: 302 })).status).toBe(302);
  });
  it('basic auth with url_username/url_password; the password is registered as a secret', async () => {
    const ctx = makeContext();
    const r = await runModule('uri', { url: `${base}/auth`, url_username: 'alice', url_password: 's3cret-pw', return_content: true, force_basic_auth: true }, ctx);
    expect(r.content).toBe('welcome');
    expect(ctx.secrets.redact('pw is s3cret-pw')).toBe('pw is ********');
  });
  it('a refused connection gives status -1 and a clear message', async () => {
    const r = await runModule('uri', { url: 'http://127.0.0.1:1/x', timeout: 5 });
    expect(r).toMatchObject({ failed: true, status: -1 });
    expect(r.msg).toMatch(/^Status code was -1 and not \[200\]: Request failed: .*ECONNREFUSED/);
  });
  it('HTTPS: refuses an unknown CA by default, accepts with ca_path or validate_certs: false', async () => {
    const bad = await runModule('uri', { url: `${secureBase}/json` });
    expect(bad.failed).toBe(true);
    expect(bad.msg).toMatch(/certificate|self.signed|UNABLE_TO_VERIFY|issuer/i);
    expect((await runModule('uri', { url: `${secureBase}/json`, ca_path: pki.caFile })).json).toEqual({ ok: true, echo: null });
    expect((await runModule('uri', { url: `${secureBase}/json`, validate_certs: false })).status).toBe(200);
  });
  it('bad args are named', async () => {
    await expect(runModule('uri', { url: `${base}/json`, body_format: 'yaml' })).rejects.toThrow(/argument 'body_format'/);
    await expect(runModule('uri', { uri: 'x' })).rejects.toThrow(/unsupported argument 'uri'/);
  });
});

describe('get_url', () => {
  const sha256 = createHash('sha256').update(PAYLOAD).digest('hex');
  it('downloads with a checksum and mode; idempotent; check mode does nothing', async () => {
    const dest = join(dir, 'dl.bin');
    const check = await runModule('get_url', { url: `${base}/file.bin`, dest }, makeContext({ checkMode: true }));
    expect(check.changed).toBe(true);
    expect(() => statSync(dest)).toThrow();
    const n = requests.length;
    const r = await runModule('get_url', { url: `${base}/file.bin`, dest, checksum: `sha256:${sha256}`, mode: '0600' });
    expect(r).toMatchObject({ changed: true, failed: false, dest, status_code: 200, checksum_src: createHash('sha1').update(PAYLOAD).digest('hex') });
    expect(readFileSync(dest, 'utf8')).toBe(PAYLOAD);
    expect(statSync(dest).mode & 0o777).toBe(0o600);
    const again = await runModule('get_url', { url: `${base}/file.bin`, dest, checksum: `sha256:${sha256}`, mode: '0600' });
    expect(again).toMatchObject({ changed: false, msg: 'file already exists' });
    expect(requests.length).toBe(n + 1); // matched checksum: not downloaded again
  });
  it('into a directory uses the URL basename; force re-downloads but is unchanged when equal', async () => {
    const r = await runModule('get_url', { url: `${base}/file.bin`, dest: dir, force: true });
    expect(r.dest).toBe(join(dir, 'file.bin'));
    expect((await runModule('get_url', { url: `${base}/file.bin`, dest: dir, force: true })).changed).toBe(false);
  });
  it('a wrong checksum fails and installs nothing', async () => {
    const dest = join(dir, 'bad.bin');
    const r = await runModule('get_url', { url: `${base}/file.bin`, dest, checksum: `sha256:${'0'.repeat(64)}` });
    expect(r).toMatchObject({ failed: true, msg: `The checksum for ${dest} did not match ${'0'.repeat(64)}; it was ${sha256}.` });
    expect(() => statSync(dest)).toThrow();
  });
  it('HTTPS with ca_path; 404 fails; a malformed checksum is explained', async () => {
    expect((await runModule('get_url', { url: `${secureBase}/file.bin`, dest: join(dir, 'tls.bin'), ca_path: pki.caFile })).changed).toBe(true);
    expect((await runModule('get_url', { url: `${secureBase}/file.bin`, dest: join(dir, 'tls2.bin') })).failed).toBe(true);
    expect(await runModule('get_url', { url: `${base}/none`, dest: join(dir, 'x') })).toMatchObject({ failed: true, status_code: 404 });
    expect((await runModule('get_url', { url: `${base}/file.bin`, dest: join(dir, 'y'), checksum: 'abc' })).msg).toMatch(/<algorithm>:<checksum>/);
  });
});
