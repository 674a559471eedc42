/** The loader: Ansible's YAML flavour with line numbers, free-form args, and playbook/task-list detection. */
import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { loadYaml, lineOf, parseKv, splitArgs, TaskFileLoader, registryCatalog } from '../../../src/engine/index.js';
import { scratch } from '../executor/fixtures.js';
import { TaskFileError } from '../../../src/core/errors.js';

describe('loadYaml', () => {
  it('applies merge keys and aliases, reads yes/no/on/off as booleans (not y/n), keeps lines', () => {
    const doc = loadYaml('- name: a\n  x: &d\n    k: 1\n    y: n\n- name: b\n  z:\n    <<: *d\n    k: 2\n  flags: [yes, off, "yes"]\n', 'f.yml') as Array<Record<string, unknown>>;
    expect(doc[1].z).toEqual({ k: 2, y: 'n' });
    expect(doc[1].flags).toEqual([true, false, 'yes']);
    expect(lineOf(doc[0])).toEqual({ file: 'f.yml', line: 1 });
    expect(lineOf(doc[1])).toEqual({ file: 'f.yml', line: 5 });
    expect(lineOf(doc[1].z)).toEqual({ file: 'f.yml', line: 7 });
  });

  it('duplicate keys: the last wins (PyYAML behaviour)', () => {
    expect(loadYaml('a: 1\na: 2\n', 'f.yml')).toEqual({ a: 2 });
  });
});

describe('free-form arguments', () => {
  it('splits k=v keeping quotes and Jinja2 blocks whole', () => {
    expect(splitArgs(`a "b c" {{ d | e('f g') }}`)).toEqual(['a', '"b c"', "{{ d | e('f g') }}"]);
    expect(parseKv('msg="two words {{ x }}" var=y')).toEqual({ msg: 'two words {{ x }}', var: 'y' });
  });

  it('command-like modules keep the raw text (newlines included) and take out only their options', () => {
    expect(parseKv('pwd chdir=/tmp', '_raw_params')).toEqual({ chdir: '/tmp', _raw_params: 'pwd' });
    expect(parseKv('set -e\nx=5\necho "$x"\n', '_raw_params')).toEqual({ _raw_params: 'set -e\nx=5\necho "$x"' });
  });
});

describe('TaskFileLoader', () => {
  it('tells playbooks from task lists and resolves import_playbook', () => {
    const dir = scratch({
      'tasks.yml': '- debug: msg=1\n',
      'one.yml': '- hosts: all\n  tasks:\n    - debug: msg=1\n',
      'site.yml': '- import_playbook: one.yml\n- hosts: localhost\n  pre_tasks:\n    - debug: msg=2\n',
    });
    const loader = new TaskFileLoader(registryCatalog);
    expect(loader.load(join(dir, 'tasks.yml')).kind).toBe('tasks');
    const site = loader.load(join(dir, 'site.yml'));
    expect(site.kind).toBe('playbook');
    if (site.kind === 'playbook') {
      expect(site.plays.map((p) => p.hosts)).toEqual(['all', 'localhost']);
      expect(site.plays[1].preTasks).toHaveLength(1);
    }
  });

  it('refuses roles and unknown play keywords with a hint', () => {
    const dir = scratch({ 'pb.yml': '- hosts: all\n  taks:\n    - debug: msg=1\n' });
    expect(() => new TaskFileLoader(registryCatalog).load(join(dir, 'pb.yml'))).toThrow(/unknown keyword `taks` on a play/);
  });
});

describe('malformed blocks are refused like ansible-core refuses them', () => {
  const pb = (tasks: string): string => `- hosts: localhost\n  gather_facts: false\n  tasks:\n${tasks}`;
  // [what, tasks, the start of ansible-playbook's ERROR line]
  const cases: Array<[string, string, string]> = [
    ['empty block with rescue', '    - block:\n      rescue:\n        - debug: msg=1\n', 'A malformed block was encountered while loading a block'],
    ['empty block alone', '    - block:\n', 'A malformed block was encountered while loading a block'],
    ['block as a string', '    - block: hello\n', 'A malformed block was encountered while loading a block'],
    ['block as a mapping', '    - block: {a: 1}\n', 'A malformed block was encountered while loading a block'],
    ['empty rescue', '    - block:\n        - debug: msg=1\n      rescue:\n', 'A malformed block was encountered while loading rescue'],
    ['always as a string', '    - block:\n        - debug: msg=1\n      always: x\n', 'A malformed block was encountered while loading always'],
    ['rescue under an empty list', '    - block: []\n      always:\n        - debug: msg=1\n      rescue:\n        - debug: msg=2\n', "'rescue' keyword cannot be used without 'block'"],
    ['always without block', '    - always:\n        - debug: msg=1\n', "'always' keyword cannot be used without 'block'"],
  ];

  it('same error as ansible-playbook --syntax-check, with file:line of the block', async () => {
    const dir = scratch(Object.fromEntries(cases.map(([, tasks], i) => [`pb${i}.yml`, pb(tasks)])));
    const ansible = await Promise.all(
      cases.map((_, i) =>
        promisify(execFile)('ansible-playbook', ['--syntax-check', '-i', 'localhost,', `pb${i}.yml`], { cwd: dir, env: { ...process.env, ANSIBLE_NOCOLOR: '1' } }).then(
          () => 'accepted',
          (e: { stderr?: string }) => /ERROR! (.*)/.exec(e.stderr ?? '')?.[1] ?? `no ERROR line in: ${e.stderr ?? ''}`,
        ),
      ),
    );
    cases.forEach(([what, , says], i) => {
      expect(ansible[i], `ansible-playbook on ${what}`).toMatch(new RegExp(`^${says.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
      const file = join(dir, `pb${i}.yml`);
      let caught: unknown;
      try {
        new TaskFileLoader(registryCatalog).load(file);
      } catch (e) {
        caught = e;
      }
      expect(caught, what).toBeInstanceOf(TaskFileError);
      const err = caught as TaskFileError;
      expect(err.message, what).toContain(says);
      expect(err.where, what).toBe(`${file}:4`);
    });
  }, 60_000);

  it('still accepts an empty list as block (a no-op, as ansible does) and an empty rescue list', () => {
    const dir = scratch({ 'pb.yml': pb('    - block: []\n    - block:\n        - debug: msg=1\n      rescue: []\n') });
    const loaded = new TaskFileLoader(registryCatalog).load(join(dir, 'pb.yml'));
    expect(loaded.kind).toBe('playbook');
    if (loaded.kind === 'playbook') expect(loaded.plays[0].tasks.map((t) => t.kind)).toEqual(['block', 'block']);
  });
});
