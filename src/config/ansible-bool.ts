/**
 * The one Ansible boolean rule of the project: ansible-core's `boolean()` (module_utils.parsing.convert_bool), which
 * module arguments and settings go through. A leaf module with no imports so config, modules and pipeline share it.
 */

const TRUE_WORDS = new Set(['y', 'yes', 'on', '1', 'true', 't']);
const FALSE_WORDS = new Set(['n', 'no', 'off', '0', 'false', 'f']);

/**
 * true/false, the numbers 1/0, and the words y/yes/on/1/true/t and n/no/off/0/false/f in any case with white space
 * around; anything else (2, '', 'maybe', null) is not a boolean: undefined, for the caller to refuse or default.
 */
export function ansibleBool(v: unknown): boolean | undefined {
  if (typeof v === 'boolean') return v;
  if (v === 1 || v === 0) return v === 1;
  if (typeof v === 'string') {
    const s = v.trim().toLowerCase();
    if (TRUE_WORDS.has(s)) return true;
    if (FALSE_WORDS.has(s)) return false;
  }
  return undefined;
}
