/** The filter and test tables, filled by filters/index.ts; `map`/`select` call through them by name. */
import type { FilterFn, RenderContext, TestFn } from '../context.js';
import { PyError } from '../py.js';
import { splitArgs } from '../kwargs.js';
import { strict } from '../undefined.js';

export const FILTER_TABLE: Record<string, FilterFn> = {};
export const TEST_TABLE: Record<string, TestFn> = {};

function short(name: string): string {
  return name.slice(name.lastIndexOf('.') + 1);
}

export function applyFilter(ctx: RenderContext, name: string, value: unknown, args: unknown[]): unknown {
  const f = FILTER_TABLE[name] ?? FILTER_TABLE[short(name)];
  if (!f) throw new PyError(`no filter named '${name}'`);
  if (name !== 'default' && name !== 'd') strict(value);
  return f(ctx, value, splitArgs(args));
}

export function applyTest(ctx: RenderContext, name: string, value: unknown, args: unknown[]): boolean {
  const n = name === 'null' ? 'none' : name;
  const t = TEST_TABLE[n] ?? TEST_TABLE[short(n)];
  if (!t) throw new PyError(`no test named '${name}'`);
  return t(ctx, value, splitArgs(args)) === true;
}
