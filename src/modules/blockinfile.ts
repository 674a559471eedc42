/** blockinfile: insert, update or remove a block of lines between marker lines. */
import { z } from 'zod';
import type { Module } from '../engine/types.js';
import { bool, str } from './lib/args.js';
import { fail } from './lib/result.js';
import { readIfExists } from './lib/target-fs.js';
import { EDIT_FILE_ARGS, editMessage, editTarget, writeEdit } from './lib/edit-file.js';
import { pyRegex } from './lib/py-regex.js';

const Args = z
  .object({
    ...EDIT_FILE_ARGS,
    state: z.enum(['present', 'absent']).default('present'),
    marker: str.default('# {mark} ANSIBLE MANAGED BLOCK'),
    marker_begin: str.default('BEGIN'),
    marker_end: str.default('END'),
    block: z.union([z.string(), z.number()]).transform(String).optional(),
    content: z.union([z.string(), z.number()]).transform(String).optional(),
    insertafter: str.optional(),
    insertbefore: str.optional(),
    create: bool.default(false),
  })
  .strict();
type Args = z.infer<typeof Args>;

export const blockinfile: Module<Args> = {
  name: 'blockinfile',
  aliases: ['ansible.builtin.blockinfile', 'ansible.legacy.blockinfile'],
  args: Args,
  checkMode: true,
  async run(args, ctx) {
    const target = await editTarget(args, ctx);
    if ('failure' in target) return target.failure;
    if (args.insertafter !== undefined && args.insertbefore !== undefined) return fail('parameters are mutually exclusive: insertafter|insertbefore');
    const { path } = target;
    const original = await readIfExists(ctx.transport, path);
    if (!original && !args.create) return fail(`Path ${path} does not exist !`, { rc: 257 });
    const lines = original ? original.toString('utf8').match(/[^\n]*\n|[^\n]+$/g) ?? [] : [];
    let insertafter = args.insertafter;
    const insertbefore = args.insertbefore;
    if (insertafter === undefined && insertbefore === undefined) insertafter = 'EOF';
    let insertRe: RegExp | undefined;
    try {
      if (insertafter !== undefined && insertafter !== 'EOF') insertRe = pyRegex(insertafter);
      else if (insertbefore !== undefined && insertbefore !== 'BOF') insertRe = pyRegex(insertbefore);
    } catch (e) {
      return fail((e as Error).message);
    }
    const marker0 = args.marker.split('{mark}').join(args.marker_begin) + '\n';
    const marker1 = args.marker.split('{mark}').join(args.marker_end) + '\n';
    let block = args.block ?? args.content ?? '';
    let blockLines: string[] = [];
    if (args.state === 'present' && block) {
      if (!block.endsWith('\n') && !block.endsWith('\r')) block += '\n';
      blockLines = [marker0, ...(block.match(/[^\n]*\n|[^\n]+$/g) ?? []), marker1];
    }
    let n0: number | undefined;
    let n1: number | undefined;
    for (let i = 0; i < lines.length; i++) {
      if (lines[i] === marker0 || lines[i] === marker0.slice(0, -1)) n0 = i;
      if (lines[i] === marker1 || lines[i] === marker1.slice(0, -1)) n1 = i;
    }
    if (n0 === undefined || n1 === undefined) {
      n0 = undefined;
      if (insertRe) {
        for (let i = 0; i < lines.length; i++) if (insertRe.test(lines[i])) n0 = i;
        if (n0 === undefined) n0 = lines.length;
        else if (insertafter !== undefined) n0 += 1;
      } else if (insertbefore !== undefined) {
        n0 = 0;
      } else {
        n0 = lines.length;
      }
    } else if (n0 < n1) {
      lines.splice(n0, n1 - n0 + 1);
    } else {
      lines.splice(n1, n0 - n1 + 1);
      n0 = n1;
    }
    if (n0 > 0 && !lines[n0 - 1].endsWith('\n')) lines[n0 - 1] += '\n';
    lines.splice(n0, 0, ...blockLines);
    const result = lines.join('');
    const before = original?.toString('utf8');
    let msg = '';
    let changed = true;
    if (before === result) {
      changed = false;
    } else if (before === undefined) {
      msg = 'File created';
    } else if (!blockLines.length) {
      msg = 'Block removed';
    } else {
      msg = 'Block inserted';
    }
    const w = await writeEdit(ctx, path, original, Buffer.from(result, 'utf8'), changed, args);
    if (w.failure) return w.failure;
    return { changed: changed || w.attributesChanged, failed: false, msg: editMessage(msg, w.attributesChanged), ...(w.backupFile ? { backup_file: w.backupFile } : {}) };
  },
};
