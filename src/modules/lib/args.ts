/**
 * Argument helpers shared by modules: Ansible-style booleans and modes, and the one function that turns a zod
 * failure into a message naming the module and the argument (what, and what to do).
 */
import { z } from 'zod';
import { ModuleError, nearestNames } from '../../core/errors.js';
import { ansibleBool } from '../../config/ansible-bool.js';
import type { Module } from '../../engine/types.js';

/**
 * Module arguments: ansible-core's rule (config ansibleBool) with two leniencies this engine has always had and
 * playbooks may rely on: an empty string is false and any number is true unless 0 (ansible-core refuses both).
 */
export function toBool(value: unknown): boolean | undefined {
  if (typeof value === 'number') return value !== 0;
  if (typeof value === 'string' && value.trim() === '') return false;
  return ansibleBool(value);
}

/** A boolean argument accepting Ansible's spellings. */
export const bool = z.union([z.boolean(), z.string(), z.number()]).transform((v, ctx) => {
  const b = toBool(v);
  if (b === undefined) {
    ctx.addIssue({ code: 'custom', message: `expected a boolean (yes/no/true/false), got ${JSON.stringify(v)}` });
    return z.NEVER;
  }
  return b;
});

/** A string argument that also accepts numbers (YAML turns `dest: 123` into a number). */
export const str = z.union([z.string(), z.number()]).transform((v) => String(v));

/** A list argument that also accepts a comma-separated string, like Ansible's `type='list'`. */
export const strList = z.union([z.array(z.union([z.string(), z.number()])), z.string(), z.number()]).transform((v) => {
  if (Array.isArray(v)) return v.map(String);
  const s = String(v);
  return s === '' ? [] : s.split(',').map((x) => x.trim());
});

/** A file mode: octal string (`'0644'`, `'644'`), symbolic (`'u+x,go-w'`), or the number YAML 1.1 gives for `0644`. */
export const modeArg = z.union([z.string(), z.number()]).transform((v, ctx) => {
  if (typeof v === 'number') {
    if (!Number.isInteger(v) || v < 0 || v > 0o7777) {
      ctx.addIssue({ code: 'custom', message: `mode ${v} is out of range; quote octal modes, e.g. mode: '0644'` });
      return z.NEVER;
    }
    return v.toString(8).padStart(4, '0');
  }
  if (/^[0-7]{1,4}$/.test(v)) return v.padStart(4, '0');
  if (/^([ugoa]*[-+=]([rwxXst]*|[ugo]))(,[ugoa]*[-+=]([rwxXst]*|[ugo]))*$/.test(v)) return v;
  ctx.addIssue({ code: 'custom', message: `mode ${JSON.stringify(v)} is neither octal (e.g. '0644') nor symbolic (e.g. 'u+rwx,g-w')` });
  return z.NEVER;
});

/** A non-negative number that may arrive as a string after templating. */
export const num = z.union([z.number(), z.string().regex(/^\s*-?\d+(\.\d+)?\s*$/, 'expected a number')]).transform((v) => Number(v));

/** Validate a module's args; throws a ModuleError naming the module and each bad argument. */
export function parseModuleArgs<A>(module: Pick<Module<A>, 'name' | 'args'>, raw: unknown): A {
  const parsed = module.args.safeParse(raw ?? {});
  if (parsed.success) return parsed.data;
  const known = knownKeys(module.args);
  const problems: string[] = [];
  for (const issue of parsed.error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        const near = nearestNames(key, known);
        problems.push(`unsupported argument '${key}'${near.length ? ` (did you mean ${near.map((n) => `'${n}'`).join(', ')}?)` : ''}`);
      }
      continue;
    }
    const path = issue.path.map(String).join('.');
    const given = raw && typeof raw === 'object' && issue.path.length === 1 ? (raw as Record<string, unknown>)[String(issue.path[0])] : null;
    if ((issue.code === 'invalid_type' || issue.code === 'invalid_union') && given === undefined) {
      problems.push(`missing required argument '${path}'`);
    } else if (path && issue.code === 'invalid_union') {
      const expected = [...new Set(issue.errors.flat().map((e) => ('expected' in e ? String(e.expected) : e.message)))];
      problems.push(`argument '${path}': expected ${expected.join(' or ')}, got ${describe(given)}`);
    } else if (path) {
      problems.push(`argument '${path}': ${issue.message.replace(/^Invalid input: /, '')}`);
    } else {
      problems.push(issue.message);
    }
  }
  throw new ModuleError('module-args', `module ${module.name}: ${problems.join('; ')}`, {
    hint: known.length ? `supported arguments of ${module.name}: ${known.join(', ')}` : undefined,
  });
}

function knownKeys(schema: z.ZodType): string[] {
  let s: unknown = schema;
  // Unwrap pipes/effects (superRefine, transform) down to the object shape.
  for (let i = 0; i < 5 && s && typeof s === 'object'; i++) {
    const def = (s as { def?: { shape?: Record<string, unknown>; in?: unknown; innerType?: unknown } }).def;
    if (def?.shape) return Object.keys(def.shape).filter((k) => !k.startsWith('_'));
    s = def?.in ?? def?.innerType;
  }
  return [];
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return `${typeof v} ${JSON.stringify(v)}`;
}
