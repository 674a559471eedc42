/**
 * find: list files on the target matching name patterns (shell globs or regexes), type, age, size and content.
 * One `find -printf` per path gathers the metadata; filtering follows Ansible's rules (hidden files excluded by
 * default, patterns match the basename, excludes win).
 */
import { z } from 'zod';
import type { Module, RunContext } from '../engine/types.js';
import { bool, num, str, strList } from './lib/args.js';
import { fail } from './lib/result.js';
import { expandHome } from './lib/target-fs.js';
import { pyRegex } from './lib/py-regex.js';

const Args = z
  .object({
    paths: strList,
    patterns: strList.default([]),
    excludes: strList.optional(),
    contains: str.optional(),
    read_whole_file: bool.default(false),
    file_type: z.enum(['any', 'directory', 'file', 'link']).default('file'),
    recurse: bool.default(false),
    hidden: bool.default(false),
    follow: bool.default(false),
    get_checksum: bool.default(false),
    use_regex: bool.default(false),
    age: str.optional(),
    age_stamp: z.enum(['atime', 'ctime', 'mtime']).default('mtime'),
    size: str.optional(),
    depth: num.optional(),
    encoding: str.optional(),
  })
  .strict();
type Args = z.infer<typeof Args>;

interface Entry {
  type: string;
  size: number;
  mode: string;
  uid: number;
  gid: number;
  pw_name: string;
  gr_name: string;
  mtime: number;
  atime: number;
  ctime: number;
  inode: number;
  nlink: number;
  depth: number;
  path: string;
}

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 };
const SIZES: Record<string, number> = { b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };

export const find: Module<Args> = {
  name: 'find',
  aliases: ['ansible.builtin.find', 'ansible.legacy.find'],
  args: Args,
  checkMode: true,
  async run(args, ctx) {
    let age: number | undefined;
    let size: number | undefined;
    if (args.age !== undefined) {
      const m = /^([-+]?\d+)([smhdw]?)$/i.exec(args.age.trim());
      if (!m) return fail(`failed to process age ${args.age}`);
      age = Number(m[1]) * UNITS[(m[2] || 's').toLowerCase()];
    }
    if (args.size !== undefined) {
      const m = /^([-+]?\d+)([bkmgt]?)$/i.exec(args.size.trim());
      if (!m) return fail(`failed to process size ${args.size}`);
      size = Number(m[1]) * SIZES[(m[2] || 'b').toLowerCase()];
    }
    let matchers: Array<(name: string) => boolean>;
    let excluders: Array<(name: string) => boolean>;
    let contains: RegExp | undefined;
    try {
      const toMatcher = (p: string) => (args.use_regex ? ((re: RegExp) => (n: string) => re.test(n))(pyRegex(p)) : ((re: RegExp) => (n: string) => re.test(n))(globToRegex(p)));
      matchers = args.patterns.map(toMatcher);
      excluders = (args.excludes ?? []).map(toMatcher);
      if (args.contains !== undefined) contains = pyRegex(args.contains);
    } catch (e) {
      return fail((e as Error).message);
    }
    const now = Date.now() / 1000;
    const files: Array<Record<string, unknown>> = [];
    const skipped: Record<string, string> = {};
    let examined = 0;
    for (const given of args.paths) {
      const root = await expandHome(ctx.transport, given);
      const listing = await list(ctx, root, args);
      if ('error' in listing) {
        skipped[root] = listing.error;
        continue;
      }
      for (const e of listing.entries) {
        examined++;
        const name = e.path.slice(e.path.lastIndexOf('/') + 1);
        if (!args.hidden && name.startsWith('.')) continue;
        if (args.depth !== undefined && e.depth > args.depth) continue;
        const typeOk = args.file_type === 'any' || (args.file_type === 'file' && e.type === 'f') || (args.file_type === 'directory' && e.type === 'd') || (args.file_type === 'link' && e.type === 'l');
        if (!typeOk) continue;
        if (matchers.length && !matchers.some((m) => m(name))) continue;
        if (excluders.some((m) => m(name))) continue;
        if (age !== undefined) {
          const stamp = e[args.age_stamp];
          const delta = now - stamp;
          if (!(age >= 0 ? delta >= age : delta <= Math.abs(age))) continue;
        }
        if (size !== undefined && e.type === 'f') {
          if (!(size >= 0 ? e.size >= size : e.size <= Math.abs(size))) continue;
        }
        if (contains && e.type === 'f') {
          const text = (await ctx.transport.get(e.path)).toString('utf8');
          const ok = args.read_whole_file ? contains.test(text) : text.split('\n').some((l) => contains.test(l));
          if (!ok) continue;
        }
        files.push(describe(e));
      }
    }
    if (args.get_checksum) {
      for (const f of files) {
        if (!f.isreg) continue;
        const r = await ctx.transport.exec({ argv: ['sha1sum', '--', String(f.path)] });
        if (r.rc === 0) f.checksum = r.stdout.split(/\s+/)[0];
      }
    }
    files.sort((a, b) => String(a.path).localeCompare(String(b.path)));
    return {
      changed: false,
      failed: false,
      files,
      matched: files.length,
      examined,
      msg: Object.keys(skipped).length ? 'Not all paths examined, check warnings for details' : 'All paths examined',
      skipped_paths: skipped,
    };
  },
};

