/**
 * lineinfile: ensure a line is present (replacing the line matched by regexp/search_string, or inserted after /
 * before a matching line, BOF or EOF) or absent. Follows Ansible's placement rules, including their corner cases.
 */
import { z } from 'zod';
import type { Module, RunContext, TaskResult } from '../engine/types.js';
import { bool, str } from './lib/args.js';
import { fail } from './lib/result.js';
import { readIfExists } from './lib/target-fs.js';
import { EDIT_FILE_ARGS, editMessage, editTarget, writeEdit } from './lib/edit-file.js';
import { expandMatch, pyRegex } from './lib/py-regex.js';

const Args = z
  .object({
    ...EDIT_FILE_ARGS,
    regexp: str.optional(),
    regex: str.optional(),
    search_string: str.optional(),
    state: z.enum(['present', 'absent']).default('present'),
    line: str.optional(),
    value: str.optional(),
    backrefs: bool.default(false),
    insertafter: str.optional(),
    insertbefore: str.optional(),
    create: bool.default(false),
    firstmatch: bool.default(false),
    others: z.unknown().optional(),
  })
  .strict();
type Args = z.infer<typeof Args>;

export const lineinfile: Module<Args> = {
  name: 'lineinfile',
  aliases: ['ansible.builtin.lineinfile', 'ansible.legacy.lineinfile'],
  args: Args,
  checkMode: true,
  async run(args, ctx) {
    const target = await editTarget(args, ctx);
    if ('failure' in target) return target.failure;
    const { path } = target;
    const regexpText = args.regexp ?? args.regex;
    const line = args.line ?? args.value;
    if (regexpText !== undefined && args.search_string !== undefined) return fail('parameters are mutually exclusive: regexp|search_string');
    if (args.insertafter !== undefined && args.insertbefore !== undefined) return fail('parameters are mutually exclusive: insertbefore|insertafter');
    if (args.state === 'present' && line === undefined) return fail('line is required with state=present');
    if (args.backrefs && regexpText === undefined) return fail('regexp is required with backrefs=true');
    if (args.state === 'absent' && regexpText === undefined && args.search_string === undefined && line === undefined) return fail('one of line, search_string, or regexp is required with state=absent');
    let regexp: RegExp | undefined;
    try {
      if (regexpText !== undefined) regexp = pyRegex(regexpText);
      // Validate insertafter/insertbefore patterns up front so a bad one is reported, not thrown later.
      const ins = args.insertafter !== undefined && !['BOF', 'EOF'].includes(args.insertafter) ? args.insertafter : args.insertbefore !== undefined && args.insertbefore !== 'BOF' ? args.insertbefore : undefined;
      if (ins !== undefined) pyRegex(ins);
    } catch (e) {
      return fail((e as Error).message);
    }
    const original = await readIfExists(ctx.transport, path);
    if (!original) {
      if (args.state === 'absent') return { changed: false, failed: false, found: 0, msg: '', backup: '' };
      if (!args.create) return fail(`Destination ${path} does not exist !`, { rc: 257 });
    }
    const lines = original ? splitLines(original.toString('utf8')) : [];
    const edit = args.state === 'present' ? present(lines, line!, regexp, args) : absent(lines, line, regexp, args.search_string);
    return finish(ctx, path, original, lines.join(''), edit, args);
  },
};

interface Edit {
  changed: boolean;
  msg: string;
  found?: number;
}

