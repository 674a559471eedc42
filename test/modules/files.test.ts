import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { mkdir, readdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeContext, runModule, withTempDir } from './helpers.js';

const sha1 = (s: string | Buffer) => createHash('sha1').update(s).digest('hex');
const modeOf = (p: string) => (statSync(p).mode & 0o7777).toString(8).padStart(4, '0');

describe('copy', () => {
  it('writes content, reports checksum, is idempotent, and changes only when bytes differ', async () => {
    await withTempDir(async (dir) => {
      const dest = join(dir, 'a.conf');
      const first = await runModule('copy', { content: 'hello\n', dest, mode: '0640' });
      expect(first).toMatchObject({ changed: true, failed: false, dest, checksum: sha1('hello\n'), size: 6, mode: '0640', state: 'file' });
      expect(readFileSync(dest, 'utf8')).toBe('hello\n');
      expect(modeOf(dest)).toBe('0640');
      expect((await runModule('copy', { content: 'hello\n', dest, mode: '0640' })).changed).toBe(false);
      expect((await runModule('copy', { content: 'hello\n', dest, mode: 0o600 })).changed).toBe(true);
      expect(modeOf(dest)).toBe('0600');
      expect((await runModule('copy', { content: 'other\n', dest })).changed).toBe(true);
      expect(modeOf(dest)).toBe('0600');
    });
  });
  it('force: no leaves an existing file alone; backup keeps the old file', async () => {
    await withTempDir(async (dir) => {
      const dest = join(dir, 'f');
      await writeFile(dest, 'old');
      expect((await runModule('copy', { content: 'new', dest, force: 'no' })).changed).toBe(false);
      expect(readFileSync(dest, 'utf8')).toBe('old');
      const r = await runModule('copy', { content: 'new', dest, backup: true });
      expect(r.changed).toBe(true);
      expect(readFileSync(String(r.backup_file), 'utf8')).toBe('old');
    });
  });
  it('check mode reports the change without writing', async () => {
    await withTempDir(async (dir) => {
      const dest = join(dir, 'f');
      const r = await runModule('copy', { content: 'x', dest }, makeContext({ checkMode: true }));
      expect(r.changed).toBe(true);
      expect(existsSync(dest)).toBe(false);
    });
  });
  it('copies a controller file found under the task dir files/, into a directory dest, and a tree', async () => {
    await withTempDir(async (dir) => {
      await mkdir(join(dir, 'files', 'tree', 'sub'), { recursive: true });
      await writeFile(join(dir, 'files', 'data.txt'), 'data');
      await writeFile(join(dir, 'files', 'tree', 'a'), 'A');
      await writeFile(join(dir, 'files', 'tree', 'sub', 'b'), 'B');
      await mkdir(join(dir, 'out'));
      const ctx = makeContext({ taskDir: dir });
      expect(await runModule('copy', { src: 'data.txt', dest: join(dir, 'out') }, ctx)).toMatchObject({ changed: true, dest: join(dir, 'out', 'data.txt') });
      expect(readFileSync(join(dir, 'out', 'data.txt'), 'utf8')).toBe('data');
      expect((await runModule('copy', { src: 'tree', dest: join(dir, 'out') }, ctx)).changed).toBe(true);
      expect(readFileSync(join(dir, 'out', 'tree', 'sub', 'b'), 'utf8')).toBe('B');
      expect((await runModule('copy', { src: 'tree', dest: join(dir, 'out') }, ctx)).changed).toBe(false);
      expect((await runModule('copy', { src: 'tree/', dest: join(dir, 'flat') }, ctx)).changed).toBe(true);
      expect((await readdir(join(dir, 'flat'))).sort()).toEqual(['a', 'sub']);
    });
  });
  it('remote_src copies on the target; a missing src and a missing parent dir fail clearly', async () => {
    await withTempDir(async (dir) => {
      await writeFile(join(dir, 's'), 'S');
      expect((await runModule('copy', { src: join(dir, 's'), dest: join(dir, 'd'), remote_src: true })).changed).toBe(true);
      expect(readFileSync(join(dir, 'd'), 'utf8')).toBe('S');
      expect(await runModule('copy', { src: 'nope.txt', dest: join(dir, 'x') })).toMatchObject({ failed: true, msg: "Could not find or access 'nope.txt' on the Ansible Controller." });
      expect(await runModule('copy', { content: 'x', dest: join(dir, 'no', 'such', 'f') })).toMatchObject({ failed: true, msg: `Destination directory ${join(dir, 'no', 'such')} does not exist` });
    });
  });
  it('structured content is written as JSON; bad args are named', async () => {
    await withTempDir(async (dir) => {
      await runModule('copy', { content: { a: [1] }, dest: join(dir, 'j') });
      expect(readFileSync(join(dir, 'j'), 'utf8')).toBe('{"a":[1]}');
      await expect(runModule('copy', { content: 'x' })).rejects.toThrow(/missing required argument 'dest'/);
      await expect(runModule('copy', { content: 'x', dest: join(dir, 'j'), mode: 'rwx' })).rejects.toThrow(/argument 'mode'/);
    });
  });
});