async function list(ctx: RunContext, root: string, args: Args): Promise<{ entries: Entry[] } | { error: string }> {
  const st = await ctx.transport.stat(root);
  if (!st.exists || !st.isdir) return { error: `${root} was skipped as it does not seem to be a valid directory or it cannot be accessed` };
  const argv = ['find', ...(args.follow ? ['-L'] : []), root, '-mindepth', '1'];
  if (!args.recurse) argv.push('-maxdepth', '1');
  else if (args.depth !== undefined) argv.push('-maxdepth', String(args.depth));
  argv.push('-printf', '%y|%s|%m|%U|%G|%u|%g|%T@|%A@|%C@|%i|%n|%d|%p\\0');
  const r = await ctx.transport.exec({ argv });
  if (r.rc !== 0 && !r.stdout) return { error: r.stderr.trim() || `find failed on ${root}` };
  const entries = r.stdout
    .split('\0')
    .filter(Boolean)
    .map((rec) => {
      const parts = rec.split('|');
      const path = parts.slice(13).join('|');
      const [type, size, mode, uid, gid, pw, gr, mtime, atime, ctime, inode, nlink, depth] = parts;
      return {
        type,
        size: Number(size),
        mode: mode.padStart(4, '0'),
        uid: Number(uid),
        gid: Number(gid),
        pw_name: pw,
        gr_name: gr,
        mtime: Number(mtime),
        atime: Number(atime),
        ctime: Number(ctime),
        inode: Number(inode),
        nlink: Number(nlink),
        depth: Number(depth),
        path,
      };
    });
  return { entries };
}

function describe(e: Entry): Record<string, unknown> {
  const perm = parseInt(e.mode, 8);
  const bit = (b: number) => (perm & b) !== 0;
  return {
    path: e.path,
    mode: e.mode,
    isdir: e.type === 'd',
    isreg: e.type === 'f',
    islnk: e.type === 'l',
    ischr: e.type === 'c',
    isblk: e.type === 'b',
    isfifo: e.type === 'p',
    issock: e.type === 's',
    uid: e.uid,
    gid: e.gid,
    pw_name: e.pw_name,
    gr_name: e.gr_name,
    size: e.size,
    inode: e.inode,
    nlink: e.nlink,
    mtime: e.mtime,
    atime: e.atime,
    ctime: e.ctime,
    rusr: bit(0o400),
    wusr: bit(0o200),
    xusr: bit(0o100),
    rgrp: bit(0o40),
    wgrp: bit(0o20),
    xgrp: bit(0o10),
    roth: bit(0o4),
    woth: bit(0o2),
    xoth: bit(0o1),
    isuid: bit(0o4000),
    isgid: bit(0o2000),
  };
}

/** fnmatch: `*`, `?`, `[seq]`, `[!seq]`, whole-name match. */
export function globToRegex(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 2);
      if (end < 0) re += '\\[';
      else {
        let set = glob.slice(i + 1, end);
        if (set.startsWith('!')) set = `^${set.slice(1)}`;
        re += `[${set.replace(/\\/g, '\\\\')}]`;
        i = end;
      }
    } else re += c.replace(/[.+^${}()|\\/]/g, '\\$&');
  }
  return new RegExp(`^${re}$`, 's');
}
