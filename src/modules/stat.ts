/** stat: facts about a path (Ansible's `stat` dict: exists, isdir, isreg, islnk, mode, size, checksum...). */
import { z } from 'zod';
import type { Module } from '../engine/types.js';
import { bool, str } from './lib/args.js';
import { expandHome } from './lib/target-fs.js';
import { quoteArgv } from '../engine/transports/shell-quote.js';

const ALGORITHMS = ['md5', 'sha1', 'sha224', 'sha256', 'sha384', 'sha512'] as const;
const Args = z
  .object({
    path: str,
    follow: bool.default(false),
    get_checksum: bool.default(true),
    checksum_algorithm: z.enum(ALGORITHMS).default('sha1'),
    get_mime: bool.optional(),
    get_attributes: bool.optional(),
    get_md5: bool.optional(),
  })
  .strict();
type Args = z.infer<typeof Args>;

export const stat: Module<Args> = {
  name: 'stat',
  aliases: ['ansible.builtin.stat', 'ansible.legacy.stat'],
  args: Args,
  checkMode: true,
  async run(args, ctx) {
    const t = ctx.transport;
    const path = await expandHome(t, args.path);
    const p = quoteArgv([path]);
    // One round trip: GNU stat fields, access tests, link target and checksum.
    const script = [
      `[ -e ${p} ] || [ -L ${p} ] || { echo MISSING; exit 0; }`,
      `stat ${args.follow ? '-L ' : ''}-c '%f|%s|%u|%g|%U|%G|%X|%Y|%Z|%i|%d|%h' -- ${p}`,
      `for x in r w x; do if test -$x ${p}; then printf 1; else printf 0; fi; done; echo`,
      `if [ -L ${p} ]; then readlink -- ${p}; readlink -f -- ${p}; else echo; echo; fi`,
      args.get_checksum ? `if [ -f ${p} ] && [ -r ${p} ]; then ${args.checksum_algorithm}sum < ${p} | cut -d' ' -f1; else echo; fi` : 'echo',
    ].join('\n');
    const r = await t.exec({ shell: script });
    if (r.rc !== 0) return { changed: false, failed: true, msg: `cannot stat ${path}: ${r.stderr.trim()}` };
    const out = r.stdout.split('\n');
    if (out[0] === 'MISSING') return { changed: false, failed: false, stat: { exists: false } };
    const [rawMode, size, uid, gid, owner, group, atime, mtime, ctime, inode, dev, nlink] = out[0].split('|');
    const mode = parseInt(rawMode, 16);
    const type = mode & 0o170000;
    const perm = mode & 0o7777;
    const [r_, w_, x_] = out[1].split('').map((c) => c === '1');
    const bit = (b: number) => (perm & b) !== 0;
    const st: Record<string, unknown> = {
      exists: true,
      path,
      mode: perm.toString(8).padStart(4, '0'),
      isdir: type === 0o040000,
      isreg: type === 0o100000,
      islnk: type === 0o120000,
      ischr: type === 0o020000,
      isblk: type === 0o060000,
      isfifo: type === 0o010000,
      issock: type === 0o140000,
      size: Number(size),
      uid: Number(uid),
      gid: Number(gid),
      pw_name: owner,
      gr_name: group,
      atime: Number(atime),
      mtime: Number(mtime),
      ctime: Number(ctime),
      inode: Number(inode),
      dev: Number(dev),
      nlink: Number(nlink),
      readable: r_,
      writeable: w_,
      executable: x_,
      isuid: bit(0o4000),
      isgid: bit(0o2000),
      rusr: bit(0o400),
      wusr: bit(0o200),
      xusr: bit(0o100),
      rgrp: bit(0o40),
      wgrp: bit(0o20),
      xgrp: bit(0o10),
      roth: bit(0o4),
      woth: bit(0o2),
      xoth: bit(0o1),
    };
    if (st.islnk) {
      st.lnk_target = out[2];
      st.lnk_source = out[3];
    }
    if (args.get_checksum && out[4]) st.checksum = out[4];
    return { changed: false, failed: false, stat: st };
  },
};
