/** fetch: copy a file from the target to the controller (dest/<host>/<path>, or dest itself with flat). */
import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import { z } from 'zod';
import type { Module } from '../engine/types.js';
import { looseBool, str } from './lib/args.js';
import { fail } from './lib/result.js';
import { expandHome, sha1Hex, targetSha1 } from './lib/target-fs.js';

const Args = z
  .object({
    src: str,
    dest: str,
    flat: looseBool.default(false),
    fail_on_missing: looseBool.default(true),
    validate_checksum: looseBool.default(true),
  })
  .strict();
type Args = z.infer<typeof Args>;

export const fetch: Module<Args> = {
  name: 'fetch',
  aliases: ['ansible.builtin.fetch', 'ansible.legacy.fetch'],
  args: Args,
  checkMode: true,
  async run(args, ctx) {
    const src = await expandHome(ctx.transport, args.src);
    const st = await ctx.transport.stat(src);
    if (!st.exists) {
      const msg = 'the remote file does not exist, not transferring, ignored';
      return args.fail_on_missing ? fail(msg, { file: src }) : { changed: false, failed: false, msg, file: src };
    }
    if (st.isdir) return fail('remote file is a directory, fetch cannot work on directories', { file: src });
    let dest: string;
    if (args.flat) dest = args.dest.endsWith('/') ? posix.join(args.dest, posix.basename(src)) : args.dest;
    else dest = posix.join(args.dest, ctx.host, src.startsWith('/') ? src : `/${src}`);
    const data = await ctx.transport.get(src);
    const remoteChecksum = sha1Hex(data);
    const local = await targetSha1(ctx.controller, dest);
    const md5sum = createHash('md5').update(data).digest('hex');
    if (local === remoteChecksum) return { changed: false, failed: false, checksum: local, md5sum, dest, file: src };
    if (!ctx.checkMode) {
      await ctx.controller.exec({ argv: ['mkdir', '-p', '--', posix.dirname(dest)] });
      await ctx.controller.put(dest, data);
      if (args.validate_checksum) {
        const written = await targetSha1(ctx.controller, dest);
        if (written !== remoteChecksum) return fail(`checksum mismatch after fetching ${src}`, { dest, remote_checksum: remoteChecksum, checksum: written });
      }
    }
    return { changed: true, failed: false, checksum: remoteChecksum, dest, file: src, remote_checksum: remoteChecksum, remote_md5sum: null, md5sum };
  },
};
