/**
 * Boolean task keywords against the oracle: the same playbook — one task per keyword and value, literal and
 * templated — run by ansible-playbook and by our engine. Which values are refused, and what the others mean
 * (output hidden for no_log, command run as another user for become, failure ignored for ignore_errors, command
 * skipped for check_mode), must be the same. A refused value fails the task naming the keyword and the value.
 */
import { afterAll, beforeAll, describe, it } from 'vitest';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runAnsiblePlaybook, type AnsibleRecord } from '../../helpers/ansible.js';
import { runCli } from '../../helpers/cli.js';
import { runOurs } from '../run-ours.js';
import { writeSplitPlaybook } from '../split-playbook.js';
import type { Record_ } from '../differential.js';

/** YAML texts of the values; the templated ones read the play vars below. */
const VALUES = [
  'true', 'false', 'yes', 'No', '"on"', '" TRUE "', '"y"', '"F"', '1', '0', '1.0', '"1"', '"0"', 'null',
  'maybe', '"maybe"', '2', '-1', '0.5', '""', '[]', '{}',
  '"{{ t }}"', '"{{ f }}"', '"{{ yes_word }}"', '"{{ no_word }}"', '"{{ one }}"', '"{{ \'maybe\' }}"', '"{{ two }}"', '"{{ empty }}"',
  '"{{ nothing }}"', '"{{ omit }}"', '"{{ t and f }}"', '"{{ 1 == 1 }}"',
];

const VARS = { t: true, f: false, yes_word: 'Yes', no_word: 'off', one: 1, two: 2, empty: '', nothing: null };

/** How each keyword's meaning shows in a result. */
const KEYWORDS: Record<string, { task: string[]; meaning(r: Record<string, unknown>): string }> = {
  // Each task prints its own word: what a no_log task printed is a secret for the rest of the run.
  no_log: { task: ['debug: msg=shown-{{ case }}-end'], meaning: (r) => ('censored' in r ? 'hidden' : /^shown-\d+-end$/.test(String(r.msg)) ? 'shown' : `? ${JSON.stringify(r)}`) },
  become: { task: ['command: id -un', 'become_user: nobody'], meaning: (r) => String(r.stdout) },
  ignore_errors: { task: ['fail: msg=broken'], meaning: () => 'ran' },
  check_mode: { task: ['command: echo ran'], meaning: (r) => (r.msg === 'Command would have run if not in check mode' ? 'check' : r.stdout === 'ran' ? 'run' : `? ${JSON.stringify(r)}`) },
  diff: { task: ['debug: msg=hi'], meaning: () => 'ran' },
  ignore_unreachable: { task: ['debug: msg=hi'], meaning: () => 'ran' },
  run_once: { task: ['debug: msg=hi'], meaning: () => 'ran' },
  any_errors_fatal: { task: ['debug: msg=hi'], meaning: () => 'ran' },
  // Not keywords of the task list, but booleans ansible-core reads the same way (field named in its message).
  'loop_control.extended': { task: ['debug: msg="{{ ansible_loop is defined }}"', 'loop: [1]'], meaning: (r) => `ansible_loop ${String((r.results as Array<Record<string, unknown>> | undefined)?.[0]?.msg)}` },
  // With extended: true; null is not "unset" there (the list is dropped), omit is (the list is kept).
  'loop_control.extended_allitems': { task: ['debug: msg="{{ ansible_loop.allitems is defined }}"', 'loop: [1]'], meaning: (r) => `allitems ${String((r.results as Array<Record<string, unknown>> | undefined)?.[0]?.msg)}` },
  ansible_become: { task: ['command: id -un'], meaning: (r) => String(r.stdout) },
  delegate_facts: { task: ['set_fact: {df_CASE: set}', 'delegate_to: other'], meaning: () => 'ran' },
};

/** The field ansible-core names when it refuses a value of the keyword. */
const FIELD: Record<string, string> = { 'loop_control.extended': 'extended', 'loop_control.extended_allitems': 'extended_allitems', ansible_become: 'become' };

