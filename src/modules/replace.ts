/** replace: substitute every match of a (Python, multiline) regex in a file, optionally between after/before. */
import { z } from 'zod';
import type { Module } from '../engine/types.js';
import { str } from './lib/args.js';
import { fail } from './lib/result.js';
import { readIfExists } from './lib/target-fs.js';
import { EDIT_FILE_ARGS, editMessage, editTarget, writeEdit } from './lib/edit-file.js';
import { expandMatch, pyRegex } from './lib/py-regex.js';

const Args = z
  .object({
    ...EDIT_FILE_ARGS,
    regexp: str,
    replace: str.default(''),
    after: str.optional(),
    before: str.optional(),
    encoding: str.optional(),
    others: z.unknown().optional(),
  })
  .strict();
type Args = z.infer<typeof Args>;

export const replace: Module<Args> = {
  name: 'replace',
  aliases: ['ansible.builtin.replace', 'ansible.legacy.replace'],
  args: Args,
  checkMode: true,
  async run(args, ctx) {
    const target = await editTarget(args, ctx);
    if ('failure' in target) return target.failure;
    const { path } = target;
    const data = await readIfExists(ctx.transport, path);
    if (!data) return fail(`Path ${path} does not exist !`, { rc: 257 });
    const contents = data.toString('utf8');
    let re: RegExp;
    let start = 0;
    let end = contents.length;
    try {
      re = pyRegex(args.regexp, 'gm');
      // after/before bound the section, as Ansible does with DOTALL searches.
      if (args.after) {
        const m = pyRegex(args.after, 's').exec(contents);
        if (m) start = m.index + m[0].length;
      }
      if (args.before) {
        const m = pyRegex(args.before, 's').exec(contents.slice(start));
        if (m) end = start + m.index;
      }
    } catch (e) {
      return fail((e as Error).message);
    }
    const section = contents.slice(start, end);
    let count = 0;
    const replaced = section.replace(re, (...m: unknown[]) => {
      count++;
      const groups = typeof m[m.length - 1] === 'object' ? (m[m.length - 1] as Record<string, string>) : undefined;
      const match = m.slice(0, typeof groups === 'object' ? -3 : -2) as string[];
      const arr = Object.assign([...match], { index: 0, input: section, groups }) as unknown as RegExpExecArray;
      return expandMatch(arr, args.replace);
    });
    const result = contents.slice(0, start) + replaced + contents.slice(end);
    const changed = count > 0 && result !== contents;
    const w = await writeEdit(ctx, path, data, Buffer.from(result, 'utf8'), changed, args);
    if (w.failure) return w.failure;
    const msg = editMessage(changed ? `${count} replacements made` : '', w.attributesChanged);
    return { changed: changed || w.attributesChanged, failed: false, msg, rc: 0, ...(w.backupFile ? { backup_file: w.backupFile } : {}) };
  },
};
