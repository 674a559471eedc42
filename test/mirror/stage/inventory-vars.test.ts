/**
 * `mirror images|to-disk|from-disk` read the inventory like the pipeline's mirror-images stage: `{{ }}` values are
 * templated (other variables, hostvars, groups, filters), a variable the stage needs that cannot render is one
 * clear error naming it and its file:line, and the settings are checked before any network.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mirrorVarsFromInventory } from '../../../src/mirror/stage/inventory-vars.js';
import { mirrorStageSettings } from '../../../src/mirror/stage/settings.js';
import { TemplateError, SettingsError } from '../../../src/core/errors.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'inv-vars-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function inv(name: string, text: string): string {
  const f = join(dir, name);
  writeFileSync(f, text);
  return f;
}

describe('mirror stage variables from an inventory', () => {
  it('templates values with other variables, hostvars, groups and filters, as the pipeline stage does', async () => {
    const f = inv(
      'lab.yml',
      `all:
  vars:
    ocp_major_minor: "4.16"
    ocp_version: "{{ ocp_major_minor }}.3"
    local_registry_host: "{{ hostvars['registry'].ansible_host }}"
    local_registry_port: 5000
    operators_index: "quay.io/lab/catalog:v{{ ocp_version.split('.')[:2] | join('.') }}"
    dci_operators:
      - name: "{{ 'sriov' ~ '-network-operator' }}"
    dci_additional_images: "{{ ['quay.io/a/b:1'] + extra_images }}"
    extra_images: ["quay.io/c/d:{{ ocp_major_minor }}"]
    unrelated: "{{ ansible_facts.default_ipv4.address }}"
  hosts:
    localhost:
      ansible_connection: local
  children:
    registries:
      hosts:
        registry:
          ansible_host: 10.1.2.3
`,
    );
    const { vars } = await mirrorVarsFromInventory(f, ['dci_mirror_repo_prefix={{ groups.registries[0] }}-mirror']);
    expect(vars.ocp_version).toBe('4.16.3');
    expect(vars.dci_local_registry).toBe('10.1.2.3:5000');
    expect(vars.dci_mirror_repo_prefix).toBe('registry-mirror');
    expect(vars.unrelated).toBeUndefined(); // needs gathered facts: not the stage's business, left out
    const s = mirrorStageSettings(vars);
    expect(s.localRegistry).toBe('10.1.2.3:5000');
    expect(s.localRepo).toBe('ocp-4.16/4.16.3');
    expect(s.catalogs[0].image).toBe('quay.io/lab/catalog:v4.16');
    expect(s.additionalImages).toEqual(['quay.io/a/b:1', 'quay.io/c/d:4.16']);
    expect(s.contentRepoPrefix).toBe('registry-mirror');
  });

  it('a stage variable that cannot render names the variable and where it is set', async () => {
    const f = inv('bad.yml', 'all:\n  vars:\n    ocp_version: "4.16.3"\n    local_registry_host: "{{ no_such_var }}"\n  hosts:\n    localhost: {}\n');
    const e = await mirrorVarsFromInventory(f, []).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(TemplateError);
    expect((e as TemplateError).message).toMatch(/local_registry_host: cannot template .*no_such_var/);
    expect((e as TemplateError).location?.file).toContain('bad.yml');
  });

  it('the settings are checked before anything else (opm_mirror_list of the wrong shape)', async () => {
    const f = inv('shape.yml', 'all:\n  vars:\n    ocp_version: "4.16.3"\n    local_registry_host: reg\n    opm_mirror_list: "{{ 5 }}"\n  hosts:\n    localhost: {}\n');
    await expect(mirrorVarsFromInventory(f, [])).rejects.toThrow(/opm_mirror_list: expected a mapping of packages or a list/);
    // The stage settings reject it too when reached through the module (no catalog needed to find out).
    expect(() => mirrorStageSettings({ dci_local_registry: 'reg', ocp_version: '4.16.3', opm_mirror_list: 5 })).toThrow(SettingsError);
  });

  it('group_names is sorted, as in plays and in ansible-core (the copy this command had listed groups in file order)', async () => {
    // ansible-core 2.14: `ansible -i inv.yml localhost -m debug -a 'msg={{ group_names }}'` prints ['alpha', 'zeta'].
    const f = inv(
      'groups.yml',
      `all:
  vars:
    ocp_version: "4.16.3"
    local_registry_host: "{{ group_names | join('-') }}.lab"
  children:
    zeta:
      hosts:
        localhost: {}
    alpha:
      hosts:
        localhost: {}
`,
    );
    const { vars } = await mirrorVarsFromInventory(f, []);
    expect(vars.local_registry_host).toBe('alpha-zeta.lab');
    expect(vars.dci_local_registry).toBe('alpha-zeta.lab');
  });

  it('inventory_file and inventory_dir are the inventory the command reads, as ansible-core defines them', async () => {
    const f = inv('where.yml', 'all:\n  vars:\n    ocp_version: "4.16.3"\n    local_registry_host: reg\n    dci_pullsecret_file: "{{ inventory_dir }}/ps.json"\n    src: "{{ inventory_file }}"\n  hosts:\n    localhost: {}\n');
    const { vars } = await mirrorVarsFromInventory(f, []);
    expect(vars.dci_pullsecret_file).toBe(join(dir, 'ps.json'));
    expect(vars.src).toBe(f);
  });
});
