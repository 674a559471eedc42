/**
 * `become: true` applies to the files a task writes, reads and stats, not only to the commands it runs, with
 * ansible-core as the oracle. Both engines reach a real sshd as `dcisudo` (a non-root login user with
 * passwordless sudo) and run the same playbook on their own copy of a root-owned scratch directory: copy (new
 * file, with mode, over a file owned by another user, a 5 MB binary), template, lineinfile and blockinfile on a
 * root-owned file, file touch/directory, stat and slurp of a root-only 0600 file; one task becomes `dcitest`
 * (another non-root user); two tasks without become show the permission error both ways. We compare what a user
 * would notice: changed/failed per task (first run and a second, idempotent run), the resulting files' owner,
 * group, mode and content (read here as root), the stat/slurp results and the failure messages. A second
 * playbook does the same locally (the controller is root) with `become_user: dcitest`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureUser, startSshd, type SshdHandle } from '../../helpers/sshd.js';
import { runAnsiblePlaybook, type AnsibleRecord } from '../../helpers/ansible.js';
import { runOurs } from '../run-ours.js';
import type { Record_ } from '../differential.js';
import { closeAllTransports, createTransport } from '../../../src/engine/transports/index.js';
import { KeywordTransport } from '../../../src/engine/executor/transport-pool.js';

/** Another non-root user for `become_user` (created by the sshd helper's default instance elsewhere, or here). */
const OTHER = 'dcitest';

const PLAYBOOK = `- name: become files
  hosts: remote
  gather_facts: false
  become: true
  tasks:
    - name: copy a new file into a root-owned dir
      copy: {content: "new\\n", dest: "{{ d }}/new.conf"}
    - name: copy with mode
      copy: {content: "secret=1\\n", dest: "{{ d }}/mode.conf", mode: "0600"}
    - name: copy over a file owned by another user
      copy: {content: "replaced\\n", dest: "{{ d }}/owned"}
    - name: copy a 5 MB binary
      copy: {src: big.bin, dest: "{{ d }}/big.bin"}
    - name: template
      template: {src: t.j2, dest: "{{ d }}/templated"}
    - name: lineinfile on a root-owned file
      lineinfile: {path: "{{ d }}/conf", regexp: "^a=", line: "a=2"}
    - name: blockinfile on a root-owned file
      blockinfile: {path: "{{ d }}/conf", block: "b=3"}
    - name: file touch
      file: {path: "{{ d }}/touched", state: touch, mode: "0640"}
    - name: file directory
      file: {path: "{{ d }}/sub", state: directory, mode: "0750"}
    - name: stat a root-only file
      stat: {path: "{{ d }}/secret"}
    - name: slurp a root-only file
      slurp: {src: "{{ d }}/secret"}
    - name: slurp the 5 MB binary
      slurp: {src: "{{ d }}/big.bin"}
    - name: copy into a missing directory
      copy: {content: "x", dest: "{{ d }}/missing/x.conf"}
      ignore_errors: true
    - name: lineinfile as another user
      lineinfile: {path: "{{ d }}/other/mine", line: "mine", create: true}
      become_user: ${OTHER}
    - name: copy without become
      copy: {content: "denied\\n", dest: "{{ d }}/denied"}
      become: false
      ignore_errors: true
    - name: slurp without become
      slurp: {src: "{{ d }}/secret"}
      become: false
      ignore_errors: true
`;

/** Local connection as root, becoming another non-root user: files are that user's, reads are its reads. */
const LOCAL_PLAYBOOK = `- name: become files locally
  hosts: local
  gather_facts: false
  become: true
  become_user: ${OTHER}
  tasks:
    - name: copy a new file
      copy: {content: "new\\n", dest: "{{ d }}/new"}
    - name: copy over a root-owned file
      copy: {content: "replaced\\n", dest: "{{ d }}/rootfile"}
    - name: copy with mode
      copy: {content: "m\\n", dest: "{{ d }}/moded", mode: "0600"}
    - name: lineinfile on the user's 0600 file
      lineinfile: {path: "{{ d }}/mine", line: "y"}
    - name: stat the user's file
      stat: {path: "{{ d }}/mine"}
    - name: slurp the user's file
      slurp: {src: "{{ d }}/mine"}
    - name: file touch
      file: {path: "{{ d }}/t", state: touch}
    - name: copy into a root-only dir
      copy: {content: "x", dest: "{{ d }}/locked/x"}
      ignore_errors: true
    - name: slurp a root-only file
      slurp: {src: "{{ d }}/rootonly"}
      ignore_errors: true
`;
const LOCAL_FILES = ['new', 'rootfile', 'moded', 'mine', 't', 'locked', 'rootonly'];

