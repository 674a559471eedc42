/**
 * The task, block and play keywords we understand. Anything else on a task that is not a module name is an
 * error naming the nearest keyword (a typo like `whn:` must not silently run the task unconditionally).
 */

/** Keywords valid on tasks and blocks (inherited by a block's children where Ansible inherits them). */
export const COMMON_KEYWORDS = [
  'name',
  'when',
  'vars',
  'environment',
  'become',
  'become_user',
  'become_method',
  'become_flags',
  'become_exe',
  'tags',
  'ignore_errors',
  'ignore_unreachable',
  'no_log',
  'delegate_to',
  'delegate_facts',
  'run_once',
  'check_mode',
  'diff',
  'any_errors_fatal',
  'connection',
  'remote_user',
  'module_defaults',
  'throttle',
  'timeout',
  'collections',
  'debugger',
  'port',
] as const;

export const TASK_ONLY_KEYWORDS = [
  'register',
  'loop',
  'loop_control',
  'until',
  'retries',
  'delay',
  'failed_when',
  'changed_when',
  'args',
  'notify',
  'listen',
  'async',
  'poll',
  'local_action',
  'action',
] as const;

export const BLOCK_ONLY_KEYWORDS = ['block', 'rescue', 'always'] as const;

export const PLAY_KEYWORDS = [
  'name',
  'hosts',
  'vars',
  'vars_files',
  'tasks',
  'pre_tasks',
  'post_tasks',
  'handlers',
  'gather_facts',
  'connection',
  'become',
  'become_user',
  'become_method',
  'environment',
  'tags',
  'serial',
  'strategy',
  'any_errors_fatal',
  'max_fail_percentage',
  'ignore_errors',
  'ignore_unreachable',
  'no_log',
  'check_mode',
  'diff',
  'remote_user',
  'module_defaults',
  'collections',
  'order',
  'run_once',
  'throttle',
  'timeout',
  'force_handlers',
  'vars_prompt',
  'roles',
  'port',
  'debugger',
  'fact_path',
  'gather_subset',
  'gather_timeout',
] as const;

/** `with_<lookup>` loops we support. */
export const WITH_LOOPS = ['with_items', 'with_list', 'with_dict', 'with_indexed_items', 'with_together', 'with_sequence', 'with_fileglob', 'with_subelements', 'with_nested', 'with_flattened', 'with_random_choice'] as const;

/** Actions the executor handles itself (never looked up in the module registry). */
export const INCLUDE_ACTIONS = new Set([
  'include_tasks',
  'import_tasks',
  'include',
  'ansible.builtin.include_tasks',
  'ansible.builtin.import_tasks',
  'ansible.builtin.include',
  'ansible.legacy.include_tasks',
  'ansible.legacy.import_tasks',
]);

export const TASK_KEYWORDS = new Set<string>([...COMMON_KEYWORDS, ...TASK_ONLY_KEYWORDS, ...WITH_LOOPS]);
export const BLOCK_KEYWORDS = new Set<string>([...COMMON_KEYWORDS, ...BLOCK_ONLY_KEYWORDS]);
export const PLAY_KEYWORD_SET = new Set<string>(PLAY_KEYWORDS);
