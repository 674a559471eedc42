/**
 * Boolean task/play keywords (no_log, become, ignore_errors, ...) the way ansible-core reads them: the value is
 * templated, then converted with `boolean(strict=True)` (the project's ansibleBool); null or `omit` means "not
 * set"; anything else (maybe, 2, '', a list) is refused with ansible-core's message naming the keyword, the value
 * as written and the value it rendered to. `changed_when`/`failed_when` are conditions, not booleans.
 */
import { ansibleBool } from '../../config/ansible-bool.js';
import { OMIT } from '../template/index.js';
import { str } from '../template/py.js';

/** The boolean keywords a task carries (own or inherited from block/include/play), in the order they are checked. */
export const TASK_BOOL_KEYWORDS = ['any_errors_fatal', 'become', 'check_mode', 'delegate_facts', 'diff', 'ignore_errors', 'ignore_unreachable', 'no_log', 'run_once'] as const;
export type TaskBoolKeyword = (typeof TASK_BOOL_KEYWORDS)[number];

/** A keyword value that is not a boolean. `message` is ansible-core's text without its long list of words. */
export class BoolKeywordError extends Error {
  constructor(
    readonly keyword: string,
    readonly raw: unknown,
    readonly rendered: unknown,
  ) {
    super(
      `the field '${keyword}' has an invalid value (${str(raw)}), and could not be converted to a bool. ` +
        `The value '${str(rendered)}' is not a valid boolean: use true/false (also yes/no, on/off, y/n, t/f, 1/0)`,
    );
    this.name = 'BoolKeywordError';
  }
}

/**
 * The keyword's meaning once templated: true/false, or undefined when it is not set (null, or rendered to null
 * or `omit`). Throws BoolKeywordError for any other value.
 */
export function boolKeyword(keyword: string, raw: unknown, rendered: unknown): boolean | undefined {
  if (rendered === undefined || rendered === null || rendered === OMIT) return undefined;
  const b = ansibleBool(rendered);
  if (b === undefined) throw new BoolKeywordError(keyword, raw, rendered);
  return b;
}

/**
 * The ansible_become variable as ansible-core's play context reads it: unset when null as written, otherwise
 * templated and a strict boolean. Unlike a keyword, a template that renders to null or `omit` is refused too
 * (ansible-core then fails the task with "The value 'None' is not a valid boolean").
 */
export function becomeVariable(raw: unknown, rendered: unknown): boolean | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (rendered === undefined || rendered === null || rendered === OMIT) throw new BoolKeywordError('become', raw, rendered === OMIT ? 'omit' : 'None');
  return boolKeyword('become', raw, rendered);
}

/**
 * loop_control.extended_allitems as ansible-core 2.14 reads it (whether `ansible_loop.allitems` is set): absent
 * or rendered to `omit`, its default, true; null as written or rendered stays Python's None, which is false;
 * anything else is templated and a strict boolean like `extended`.
 */
export function extendedAllitems(raw: unknown, rendered: unknown): boolean {
  if (raw === undefined || rendered === OMIT) return true;
  return boolKeyword('extended_allitems', raw, rendered) ?? false;
}
