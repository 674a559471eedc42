/**
 * The one scope builder of the engine (magic variables + hostvars), used by plays and by templating outside a play
 * (`mirror images`): the same `{{ }}` gives the same value in both places.
 */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { createHostScope } from '../../../src/engine/index.js';
import { createTemplar } from '../../../src/engine/template/index.js';
import type { EngineInventory } from '../../../src/engine/types.js';
import { run, scratch } from './fixtures.js';

const INVENTORY: EngineInventory = {
  hosts: {
    'jump.lab.example': { name: 'jump.lab.example', vars: { ansible_connection: 'local', port: 5000, url: "http://{{ hostvars['registry'].ansible_host }}:{{ port }}" }, groups: ['zeta', 'alpha'] },
    registry: { name: 'registry', vars: { ansible_connection: 'local', ansible_host: '10.1.2.3' }, groups: ['registries'] },
  },
  groups: { all: ['jump.lab.example', 'registry'], zeta: ['jump.lab.example'], alpha: ['jump.lab.example'], registries: ['registry'] },
};

describe('createHostScope', () => {
  it('outside a play: magic variables, lazy hostvars, no play variables', () => {
    const scope = createHostScope({ inventory: INVENTORY, templar: createTemplar(), inventoryFile: '/labs/one/hosts.yml' });
    const v = scope.view('jump.lab.example');
    expect(v.url).toBe('http://10.1.2.3:5000');
    expect(v.inventory_hostname_short).toBe('jump');
    expect(v.group_names).toEqual(['alpha', 'zeta']);
    expect(v.inventory_dir).toBe('/labs/one');
    expect(v.ansible_check_mode).toBe(false);
    expect(v.ansible_run_tags).toEqual(['all']);
    expect('ansible_play_hosts' in v).toBe(false);
    expect('playbook_dir' in v).toBe(false);
    expect(Object.keys(scope.hostvars)).toEqual(['jump.lab.example', 'registry']);
    expect((scope.hostvars.registry as Record<string, unknown>).group_names).toEqual(['registries']);
    expect(scope.hostvars.nowhere).toBeUndefined();
  });

  it('in a play: the same values a task sees, plus the play hosts and playbook_dir', async () => {
    const dir = scratch({
      'pb.yml': [
        '- hosts: jump.lab.example',
        '  gather_facts: false',
        '  tasks:',
        '    - debug:',
        `        msg: "{{ url }} {{ group_names | join(',') }} {{ ansible_play_hosts | join(',') }} {{ playbook_dir }} {{ inventory_dir }}"`,
        '',
      ].join('\n'),
    });
    const r = await run(join(dir, 'pb.yml'), { inventory: INVENTORY, inventoryFile: '/labs/one/hosts.yml' });
    expect(r.result.ok).toBe(true);
    expect(r.debugs).toEqual([`http://10.1.2.3:5000 alpha,zeta jump.lab.example ${dir} /labs/one`]);
  });
});
