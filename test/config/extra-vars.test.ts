import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseExtraVars } from '../../src/config/index.js';
import { writeTree, type TempTree } from './fixtures.js';

describe('parseExtraVars', () => {
  let tree: TempTree;
  beforeAll(async () => {
    tree = await writeTree({ 'settings.yml': '# s\ndci_disconnected: yes\nport: 5000\n', 'v.json': '{"a": [1, 2]}', 'list.yml': '- a\n' });
  });
  afterAll(() => tree.cleanup());

  it('reads k=v words as strings, with quotes and escapes like Ansible parse_kv', async () => {
    const r = await parseExtraVars(['a=1 b="two words" c=\'x\'', 'd=yes e=a\\=b']);
    expect(r.vars).toEqual({ a: '1', b: 'two words', c: 'x', d: 'yes', e: 'a\\=b' }); // Ansible keeps the backslash in values
    expect(r.sources.b).toEqual({ arg: 'a=1 b="two words" c=\'x\'', index: 1 });
  });

  it('reads @files (YAML or JSON) with line numbers and inline JSON/YAML; later -e wins', async () => {
    const r = await parseExtraVars([`@${tree.path('settings.yml')}`, `@${tree.path('v.json')}`, '{"port": 6000}', 'a=last']);
    expect(r.vars).toEqual({ dci_disconnected: true, port: 6000, a: 'last' });
    expect(r.sources.dci_disconnected).toMatchObject({ index: 1, line: 2 });
    expect(r.sources.dci_disconnected.file).toMatch(/settings\.yml$/);
    expect(r.sources.port).toMatchObject({ index: 3 });
  });

  it('refuses a missing @file, a bare path, a non-mapping and a word without =', async () => {
    await expect(parseExtraVars(['@/nonexistent/vars.yml'])).rejects.toThrow('-e @/nonexistent/vars.yml: file not found: /nonexistent/vars.yml');
    await expect(parseExtraVars(['./vars.yml'])).rejects.toThrow('-e ./vars.yml: to read variables from a file, prefix it with @ (-e @./vars.yml)');
    await expect(parseExtraVars([`@${tree.path('list.yml')}`])).rejects.toThrow('extra vars must be a mapping of names to values, got a list');
    await expect(parseExtraVars(['a=1 oops'])).rejects.toThrow('-e a=1 oops: expected key=value, got "oops"');
  });
});
