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
   * (e.g. tasks that read what an earlier one set); `{ lines, hosts }` runs it on one of those hosts only.
   */
  groups: Array<string[] | { lines: string[]; hosts: string[] }>;
}

/** Writes `<name>.yml` and one `<name>-<host>.yml` task file per host beside it; returns the playbook's path. */
export function writeSplitPlaybook(dir: string, name: string, play: SplitPlay): string {
  const parts = play.hosts.map(() => [] as string[]);
  const groups = play.groups.map((g) => (Array.isArray(g) ? { lines: g, hosts: play.hosts } : g));
  // Largest groups first, each to the host with the least lines so far: the hosts finish at about the same time.
  const order = groups.map((g, i) => i).sort((a, b) => groups[b].lines.length - groups[a].lines.length);
  for (const i of order) {
    let least = -1;
    parts.forEach((p, h) => {
      if (groups[i].hosts.includes(play.hosts[h]) && (least < 0 || p.length < parts[least].length)) least = h;
    });
    if (least < 0) throw new Error(`no host of ${groups[i].hosts.join(', ')} is in the play`);
    parts[least].push(...groups[i].lines);
  }
  parts.forEach((p, h) => writeFileSync(join(dir, `${name}-${play.hosts[h]}.yml`), (p.length ? p : ['- meta: noop']).join('\n') + '\n'));
  const lines = [`- hosts: ${play.hosts.join(',')}`, '  gather_facts: false', '  strategy: free'];
  if (play.vars) lines.push(`  vars: ${JSON.stringify(play.vars)}`);
  lines.push('  tasks:', `    - include_tasks: "${name}-{{ inventory_hostname }}.yml"`);
  const path = join(dir, `${name}.yml`);
  writeFileSync(path, lines.join('\n') + '\n');
  return path;
}
