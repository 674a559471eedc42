/**
 * get_url: download a file (on the controller) and install it on the target. With a checksum, an existing file
 * that already matches is not downloaded again and a download that does not match fails and is not installed.
 */
import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import { z } from 'zod';
import type { Module } from '../engine/types.js';
import { bool, modeArg, num, str } from './lib/args.js';
import { fail } from './lib/result.js';
import { basicAuth, httpRequest, HttpFailure, REASONS } from './lib/http.js';
import { writeIfChanged } from './lib/write-file.js';
import { expandHome } from './lib/target-fs.js';

const ALGOS = ['md5', 'sha1', 'sha224', 'sha256', 'sha384', 'sha512'];

const Args = z
  .object({
    url: str,
    dest: str,
    checksum: str.optional(),
    mode: modeArg.optional(),
    owner: str.optional(),
    group: str.optional(),
    force: bool.default(false),
    backup: bool.default(false),
    validate_certs: bool.default(true),
    ca_path: str.optional(),
    client_cert: str.optional(),
    client_key: str.optional(),
    timeout: num.default(10),
    headers: z.record(z.string(), z.union([z.string(), z.number()]).transform(String)).default({}),
    url_username: str.optional(),
    url_password: str.optional(),
    username: str.optional(),
    password: str.optional(),
    force_basic_auth: bool.default(false),
    use_proxy: bool.optional(),
    tmp_dest: str.optional(),
    http_agent: str.default('ansible-httpget'),
  })
  .strict();
type Args = z.infer<typeof Args>;

export const getUrl: Module<Args> = {
  name: 'get_url',
  aliases: ['ansible.builtin.get_url', 'ansible.legacy.get_url'],
  args: Args,
  checkMode: true,
  async run(args, ctx) {
    const t = ctx.transport;
    let expected: { algo: string; hex: string } | undefined;
    if (args.checksum) {
      const m = /^(\w+):([0-9a-fA-F]+)$/.exec(args.checksum.trim());
      if (!m || !ALGOS.includes(m[1].toLowerCase())) return fail(`The checksum parameter has to be in format <algorithm>:<checksum> with algorithm one of ${ALGOS.join(', ')}`);
      expected = { algo: m[1].toLowerCase(), hex: m[2].toLowerCase() };
    }
    let dest = await expandHome(t, args.dest);
    const destStat = await t.stat(dest);
    if (destStat.isdir) dest = posix.join(dest, posix.basename(new URL(args.url).pathname) || 'index.html');
    const existing = destStat.isdir ? await t.stat(dest) : destStat;
    if (existing.exists && !args.force) {
      if (!expected) return { changed: false, failed: false, dest, url: args.url, msg: 'file already exists', state: 'file', mode: existing.mode, size: existing.size };
      const have = createHash(expected.algo).update(await t.get(dest)).digest('hex');
      if (have === expected.hex) return { changed: false, failed: false, dest, url: args.url, msg: 'file already exists', checksum_dest: have, state: 'file', mode: existing.mode, size: existing.size };
    }
    if (ctx.checkMode) return { changed: true, failed: false, dest, url: args.url, msg: 'file would be downloaded' };
    const password = args.url_password ?? args.password;
    if (password) ctx.secrets.add(password);
    let res;
    try {
      res = await httpRequest({
        url: args.url,
        method: 'GET',
        headers: { 'user-agent': args.http_agent, ...Object.fromEntries(Object.entries(args.headers).map(([k, v]) => [k.toLowerCase(), v])), ...basicAuth(args.url_username ?? args.username, password) },
        validateCerts: args.validate_certs,
        caPath: args.ca_path,
        clientCert: args.client_cert,
        clientKey: args.client_key,
        timeoutMs: args.timeout * 1000,
        followRedirects: 'safe',
        signal: ctx.signal,
      });
    } catch (e) {
      if (!(e instanceof HttpFailure)) throw e;
      return fail(`${e.message}`, { dest, url: args.url, status_code: -1 });
    }
    if (res.status < 200 || res.status >= 300) {
      return fail(`Request failed`, { dest, url: args.url, status_code: res.status, response: `HTTP Error ${res.status}: ${REASONS[res.status] ?? ''}` });
    }
    if (expected) {
      const got = createHash(expected.algo).update(res.body).digest('hex');
      // Ansible reports this failure as changed (the download happened), and installs nothing.
      if (got !== expected.hex) return { ...fail(`The checksum for ${dest} did not match ${expected.hex}; it was ${got}.`, { dest, url: args.url, checksum_dest: null }), changed: true };
    }
    // Ansible's checksum_dest is the checksum of dest *before* the download (null when it did not exist).
    const before = (await t.stat(dest)).exists ? createHash('sha1').update(await t.get(dest)).digest('hex') : null;
    const w = await writeIfChanged(ctx, dest, res.body, { mode: args.mode, backup: args.backup });
    if (w.failed) return w;
    return {
      ...w,
      url: args.url,
      status_code: res.status,
      checksum_src: createHash('sha1').update(res.body).digest('hex'),
      checksum_dest: before,
      elapsed: Math.floor(res.elapsedMs / 1000),
      msg: `OK (${res.headers['content-length'] ?? 'unknown'} bytes)`,
    };
  },
};
