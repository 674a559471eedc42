/** pause: wait for seconds/minutes. Interactive prompts are refused: the agent runs unattended. */
import { z } from 'zod';
import type { Module } from '../engine/types.js';
import { bool, num, str } from './lib/args.js';
import { fail } from './lib/result.js';
import { ansibleTimestamp } from './lib/result.js';

const Args = z
  .object({
    seconds: num.optional(),
    minutes: num.optional(),
    prompt: str.optional(),
    echo: bool.default(true),
  })
  .strict();
type Args = z.infer<typeof Args>;

export const pause: Module<Args> = {
  name: 'pause',
  aliases: ['ansible.builtin.pause', 'ansible.legacy.pause'],
  args: Args,
  checkMode: true,
  controllerOnly: true,
  async run(args, ctx) {
    if (args.seconds !== undefined && args.minutes !== undefined) return fail('parameters are mutually exclusive: minutes|seconds');
    const seconds = args.seconds ?? (args.minutes !== undefined ? args.minutes * 60 : undefined);
    if (seconds === undefined) {
      return fail('pause without seconds or minutes waits for a key press, which an unattended run cannot give; set seconds: N');
    }
    const start = new Date();
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, seconds * 1000);
      ctx.signal.addEventListener('abort', () => {
        clearTimeout(t);
        resolve();
      }, { once: true });
    });
    const stop = new Date();
    return {
      changed: false,
      failed: false,
      rc: 0,
      start: ansibleTimestamp(start),
      stop: ansibleTimestamp(stop),
      delta: Math.round((stop.getTime() - start.getTime()) / 1000),
      echo: args.echo,
      user_input: '',
      stdout: `Paused for ${pyFloat((stop.getTime() - start.getTime()) / 1000 / (args.minutes !== undefined ? 60 : 1))} ${args.minutes !== undefined ? 'minutes' : 'seconds'}`,
    };
  },
};

/** Python's repr of round(x, 2): 1 → "1.0", 1.014 → "1.01". */
function pyFloat(x: number): string {
  const r = Math.round(x * 100) / 100;
  return Number.isInteger(r) ? `${r}.0` : String(r);
}
