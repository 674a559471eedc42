/**
 * Finding `src:` files on the controller the way Ansible's action plugins do: relative paths are looked up in
 * the task file's `files/` (or `templates/`) folder, then next to the task file, then in the working directory.
 */
import { isAbsolute, join } from 'node:path';
import type { RunContext } from '../../engine/types.js';

export async function findControllerFile(ctx: RunContext, src: string, kind: 'files' | 'templates'): Promise<string | undefined> {
  const candidates = isAbsolute(src) ? [src] : [join(ctx.taskDir, kind, src), join(ctx.taskDir, '..', kind, src), join(ctx.taskDir, src), join(process.cwd(), src)];
  for (const c of candidates) {
    if ((await ctx.controller.stat(c)).exists) return c;
  }
  return undefined;
}