/** The task lines that give the keyword its value. */
function keywordLines(keyword: string, value: string, i: number): string[] {
  if (keyword === 'loop_control.extended') return [`loop_control: {extended: ${value}}`, `vars: {case: ${i}}`];
  if (keyword === 'loop_control.extended_allitems') return [`loop_control: {extended: true, extended_allitems: ${value}}`, `vars: {case: ${i}}`];
  if (keyword === 'ansible_become') return [`vars: {case: ${i}, ansible_become: ${value}, ansible_become_user: nobody}`];
  return [`${keyword}: ${value}`, `vars: {case: ${i}}`];
}

/**
 * Where ansible-core 2.14 departs from its own rule and we do not copy it: a refused ignore_errors value fails
 * the task, yet ansible-core then ignores that failure (its strategy reads the value as written, and `maybe` or
 * `{{ two }}` is a true string in Python). We report the refusal as a failure.
 */
const REFUSED_THEN_IGNORED = 'refused, then ignored';

/** The last task of the play: where each delegate_facts case put its fact (this host, the delegate). */
const FACTS_TASK = 'where the delegated facts went';

/** Hosts that share the cases (all on the controller); `other` is the delegate of the delegate_facts cases. */
const HOSTS = ['oracle-0', 'oracle-1', 'oracle-2'];

let dir: string;
let playbook: string;
let inventory: string;
const cases: Array<{ name: string; keyword: string; value: string }> = [];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'bool-keyword-oracle-'));
  inventory = join(dir, 'inventory.json');
  const local = { ansible_connection: 'local', ansible_python_interpreter: '/usr/bin/python3' };
  writeFileSync(inventory, JSON.stringify({ all: { hosts: { ...Object.fromEntries(HOSTS.map((h) => [h, local])), other: local } } }));
  // One run of each engine, the cases spread over a few hosts (writeSplitPlaybook): ansible-playbook's cost is
  // per task, so each case is one task (a block with a rescue costs twice as much: only where needed).
  const groups: string[][] = [];
  const delegated: string[] = [];
  for (const [keyword, spec] of Object.entries(KEYWORDS)) {
    VALUES.forEach((value, i) => {
      // Task names are templated: the value is shown without its braces.
      const name = `${keyword}: ${value.replace(/\{\{/g, '<<').replace(/\}\}/g, '>>')}`;
      cases.push({ name, keyword, value });
      const body = [...spec.task.map((l) => l.replace('CASE', String(i))), ...keywordLines(keyword, value, i)];
      if (keyword === 'ignore_errors') {
        // A block with a rescue: a refused value fails its task and the host goes on to the next case.
        groups.push(['- block:', `    - name: ${JSON.stringify(name)}`, ...body.map((l) => `      ${l}`), '  rescue:', `    - name: ${JSON.stringify(`rescued ${name}`)}`, '      debug: msg=rescued']);
      } else if (keyword === 'delegate_facts') {
        delegated.push(`- name: ${JSON.stringify(name)}`, ...body.map((l) => `  ${l}`), '  ignore_errors: true');
      } else {
        // A refused value fails the task; ignore_errors lets the host go on to the next case.
        groups.push([`- name: ${JSON.stringify(name)}`, ...body.map((l) => `  ${l}`), '  ignore_errors: true']);
      }
    });
  }
  // The delegate_facts cases and the task that reads where their facts went stay together on one host.
  const where = VALUES.map((_, i) => `"{{ df_${i} is defined }} {{ hostvars.other.df_${i} is defined }}"`);
  groups.push([...delegated, `- name: ${FACTS_TASK}`, '  debug:', `    msg: [${where.join(', ')}]`]);
  playbook = writeSplitPlaybook(dir, 'keywords', { hosts: HOSTS, vars: VARS, groups });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function outcome(keyword: string, r: AnsibleRecord | Record_ | undefined): string {
  if (!r) return 'missing';
  const refusal = /the field '\w+' has an invalid value/.test(String(r.result.msg));
  if (keyword === 'ignore_errors') {
    if (r.status === 'ignored') return refusal ? REFUSED_THEN_IGNORED : 'ignored';
    return r.status === 'failed' ? (refusal ? 'refused' : 'not ignored') : `? ${r.status}`;
  }
  // Refused: ansible-core's message (also "The value 'None' is not a valid boolean" for an ansible_become that
  // renders to null), or hidden when the refused value is no_log's own.
  if (r.status === 'failed' || r.status === 'ignored') return refusal || 'censored' in r.result || / is not a valid boolean/.test(String(r.result.msg)) ? 'refused' : `${r.status} ${String(r.result.msg)}`;
  return `${r.status} ${KEYWORDS[keyword].meaning(r.result)}`;
}

