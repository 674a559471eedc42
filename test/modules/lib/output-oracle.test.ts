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

/** printf formats (printf itself turns \n, \r, \v, \NNN into bytes), as written in single quotes. */
const OUTPUTS = ['', 'x', 'x\\n', 'x\\n\\n', 'x\\r\\n', 'a\\r\\nb\\r\\n\\r\\n', '\\n', '\\n\\n', 'x\\r', 'a\\rb\\n', 'x \\n', 'a\\vb\\fc\\n', 'a\\302\\205b\\342\\200\\250c\\n', 'a\\n\\nb\\n'];
const KEYS = ['rc', 'stdout', 'stderr', 'stdout_lines', 'stderr_lines'] as const;

let dir: string;
let playbook: string;
let inventory: string;
let sshd: SshdHandle;
const names: string[] = [];

beforeAll(async () => {
  sshd = await startSshd();
  dir = mkdtempSync(join(tmpdir(), 'output-oracle-'));
  inventory = join(dir, 'inventory.json');
  writeFileSync(
    inventory,
    JSON.stringify({
      all: {
        hosts: {
          here: { ansible_connection: 'local', ansible_python_interpreter: '/usr/bin/python3' },
          there: { ...sshd.inventoryVars(), ansible_python_interpreter: '/usr/bin/python3' },
        },
      },
    }),
  );
  const lines = ['- hosts: all', '  gather_facts: false', '  tasks:'];
  OUTPUTS.forEach((fmt, i) => {
    for (const strip of [true, false]) {
      const both = `printf '${fmt}'; printf '${fmt}' >&2`;
      const cases: Array<[string, string[]]> = [
        ['shell', ['      shell:', `        cmd: ${JSON.stringify(both)}`]],
        ['command argv', ['      command:', `        argv: [printf, ${JSON.stringify(fmt)}]`]],
        ['command sh -c', ['      command:', `        argv: [sh, -c, ${JSON.stringify(both)}]`]],
      ];
      for (const [how, body] of cases) {
        const name = `${i} ${how} ${JSON.stringify(fmt)} strip ${strip}`;
        names.push(name);
        lines.push(`    - name: ${JSON.stringify(name)}`, ...body, `        strip_empty_ends: ${strip}`);
      }
    }
  });
  playbook = join(dir, 'outputs.yml');
  writeFileSync(playbook, lines.join('\n') + '\n');
}, 60_000);

afterAll(async () => {
  await sshd?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('command/shell output: ansible-core is the oracle', () => {
  it('stdout, stderr and their _lines are the same as ansible-core, local and over ssh', async () => {
    const theirs = await runAnsiblePlaybook(playbook, { inventory, timeoutMs: 240_000 });
    expect(theirs.records.length, theirs.stdout + theirs.stderr).toBe(names.length * 2);
    const ours = await runOurs(playbook, inventory);
    expect(ours.records.length).toBe(names.length * 2);
    const pick = (r: { result: Record<string, unknown> } | undefined) => (r ? Object.fromEntries(KEYS.map((k) => [k, r.result[k]])) : 'missing');
    for (const host of ['here', 'there']) {
      const table = (records: typeof ours.records) => names.map((n) => `${host} ${n} → ${JSON.stringify(pick(records.find((r) => r.host === host && r.task === n)))}`);
      expect(table(ours.records)).toEqual(table(theirs.records));
    }
    // Not vacuous: the oracle kept trailing newlines when asked to, and produced several lines.
    const kept = theirs.records.find((r) => r.host === 'there' && r.task === names.find((n) => n.startsWith('3 shell') && n.endsWith('strip false')));
    expect(kept?.result.stdout).toBe('x\n\n');
    expect(kept?.result.stdout_lines).toEqual(['x', '']);
  }, 300_000);
});
