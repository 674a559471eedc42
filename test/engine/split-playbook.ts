/**
 * An oracle playbook that keeps both cores busy. ansible-playbook's cost is per task (a worker fork, and for a
 * module a Python start-up): a table of a few hundred cases run as one task list on one host leaves a core idle.
 * The cases are spread over several hosts (each one `connection: local` or the same sshd) that run their own
 * task file at once with the free strategy — the same tasks, names and values, in fewer seconds. Our engine
 * runs the same playbook.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface SplitPlay {
  /** Inventory names of the hosts that share the work. */
  hosts: string[];
  vars?: Record<string, unknown>;
  /**
   * Groups of YAML task lines, each at list indentation 0 (`- name: ...`). A group stays on one host, in order
   * (e.g. tasks that read what an earlier one set).
   */
  groups: string[][];
}

/** Writes `<name>.yml` and one `<name>-<host>.yml` task file per host beside it; returns the playbook's path. */
export function writeSplitPlaybook(dir: string, name: string, play: SplitPlay): string {
  const parts = play.hosts.map(() => [] as string[]);
  // Largest groups first, each to the host with the least lines so far: the hosts finish at about the same time.
  const order = play.groups.map((g, i) => i).sort((a, b) => play.groups[b].length - play.groups[a].length);
  for (const i of order) {
    let least = 0;
    parts.forEach((p, h) => (p.length < parts[least].length ? (least = h) : undefined));
    parts[least].push(...play.groups[i]);
  }
  parts.forEach((p, h) => writeFileSync(join(dir, `${name}-${play.hosts[h]}.yml`), (p.length ? p : ['- meta: noop']).join('\n') + '\n'));
  const lines = [`- hosts: ${play.hosts.join(',')}`, '  gather_facts: false', '  strategy: free'];
  if (play.vars) lines.push(`  vars: ${JSON.stringify(play.vars)}`);
  lines.push('  tasks:', `    - include_tasks: "${name}-{{ inventory_hostname }}.yml"`);
  const path = join(dir, `${name}.yml`);
  writeFileSync(path, lines.join('\n') + '\n');
  return path;
}