describe.concurrent('boolean task keywords: ansible-core is the oracle', () => {
  it('accepts, refuses and means the same values as ansible-core (literal and templated)', async ({ expect }) => {
    const [theirs, ours] = await Promise.all([runAnsiblePlaybook(playbook, { inventory, timeoutMs: 240_000 }), runOurs(playbook, inventory)]);
    expect(theirs.code, theirs.stdout + theirs.stderr).toBe(0);
    const find = (records: Array<AnsibleRecord | Record_>, name: string) => records.find((r) => r.task === name);
    // delegate_facts: where the fact went is its meaning.
    const factsOf = (records: Array<AnsibleRecord | Record_>) => (find(records, FACTS_TASK)?.result.msg ?? []) as string[];
    const placed = (records: Array<AnsibleRecord | Record_>, c: (typeof cases)[number]) => {
      const o = outcome(c.keyword, find(records, c.name));
      if (c.keyword !== 'delegate_facts' || o === 'refused') return o;
      const [here, there] = String(factsOf(records)[VALUES.indexOf(c.value)]).split(' ');
      return `${o} → ${here === 'True' ? 'this host' : there === 'True' ? 'the delegate' : 'nowhere'}`;
    };
    const table = cases.map((c) => ({ name: c.name, ansible: placed(theirs.records, c), ours: placed(ours.records, c) }));
    const expected = (a: string) => (a === REFUSED_THEN_IGNORED ? 'refused' : a);
    expect(table.map((r) => `${r.name} → ${r.ours}`)).toEqual(table.map((r) => `${r.name} → ${expected(r.ansible)}`));
    expect(table.filter((r) => r.ansible === REFUSED_THEN_IGNORED).length).toBeGreaterThan(0);
    // Not vacuous: every keyword has accepted and refused values, and the meanings differ between true and false.
    for (const k of Object.keys(KEYWORDS)) {
      const outs = new Set(table.filter((r) => r.name.startsWith(`${k}:`)).map((r) => r.ansible));
      expect(outs.has('refused') || outs.has(REFUSED_THEN_IGNORED), k).toBe(true);
      expect(outs.size, k).toBeGreaterThan(['delegate_facts', 'ansible_become', 'loop_control.extended', 'loop_control.extended_allitems'].includes(k) ? 2 : 1);
    }
    // Every refusal names the field and the value as written.
    for (const c of cases) {
      const r = find(ours.records, c.name);
      if (outcome(c.keyword, r) !== 'refused') continue;
      const field = FIELD[c.keyword] ?? c.keyword;
      expect(String(r?.result.msg), c.name).toMatch(new RegExp(`^the field '${field}' has an invalid value \\(.*\\), and could not be converted to a bool\\. The value '.*' is not a valid boolean`));
    }
  }, 300_000);
});

