/**
 * Module boolean arguments against the oracle: the same playbook — one task per value of a `type: bool` argument —
 * run by ansible-core (ansible-playbook) and by our engine. Which values are refused, and what the others mean,
 * must be the same; a refused value fails its task with a message naming the argument and the value.
 * Arguments ansible-core reads only in an action plugin (fetch `flat`) use its lenient `boolean(strict=False)`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runAnsiblePlaybook, type AnsibleRecord } from '../../helpers/ansible.js';
import { runOurs } from '../../engine/run-ours.js';
import type { Record_ } from '../../engine/differential.js';
import { runCli } from '../../helpers/cli.js';
import { writeSplitPlaybook } from '../../engine/split-playbook.js';

/** YAML texts of the values, parsed by both sides from the same file. */
const VALUES = [
  'true', 'false', 'yes', 'No', '"yes"', '"Yes"', '"NO"', '" TRUE "', '"on"', '"OFF"', '"y"', '"N"', '"t"', '"F"', '"1"', '"0"',
  '1', '0', '1.0', '0.0', '-0.0', '2', '-1', '0.5', '.nan', '"2"', '"1.0"', '""', '" "', '"maybe"', '"yes please"', '"truee"',
  '"\\tyes\\n"', '"\\x1cyes"', '"\\x85no"', '"\\ufeffyes"', '"\\u00a0true"', '"\\u3000off"', '"ＹＥＳ"', 'null', '[]', '{}', '[true]',
];

/** Free-form `command: ... strip_empty_ends=VALUE` (parsed by the task loader, a string for the module). */
const FREE_FORM = ['no', 'YES', 'off', 'maybe', '2', '1.0', "''"];

/** fetch `flat`: read by ansible-core's fetch action plugin, not by a module's argument spec. */
const LOOSE = ['true', '"yes"', '"TRUE"', '1', '"maybe"', '2', '0.5', '""', 'null', '"no"', '[]', '{}'];

interface Outcome {
  /** 'refused', or what the argument meant (stdout shows whether trailing newlines were stripped). */
  meaning: 'true' | 'false' | 'refused' | string;
  msg: string;
}

function outcome(r: AnsibleRecord | Record_ | undefined): Outcome {
  if (!r) return { meaning: 'missing', msg: '' };
  const msg = typeof r.result.msg === 'string' ? r.result.msg : '';
  if (r.status === 'failed' || r.status === 'ignored') return { meaning: 'refused', msg };
  if (r.action.endsWith('fetch')) {
    const dest = String(r.result.dest);
    const perHost = /\/oracle-\d+\//.test(dest); // not flat: dest/<host>/<path of src>
    return { meaning: dest.endsWith('/src.txt') && !perHost ? 'true' : perHost ? 'false' : `dest ${dest}`, msg };
  }
  const stdout = r.result.stdout;
  // Stripped: 'x'. Not stripped: 'x\n\n', every byte printf wrote.
  return { meaning: stdout === 'x' ? 'true' : stdout === 'x\n\n' ? 'false' : `stdout ${JSON.stringify(stdout)}`, msg };
}

let dir: string;
let playbook: string;
let inventory: string;
const tasks: Array<{ name: string; value: string }> = [];

/** Hosts that share the cases (all on the controller): see writeSplitPlaybook. */
const HOSTS = ['oracle-0', 'oracle-1', 'oracle-2'];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'bool-oracle-'));
  inventory = join(dir, 'inventory.json');
  const local = { ansible_connection: 'local', ansible_python_interpreter: '/usr/bin/python3' };
  writeFileSync(inventory, JSON.stringify({ all: { hosts: Object.fromEntries(HOSTS.map((h) => [h, local])) } }));
  const groups: string[][] = [];
  VALUES.forEach((v, i) => {
    const name = `case ${i} strip_empty_ends: ${v}`;
    tasks.push({ name, value: v });
    groups.push([`- name: ${JSON.stringify(name)}`, '  command:', `    cmd: "printf 'x\\\\n\\\\n'"`, `    strip_empty_ends: ${v}`, '  ignore_errors: true']);
  });
  writeFileSync(join(dir, 'src.txt'), 'fetched\n');
  LOOSE.forEach((v, i) => {
    const name = `fetch ${i} flat: ${v}`;
    tasks.push({ name, value: v });
    groups.push([`- name: ${JSON.stringify(name)}`, '  fetch:', `    src: ${join(dir, 'src.txt')}`, `    dest: ${join(dir, `out-{{ runner }}-${i}`)}/`, `    flat: ${v}`, '  ignore_errors: true']);
  });
  FREE_FORM.forEach((v, i) => {
    const name = `free-form ${i} strip_empty_ends=${v}`;
    tasks.push({ name, value: v });
    groups.push([`- name: ${JSON.stringify(name)}`, `  command: printf 'x\\n\\n' strip_empty_ends=${v}`, '  ignore_errors: true']);
  });
  playbook = writeSplitPlaybook(dir, 'bools', { hosts: HOSTS, groups });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('module bool arguments: ansible-core is the oracle', () => {
  it('accepts, refuses and means the same values as ansible-core (command strip_empty_ends, fetch flat)', async () => {
    const [theirs, ours] = await Promise.all([
      runAnsiblePlaybook(playbook, { inventory, timeoutMs: 120_000, extraVars: { runner: 'ansible' } }),
      runOurs(playbook, inventory, { extraVars: { runner: 'ours' } }),
    ]);
    const cases = (records: Array<{ action: string }>) => records.filter((r) => !r.action.endsWith('include_tasks'));
    expect(cases(theirs.records).length, theirs.stdout + theirs.stderr).toBe(tasks.length);
    expect(cases(ours.records).length).toBe(tasks.length);
    const table = tasks.map((t) => ({
      value: t.name,
      ansible: outcome(theirs.records.find((r) => r.task === t.name)).meaning,
      ours: outcome(ours.records.find((r) => r.task === t.name)).meaning,
    }));
    expect(table.map((r) => `${r.value} → ${r.ours}`)).toEqual(table.map((r) => `${r.value} → ${r.ansible}`));
    // Not a vacuous table: both meanings and refusals occur.
    expect(new Set(table.map((r) => r.ansible))).toEqual(new Set(['true', 'false', 'refused']));
    // Every refusal says which argument and which value.
    for (const t of tasks) {
      const o = outcome(ours.records.find((r) => r.task === t.name));
      const arg = t.name.startsWith('fetch') ? 'flat' : 'strip_empty_ends';
      if (o.meaning === 'refused') expect(o.msg, t.name).toMatch(new RegExp(`argument '${arg}': expected a boolean .*, got `));
    }
  }, 180_000);
});

describe('a refused bool argument, as a user sees it', () => {
  it('dci-agent-ts play: the task fails naming host, task, file:line, argument and value; exit 2', async () => {
    const pb = join(dir, 'refused.yml');
    writeFileSync(pb, '- hosts: localhost\n  gather_facts: false\n  tasks:\n    - name: list files\n      command:\n        cmd: ls\n        strip_empty_ends: maybe\n');
    const r = await runCli(['play', pb, '-o', 'plain']);
    expect(r.code).toBe(2);
    expect(r.stdout + r.stderr).toMatch(/failed: \[localhost\] list files .*argument 'strip_empty_ends': expected a boolean \(.*\), got string "maybe"/);
    expect(r.stderr).toMatch(/list files \(.*refused\.yml:4\)/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stderr).not.toContain('supported arguments'); // the argument is right, its value is not
  }, 60_000);
});