describe('template', () => {
  it('renders a template from templates/ with the task variables, idempotently', async () => {
    await withTempDir(async (dir) => {
      await mkdir(join(dir, 'templates'));
      await writeFile(join(dir, 'templates', 't.j2'), 'name={{ name }}\n{% for i in items %}{{ i }},{% endfor %}\n');
      const ctx = makeContext({ taskDir: dir, vars: { name: 'x', items: [1, 2] } });
      const dest = join(dir, 'out.txt');
      expect((await runModule('template', { src: 't.j2', dest, mode: '0600' }, ctx)).changed).toBe(true);
      expect(readFileSync(dest, 'utf8')).toBe('name=x\n1,2,\n');
      expect((await runModule('template', { src: 't.j2', dest, mode: '0600' }, ctx)).changed).toBe(false);
    });
  });
});

describe('file', () => {
  it('directory: creates with mode, idempotent; recurse sets modes below', async () => {
    await withTempDir(async (dir) => {
      const d = join(dir, 'a', 'b');
      expect(await runModule('file', { path: d, state: 'directory', mode: '0750' })).toMatchObject({ changed: true, path: d, state: 'directory', mode: '0750' });
      expect(statSync(d).isDirectory()).toBe(true);
      expect((await runModule('file', { path: d, state: 'directory', mode: '0750' })).changed).toBe(false);
      await writeFile(join(d, 'f'), '');
      expect((await runModule('file', { path: join(dir, 'a'), state: 'directory', mode: '0700', recurse: true })).changed).toBe(true);
      expect(modeOf(join(d, 'f'))).toBe('0700');
      expect((await runModule('file', { path: join(dir, 'a'), state: 'directory', mode: '0700', recurse: true })).changed).toBe(false);
    });
  });
  it('absent removes trees and is idempotent; touch creates and always reports changed', async () => {
    await withTempDir(async (dir) => {
      const f = join(dir, 't');
      expect((await runModule('file', { path: f, state: 'touch', mode: '0600' })).changed).toBe(true);
      expect(modeOf(f)).toBe('0600');
      expect((await runModule('file', { path: f, state: 'touch' })).changed).toBe(true);
      expect(await runModule('file', { path: f, state: 'absent' })).toEqual({ changed: true, failed: false, path: f, state: 'absent' });
      expect((await runModule('file', { path: f, state: 'absent' })).changed).toBe(false);
    });
  });
  it('link: creates a symlink, idempotent, refuses to replace a file without force', async () => {
    await withTempDir(async (dir) => {
      const l = join(dir, 'l');
      expect((await runModule('file', { src: '/etc/hostname', dest: l, state: 'link' })).changed).toBe(true);
      expect(readlinkSync(l)).toBe('/etc/hostname');
      expect((await runModule('file', { src: '/etc/hostname', dest: l, state: 'link' })).changed).toBe(false);
      expect((await runModule('file', { src: '/etc/hosts', path: l, state: 'link' })).changed).toBe(true);
      expect(readlinkSync(l)).toBe('/etc/hosts');
      await writeFile(join(dir, 'plain'), '');
      expect(await runModule('file', { src: '/etc/hosts', path: join(dir, 'plain'), state: 'link' })).toMatchObject({ failed: true, msg: expect.stringContaining('refusing to convert from file to symlink') });
      expect((await runModule('file', { src: '/etc/hosts', path: join(dir, 'plain'), state: 'link', force: true })).changed).toBe(true);
      expect(lstatSync(join(dir, 'plain')).isSymbolicLink()).toBe(true);
    });
  });
  it('state=file on a missing path fails like Ansible; check mode changes nothing', async () => {
    await withTempDir(async (dir) => {
      expect(await runModule('file', { path: join(dir, 'nope') })).toMatchObject({ failed: true, msg: `file (${join(dir, 'nope')}) is absent, cannot continue` });
      const r = await runModule('file', { path: join(dir, 'new'), state: 'directory' }, makeContext({ checkMode: true }));
      expect(r.changed).toBe(true);
      expect(existsSync(join(dir, 'new'))).toBe(false);
      await expect(runModule('file', { path: dir, state: 'dir' })).rejects.toThrow(/argument 'state'/);
    });
  });
});

