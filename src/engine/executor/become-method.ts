/**
 * Which become method and user a become task uses, read as ansible-core 2.14 reads them.
 *
 * Method: TaskExecutor takes `ansible_become_method` from the task's variables (any layer) when it is set and not
 * empty, else the `become_method` keyword (play → block → task, default sudo). This engine becomes another user
 * only through sudo (src/engine/transports/become.ts); any other method (su, runas, doas, pbrun, machinectl...)
 * fails the task rather than silently running sudo, which would act with other credentials and rules than the
 * ones the user chose. `su` is not emulated: it needs the target user's password unless the login user is root,
 * and the DCI agent normally runs as an unprivileged user with a sudo rule.
 *
 * User: the sudo plugin's `become_user` option reads the variables ansible_become_user then ansible_sudo_user —
 * the last one set (not null) wins — and only when neither is set, the `become_user` keyword. The legacy
 * boolean `ansible_sudo` is read by nothing in ansible-core 2.14, so it turns nothing on here either.
 */
import { DciError } from '../../core/errors.js';
import { OMIT } from '../template/index.js';
import { truthy as pyTruthy } from '../template/py.js';

/** The names ansible-core resolves to its sudo become plugin. */
const SUDO_NAMES = new Set(['sudo', 'ansible.builtin.sudo', 'ansible.legacy.sudo']);

export class BecomeMethodError extends DciError {}

function isSet(v: unknown): boolean {
  return v !== undefined && v !== null && v !== OMIT;
}

/**
 * Check the become method of a task that becomes: returns when it is sudo, throws BecomeMethodError (a task
 * failure naming the method, where it came from, the host and what to do) otherwise. `variable` is
 * ansible_become_method as templated, `keyword` the templated become_method keyword (inherited).
 */
export function checkBecomeMethod(variable: unknown, keyword: unknown, host: string): void {
  const fromVar = isSet(variable) && pyTruthy(variable);
  const value = fromVar ? variable : isSet(keyword) ? keyword : 'sudo';
  const method = typeof value === 'string' ? value : JSON.stringify(value);
  if (SUDO_NAMES.has(method)) return;
  const source = fromVar ? 'the ansible_become_method variable' : 'the become_method keyword';
  throw new BecomeMethodError('become-method-unsupported', `become method '${method}' (from ${source}) is not supported on host ${host}: this engine becomes another user only with sudo`, {
    hint: `use become_method: sudo (the default) or remove ${fromVar ? 'ansible_become_method' : 'become_method'}, and give the login user a sudo rule for the become_user`,
  });
}

/** The become user as the sudo plugin reads it (see above); undefined means sudo's default, root. */
export function sudoBecomeUser(vars: { ansible_become_user?: unknown; ansible_sudo_user?: unknown }, keyword: unknown): string | undefined {
  const value = [vars.ansible_sudo_user, vars.ansible_become_user, keyword].find((v) => v !== undefined && v !== null);
  return value !== undefined && value !== OMIT ? String(value) : undefined;
}
