/**
 * YAML inventories, read like Ansible 2.14's `yaml` inventory plugin: top-level keys are groups (usually `all`),
 * each with optional `hosts`, `vars` and `children` mappings; host keys may carry `:port` and ranges.
 * Unknown keys inside a group are skipped with a warning, as Ansible does.
 */
import { InventoryError } from '../core/errors.js';
import { HostPatternError, parseHostPattern } from './host-pattern.js';
import type { InventoryData } from './inventory-data.js';
import { describeType, isPlainMapping, type YamlPositions } from './yaml-loader.js';

export function parseYamlInventory(value: unknown, positions: YamlPositions | undefined, file: string, data: InventoryData, warnings: string[]): void {
  if (value === undefined || value === null) {
    throw new InventoryError('empty-inventory', 'the inventory file is empty', { location: { file }, hint: 'add at least an `all:` group with hosts' });
  }
  if (!isPlainMapping(value)) {
    throw new InventoryError('bad-inventory', `a YAML inventory must be a mapping of group names, got ${describeType(value)}`, {
      location: { file, line: positions?.line },
      hint: 'start with `all:` and put `hosts:`, `vars:` and `children:` under it',
    });
  }
  for (const [name, body] of Object.entries(value)) parseGroup(name, body, positions?.keys?.get(name), file, data, warnings);
}

function parseGroup(name: string, body: unknown, pos: YamlPositions | undefined, file: string, data: InventoryData, warnings: string[]): void {
  const where = { file, line: pos?.line };
  if (body !== null && !isPlainMapping(body)) {
    warnings.push(`${file}:${pos?.line ?? '?'}: skipping "${name}": a group must be a mapping with hosts/vars/children, got ${describeType(body)}`);
    return;
  }
  data.addGroup(name, where);
  if (body === null) return;
  for (const [key, section] of Object.entries(body)) {
    const spos = pos?.keys?.get(key);
    const swhere = { file, line: spos?.line };
    if (key !== 'hosts' && key !== 'vars' && key !== 'children') {
      warnings.push(`${file}:${spos?.line ?? '?'}: skipping unexpected key "${key}" in group "${name}" (only hosts, vars and children are valid)`);
      continue;
    }
    // Ansible accepts a bare string as a one-entry mapping (`hosts: myhost`).
    const content = typeof section === 'string' ? { [section]: null } : section;
    if (content === null) continue;
    if (!isPlainMapping(content)) {
      throw new InventoryError('bad-inventory', `"${key}" of group "${name}" must be a mapping, got ${describeType(content)}`, {
        location: swhere,
        hint: key === 'hosts' ? 'list hosts as keys: `hosts:\\n  host1:\\n  host2:`' : undefined,
      });
    }
    if (key === 'vars') {
      for (const [k, v] of Object.entries(content)) data.setGroupVar(name, k, v, { file, line: spos?.keys?.get(k)?.line ?? spos?.line });
    } else if (key === 'children') {
      for (const [child, childBody] of Object.entries(content)) {
        const cpos = spos?.keys?.get(child);
        parseGroup(child, childBody, cpos, file, data, warnings);
        data.addChild(name, child, { file, line: cpos?.line });
      }
    } else {
      for (const [pattern, hostVars] of Object.entries(content)) {
        const hpos = spos?.keys?.get(pattern);
        const hwhere = { file, line: hpos?.line };
        let parsed;
        try {
          parsed = parseHostPattern(pattern);
        } catch (e) {
          if (e instanceof HostPatternError) throw new InventoryError('bad-host-range', e.message, { location: hwhere, hint: 'write ranges as [0:2], [01:10], [a:c] or [0:10:2]' });
          throw e;
        }
        if (hostVars !== null && !isPlainMapping(hostVars)) {
          throw new InventoryError('bad-inventory', `host "${pattern}" in group "${name}" must map to its variables, got ${describeType(hostVars)}`, {
            location: hwhere,
            hint: 'write `host1:` (nothing) or `host1: {ansible_host: 10.0.0.1}`',
          });
        }
        for (const h of parsed.hosts) {
          data.addHost(h, name, parsed.port, hwhere);
          for (const [k, v] of Object.entries(hostVars ?? {})) data.setHostVar(h, k, v, { file, line: hpos?.keys?.get(k)?.line ?? hpos?.line });
        }
      }
    }
  }
}
