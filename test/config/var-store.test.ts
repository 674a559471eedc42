import { describe, expect, it } from 'vitest';
import { PRECEDENCE_LEVELS, VarStore } from '../../src/config/index.js';

describe('VarStore', () => {
  it('applies layers by precedence level whatever the order they are added in', () => {
    const s = new VarStore();
    s.add({ level: 'extra', label: '-e', vars: { a: 'extra' } });
    s.add({ level: 'inventory-all', label: 'all', vars: { a: 'all', b: 'all', c: 'all' }, file: 'inv.ini' });
    s.add({ level: 'host_vars', label: 'host_vars', vars: { b: 'host_vars' }, file: 'host_vars/h.yml', origins: { b: { line: 3 } } });
    s.add({ level: 'inventory-group', label: 'g1', vars: { c: 'g1' } });
    s.add({ level: 'inventory-group', label: 'g2', vars: { c: 'g2' } });
    expect(s.merged()).toEqual({ a: 'extra', b: 'host_vars', c: 'g2' });
    expect(s.provenance('b')).toMatchObject({ level: 'host_vars', file: 'host_vars/h.yml', line: 3 });
  });

  it('explains a value with everything it overrode, highest first', () => {
    const s = new VarStore([
      { level: 'inventory-all', label: 'group "all"', vars: { x: 1 }, origins: { x: { file: 'inv.ini', line: 2 } } },
      { level: 'group_vars', label: 'group_vars for "web"', vars: { x: 2 }, file: 'group_vars/web.yml', origins: { x: { line: 1 } } },
      { level: 'play', label: 'stage vars', vars: { x: 3 } },
    ]);
    const e = s.explain('x')!;
    expect(e).toMatchObject({ value: 3, level: 'play', label: 'stage vars' });
    expect(e.overridden.map((o) => [o.value, o.file, o.line])).toEqual([
      [2, 'group_vars/web.yml', 1],
      [1, 'inv.ini', 2],
    ]);
    expect(s.explain('nope')).toBeUndefined();
  });

  it('replaces whole dicts (hash_behaviour=replace), never merges them', () => {
    const s = new VarStore([
      { level: 'inventory-all', label: 'a', vars: { d: { a: 1, b: 2 } } },
      { level: 'inventory-host', label: 'h', vars: { d: { b: 3 } } },
    ]);
    expect(s.merged()).toEqual({ d: { b: 3 } });
  });

  it('with() copies: the original store is unchanged', () => {
    const s = new VarStore([{ level: 'inventory-host', label: 'h', vars: { a: 1 } }]);
    const t = s.with({ level: 'extra', label: '-e', vars: { a: 2 } });
    expect([s.get('a'), t.get('a')]).toEqual([1, 2]);
  });

  it('lists the levels once, inventory first and extra vars last', () => {
    const ids = PRECEDENCE_LEVELS.map((l) => l.id);
    expect(ids[0]).toBe('inventory-all');
    expect(ids.at(-1)).toBe('extra');
    expect(ids.indexOf('group_vars')).toBeLessThan(ids.indexOf('inventory-host'));
    expect(ids.indexOf('play')).toBeLessThan(ids.indexOf('set_fact'));
    expect(new Set(ids).size).toBe(ids.length);
  });
});
