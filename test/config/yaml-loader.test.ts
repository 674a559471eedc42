import { describe, expect, it } from 'vitest';
import { InventoryError } from '../../src/core/errors.js';
import { loadAnsibleYaml } from '../../src/config/yaml-loader.js';

describe('loadAnsibleYaml', () => {
  it('reads YAML 1.1 scalars like PyYAML under Ansible (y/n stay strings)', () => {
    const { value } = loadAnsibleYaml('a: y\nb: yes\nc: Off\nd: 0755\ne: 1:30\nf: 1e3\ng: ~\nh: 08\ni: "on"\n', 'f.yml');
    expect(value).toEqual({ a: 'y', b: true, c: false, d: 493, e: 90, f: '1e3', g: null, h: '08', i: 'on' });
  });

  it('applies merge keys and keeps the last of duplicated keys', () => {
    const { value } = loadAnsibleYaml('base: &b {x: 1, y: 2}\nm:\n  <<: *b\n  y: 3\nk: 1\nk: 2\n', 'f.yml');
    expect(value).toEqual({ base: { x: 1, y: 2 }, m: { x: 1, y: 3 }, k: 2 });
  });

  it('keeps the line of every mapping key', () => {
    const { positions } = loadAnsibleYaml('# c\nall:\n  vars:\n    a: 1\n\n    b:\n      - x\n', 'f.yml');
    const vars = positions?.keys?.get('all')?.keys?.get('vars');
    expect(positions?.keys?.get('all')?.line).toBe(2);
    expect(vars?.keys?.get('a')?.line).toBe(4);
    expect(vars?.keys?.get('b')?.line).toBe(6);
  });

  it('turns !vault into the shape ansible-inventory prints and !unsafe into a string', () => {
    const { value } = loadAnsibleYaml('p: !vault |\n  $ANSIBLE_VAULT;1.1;AES256\n  6162\nu: !unsafe "{{ x }}"\n', 'f.yml');
    expect(value).toEqual({ p: { __ansible_vault: '$ANSIBLE_VAULT;1.1;AES256\n6162\n' }, u: '{{ x }}' });
  });

  it('reports a syntax error with file and line', () => {
    let err: unknown;
    try {
      loadAnsibleYaml('all:\n  hosts:\n    a: [1\n  vars: x\n', 'lab.yml');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InventoryError);
    const e = err as InventoryError;
    expect(e.code).toBe('yaml-syntax');
    expect(e.location).toMatchObject({ file: 'lab.yml', line: 4 });
    expect(e.message).toMatch(/^invalid YAML: /);
  });

  it('refuses several documents', () => {
    expect(() => loadAnsibleYaml('a: 1\n---\nb: 2\n', 'f.yml')).toThrow('expected a single YAML document, found several');
  });

  it('gives undefined for an empty file', () => {
    expect(loadAnsibleYaml('# nothing\n', 'f.yml').value).toBeUndefined();
  });
});
