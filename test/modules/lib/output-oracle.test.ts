/**
 * command/shell output against the oracle: the same playbook — every output shape (no output, 0/1/2 trailing
 * newlines, CRLF, lone CR, the other line breaks Python's splitlines() knows) on stdout and stderr, through
 * `command` and `shell`, with strip_empty_ends true and false — run by ansible-playbook and by our engine, on the
 * controller (connection local) and over SSH to a real sshd. stdout, stderr, stdout_lines and stderr_lines must be
 * the same: ansible-core keeps every byte the command wrote unless strip_empty_ends removes trailing \r and \n.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runAnsiblePlaybook } from '../../helpers/ansible.js';
import { startSshd, type SshdHandle } from '../../helpers/sshd.js';
import { runOurs } from '../../engine/run-ours.js';
import { writeSplitPlaybook } from '../../engine/split-playbook.js';

/** printf formats (printf itself turns \n, \r, \v, \NNN into bytes), as written in single quotes. */
const OUTPUTS = ['', 'x', 'x\\n', 'x\\n\\n', 'x\\r\\n', 'a\\r\\nb\\r\\n\\r\\n', '\\n', '\\n\\n', 'x\\r', 'a\\rb\\n', 'x \\n', 'a\\vb\\fc\\n', 'a\\302\\205b\\342\\200\\250c\\n', 'a\\n\\nb\\n'];
const KEYS = ['rc', 'stdout', 'stderr', 'stdout_lines', 'stderr_lines'] as const;

let dir: string;
let playbook: string;
let inventory: string;
let sshd: SshdHandle;
const names: string[] = [];
const HERE = ['here-0', 'here-1'];
const THERE = ['there-0', 'there-1'];

beforeAll(async () => {
  sshd = await startSshd();
  dir = mkdtempSync(join(tmpdir(), 'output-oracle-'));
  inventory = join(dir, 'inventory.json');
  // Two hosts of each kind share the cases (see writeSplitPlaybook): on the controller, and over ssh.
  const here = { ansible_connection: 'local', ansible_python_interpreter: '/usr/bin/python3' };
  const there = { ...sshd.inventoryVars(), ansible_python_interpreter: '/usr/bin/python3' };
  writeFileSync(inventory, JSON.stringify({ all: { hosts: Object.fromEntries([...HERE.map((h) => [h, here]), ...THERE.map((h) => [h, there])]) } }));
  const groups: Array<{ lines: string[]; hosts: string[] }> = [];
  OUTPUTS.forEach((fmt, i) => {
    for (const strip of [true, false]) {
      const both = `printf '${fmt}'; printf '${fmt}' >&2`;
      const cases: Array<[string, string[]]> = [
        ['shell', ['  shell:', `    cmd: ${JSON.stringify(both)}`]],
        ['command argv', ['  command:', `    argv: [printf, ${JSON.stringify(fmt)}]`]],
        ['command sh -c', ['  command:', `    argv: [sh, -c, ${JSON.stringify(both)}]`]],
      ];
      for (const [how, body] of cases) {
        const name = `${i} ${how} ${JSON.stringify(fmt)} strip ${strip}`;
        names.push(name);
        const lines = [`- name: ${JSON.stringify(name)}`, ...body, `    strip_empty_ends: ${strip}`];
        groups.push({ lines, hosts: HERE }, { lines, hosts: THERE });
      }
    }
  });
  playbook = writeSplitPlaybook(dir, 'outputs', { hosts: [...HERE, ...THERE], groups });
}, 60_000);

afterAll(async () => {
  await sshd?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('command/shell output: ansible-core is the oracle', () => {
  it('stdout, stderr and their _lines are the same as ansible-core, local and over ssh', async () => {
    const [theirs, ours] = await Promise.all([runAnsiblePlaybook(playbook, { inventory, timeoutMs: 240_000 }), runOurs(playbook, inventory)]);
    const cases = <R extends { action: string }>(records: R[]) => records.filter((r) => !r.action.endsWith('include_tasks'));
    expect(cases(theirs.records).length, theirs.stdout + theirs.stderr).toBe(names.length * 2);
    expect(cases(ours.records).length).toBe(names.length * 2);
    const pick = (r: { result: Record<string, unknown> } | undefined) => (r ? Object.fromEntries(KEYS.map((k) => [k, r.result[k]])) : 'missing');
    for (const host of ['here', 'there']) {
      const table = (records: typeof ours.records) => names.map((n) => `${host} ${n} → ${JSON.stringify(pick(records.find((r) => r.host.startsWith(`${host}-`) && r.task === n)))}`);
      expect(table(ours.records)).toEqual(table(theirs.records));
    }
    // Not vacuous: the oracle kept trailing newlines when asked to, and produced several lines.
    const kept = theirs.records.find((r) => r.host.startsWith('there-') && r.task === names.find((n) => n.startsWith('3 shell') && n.endsWith('strip false')));
    expect(kept?.result.stdout).toBe('x\n\n');
    expect(kept?.result.stdout_lines).toEqual(['x', '']);
  }, 300_000);
});
