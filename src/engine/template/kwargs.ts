/** nunjucks passes `f(a, b=1)` as `f(a, {b: 1, __keywords: true})`; split that back into Python's args/kwargs. */
export interface CallArgs {
  args: unknown[];
  kwargs: Record<string, unknown>;
}

export function isKeywordArgs(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && Object.prototype.hasOwnProperty.call(v, '__keywords');
}

export function splitArgs(all: unknown[]): CallArgs {
  const last = all[all.length - 1];
  if (all.length > 0 && isKeywordArgs(last)) {
    const kwargs: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(last)) if (k !== '__keywords') kwargs[k] = v;
    return { args: all.slice(0, -1), kwargs };
  }
  return { args: all, kwargs: {} };
}

/** Positional-or-keyword parameter `name` at position `i`, or `dflt`. */
export function param(c: CallArgs, i: number, name: string, dflt?: unknown): unknown {
  if (i < c.args.length) return c.args[i];
  if (Object.prototype.hasOwnProperty.call(c.kwargs, name)) return c.kwargs[name];
  return dflt;
}
