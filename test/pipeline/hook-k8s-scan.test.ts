/**
 * The hook scan that decides whether a run preloads the Kubernetes client: which texts count as a use of a
 * Kubernetes-backed module, includes followed, files that cannot be read skipped, and the module list kept in step
 * with the domain modules that actually import src/k8s.
 */
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DOMAIN_MODULES } from '../../src/modules/domain/index.js';
import { KUBERNETES_MODULES, findKubernetesUse, kubernetesModuleNames } from '../../src/pipeline/hook-k8s-scan.js';
import { REPO_ROOT } from '../helpers/cli.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'scan-'));
  mkdirSync(join(dir, 'hooks'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function hook(name: string, text: string): { file: string; dir: string } {
  const file = join(dir, 'hooks', name);
  writeFileSync(file, text);
  return { file, dir };
}

describe('findKubernetesUse', () => {
  it.each([
    ['bare module key', '- name: x\n  k8s_info:\n    kind: Pod\n', 'k8s_info'],
    ['module as the list item', '- k8s:\n    state: present\n', 'k8s'],
    ['FQCN', '- name: x\n  kubernetes.core.k8s:\n    src: a.yml\n', 'kubernetes.core.k8s'],
    ['community.okd alias', '- community.okd.k8s_info:\n    kind: Route\n', 'community.okd.k8s_info'],
    ['domain module', '- dci.agent.deploy_operators:\n    operators: []\n', 'dci.agent.deploy_operators'],
    ['action string', '- action: k8s_info kind=Pod\n', 'k8s_info'],
    ['action mapping', '- local_action:\n    module: kubernetes.core.k8s\n    src: a.yml\n', 'kubernetes.core.k8s'],
  ])('%s counts', (_label, text, module) => {
    expect(findKubernetesUse([hook('tests.yml', text)])?.module).toBe(module);
  });

  it.each([
    ['other modules', '- shell: kubectl get pods\n- debug:\n    msg: "k8s_info: mentioned in a string"\n'],
    ['a longer name that starts like one', '- k8s_infos:\n    a: 1\n- my_k8s:\n    a: 1\n'],
    ['a comment', '# - k8s_info:\n- debug: {msg: hi}\n'],
  ])('%s do not count', (_label, text) => {
    expect(findKubernetesUse([hook('tests.yml', text)])).toBeUndefined();
  });

  it('follows include_tasks / import_tasks with plain paths (relative to the file, then the config dir), not templated ones', () => {
    mkdirSync(join(dir, 'tasks'));
    writeFileSync(join(dir, 'tasks', 'deep.yml'), '- k8s:\n    state: absent\n');
    writeFileSync(join(dir, 'hooks', 'mid.yml'), '- import_tasks: ../tasks/deep.yml\n');
    const use = findKubernetesUse([hook('tests.yml', '- ansible.builtin.include_tasks:\n    file: mid.yml\n')]);
    expect(use).toEqual({ file: join(dir, 'tasks', 'deep.yml'), module: 'k8s' });
    expect(findKubernetesUse([hook('post-run.yml', '- include_tasks: tasks/deep.yml\n')])?.file).toBe(join(dir, 'tasks', 'deep.yml'));
    expect(findKubernetesUse([hook('teardown.yml', '- include_tasks: "{{ hookdir }}/tasks/deep.yml"\n')])).toBeUndefined();
  });

  it('missing files, folders and include loops are skipped, never thrown', () => {
    writeFileSync(join(dir, 'hooks', 'a.yml'), '- include_tasks: b.yml\n');
    writeFileSync(join(dir, 'hooks', 'b.yml'), '- include_tasks: a.yml\n- include_tasks: gone.yml\n');
    const hooks = [{ file: join(dir, 'hooks', 'a.yml'), dir }, { file: join(dir, 'nope.yml'), dir }, { file: join(dir, 'hooks'), dir }];
    expect(findKubernetesUse(hooks)).toBeUndefined();
    expect(findKubernetesUse([...hooks, hook('z.yml', '- k8s_info:\n    kind: Pod\n')])?.module).toBe('k8s_info');
  });
});

describe('KUBERNETES_MODULES', () => {
  it('lists exactly the domain modules whose source imports src/k8s, with all their registered names', () => {
    const domainDir = join(REPO_ROOT, 'src', 'modules', 'domain');
    const usingK8s = readdirSync(domainDir)
      .filter((f) => f.endsWith('.ts') && f !== 'index.ts')
      .filter((f) => /from '\.\.\/\.\.\/k8s\/|import\('\.\.\/\.\.\/k8s\//.test(readFileSync(join(domainDir, f), 'utf8')))
      .map((f) => f.replace(/\.ts$/, '').replace(/-/g, '_'));
    expect([...KUBERNETES_MODULES].sort()).toEqual(usingK8s.sort());
    const names = kubernetesModuleNames();
    for (const m of DOMAIN_MODULES.filter((e) => (KUBERNETES_MODULES as readonly string[]).includes(e.name))) {
      for (const n of [m.name, ...(m.aliases ?? [])]) expect(names.has(n)).toBe(true);
    }
    expect(names.has('kubernetes.core.k8s_info')).toBe(true);
  });
});