describe.concurrent('any_errors_fatal as ansible-core 2.14 decides it (on the keywords as written)', () => {
  /** Keyword lines of each case; host a fails the task, host b does not. Does b go on to the next task? */
  const FATAL_CASES = [
    'any_errors_fatal: true', 'any_errors_fatal: false', 'any_errors_fatal: null', 'any_errors_fatal: "{{ t }}"', 'any_errors_fatal: "{{ f }}"',
    'any_errors_fatal: maybe', 'any_errors_fatal: ""', 'any_errors_fatal: true\n      ignore_errors: "{{ f }}"', 'any_errors_fatal: true\n      ignore_errors: false',
  ];

  it('the same hosts go on, or not, as with ansible-core', async ({ expect }) => {
    // A fatal failure ends the whole run (ansible-playbook stops at the first play it breaks), so each case is a
    // play of one playbook on its own pair of hosts (aN fails the task, bN does not), then a play on bN alone. A
    // run that stops at a case is run again from the next case: one ansible-playbook per fatal case, not per case.
    const hosts: Record<string, unknown> = {};
    FATAL_CASES.forEach((_, i) => {
      for (const x of ['a', 'b']) hosts[`${x}${i}`] = { ansible_connection: 'local', ansible_python_interpreter: '/usr/bin/python3' };
    });
    const inv = join(dir, 'fatal-inventory.json');
    writeFileSync(inv, JSON.stringify({ all: { hosts } }));
    const playbookFrom = (from: number, engine: string) => {
      const pb = join(dir, `fatal-from-${from}-${engine}.yml`);
      const plays: string[] = [];
      for (let i = from; i < FATAL_CASES.length; i++) {
        plays.push(`- hosts: a${i},b${i}`, '  gather_facts: false', `  vars: ${JSON.stringify(VARS)}`, '  tasks:');
        plays.push('    - name: case', `      assert: {that: "inventory_hostname != 'a${i}'"}`, `      ${FATAL_CASES[i]}`);
        plays.push('    - name: next', '      debug: msg=next', `- hosts: b${i}`, '  gather_facts: false', '  tasks:', '    - name: next play', '      debug: msg=next');
      }
      writeFileSync(pb, plays.join('\n') + '\n');
      return pb;
    };
    const line = (records: Array<AnsibleRecord | Record_>, i: number) => {
      const st = (task: string, host: string) => records.find((r) => r.task === task && r.host === `${host}${i}`)?.status ?? 'none';
      return `${FATAL_CASES[i].replace(/\n\s+/g, ' + ')} → a ${st('case', 'a')}, b ${st('case', 'b')}, next on b ${st('next', 'b')}, next play ${st('next play', 'b')}`;
    };
    /** Each engine goes through the cases its own way: where a run stops is that engine's decision. */
    const chain = async (engine: string, run: (pb: string) => Promise<Array<AnsibleRecord | Record_>>) => {
      const lines: string[] = [];
      for (let from = 0; from < FATAL_CASES.length; ) {
        const records = await run(playbookFrom(from, engine));
        // The last case the run reached; a run covers at least its first case (with no record: all 'none').
        let last = from;
        for (let i = from; i < FATAL_CASES.length; i++) if (records.some((r) => r.host === `a${i}` || r.host === `b${i}`)) last = i;
        for (let i = from; i <= last; i++) lines.push(line(records, i));
        from = last + 1;
      }
      return lines;
    };
    const [theirs, ours] = await Promise.all([
      chain('ansible', async (pb) => (await runAnsiblePlaybook(pb, { inventory: inv, timeoutMs: 120_000 })).records),
      chain('ours', async (pb) => (await runOurs(pb, inv)).records),
    ]);
    expect(ours).toEqual(theirs);
    // Not vacuous: some cases stop host b, some let it go on.
    expect(theirs.some((r) => r.endsWith('next on b none, next play none'))).toBe(true);
    expect(theirs.some((r) => r.endsWith('next on b ok, next play ok'))).toBe(true);
  }, 240_000);

  it('a fatal failure inside a block with a rescue goes to the rescue, as in ansible-playbook', async ({ expect }) => {
    const inv = join(dir, 'two-hosts-rescue.json');
    writeFileSync(inv, JSON.stringify({ all: { hosts: { a: { ansible_connection: 'local' }, b: { ansible_connection: 'local' } } } }));
    const pb = join(dir, 'fatal-rescue.yml');
    writeFileSync(pb, ['- hosts: a,b', '  gather_facts: false', '  any_errors_fatal: true', '  tasks:', '    - block:', '        - name: breaks on a', `          assert: {that: "inventory_hostname != 'a'"}`, '      rescue:', '        - name: rescue', '          debug: msg=rescued', '    - name: after', '      debug: msg=after', ''].join('\n'));
    const [theirs, ours] = await Promise.all([runAnsiblePlaybook(pb, { inventory: inv, timeoutMs: 60_000 }), runOurs(pb, inv)]);
    const tasks = (records: Array<AnsibleRecord | Record_>) => records.map((r) => `${r.host} ${r.task} ${r.status}`).sort();
    expect(tasks(ours.records)).toEqual(tasks(theirs.records));
    expect(tasks(ours.records)).toContain('a rescue ok');
  }, 90_000);

  it('a play where every host failed is the last one, as in ansible-playbook', async ({ expect }) => {
    const inv = join(dir, 'two-hosts.json');
    writeFileSync(inv, JSON.stringify({ all: { hosts: { a: { ansible_connection: 'local' }, b: { ansible_connection: 'local' } } } }));
    const pb = join(dir, 'all-failed.yml');
    writeFileSync(pb, ['- hosts: a', '  gather_facts: false', '  tasks:', '    - name: breaks', '      fail: msg=broken', '- hosts: b', '  gather_facts: false', '  tasks:', '    - name: later play', '      debug: msg=later', ''].join('\n'));
    const [theirs, ours] = await Promise.all([runAnsiblePlaybook(pb, { inventory: inv, timeoutMs: 60_000 }), runOurs(pb, inv)]);
    const tasks = (records: Array<AnsibleRecord | Record_>) => records.map((r) => `${r.host} ${r.task} ${r.status}`);
    expect(tasks(ours.records)).toEqual(tasks(theirs.records));
    expect(tasks(ours.records)).toEqual(['a breaks failed']);
  }, 90_000);
});