/** Python's splitlines(keepends=True) for \n and \r\n. */
function splitLines(text: string): string[] {
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

const strip = (s: string) => s.replace(/[\r\n]+$/, '');

function present(lines: string[], line: string, regexp: RegExp | undefined, args: Args): Edit {
  const { insertafter, insertbefore, firstmatch, search_string } = args;
  const index = [-1, -1];
  let match: RegExpExecArray | null = null;
  let found = false;
  let exact = false;
  if (regexp) {
    for (let i = 0; i < lines.length; i++) {
      const m = regexp.exec(lines[i]);
      if (m) {
        index[0] = i;
        match = m;
        found = true;
        if (firstmatch) break;
      }
    }
  }
  if (search_string !== undefined) {
    for (let i = 0; i < lines.length; i++) {
      if (lines[i].includes(search_string)) {
        index[0] = i;
        found = true;
        if (firstmatch) break;
      }
    }
  }
  const insRe = insertafter !== undefined && !['BOF', 'EOF'].includes(insertafter) ? pyRegex(insertafter) : insertbefore !== undefined && insertbefore !== 'BOF' ? pyRegex(insertbefore) : undefined;
  if (!found) {
    for (let i = 0; i < lines.length; i++) {
      if (strip(lines[i]) === line) {
        index[0] = i;
        exact = true;
      } else if (insRe && insRe.test(lines[i])) {
        if (insertafter !== undefined) {
          index[1] = i + 1;
          if (firstmatch) break;
        }
        if (insertbefore !== undefined) {
          index[1] = i;
          if (firstmatch) break;
        }
      }
    }
  }
  const added = (): Edit => ({ changed: true, msg: 'line added' });
  if (index[0] !== -1) {
    let newLine = args.backrefs && match ? expandMatch(match, line) : line;
    if (!newLine.endsWith('\n')) newLine += '\n';
    if (regexp === undefined && search_string === undefined && !found && !exact) {
      // unreachable in practice (index[0] set means a match); kept for parity with Ansible's structure
      return { changed: false, msg: '' };
    }
    if (lines[index[0]] !== newLine) {
      lines[index[0]] = newLine;
      return { changed: true, msg: 'line replaced' };
    }
    return { changed: false, msg: '' };
  }
  if (args.backrefs) return { changed: false, msg: '' };
  if (insertbefore === 'BOF' || insertafter === 'BOF') {
    lines.unshift(line + '\n');
    return added();
  }
  if (insertafter === 'EOF' || index[1] === -1) {
    if (lines.length && !/[\n\r]$/.test(lines[lines.length - 1])) lines.push('\n');
    lines.push(line + '\n');
    return added();
  }
  if (insertafter !== undefined && index[1] !== -1) {
    if (lines.length === index[1]) {
      if (strip(lines[index[1] - 1]) !== line) {
        if (!/[\n\r]$/.test(lines[lines.length - 1])) lines[lines.length - 1] += '\n';
        lines.push(line + '\n');
        return added();
      }
      return { changed: false, msg: '' };
    }
    if (line !== strip(lines[index[1]])) {
      lines.splice(index[1], 0, line + '\n');
      return added();
    }
    return { changed: false, msg: '' };
  }
  lines.splice(index[1], 0, line + '\n');
  return added();
}

function absent(lines: string[], line: string | undefined, regexp: RegExp | undefined, search: string | undefined): Edit {
  const before = lines.length;
  const keep = lines.filter((l) => {
    if (regexp) return !regexp.test(l);
    if (search !== undefined) return !l.includes(search);
    return strip(l) !== line;
  });
  lines.splice(0, lines.length, ...keep);
  const found = before - keep.length;
  return { changed: found > 0, found, msg: found ? `${found} line(s) removed` : '' };
}

async function finish(ctx: RunContext, path: string, original: Buffer | undefined, text: string, edit: Edit, args: Args): Promise<TaskResult> {
  const base: TaskResult = { changed: false, failed: false, msg: edit.msg, backup: '' };
  if (edit.found !== undefined) base.found = edit.found;
  const w = await writeEdit(ctx, path, original, Buffer.from(text, 'utf8'), edit.changed, args);
  if (w.failure) return w.failure;
  if (w.backupFile) base.backup = w.backupFile;
  // A file that did not exist has been created: a change whatever the edit says.
  base.changed = edit.changed || !original || w.attributesChanged;
  base.msg = editMessage(edit.msg, w.attributesChanged);
  return base;
}
