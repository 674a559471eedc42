/** set_fact: define host variables. Result `{ansible_facts}`; the executor merges them (above inventory/play vars). */
import { z } from 'zod';
import type { Module } from '../engine/types.js';
import { fail, ok } from './lib/result.js';

const Args = z.record(z.string(), z.unknown());
type Args = z.infer<typeof Args>;

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

export const setFact: Module<Args> = {
  name: 'set_fact',
  aliases: ['ansible.builtin.set_fact', 'ansible.legacy.set_fact'],
  args: Args,
  checkMode: true,
  controllerOnly: true,
  async run(args) {
    const facts: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(args)) {
      if (k === 'cacheable') continue;
      if (!IDENTIFIER.test(k)) {
        return fail(`The variable name '${k}' is not valid. Variables must start with a letter or underscore character, and contain only letters, numbers and underscores.`);
      }
      // Ansible (jinja2_native off) turns the strings true/false/yes/no into booleans, whatever their origin.
      facts[k] = typeof v === 'string' && /^(true|false|yes|no)$/i.test(v) ? /^(true|yes)$/i.test(v) : v;
    }
    if (Object.keys(facts).length === 0) return fail('No key/value pairs provided, at least one is required for this action to succeed');
    return ok({ ansible_facts: facts });
  },
};
