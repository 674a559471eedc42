/**
 * Differential test: the same module calls run by ansible-core (ansible-playbook, connection local) and by our
 * modules, each on its own copy of the same starting files, twice (idempotence). The resulting files and the
 * user-visible result fields (changed, failed, msg, rc, stdout, found, stat fields...) must match.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, lstatSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runModule } from './helpers.js';

const execFileP = promisify(execFile);

interface Case {
  name: string;
  module: string;
  args: Record<string, unknown>;
  files?: Record<string, string>;
  /** Result fields compared (dot paths); changed/failed always are, msg unless `noMsg`. */
  keys?: string[];
  noMsg?: boolean;
  /** We deliberately differ from ansible-core here: why, and the file content we produce instead. */
  differs?: { why: string; expect: Record<string, string> };
}

const F = 'DIR/f';
const CASES: Case[] = [
  { name: 'lineinfile replace last match', module: 'lineinfile', files: { f: 'a=1\nb=2\na=3\n' }, args: { path: F, regexp: '^a=', line: 'a=9' } },
  { name: 'lineinfile firstmatch', module: 'lineinfile', files: { f: 'a=1\nb=2\na=3\n' }, args: { path: F, regexp: '^a=', line: 'a=9', firstmatch: true } },
  { name: 'lineinfile append to file without final newline', module: 'lineinfile', files: { f: 'x' }, args: { path: F, line: 'y' } },
  { name: 'lineinfile insertafter regex', module: 'lineinfile', files: { f: '[main]\nk=v\n[other]\nk=v\n' }, args: { path: F, line: 'new=1', insertafter: '^\\[main\\]$' } },
  { name: 'lineinfile insertafter last of several matches', module: 'lineinfile', files: { f: 'k=1\nx\nk=2\ny\n' }, args: { path: F, line: 'after', insertafter: '^k=' } },
  { name: 'lineinfile insertafter no match goes to EOF', module: 'lineinfile', files: { f: 'a\n' }, args: { path: F, line: 'z', insertafter: '^nothing' } },
  {
    name: 'lineinfile insertafter last line without final newline',
    module: 'lineinfile',
    files: { f: 'a\nb' },
    args: { path: F, line: 'z', insertafter: '^b' },
    differs: { why: "ansible-core 2.14 glues the new line onto the last one ('bz') and adds it again on every run; we add the missing newline", expect: { f: 'file 644 "a\\nb\\nz\\n"' } },
  },
  { name: 'lineinfile insertbefore regex', module: 'lineinfile', files: { f: 'a\nb\nb\n' }, args: { path: F, line: 'z', insertbefore: '^b' } },
  { name: 'lineinfile insertbefore firstmatch', module: 'lineinfile', files: { f: 'a\nb\nb\n' }, args: { path: F, line: 'z', insertbefore: '^b', firstmatch: true } },
  { name: 'lineinfile insertbefore BOF', module: 'lineinfile', files: { f: 'a\n' }, args: { path: F, line: 'z', insertbefore: 'BOF' } },
  { name: 'lineinfile line already present elsewhere', module: 'lineinfile', files: { f: 'z\na\n' }, args: { path: F, line: 'z', insertafter: '^a' } },
  { name: 'lineinfile backrefs no match', module: 'lineinfile', files: { f: 'x\n' }, args: { path: F, regexp: '^port=(\\d+)', line: 'port=\\1', backrefs: true } },
  { name: 'lineinfile backrefs named group', module: 'lineinfile', files: { f: 'port=80\n' }, args: { path: F, regexp: '^(?P<k>port)=\\d+$', line: '\\g<k>=8080', backrefs: true } },
  { name: 'lineinfile absent by line', module: 'lineinfile', files: { f: 'a\nb\na\n' }, args: { path: F, line: 'a', state: 'absent' }, keys: ['found'] },
  { name: 'lineinfile absent by regexp', module: 'lineinfile', files: { f: 'a1\nb\na2\n' }, args: { path: F, regexp: '^a', state: 'absent' }, keys: ['found'] },
  { name: 'lineinfile create', module: 'lineinfile', args: { path: F, line: 'x', create: true } },
  { name: 'lineinfile missing without create', module: 'lineinfile', args: { path: F, line: 'x' }, keys: ['rc'] },
  { name: 'lineinfile search_string', module: 'lineinfile', files: { f: 'a.b=1\naxb=2\n' }, args: { path: F, search_string: 'a.b', line: 'a.b=3' } },
  { name: 'lineinfile mode only', module: 'lineinfile', files: { f: 'a\n' }, args: { path: F, line: 'a', mode: '0600' } },
  { name: 'blockinfile insert at EOF', module: 'blockinfile', files: { f: 'top\nbottom' }, args: { path: F, block: 'one\ntwo' } },
  { name: 'blockinfile update block', module: 'blockinfile', files: { f: 'a\n# BEGIN ANSIBLE MANAGED BLOCK\nold\n# END ANSIBLE MANAGED BLOCK\nz\n' }, args: { path: F, block: 'new' } },
  { name: 'blockinfile remove', module: 'blockinfile', files: { f: 'a\n# BEGIN ANSIBLE MANAGED BLOCK\nold\n# END ANSIBLE MANAGED BLOCK\nz\n' }, args: { path: F, state: 'absent' } },
  { name: 'blockinfile empty block removes', module: 'blockinfile', files: { f: 'a\n# BEGIN ANSIBLE MANAGED BLOCK\nold\n# END ANSIBLE MANAGED BLOCK\n' }, args: { path: F, block: '' } },
  { name: 'blockinfile insertafter regex', module: 'blockinfile', files: { f: 'a\nb\n' }, args: { path: F, block: 'x', insertafter: '^a' } },
  { name: 'blockinfile insertbefore BOF', module: 'blockinfile', files: { f: 'a\n' }, args: { path: F, block: 'x', insertbefore: 'BOF' } },
  { name: 'blockinfile custom marker create', module: 'blockinfile', args: { path: F, block: 'x', create: true, marker: '<!-- {mark} -->' } },
  { name: 'copy content with mode', module: 'copy', args: { content: 'hello\n', dest: F, mode: '0640' }, keys: ['checksum', 'size', 'mode', 'dest', 'state'], noMsg: true },
  { name: 'copy content over different file', module: 'copy', files: { f: 'old\n' }, args: { content: 'new\n', dest: F }, keys: ['checksum', 'size'], noMsg: true },
  { name: 'copy force no', module: 'copy', files: { f: 'old\n' }, args: { content: 'new\n', dest: F, force: false }, noMsg: true },
  { name: 'file directory', module: 'file', args: { path: 'DIR/d/e', state: 'directory', mode: '0750' }, keys: ['path', 'state', 'mode'] },
  { name: 'file directory exists', module: 'file', files: { 'd/x': '' }, args: { path: 'DIR/d', state: 'directory' }, keys: ['path', 'state', 'mode'] },
  { name: 'file touch', module: 'file', args: { path: F, state: 'touch', mode: '0600' }, keys: ['dest', 'mode'] },
  { name: 'file absent missing', module: 'file', args: { path: F, state: 'absent' }, keys: ['path', 'state'] },
  { name: 'file absent tree', module: 'file', files: { 'd/x': 'x' }, args: { path: 'DIR/d', state: 'absent' }, keys: ['path', 'state'] },
  { name: 'file link', module: 'file', files: { target: 't' }, args: { src: 'DIR/target', dest: 'DIR/l', state: 'link' }, keys: ['dest', 'state', 'src'] },
  { name: 'file state=file missing', module: 'file', args: { path: F }, keys: ['path'] },
  { name: 'stat file', module: 'stat', files: { f: 'content' }, args: { path: F }, keys: ['stat.exists', 'stat.isreg', 'stat.isdir', 'stat.islnk', 'stat.size', 'stat.checksum', 'stat.pw_name', 'stat.readable', 'stat.roth', 'stat.path'], noMsg: true },
  { name: 'stat missing', module: 'stat', args: { path: 'DIR/none' }, keys: ['stat'], noMsg: true },
  { name: 'command argv output', module: 'command', args: { cmd: "printf '%s|' 'a b' c" }, keys: ['rc', 'stdout', 'stderr', 'cmd', 'stdout_lines'] },
  { name: 'shell failing', module: 'shell', args: { cmd: 'echo out; echo err >&2; exit 3' }, keys: ['rc', 'stdout', 'stderr', 'cmd', 'stderr_lines'] },
  { name: 'command creates existing', module: 'command', files: { f: '' }, args: { cmd: 'touch DIR/g', creates: F }, keys: ['rc', 'stdout'] },
  { name: 'shell removes missing', module: 'shell', args: { cmd: 'touch DIR/g', removes: 'DIR/nothing' }, keys: ['rc', 'stdout'] },
  { name: 'shell chdir stdin', module: 'shell', files: { f: '' }, args: { cmd: 'cat; ls', chdir: 'DIR', stdin: 'input' }, keys: ['rc', 'stdout'] },
  { name: 'slurp', module: 'slurp', files: { f: 'bytes\n' }, args: { src: F }, keys: ['content', 'encoding', 'source'], noMsg: true },
  { name: 'find patterns', module: 'find', files: { 'a.log': '1', 'b.log': '22', 'c.txt': '', '.h.log': '', 'sub/d.log': '' }, args: { paths: 'DIR', patterns: '*.log' }, keys: ['matched', 'examined'] },
  { name: 'replace all matches', module: 'replace', files: { f: 'a1 a2\nb a3\n' }, args: { path: F, regexp: 'a(\\d)', replace: 'x\\1' } },
  { name: 'replace multiline anchors', module: 'replace', files: { f: 'k=1\nk=2\nz=k\n' }, args: { path: F, regexp: '^k=(?P<v>\\d)$', replace: 'key=\\g<v>' } },
  { name: 'replace between after/before', module: 'replace', files: { f: 'x\n[s]\nx\n[e]\nx\n' }, args: { path: F, regexp: 'x', replace: 'y', after: '\\[s\\]', before: '\\[e\\]' } },
  { name: 'replace no match', module: 'replace', files: { f: 'abc\n' }, args: { path: F, regexp: 'zzz', replace: 'y' } },
  { name: 'replace missing file', module: 'replace', args: { path: F, regexp: 'a' }, keys: ['rc'] },
  // The in-place editors share one write rule (src/modules/lib/edit-file.ts): an unchanged text with a new mode is an attributes-only change.
  { name: 'lineinfile line present, mode changes', module: 'lineinfile', files: { f: 'a\n' }, args: { path: F, line: 'a', mode: '0600' } },
  { name: 'lineinfile regexp absent, mode changes', module: 'lineinfile', files: { f: 'a\n' }, args: { path: F, regexp: '^z', state: 'absent', mode: '0600' }, keys: ['found'] },
  { name: 'blockinfile block present, mode changes', module: 'blockinfile', files: { f: '# BEGIN ANSIBLE MANAGED BLOCK\nx\n# END ANSIBLE MANAGED BLOCK\n' }, args: { path: F, block: 'x', mode: '0600' } },
  { name: 'replace no match, mode changes', module: 'replace', files: { f: 'abc\n' }, args: { path: F, regexp: 'zzz', replace: 'y', mode: '0600' } },
  // ...and an edit with a new mode says both, as ansible-core does (a new file counts from 0644).
  { name: 'replace with a match and a new mode', module: 'replace', files: { f: 'abc\n' }, args: { path: F, regexp: 'b', replace: 'y', mode: '0600' } },
  { name: 'lineinfile line added with a new mode', module: 'lineinfile', files: { f: 'a\n' }, args: { path: F, line: 'b', mode: '0600' } },
  { name: 'lineinfile create with mode 0600', module: 'lineinfile', args: { path: F, line: 'b', create: true, mode: '0600' } },
  { name: 'lineinfile create with mode 0644', module: 'lineinfile', args: { path: F, line: 'b', create: true, mode: '0644' } },
  { name: 'blockinfile inserted with a new mode', module: 'blockinfile', files: { f: 'a\n' }, args: { path: F, block: 'x', mode: '0600' } },
  { name: 'blockinfile create with mode', module: 'blockinfile', args: { path: F, block: 'x', create: true, mode: '0640' } },
  { name: 'fetch flat', module: 'fetch', files: { f: 'remote\n' }, args: { src: F, dest: 'DIR/out/copy', flat: true }, keys: ['dest', 'checksum', 'remote_checksum', 'md5sum'], noMsg: true },
  { name: 'fetch missing', module: 'fetch', args: { src: F, dest: 'DIR/out/', flat: true, fail_on_missing: false } },
  { name: 'ping', module: 'ping', args: {}, keys: ['ping'], noMsg: true },
  { name: 'find recurse contains', module: 'find', files: { 'a.log': 'error x', 'b.log': 'fine', 'sub/d.log': 'error y' }, args: { paths: 'DIR', recurse: true, contains: 'err.r' }, keys: ['matched'] },
];