/** Files the playbook touches, compared between the two engines' directories. */
const FILES = ['new.conf', 'mode.conf', 'owned', 'big.bin', 'templated', 'conf', 'touched', 'sub', 'secret', 'missing', 'other', 'other/mine', 'denied'];

let sshd: SshdHandle;
let work: string;
let inventory: string;
let playbook: string;
const dirs: string[] = [];

function sha1(data: Buffer): string {
  return createHash('sha1').update(data).digest('hex');
}

function userName(uid: number): string {
  return execFileSync('id', ['-nu', String(uid)]).toString().trim();
}

function groupName(gid: number): string {
  return execFileSync('getent', ['group', String(gid)]).toString().split(':')[0];
}

function uidOf(user: string): number {
  return Number(execFileSync('id', ['-u', user]).toString());
}

/** A fresh root-owned 0755 scratch dir with the files the playbook starts from. */
function scratchDir(name: string): string {
  const d = mkdtempSync(join(tmpdir(), `dci-become-${name}-`));
  dirs.push(d);
  chmodSync(d, 0o755);
  writeFileSync(join(d, 'conf'), 'a=1\n', { mode: 0o644 });
  writeFileSync(join(d, 'secret'), 's3cret\n', { mode: 0o600 });
  chmodSync(join(d, 'secret'), 0o600);
  // Owned by another user, 0640: replacing it keeps both, as Ansible's atomic_move does.
  writeFileSync(join(d, 'owned'), 'old\n', { mode: 0o640 });
  chmodSync(join(d, 'owned'), 0o640);
  chownSync(join(d, 'owned'), uidOf(OTHER), uidOf(OTHER));
  mkdirSync(join(d, 'other'), { mode: 0o755 });
  chownSync(join(d, 'other'), uidOf(OTHER), uidOf(OTHER));
  return d;
}

/** The failure messages, with the engine's directory replaced by D. */
function failures(records: Array<AnsibleRecord | Record_>, d: string): string[] {
  return records.filter((r) => r.status === 'failed' || r.status === 'ignored').map((r) => String(r.result.msg).split(d).join('D'));
}

/** What a user would see of the files, read as root: `name owner:group mode sha1|dir` (or `name absent`). */
function files(d: string, names = FILES): string[] {
  return names.map((f) => {
    const p = join(d, f);
    let st;
    try {
      st = statSync(p);
    } catch {
      return `${f} absent`;
    }
    const what = st.isDirectory() ? `dir[${readdirSync(p).sort().join(',')}]` : sha1(readFileSync(p));
    return `${f} ${userName(st.uid)}:${groupName(st.gid)} ${(st.mode & 0o7777).toString(8).padStart(4, '0')} ${what}`;
  });
}

/** A scratch dir owned by the other user, with a file of its own (0600), a root-owned file and root-only spots. */
function localScratchDir(name: string): string {
  const d = mkdtempSync(join(tmpdir(), `dci-become-${name}-`));
  dirs.push(d);
  chmodSync(d, 0o755);
  chownSync(d, uidOf(OTHER), uidOf(OTHER));
  writeFileSync(join(d, 'mine'), 'x\n', { mode: 0o600 });
  chownSync(join(d, 'mine'), uidOf(OTHER), uidOf(OTHER));
  writeFileSync(join(d, 'rootfile'), 'root\n', { mode: 0o644 });
  writeFileSync(join(d, 'rootonly'), 'r\n', { mode: 0o600 });
  chmodSync(join(d, 'rootonly'), 0o600);
  mkdirSync(join(d, 'locked'), { mode: 0o700 });
  return d;
}

/** `task → changed/failed` plus the data stat and slurp return, with the engine's directory replaced by D. */
function table(records: Array<AnsibleRecord | Record_>, d: string): string[] {
  return records.map((r) => {
    const failed = r.status === 'failed' || r.status === 'ignored';
    let line = `${r.task} → ${failed ? 'failed' : r.status === 'changed' ? 'changed' : r.status}`;
    const res = r.result;
    if (!failed && r.task.startsWith('stat')) {
      const s = res.stat as Record<string, unknown>;
      line += ` ${JSON.stringify([s.exists, s.isreg, s.mode, s.pw_name, s.gr_name, s.size, s.checksum, s.readable])}`;
    }
    if (!failed && r.task.startsWith('slurp')) line += ` ${String(res.encoding)} ${sha1(Buffer.from(String(res.content), 'base64'))} ${String(res.source).replace(d, 'D')}`;
    return line;
  });
}

