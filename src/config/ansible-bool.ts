/**
 * The one Ansible boolean rule of the project: ansible-core's `boolean()` (module_utils.parsing.convert_bool), which
 * module arguments and settings go through. A leaf module with no imports so config, modules and pipeline share it.
 */

const TRUE_WORDS = new Set(['y', 'yes', 'on', '1', 'true', 't']);
const FALSE_WORDS = new Set(['n', 'no', 'off', '0', 'false', 'f']);

/**
 * The white space Python's `str.strip()` removes (`str.isspace()`): JavaScript's `trim()` differs (it keeps
 * U+001C..U+001F and U+0085, and removes U+FEFF), and ansible-core strips the Python way.
 */
const PY_SPACE = String.raw`\t\n\v\f\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000`;
const PY_STRIP = new RegExp(`^[${PY_SPACE}]+|[${PY_SPACE}]+$`, 'g');

/**
 * true/false, the numbers 1/0 (1.0/0.0 alike), and the words y/yes/on/1/true/t and n/no/off/0/false/f in any case
 * with white space around; anything else (2, 0.5, '', 'maybe', null, a list) is not a boolean: undefined, for the
 * caller to refuse or default.
 */
export function ansibleBool(v: unknown): boolean | undefined {
  if (typeof v === 'boolean') return v;
  if (v === 1 || v === 0) return v === 1;
  if (typeof v === 'string') {
    const s = v.toLowerCase().replace(PY_STRIP, '');
    if (TRUE_WORDS.has(s)) return true;
    if (FALSE_WORDS.has(s)) return false;
  }
  return undefined;
}