let root: string;
let ansibleResults: Record<string, Record<string, unknown>>;

function setup(dir: string, files: Record<string, string> = {}): void {
  mkdirSync(dir, { recursive: true });
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(join(dir, rel, '..'), { recursive: true });
    writeFileSync(join(dir, rel), content);
  }
}

function subst(v: unknown, dir: string): unknown {
  if (typeof v === 'string') return v.split('DIR').join(dir);
  if (Array.isArray(v)) return v.map((x) => subst(x, dir));
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, subst(x, dir)]));
  return v;
}

/** Every file under dir: content, mode, or link target. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string, rel: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      const r = rel ? `${rel}/${name}` : name;
      const st = lstatSync(p);
      if (st.isSymbolicLink()) out[r] = `link -> ${readlinkSync(p).split(dir).join('DIR')}`;
      else if (st.isDirectory()) {
        out[r] = `dir ${(st.mode & 0o777).toString(8)}`;
        walk(p, r);
      } else out[r] = `file ${(st.mode & 0o777).toString(8)} ${JSON.stringify(readFileSync(p, 'utf8'))}`;
    }
  };
  walk(dir, '');
  return out;
}

function pick(result: Record<string, unknown>, c: Case, dir: string): Record<string, unknown> {
  const keys = ['changed', 'failed', ...(c.noMsg ? [] : ['msg']), ...(c.keys ?? [])];
  const out: Record<string, unknown> = {};
  for (const k of keys) {
    let v: unknown = result;
    for (const part of k.split('.')) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[part] : undefined;
    if (k === 'failed' && v === undefined) v = false;
    if (k === 'msg' && (v === undefined || v === '')) v = '';
    out[k] = JSON.parse(JSON.stringify(v ?? null).split(dir).join('DIR')) as unknown;
  }
  return out;
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'dci-oracle-'));
  const tasks: string[] = [];
  CASES.forEach((c, i) => {
    const dir = join(root, 'ansible', String(i));
    setup(dir, c.files);
    const args = JSON.stringify(subst(c.args, dir));
    for (const run of [1, 2]) tasks.push(`    - name: case ${i} run ${run}\n      ${c.module}: ${args}\n      register: c${i}_${run}\n      ignore_errors: true`);
  });
  const names = CASES.flatMap((_, i) => [`'c${i}_1': c${i}_1`, `'c${i}_2': c${i}_2`]).join(', ');
  tasks.push(`    - copy:\n        content: "{{ {${names}} | to_json }}"\n        dest: ${join(root, 'results.json')}`);
  const playbook = `- hosts: localhost\n  connection: local\n  gather_facts: false\n  tasks:\n${tasks.join('\n')}\n`;
  writeFileSync(join(root, 'pb.yml'), playbook);
  await execFileP('ansible-playbook', ['-i', 'localhost,', join(root, 'pb.yml')], {
    env: { ...process.env, ANSIBLE_LOCALHOST_WARNING: 'False', ANSIBLE_NOCOLOR: '1', ANSIBLE_RETRY_FILES_ENABLED: 'False', ANSIBLE_PYTHON_INTERPRETER: '/usr/bin/python3' },
    maxBuffer: 64 * 1024 * 1024,
  });
  ansibleResults = JSON.parse(readFileSync(join(root, 'results.json'), 'utf8')) as Record<string, Record<string, unknown>>;
}, 400_000);

afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('modules behave like ansible-core', () => {
  CASES.forEach((c, i) => {
    it(`${c.module}: ${c.name}`, async () => {
      const ansDir = join(root, 'ansible', String(i));
      const ourDir = join(root, 'ours', String(i));
      setup(ourDir, c.files);
      if (c.differs) {
        const first = await runModule(c.module, subst(c.args, ourDir));
        const second = await runModule(c.module, subst(c.args, ourDir));
        expect(first.changed).toBe(true);
        expect(second.changed).toBe(false);
        expect(snapshot(ourDir), c.differs.why).toEqual(c.differs.expect);
        return;
      }
      for (const run of [1, 2]) {
        let ours: Record<string, unknown>;
        try {
          ours = await runModule(c.module, subst(c.args, ourDir));
        } catch (e) {
          ours = { failed: true, msg: (e as Error).message };
        }
        const theirs = ansibleResults[`c${i}_${run}`];
        expect({ run, ...pick(ours, c, ourDir) }).toEqual({ run, ...pick(theirs, c, ansDir) });
      }
      expect(snapshot(ourDir)).toEqual(snapshot(ansDir));
    });
  });
});