describe('stat / slurp', () => {
  it('stat reports Ansible fields with a sha1 checksum; missing → exists false', async () => {
    await withTempDir(async (dir) => {
      const f = join(dir, 'x');
      await writeFile(f, 'content', { mode: 0o640 });
      const r = await runModule('stat', { path: f });
      expect(r.changed).toBe(false);
      expect(r.stat).toMatchObject({ exists: true, isreg: true, isdir: false, islnk: false, size: 7, mode: '0640', checksum: sha1('content'), pw_name: 'root', readable: true, rusr: true, roth: false });
      expect((await runModule('stat', { path: f, checksum_algorithm: 'sha256' })).stat).toMatchObject({ checksum: createHash('sha256').update('content').digest('hex') });
      await symlink(f, join(dir, 'l'));
      expect((await runModule('stat', { path: join(dir, 'l') })).stat).toMatchObject({ islnk: true, lnk_target: f, lnk_source: f });
      expect((await runModule('stat', { path: join(dir, 'l'), follow: true })).stat).toMatchObject({ islnk: false, isreg: true });
      expect(await runModule('stat', { path: join(dir, 'missing') })).toEqual({ changed: false, failed: false, stat: { exists: false } });
      expect((await runModule('stat', { path: dir })).stat).toMatchObject({ isdir: true });
    });
  });
  it('slurp returns base64 content; missing file fails', async () => {
    await withTempDir(async (dir) => {
      await writeFile(join(dir, 'b'), Buffer.from([0, 1, 2, 255]));
      expect(await runModule('slurp', { src: join(dir, 'b') })).toEqual({ changed: false, failed: false, content: 'AAEC/w==', encoding: 'base64', source: join(dir, 'b') });
      expect(await runModule('slurp', { path: join(dir, 'n') })).toMatchObject({ failed: true, msg: `file not found: ${join(dir, 'n')}` });
    });
  });
});

describe('lineinfile', () => {
  const run = async (initial: string | undefined, args: Record<string, unknown>) =>
    withTempDir(async (dir) => {
      const path = join(dir, 'f');
      if (initial !== undefined) await writeFile(path, initial);
      const r = await runModule('lineinfile', { path, ...args });
      const again = r.failed ? undefined : await runModule('lineinfile', { path, ...args });
      return { r, again, text: existsSync(path) ? readFileSync(path, 'utf8') : undefined };
    });
  it('replaces the last line matching regexp, idempotently', async () => {
    const { r, again, text } = await run('a=1\nb=2\na=3\n', { regexp: '^a=', line: 'a=9' });
    expect(r).toMatchObject({ changed: true, msg: 'line replaced' });
    expect(again?.changed).toBe(false);
    expect(text).toBe('a=1\nb=2\na=9\n');
  });
  it('firstmatch replaces the first match', async () => {
    expect((await run('a=1\na=3\n', { regexp: '^a=', line: 'a=9', firstmatch: true })).text).toBe('a=9\na=3\n');
  });
  it('appends at EOF (adding a missing final newline) when nothing matches', async () => {
    const { r, again, text } = await run('x', { line: 'y' });
    expect(r.msg).toBe('line added');
    expect(again?.changed).toBe(false);
    expect(text).toBe('x\ny\n');
  });
  it('insertafter / insertbefore a regex, BOF', async () => {
    expect((await run('[main]\nk=v\n[other]\n', { line: 'new=1', insertafter: '^\\[main\\]' })).text).toBe('[main]\nnew=1\nk=v\n[other]\n');
    expect((await run('a\nb\n', { line: 'z', insertbefore: '^b' })).text).toBe('a\nz\nb\n');
    expect((await run('a\nb\n', { line: 'z', insertbefore: 'BOF' })).text).toBe('z\na\nb\n');
  });
  it('backrefs substitute groups and do nothing when the regexp does not match', async () => {
    const sub = await run('port=80\n', { regexp: '^(?P<key>port)=\\d+$', line: '\\g<key>=8080 # was \\1', backrefs: true });
    expect(sub.r.changed).toBe(true);
    expect(sub.again?.changed).toBe(false);
    expect(sub.text).toBe('port=8080 # was port\n');
    const none = await run('x\n', { regexp: '^port=(\\d+)', line: 'port=\\1', backrefs: true });
    expect(none.r.changed).toBe(false);
    expect(none.text).toBe('x\n');
  });
  it('state=absent removes matching lines and counts them', async () => {
    const { r, again, text } = await run('a\nb\na\n', { line: 'a', state: 'absent' });
    expect(r).toMatchObject({ changed: true, found: 2, msg: '2 line(s) removed' });
    expect(again).toMatchObject({ changed: false, found: 0 });
    expect(text).toBe('b\n');
  });
  it('missing file: fails without create, creates with create', async () => {
    expect((await run(undefined, { line: 'x' })).r).toMatchObject({ failed: true, rc: 257 });
    const c = await run(undefined, { line: 'x', create: true });
    expect(c.r.changed).toBe(true);
    expect(c.text).toBe('x\n');
  });
  it('search_string matches literally', async () => {
    expect((await run('a.b=1\naxb=2\n', { search_string: 'a.b', line: 'a.b=3' })).text).toBe('a.b=3\naxb=2\n');
  });
});