beforeAll(async () => {
  sshd = await startSshd({ sudo: true });
  // The other user exists on a fresh machine only once an sshd with the default user has started.
  try {
    uidOf(OTHER);
  } catch {
    ensureUser(OTHER);
  }
  work = mkdtempSync(join(tmpdir(), 'dci-become-files-'));
  writeFileSync(join(work, 't.j2'), 'host={{ inventory_hostname }}\n');
  writeFileSync(join(work, 'big.bin'), randomBytes(5 * 1024 * 1024));
  playbook = join(work, 'pb.yml');
  writeFileSync(playbook, PLAYBOOK);
  writeFileSync(join(work, 'local.yml'), LOCAL_PLAYBOOK);
  inventory = join(work, 'inventory.json');
  const remote = { ...sshd.inventoryVars(), ansible_python_interpreter: '/usr/bin/python3' };
  const local = { ansible_connection: 'local', ansible_python_interpreter: '/usr/bin/python3' };
  writeFileSync(inventory, JSON.stringify({ all: { hosts: { remote, local } } }));
}, 60_000);

afterAll(async () => {
  await closeAllTransports();
  await sshd?.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  if (work) rmSync(work, { recursive: true, force: true });
  // Ansible's remote temp dirs, left in the login user's home.
  rmSync(`/home/${sshd?.user ?? 'dcisudo'}/.ansible`, { recursive: true, force: true });
}, 30_000);

/**
 * Run the playbook twice with ansible-playbook (into theirsDir) and twice with our engine (into oursDir), and check
 * both runs give the same per-task table (the second run shows idempotence); the first runs are returned.
 */
async function runTwiceEach(path: string, theirsDir: string, oursDir: string, timeoutMs: number) {
  const theirs1 = await runAnsiblePlaybook(path, { inventory, extraVars: { d: theirsDir }, timeoutMs });
  const theirs2 = await runAnsiblePlaybook(path, { inventory, extraVars: { d: theirsDir }, timeoutMs });
  expect(theirs1.records.length, theirs1.stdout + theirs1.stderr).toBeGreaterThan(0);
  const ours1 = await runOurs(path, inventory, { extraVars: { d: oursDir } });
  const ours2 = await runOurs(path, inventory, { extraVars: { d: oursDir } });
  expect(table(ours1.records, oursDir)).toEqual(table(theirs1.records, theirsDir));
  expect(table(ours2.records, oursDir)).toEqual(table(theirs2.records, theirsDir));
  return { theirs1, ours1 };
}

