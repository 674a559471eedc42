/** fail: fail the task with a message. */
import { z } from 'zod';
import type { Module } from '../engine/types.js';

const Args = z.object({ msg: z.unknown().optional() }).strict();
type Args = z.infer<typeof Args>;

export const fail: Module<Args> = {
  name: 'fail',
  aliases: ['ansible.builtin.fail', 'ansible.legacy.fail'],
  args: Args,
  checkMode: true,
  controllerOnly: true,
  async run(args) {
    const msg = args.msg === undefined ? 'Failed as requested from task' : typeof args.msg === 'string' ? args.msg : JSON.stringify(args.msg);
    return { changed: false, failed: true, msg };
  },
};
