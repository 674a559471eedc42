/**
 * Argument helpers shared by modules: Ansible's booleans and modes, and the one function that turns a zod
 * failure into a message naming the module and the argument (what, and what to do).
 */
import { z } from 'zod';
import { ModuleError, nearestNames } from '../../core/errors.js';
import { ansibleBool } from '../../config/ansible-bool.js';
import type { Module } from '../../engine/types.js';

/**
 * A module's `type: bool` argument, ansible-core's `check_type_bool`: a boolean; a string or number that
 * `boolean()` knows (the one rule of the project, config ansibleBool); null is "not given" to ansible-core, and
 * modules then read None as false. Anything else (2, 0.5, '', 'maybe', a list) is refused.
 */
export const toBool = (value: unknown): boolean | undefined => (value === null ? false : ansibleBool(value));

const BOOL_WORDS = 'true/false, yes/no, on/off, y/n, t/f or 1/0, any case';

/** Why a value is refused as a boolean argument (the same words for YAML and free-form `key=value` arguments). */
export function boolRefusal(value: unknown): string {
  return `expected a boolean (${BOOL_WORDS}), got ${describe(value)}`;
}

/** A `key=value` option of a free-form line (a string), read as a bool argument; ModuleError when refused. */
export function freeFormBool(module: string, name: string, value: string): boolean {
  const b = toBool(value);
  if (b === undefined) throw new ModuleError('module-args', `module ${module}: argument '${name}': ${boolRefusal(value)}`);
  return b;
}

/** A boolean argument accepting Ansible's spellings and nothing else. */
export const bool = z.unknown().transform((v, ctx) => {
  if (v === undefined) {
    ctx.addIssue({ code: 'invalid_type', expected: 'boolean', input: v });
    return z.NEVER;
  }
  const b = toBool(v);
  if (b === undefined) {
    ctx.addIssue({ code: 'custom', message: boolRefusal(v) });
    return z.NEVER;
  }
  return b;
});

/**
 * An argument ansible-core reads only in its action plugin, with `boolean(value, strict=False)` (fetch `flat`,
 * assert `quiet`, template `trim_blocks`): a true word is true and anything else false ('', 2, 'maybe', null);
 * a list or mapping fails there (unhashable), refused here.
 */
export const looseBool = z.unknown().transform((v, ctx) => {
  if (v === undefined) {
    ctx.addIssue({ code: 'invalid_type', expected: 'boolean', input: v });
    return z.NEVER;
  }
  if (typeof v === 'object' && v !== null) {
    ctx.addIssue({ code: 'custom', message: boolRefusal(v) });
    return z.NEVER;
  }
  return ansibleBool(v) === true;
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
  // The list of supported arguments helps with a misspelt or missing one, not with a wrong value.
  let listArgs = false;
  for (const issue of parsed.error.issues) {
    if (issue.code === 'unrecognized_keys') {
      listArgs = true;
      for (const key of issue.keys) {
        const near = nearestNames(key, known);
        problems.push(`unsupported argument '${key}'${near.length ? ` (did you mean ${near.map((n) => `'${n}'`).join(', ')}?)` : ''}`);
      }
      continue;
    }
    const path = issue.path.map(String).join('.');
    const given = raw && typeof raw === 'object' && issue.path.length === 1 ? (raw as Record<string, unknown>)[String(issue.path[0])] : null;
    if ((issue.code === 'invalid_type' || issue.code === 'invalid_union') && given === undefined) {
      listArgs = true;
      problems.push(`missing required argument '${path}'`);
    } else if (path && issue.code === 'invalid_union') {
      const expected = [...new Set(issue.errors.flat().map((e) => ('expected' in e ? String(e.expected) : e.message)))];
      problems.push(`argument '${path}': expected ${expected.join(' or ')}, got ${describe(given)}`);
    } else if (path) {
      problems.push(`argument '${path}': ${issue.message.replace(/^Invalid input: /, '')}`);
    } else {
      listArgs = true;
      problems.push(issue.message);
    }
  }
  throw new ModuleError('module-args', `module ${module.name}: ${problems.join('; ')}`, {
    hint: listArgs && known.length ? `supported arguments of ${module.name}: ${known.join(', ')}` : undefined,
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
  if (typeof v === 'number' && !Number.isFinite(v)) return `number ${v}`;
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return `${typeof v} ${JSON.stringify(v)}`;
}
