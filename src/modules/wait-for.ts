/**
 * wait_for: wait for a TCP port to open/close, a file to appear/disappear (optionally containing a regex), or
 * just sleep. Port checks run from the target (node:net locally, a /dev/tcp probe over ssh); files via transport.
 */
import { connect } from 'node:net';
import { z } from 'zod';
import type { Module, RunContext, TaskResult } from '../engine/types.js';
import { num, str } from './lib/args.js';
import { fail } from './lib/result.js';
import { pyRegex } from './lib/py-regex.js';
import { shellQuote } from '../engine/transports/shell-quote.js';

const Args = z
  .object({
    host: str.default('127.0.0.1'),
    port: num.optional(),
    path: str.optional(),
    state: z.enum(['started', 'stopped', 'present', 'absent', 'drained']).default('started'),
    timeout: num.default(300),
    delay: num.default(0),
    sleep: num.default(1),
    connect_timeout: num.default(5),
    search_regex: str.optional(),
    msg: str.optional(),
    exclude_hosts: z.array(str).optional(),
    active_connection_states: z.array(str).optional(),
  })
  .strict();
type Args = z.infer<typeof Args>;

export const waitFor: Module<Args> = {
  name: 'wait_for',
  aliases: ['ansible.builtin.wait_for', 'ansible.legacy.wait_for'],
  args: Args,
  checkMode: false,
  async run(args, ctx) {
    if (args.port !== undefined && args.path !== undefined) return fail('port and path parameter can not both be passed to wait_for');
    if (args.path !== undefined && args.state === 'stopped') return fail('state=stopped should only be used for checking a port in the wait_for module');
    if (args.path !== undefined && args.state === 'drained') return fail('state=drained should only be used for checking a port in the wait_for module');
    if (args.search_regex !== undefined && args.state !== 'started' && args.state !== 'present') return fail('state=absent/stopped cannot be combined with search_regex');
    const started = Date.now();
    await sleep(args.delay * 1000, ctx.signal);
    const deadline = started + args.timeout * 1000;
    const elapsed = () => Math.floor((Date.now() - started) / 1000);
    const base = (extra: Record<string, unknown>): TaskResult => ({ changed: false, failed: false, elapsed: elapsed(), state: args.state, ...extra });
    if (args.port === undefined && args.path === undefined) {
      await sleep(Math.max(0, deadline - Date.now()), ctx.signal);
      return base({});
    }
    let regex: RegExp | undefined;
    try {
      if (args.search_regex !== undefined) regex = pyRegex(args.search_regex, 'm');
    } catch (e) {
      return fail((e as Error).message);
    }
    const wantUp = args.state === 'started' || args.state === 'present';
    for (;;) {
      if (ctx.signal.aborted) return fail('aborted');
      if (args.path !== undefined) {
        const st = await ctx.transport.stat(args.path);
        if (!wantUp && !st.exists) return base({ path: args.path });
        if (wantUp && st.exists) {
          if (!regex) return base({ path: args.path });
          const m = regex.exec((await ctx.transport.get(args.path)).toString('utf8'));
          if (m) return base({ path: args.path, search_regex: args.search_regex, match_groups: m.slice(1), match_groupdict: { ...(m.groups ?? {}) } });
        }
      } else {
        const open = await portOpen(ctx, args.host, args.port!, args.connect_timeout * 1000);
        if (open === wantUp) return base({ port: args.port, search_regex: args.search_regex, match_groups: [], match_groupdict: {} });
      }
      if (Date.now() >= deadline) {
        const what = args.path !== undefined ? (regex ? `search string ${args.search_regex} in ${args.path}` : `file ${args.path}`) : `${args.host}:${args.port}`;
        const msg = args.msg ?? (wantUp ? `Timeout when waiting for ${what}` : `Timeout when waiting for ${what} to ${args.path !== undefined ? 'be absent' : 'stop'}.`);
        return { changed: false, failed: true, elapsed: elapsed(), msg };
      }
      await sleep(Math.min(args.sleep * 1000, Math.max(0, deadline - Date.now())), ctx.signal);
    }
  },
};

async function portOpen(ctx: RunContext, host: string, port: number, timeoutMs: number): Promise<boolean> {
  if (ctx.transport.kind === 'local') {
    return new Promise((resolve) => {
      const sock = connect({ host, port });
      const done = (ok: boolean) => {
        sock.destroy();
        resolve(ok);
      };
      sock.setTimeout(timeoutMs, () => done(false));
      sock.once('connect', () => done(true));
      sock.once('error', () => done(false));
    });
  }
  const probe = `exec 3<>/dev/tcp/${shellQuote(host)}/${port}`;
  const r = await ctx.transport.exec({ argv: ['timeout', String(Math.ceil(timeoutMs / 1000)), 'bash', '-c', probe] });
  return r.rc === 0;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(t);
      resolve();
    }, { once: true });
  });
}
