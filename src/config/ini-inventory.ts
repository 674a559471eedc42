/**
 * INI inventories, read like Ansible 2.14's `ini` inventory plugin: `[group]` host lines, `[group:vars]`,
 * `[group:children]`, lines before any section belong to `ungrouped`, `#`/`;` comment lines. Host lines are cut
 * with shlex (quotes removed) and `:vars` lines at the first `=`; both values are typed with Python's literal_eval
 * (see python-literal.ts), so `port=5000` is a number and `flag=true` a string, exactly as Ansible types them.
 */
import { InventoryError } from '../core/errors.js';
import { HostPatternError, parseHostPattern } from './host-pattern.js';
import type { InventoryData, SourceRef } from './inventory-data.js';
import { pythonLiteral } from './python-literal.js';
import { ShlexError, shlexSplit } from './shlex.js';

const SECTION_RE = /^\[([^:\]\s]+)(?::(\w+))?\]\s*(?:#.*)?$/;
const GROUPNAME_RE = /^([^:\]\s]+)\s*(?:#.*)?$/;

interface Pending {
  line: number;
  state: 'vars' | 'children';
  name: string;
  parents: string[];
}

export function parseIniInventory(text: string, file: string, data: InventoryData): void {
  let group = 'ungrouped';
  let state: 'hosts' | 'vars' | 'children' = 'hosts';
  const pending = new Map<string, Pending>();
  const lines = text.split(/\r?\n/);
  const fail = (lineNo: number, code: string, message: string, hint?: string): never => {
    throw new InventoryError(code, message, { location: { file, line: lineNo }, hint });
  };

  lines.forEach((raw, idx) => {
    const lineNo = idx + 1;
    const line = raw.trim();
    if (!line || line[0] === '#' || line[0] === ';') return;
    const where: SourceRef = { file, line: lineNo };

    const m = SECTION_RE.exec(line);
    if (m) {
      group = m[1];
      const kind = m[2] ?? 'hosts';
      if (kind !== 'hosts' && kind !== 'vars' && kind !== 'children') {
        fail(lineNo, 'ini-syntax', `section [${m[1]}:${kind}] has unknown type "${kind}"`, 'use [group], [group:vars] or [group:children]');
      }
      state = kind as typeof state;
      if (!data.groups.has(group)) {
        // [g:vars] alone does not declare a group; it must be declared elsewhere in the file.
        if (state === 'vars' && !pending.has(group)) pending.set(group, { line: lineNo, state: 'vars', name: group, parents: [] });
        data.addGroup(group, where);
      }
      const p = pending.get(group);
      if (p && state !== 'vars') {
        if (p.state === 'children') for (const parent of p.parents) data.addChild(parent, group, { file, line: p.line });
        pending.delete(group);
      }
      return;
    }
    if (line.startsWith('[') && line.endsWith(']')) {
      fail(lineNo, 'ini-syntax', `invalid section header "${line}"`, 'section names cannot contain spaces or ":" other than [group:vars] / [group:children]');
    }

    if (state === 'hosts') {
      let tokens: string[];
      try {
        tokens = shlexSplit(line);
      } catch (e) {
        return fail(lineNo, 'ini-syntax', `cannot parse host line: ${(e as ShlexError).message.toLowerCase()}`, 'close the quote or escape it with a backslash');
      }
      if (tokens.length === 0) return; // the whole line was a comment
      const pattern = tokens[0];
      if (pattern.trim() === '---') fail(lineNo, 'ini-syntax', 'invalid host "---": this looks like a YAML file', 'give YAML inventories a .yml or .yaml extension');
      let parsed;
      try {
        parsed = parseHostPattern(pattern);
      } catch (e) {
        if (e instanceof HostPatternError) return fail(lineNo, 'bad-host-range', e.message, 'write ranges as [0:2], [01:10], [a:c] or [0:10:2]');
        throw e;
      }
      if (pattern.endsWith(':') && parsed.port === undefined) {
        fail(lineNo, 'ini-syntax', `invalid host "${pattern}": a trailing ":" is reserved for a port number`);
      }
      const vars: Array<[string, unknown]> = [];
      for (const t of tokens.slice(1)) {
        const eq = t.indexOf('=');
        if (eq < 0) fail(lineNo, 'ini-syntax', `expected key=value host variable assignment, got "${t}"`, 'quote values that contain spaces: key="a b"');
        vars.push([t.slice(0, eq), pythonLiteral(t.slice(eq + 1))]);
      }
      for (const h of parsed.hosts) {
        data.addHost(h, group, parsed.port, where);
        for (const [k, v] of vars) data.setHostVar(h, k, v, where);
      }
    } else if (state === 'vars') {
      const eq = line.indexOf('=');
      if (eq < 0) fail(lineNo, 'ini-syntax', `expected key=value in [${group}:vars], got "${line}"`);
      data.setGroupVar(group, line.slice(0, eq).trim(), pythonLiteral(line.slice(eq + 1).trim()), where);
    } else {
      const gm = GROUPNAME_RE.exec(line);
      if (!gm) return fail(lineNo, 'ini-syntax', `expected a group name in [${group}:children], got "${line}"`);
      const child = gm[1];
      if (!data.groups.has(child)) {
        const p = pending.get(child);
        if (p) p.parents.push(group);
        else pending.set(child, { line: lineNo, state: 'children', name: child, parents: [group] });
      } else {
        data.addChild(group, child, where);
      }
    }
  });

  for (const p of pending.values()) {
    if (p.state === 'vars') {
      fail(p.line, 'ini-undefined-group', `section [${p.name}:vars] is for a group that is never defined: ${p.name}`, `declare it with a [${p.name}] or [${p.name}:children] section, or fix the name`);
    } else {
      fail(p.line, 'ini-undefined-group', `section [${p.parents[p.parents.length - 1]}:children] includes an undefined group: ${p.name}`, `declare it with a [${p.name}] section (it may be empty), or fix the name`);
    }
  }
}