describe('blockinfile', () => {
  it('inserts a marked block, updates it in place, removes it; idempotent', async () => {
    await withTempDir(async (dir) => {
      const path = join(dir, 'f');
      await writeFile(path, 'top\nbottom');
      const r1 = await runModule('blockinfile', { path, block: 'one\ntwo' });
      expect(r1).toMatchObject({ changed: true, msg: 'Block inserted' });
      expect(readFileSync(path, 'utf8')).toBe('top\nbottom\n# BEGIN ANSIBLE MANAGED BLOCK\none\ntwo\n# END ANSIBLE MANAGED BLOCK\n');
      expect((await runModule('blockinfile', { path, block: 'one\ntwo' })).changed).toBe(false);
      await runModule('blockinfile', { path, block: 'three' });
      expect(readFileSync(path, 'utf8')).toBe('top\nbottom\n# BEGIN ANSIBLE MANAGED BLOCK\nthree\n# END ANSIBLE MANAGED BLOCK\n');
      expect(await runModule('blockinfile', { path, state: 'absent' })).toMatchObject({ changed: true, msg: 'Block removed' });
      expect(readFileSync(path, 'utf8')).toBe('top\nbottom\n');
    });
  });
  it('custom marker, insertbefore BOF / insertafter regex, create', async () => {
    await withTempDir(async (dir) => {
      const path = join(dir, 'f');
      expect(await runModule('blockinfile', { path, block: 'x', create: true, marker: '<!-- {mark} -->' })).toMatchObject({ changed: true, msg: 'File created' });
      expect(readFileSync(path, 'utf8')).toBe('<!-- BEGIN -->\nx\n<!-- END -->\n');
      await writeFile(path, 'a\nb\n');
      await runModule('blockinfile', { path, block: 'x', insertafter: '^a$' });
      expect(readFileSync(path, 'utf8')).toBe('a\n# BEGIN ANSIBLE MANAGED BLOCK\nx\n# END ANSIBLE MANAGED BLOCK\nb\n');
      await writeFile(path, 'a\n');
      await runModule('blockinfile', { path, block: 'x', insertbefore: 'BOF' });
      expect(readFileSync(path, 'utf8')).toBe('# BEGIN ANSIBLE MANAGED BLOCK\nx\n# END ANSIBLE MANAGED BLOCK\na\n');
      expect(await runModule('blockinfile', { path: join(dir, 'none'), block: 'x' })).toMatchObject({ failed: true, rc: 257 });
    });
  });
});

describe('find', () => {
  it('matches patterns on basenames, file types, hidden, recurse, excludes, size and contains', async () => {
    await withTempDir(async (dir) => {
      await mkdir(join(dir, 'sub'));
      await writeFile(join(dir, 'a.log'), 'error here');
      await writeFile(join(dir, 'b.log'), 'fine');
      await writeFile(join(dir, '.h.log'), '');
      await writeFile(join(dir, 'c.txt'), 'x'.repeat(2048));
      await writeFile(join(dir, 'sub', 'd.log'), '');
      const r = await runModule('find', { paths: dir, patterns: '*.log' });
      expect((r.files as Array<{ path: string }>).map((f) => f.path)).toEqual([join(dir, 'a.log'), join(dir, 'b.log')]);
      expect(r).toMatchObject({ changed: false, matched: 2, msg: 'All paths examined' });
      const deep = await runModule('find', { paths: [dir], patterns: ['*.log'], recurse: true, hidden: true, excludes: 'b.*' });
      expect((deep.files as Array<{ path: string }>).map((f) => f.path)).toEqual([join(dir, '.h.log'), join(dir, 'a.log'), join(dir, 'sub', 'd.log')]);
      const dirs = await runModule('find', { paths: dir, file_type: 'directory' });
      expect((dirs.files as Array<{ path: string; isdir: boolean }>)[0]).toMatchObject({ path: join(dir, 'sub'), isdir: true });
      expect((await runModule('find', { paths: dir, size: '1k' })).matched).toBe(1);
      expect((await runModule('find', { paths: dir, contains: 'err.r' })).matched).toBe(1);
      expect((await runModule('find', { paths: dir, patterns: '^[ab]\\.log$', use_regex: true })).matched).toBe(2);
      expect((await runModule('find', { paths: dir, age: '1d' })).matched).toBe(0);
      expect((await runModule('find', { paths: dir, age: '-1d', patterns: '*.txt' })).matched).toBe(1);
      expect(await runModule('find', { paths: join(dir, 'nope') })).toMatchObject({ matched: 0, msg: 'Not all paths examined, check warnings for details' });
    });
  });
});
