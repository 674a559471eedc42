/**
 * include_vars: load variables from a YAML/JSON file or a directory of them (controller side), optionally under
 * `name`. Result: `{ ansible_facts, ansible_included_var_files }` — the executor merges them as include vars.
 */
import { z } from 'zod';
import { basename, extname, isAbsolute, join } from 'node:path';
import type { Module, RunContext } from '../engine/types.js';
import { num, str, strList } from './lib/args.js';
import { fail } from './lib/result.js';
import { loadYaml } from '../engine/loader/yaml.js';
import { pyRegex } from './lib/py-regex.js';

const Args = z
  .object({
    _raw_params: str.optional(),
    file: str.optional(),
    dir: str.optional(),
    name: str.optional(),
    depth: num.default(0),
    files_matching: str.optional(),
    ignore_files: strList.default([]),
    extensions: strList.default(['json', 'yaml', 'yml']),
    ignore_unknown_extensions: z.union([z.boolean(), z.string()]).optional(),
    hash_behaviour: z.enum(['replace', 'merge']).optional(),
  })
  .strict();
type Args = z.infer<typeof Args>;

export const includeVars: Module<Args> = {
  name: 'include_vars',
  aliases: ['ansible.builtin.include_vars', 'ansible.legacy.include_vars'],
  args: Args,
  checkMode: true,
  controllerOnly: true,
  freeForm: '_raw_params',
  async run(args, ctx) {
    const sources = [args._raw_params, args.file, args.dir].filter((x) => x !== undefined);
    if (sources.length !== 1) return fail('You are mixing file only and dir only arguments, these are incompatible (give one of file, dir or a free-form path)');
    const files: string[] = [];
    if (args.dir !== undefined) {
      const dir = await resolve(ctx, args.dir, 'vars');
      if (!dir) return fail(`Unable to find '${args.dir}' in expected paths`);
      const listing = await ctx.controller.exec({ argv: ['find', dir, '-mindepth', '1', ...(args.depth > 0 ? ['-maxdepth', String(args.depth)] : []), '-type', 'f', '-print0'] });
      let matcher: RegExp | undefined;
      try {
        if (args.files_matching) matcher = pyRegex(args.files_matching);
      } catch (e) {
        return fail((e as Error).message);
      }
      for (const f of listing.stdout.split('\0').filter(Boolean).sort()) {
        const name = basename(f);
        if (args.ignore_files.includes(name)) continue;
        if (!args.extensions.includes(extname(name).slice(1))) continue;
        if (matcher && !matcher.test(name)) continue;
        files.push(f);
      }
    } else {
      const given = (args.file ?? args._raw_params)!;
      const file = await resolve(ctx, given, 'vars');
      if (!file) return fail(`Could not find or access '${given}'\nSearched in:\n\t${candidates(ctx, given, 'vars').join('\n\t')}`);
      files.push(file);
    }
    let facts: Record<string, unknown> = {};
    for (const f of files) {
      const text = (await ctx.controller.get(f)).toString('utf8');
      const data = text.trim() === '' ? {} : loadYaml(text, f);
      if (data === null || data === undefined) continue;
      if (typeof data !== 'object' || Array.isArray(data)) return fail(`${f} must be stored as a dictionary/hash`);
      facts = { ...facts, ...(data as Record<string, unknown>) };
    }
    return { changed: false, failed: false, ansible_facts: args.name ? { [args.name]: facts } : facts, ansible_included_var_files: files };
  },
};

function candidates(ctx: RunContext, p: string, kind: string): string[] {
  return isAbsolute(p) ? [p] : [join(ctx.taskDir, kind, p), join(ctx.taskDir, '..', kind, p), join(ctx.taskDir, p), join(process.cwd(), p)];
}

async function resolve(ctx: RunContext, p: string, kind: string): Promise<string | undefined> {
  for (const c of candidates(ctx, p, kind)) if ((await ctx.controller.stat(c)).exists) return c;
  return undefined;
}