describe.concurrent('a refused keyword value, as a user sees it', () => {
  it('dci-agent-ts play: the task fails naming task, file:line, keyword and value; earlier tasks ran; exit 2', async ({ expect }) => {
    const pb = join(dir, 'refused.yml');
    writeFileSync(pb, '- hosts: localhost\n  gather_facts: false\n  tasks:\n    - name: first\n      debug: msg=before\n    - name: hide secrets\n      command: echo hi\n      no_log: maybe\n');
    const r = await runCli(['play', pb, '-o', 'plain']);
    expect(r.code).toBe(2);
    const out = r.stdout + r.stderr;
    expect(out).toContain('before');
    expect(out).toMatch(/failed: \[localhost\] hide secrets .*the field 'no_log' has an invalid value \(maybe\)/);
    expect(r.stderr).toMatch(/hide secrets \(.*refused\.yml:6\)/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  }, 60_000);

  it('dci-agent-ts play: a refused ansible_become or loop_control.extended names host, task, file:line, field and value', async ({ expect }) => {
    const pb = join(dir, 'refused-vars.yml');
    const marker = join(dir, 'looped');
    writeFileSync(pb, `- hosts: localhost\n  gather_facts: false\n  vars: {two: 2}\n  tasks:\n    - name: as root\n      command: id -un\n      vars: {ansible_become: "{{ two }}"}\n      ignore_errors: true\n    - name: each item\n      command: touch ${marker}\n      loop: [1]\n      loop_control: {extended: maybe}\n`);
    const r = await runCli(['play', pb, '-o', 'plain']);
    expect(r.code).toBe(2);
    const out = r.stdout + r.stderr;
    expect(out).toMatch(/\[localhost\] as root .*the field 'become' has an invalid value \(\{\{ two \}\}\).*The value '2' is not a valid boolean/);
    expect(out).toMatch(/failed: \[localhost\] each item .*the field 'extended' has an invalid value \(maybe\)/);
    expect(r.stderr).toMatch(/each item \(.*refused-vars\.yml:9\)/);
    expect(existsSync(marker)).toBe(false); // refused before the first item ran
  }, 60_000);

  it('a gather_facts that is not a boolean stops the play before any task, like ansible-playbook', async ({ expect }) => {
    const pb = join(dir, 'gather.yml');
    writeFileSync(pb, '- name: setup\n  hosts: localhost\n  vars: {g: maybe}\n  gather_facts: "{{ g }}"\n  tasks:\n    - name: never\n      command: touch ' + join(dir, 'ran') + '\n');
    const theirs = await runAnsiblePlaybook(pb, { inventory, timeoutMs: 60_000 });
    expect(theirs.code).not.toBe(0);
    expect(theirs.stdout + theirs.stderr).toMatch(/the field 'gather_facts' has an invalid value \(\{\{ g \}\}\).*The value 'maybe' is not a valid boolean/s);
    const r = await runCli(['play', pb, '-o', 'plain']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/play "setup" \(.*gather\.yml:1\): the field 'gather_facts' has an invalid value \(\{\{ g \}\}\).*The value 'maybe' is not a valid boolean/);
    expect(r.stdout + r.stderr).not.toContain('never');
  }, 90_000);
});
