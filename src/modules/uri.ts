/**
 * uri: call an HTTP(S) endpoint from the controller. Ansible's result: status, url, redirected, headers
 * (lower-cased, `-` → `_`), `json` for JSON responses, `content` with return_content; fails when the status is
 * not in status_code. TLS is verified unless validate_certs: false; ca_path adds a private CA.
 */
import { z } from 'zod';
import type { Module, TaskResult } from '../engine/types.js';
import { bool, num, str } from './lib/args.js';
import { fail } from './lib/result.js';
import { basicAuth, httpRequest, HttpFailure, REASONS } from './lib/http.js';
import { pathExists } from './lib/target-fs.js';

const Args = z
  .object({
    url: str,
    method: str.default('GET'),
    body: z.unknown().optional(),
    body_format: z.enum(['raw', 'json', 'form-urlencoded', 'form-multipart']).default('raw'),
    headers: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]).transform(String)).default({}),
    status_code: z.union([z.array(num), num]).default([200]).transform((v) => (Array.isArray(v) ? v : [v])),
    return_content: bool.default(false),
    validate_certs: bool.default(true),
    ca_path: str.optional(),
    client_cert: str.optional(),
    client_key: str.optional(),
    timeout: num.default(30),
    url_username: str.optional(),
    url_password: str.optional(),
    user: str.optional(),
    password: str.optional(),
    force_basic_auth: bool.default(false),
    follow_redirects: z.union([z.enum(['safe', 'all', 'none', 'urllib2']), bool]).default('safe'),
    dest: str.optional(),
    creates: str.optional(),
    removes: str.optional(),
    force: bool.optional(),
    use_proxy: bool.optional(),
    http_agent: str.default('ansible-httpget'),
  })
  .strict();
type Args = z.infer<typeof Args>;

export const uri: Module<Args> = {
  name: 'uri',
  aliases: ['ansible.builtin.uri', 'ansible.legacy.uri'],
  args: Args,
  checkMode: false,
  async run(args, ctx) {
    if (args.creates && (await pathExists(ctx.transport, args.creates))) return { changed: false, failed: false, skipped: true, msg: `${args.creates} exists, not performing request` };
    if (args.removes && !(await pathExists(ctx.transport, args.removes))) return { changed: false, failed: false, skipped: true, msg: `${args.removes} does not exist, not performing request` };
    const password = args.url_password ?? args.password;
    if (password) ctx.secrets.add(password);
    const headers: Record<string, string> = { 'user-agent': args.http_agent, ...lower(args.headers), ...basicAuth(args.url_username ?? args.user, password) };
    let body: string | undefined;
    if (args.body !== undefined && args.body !== null) {
      if (args.body_format === 'json') {
        body = typeof args.body === 'string' ? args.body : JSON.stringify(args.body);
        headers['content-type'] ??= 'application/json';
      } else if (args.body_format === 'form-urlencoded') {
        body = typeof args.body === 'string' ? args.body : new URLSearchParams(Object.entries(args.body as Record<string, unknown>).map(([k, v]): [string, string] => [k, String(v)])).toString();
        headers['content-type'] ??= 'application/x-www-form-urlencoded';
      } else if (args.body_format === 'form-multipart') {
        return fail('body_format form-multipart is not supported');
      } else {
        body = typeof args.body === 'string' ? args.body : JSON.stringify(args.body);
      }
    }
    const follow = typeof args.follow_redirects === 'boolean' ? (args.follow_redirects ? 'all' : 'none') : args.follow_redirects;
    let res;
    try {
      res = await httpRequest({ url: args.url, method: args.method, headers, body, validateCerts: args.validate_certs, caPath: args.ca_path, clientCert: args.client_cert, clientKey: args.client_key, timeoutMs: args.timeout * 1000, followRedirects: follow, signal: ctx.signal });
    } catch (e) {
      if (!(e instanceof HttpFailure)) throw e;
      return { changed: false, failed: true, status: -1, url: args.url, elapsed: 0, redirected: false, msg: `Status code was -1 and not ${pyList(args.status_code)}: ${e.message}` };
    }
    const result: TaskResult = { changed: false, failed: false, status: res.status, url: res.url, redirected: res.redirected, elapsed: Math.floor(res.elapsedMs / 1000), cookies: {}, cookies_string: '' };
    for (const [k, v] of Object.entries(res.headers)) result[k.replace(/-/g, '_')] = v;
    const text = res.body.toString('utf8');
    const type = res.headers['content-type'] ?? '';
    if (/[/+]json\b/i.test(type) || /\/json$/i.test(type.split(';')[0])) {
      try {
        result.json = JSON.parse(text) as unknown;
      } catch {
        // not JSON after all; Ansible silently leaves `json` out too
      }
    }
    if (args.return_content) result.content = text;
    if (args.dest && !ctx.checkMode) {
      await ctx.transport.put(args.dest, res.body);
      result.path = args.dest;
      result.changed = true;
    }
    const reason = REASONS[res.status] ?? '';
    const length = res.headers['content-length'] ?? 'unknown';
    // Like urllib: 4xx/5xx come back as "HTTP Error N: Reason", the rest as "OK (N bytes)".
    const info = res.status >= 400 ? `HTTP Error ${res.status}: ${reason}` : `OK (${length} bytes)`;
    if (!args.status_code.includes(res.status)) {
      return { ...result, failed: true, msg: `Status code was ${res.status} and not ${pyList(args.status_code)}: ${info}` };
    }
    result.msg = info;
    return result;
  },
};

function lower(h: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), v]));
}

function pyList(codes: number[]): string {
  return `[${codes.join(', ')}]`;
}
