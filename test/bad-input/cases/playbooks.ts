import type { BadInputCase } from '../case.js';

const pb = (tasks: string): string => `- hosts: localhost\n  tasks:\n${tasks}`;
const play = (name: string, content: string, says: RegExp, line: number | undefined, extra: Partial<BadInputCase> = {}): BadInputCase => ({
  name: `play: ${name}`,
  files: { 'pb.yml': content },
  args: ['play', 'pb.yml', '--output', 'plain'],
  code: 2,
  file: 'pb.yml',
  ...(line === undefined ? {} : { line }),
  says,
  ...extra,
});

export const PLAYBOOK_CASES: BadInputCase[] = [
  play('unknown task keyword', pb('    - debug: msg=hi\n      bogus_keyword: 1\n'), /unknown keyword `bogus_keyword`/, 3),
  play('unknown module', pb('    - nosuchmodule: {a: 1}\n'), /unknown module or keyword `nosuchmodule`/, 3),
  play('two modules in a task', pb('    - debug: msg=1\n      copy: {dest: /tmp/x, content: y}\n'), /two modules/, 3),
  play('unknown filter', pb('    - debug:\n        msg: "{{ foo | nosuchfilter }}"\n'), /no filter named 'nosuchfilter'/, 3),
  play('template syntax error', pb('    - debug:\n        msg: "{{ foo "\n'), /template syntax error/, 3),
  play('when with a syntax error', pb('    - debug: msg=1\n      when: "x ==="\n'), /template syntax error/, 3),
  play('loop over an int', pb('    - debug: msg=1\n      loop: 5\n'), /requires a list/, 3),
  play('missing required module argument', pb('    - copy: {content: y}\n'), /missing required argument 'dest'/, 3),
  play('unsupported module argument', pb('    - debug: {msg: 1, bogus: 2}\n'), /unsupported argument 'bogus'/, 3),
  play('include_tasks of a missing file', pb('    - include_tasks: nonexist.yml\n'), /Could not find or access 'nonexist.yml'/, 3),
  play('vars_files missing', '- hosts: localhost\n  vars_files: [nonexist-vars.yml]\n  tasks:\n    - debug: msg=1\n', /cannot read vars file/, undefined, { file: 'nonexist-vars.yml' }),
  play('roles (unsupported)', '- hosts: localhost\n  roles: [nonexist_role]\n', /roles are not supported/, 1),
  play('a mapping instead of a list', 'hello: world\n', /must hold a YAML list/, 1),
  play('YAML syntax error', pb('    - debug: [\n'), /YAML syntax error/, 4),
  play('empty playbook', '', /empty/i, undefined),
  play('block without tasks', pb('    - block:\n      rescue:\n        - debug: msg=1\n'), /malformed block was encountered while loading a block/, 3),
  { name: 'play: playbook file missing', files: {}, args: ['play', 'missing.yml'], code: 2, file: 'missing.yml', says: /does not exist/ },
  { name: 'play: broken inventory', files: { 'pb.yml': pb('    - debug: msg=1\n'), 'lab.ini': '[all:vars]\nx=1\n[masters\n' }, args: ['play', 'pb.yml', '-i', 'lab.ini'], code: 2, file: 'lab.ini', line: 3, says: /key=value/ },
  { name: 'play: --forks 0', files: { 'pb.yml': pb('    - debug: msg=1\n') }, args: ['play', 'pb.yml', '--forks', '0'], code: 2, file: null, says: /--forks 0 is not a positive integer/ },
  { name: 'play: --junit into a missing directory is not half-written', files: { 'pb.yml': pb('    - nosuchmodule: {}\n') }, args: ['play', 'pb.yml', '--junit', 'out/junit.xml'], code: 2, file: 'pb.yml', line: 3, says: /unknown module/, absent: ['out/junit.xml'] },
];
