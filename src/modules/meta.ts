/** meta: engine actions (end_play, end_host, noop, flush_handlers...); the executor acts on `{ meta }`. */
import { z } from 'zod';
import type { Module } from '../engine/types.js';

const ACTIONS = ['end_play', 'end_host', 'end_batch', 'noop', 'flush_handlers', 'clear_facts', 'clear_host_errors', 'refresh_inventory', 'reset_connection', 'role_complete'] as const;
const Args = z.object({ _raw_params: z.enum(ACTIONS) }).strict();
type Args = z.infer<typeof Args>;

export const meta: Module<Args> = {
  name: 'meta',
  aliases: ['ansible.builtin.meta', 'ansible.legacy.meta'],
  args: Args,
  checkMode: true,
  controllerOnly: true,
  freeForm: '_raw_params',
  async run(args) {
    return { changed: false, failed: false, meta: args._raw_params };
  },
};