describe('become applies to file operations: ansible-core is the oracle', () => {
  it('over ssh as a non-root user with sudo: same changed/failed, owners, modes, contents, stat and slurp as ansible-playbook; idempotent', async () => {
    const big = readFileSync(join(work, 'big.bin'));
    const theirsDir = scratchDir('theirs');
    const oursDir = scratchDir('ours');
    const { theirs1, ours1 } = await runTwiceEach(playbook, theirsDir, oursDir, 240_000);
    expect(files(oursDir)).toEqual(files(theirsDir));

    // Sanity on the oracle itself, so that a change in ansible cannot make both sides agree on nonsense.
    const seen = files(theirsDir);
    expect(seen).toContain(`new.conf root:root 0644 ${sha1(Buffer.from('new\n'))}`);
    expect(seen).toContain(`owned ${OTHER}:${OTHER} 0640 ${sha1(Buffer.from('replaced\n'))}`);
    expect(seen).toContain(`big.bin root:root 0644 ${sha1(big)}`);

    // Our failures say what ansible says, then on which host and what to do, on one line.
    expect(failures(ours1.records, oursDir)).toEqual(failures(theirs1.records, theirsDir).map((m) => expect.stringContaining(m)));
    for (const m of failures(ours1.records, oursDir)) expect(m).not.toContain('\n');
    expect(failures(ours1.records, oursDir).slice(1)).toEqual([
      expect.stringMatching(/^Destination D not writable on remote: .*permission denied \(.*set become: true.*\)$/i),
      expect.stringMatching(/^file is not readable: D\/secret on remote: .*Permission denied \(set become: true to read it as root\)$/),
    ]);
  }, 300_000);

  it('locally as root, becoming another non-root user: same results and files as ansible-playbook; idempotent', async () => {
    const playbookPath = join(work, 'local.yml');
    const theirsDir = localScratchDir('local-theirs');
    const oursDir = localScratchDir('local-ours');
    const { ours1 } = await runTwiceEach(playbookPath, theirsDir, oursDir, 120_000);
    // The one known difference: replacing a root-owned file as dcitest (who may not give it back to root), ansible
    // leaves it dcitest:root, the group of the temp file root (its connection user) uploaded and chowned to dcitest
    // only; we create the temp file as dcitest, so it is dcitest:dcitest, as any file dcitest writes.
    const anyGroup = (lines: string[]) => lines.map((l) => l.replace(/^(rootfile \S+):\S+/, '$1:*'));
    expect(anyGroup(files(oursDir, LOCAL_FILES))).toEqual(anyGroup(files(theirsDir, LOCAL_FILES)));
    expect(files(oursDir, LOCAL_FILES)).toContain(`rootfile ${OTHER}:${OTHER} 0644 ${sha1(Buffer.from('replaced\n'))}`);
    expect(files(theirsDir, LOCAL_FILES)).toContain(`new ${OTHER}:${OTHER} 0644 ${sha1(Buffer.from('new\n'))}`);
    // Ansible stats the destination first ("Failed to get information on remote file"); we say who was refused.
    expect(failures(ours1.records, oursDir)).toEqual([
      expect.stringMatching(new RegExp(`^stat of D/locked/x as ${OTHER} on localhost failed: .*Permission denied \\(${OTHER} may not access this path`)),
      expect.stringMatching(new RegExp(`^file is not readable: D/rootonly on local: .*Permission denied \\(become a user allowed to read it\\)$`)),
    ]);
    for (const m of failures(ours1.records, oursDir)) expect(m).not.toContain('\n');
  }, 300_000);

  it('errors are one line saying what failed, where and what to do; bytes survive the trip both ways', async () => {
    const d = scratchDir('errors');
    const t = new KeywordTransport(createTransport(sshd.inventoryVars(), 'remote'), { become: true });
    const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    await t.put(`${d}/bytes`, all);
    expect((await t.get(`${d}/bytes`)).equals(all)).toBe(true);
    expect(await t.stat(`${d}/bytes`)).toMatchObject({ exists: true, isreg: true, uid: 0, gid: 0, size: 256, mode: '0644' });
    expect(await t.stat(`${d}/nope/deeper`)).toEqual({ path: `${d}/nope/deeper`, exists: false });
    await expect(t.put(`${d}/nope/x`, 'x')).rejects.toThrow(new RegExp(`^writing ${d}/nope/x as root on remote failed: directory ${d}/nope does not exist$`));
    await expect(t.put(d, 'x')).rejects.toThrow(new RegExp(`^writing ${d} as root on remote failed: ${d} is a directory$`));

    // A login user without sudo (dcitest): both engines fail the task; ours says why and what to do, on one line.
    const plain = await startSshd();
    try {
      const pb = join(work, 'no-sudo.yml');
      writeFileSync(pb, `- hosts: nosudo\n  gather_facts: false\n  tasks:\n    - name: copy as root\n      copy: {content: x, dest: "${d}/x"}\n      become: true\n`);
      const inv = join(work, 'no-sudo.json');
      writeFileSync(inv, JSON.stringify({ all: { hosts: { nosudo: { ...plain.inventoryVars(), ansible_python_interpreter: '/usr/bin/python3' } } } }));
      const theirs = await runAnsiblePlaybook(pb, { inventory: inv, timeoutMs: 120_000 });
      const ours = await runOurs(pb, inv);
      expect(theirs.records.map((r) => `${r.task} ${r.status}`)).toEqual(['copy as root failed']);
      expect(ours.records.map((r) => `${r.task} ${r.status}`)).toEqual(['copy as root failed']);
      const msg = String(ours.records[0].result.msg);
      expect(msg).not.toContain('\n');
      expect(msg).toMatch(/ as root on nosudo failed: sudo: a password is required \(give the login user a NOPASSWD sudo rule for root\)$/);
    } finally {
      await closeAllTransports();
      await plain.stop();
      rmSync(`/home/${plain.user}/.ansible`, { recursive: true, force: true });
    }
  }, 180_000);
});
