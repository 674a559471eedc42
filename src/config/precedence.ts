/**
 * Variable precedence, written down once. Lowest first: a later level overrides an earlier one; inside one level,
 * layers are applied in the order they are added (for groups: Ansible's depth, then `ansible_group_priority`,
 * then name). This mirrors Ansible's documented order for the levels dci-agent-ts supports
 * (https://docs.ansible.com/ansible/latest/playbook_guide/playbooks_variables.html#understanding-variable-precedence)
 * and the README's "Inventories and variable precedence" table is written from this list.
 */
export const PRECEDENCE_LEVELS = [
  { id: 'inventory-all', title: 'inventory file: group "all" vars', ansible: 'inventory file or script group vars (all)' },
  { id: 'inventory-group', title: 'inventory file: group vars', ansible: 'inventory file or script group vars' },
  { id: 'group_vars-all', title: 'group_vars/all next to the inventory', ansible: 'inventory group_vars/all' },
  { id: 'group_vars', title: 'group_vars/<group> next to the inventory', ansible: 'inventory group_vars/*' },
  { id: 'inventory-host', title: 'inventory file: host vars', ansible: 'inventory file or script host vars' },
  { id: 'host_vars', title: 'host_vars/<host> next to the inventory', ansible: 'inventory host_vars/*' },
  { id: 'play', title: 'play / stage vars', ansible: 'play vars' },
  { id: 'task', title: 'block / task vars', ansible: 'block vars, task vars' },
  { id: 'set_fact', title: 'set_fact / register', ansible: 'set_facts / registered vars' },
  { id: 'extra', title: 'extra vars (-e)', ansible: 'extra vars (always win precedence)' },
] as const;

export type PrecedenceLevel = (typeof PRECEDENCE_LEVELS)[number]['id'];

const RANK = new Map<PrecedenceLevel, number>(PRECEDENCE_LEVELS.map((l, i) => [l.id, i]));

/** 0 for the lowest level; higher numbers override lower ones. */
export function precedenceRank(level: PrecedenceLevel): number {
  return RANK.get(level)!;
}

export function precedenceTitle(level: PrecedenceLevel): string {
  return PRECEDENCE_LEVELS[precedenceRank(level)].title;
}
