/**
 * Variable scoping, written once. Lowest to highest (Ansible's documented order, the parts we support):
 *
 *   magic defaults < inventory (group_vars < host_vars, merged by src/config) < run play vars (stage vars)
 *   < play `vars` < play `vars_files` < block `vars` (outer → inner) < task `vars` < `include_vars`
 *   < `set_fact` / `register` < include params (`include_tasks` vars, loop item of the include)
 *   < loop variables (`item`, `loop_control.loop_var`, `index_var`, `ansible_loop`) < extra vars (`-e`)
 *
 * Magic variables the user cannot shadow (`inventory_hostname`, `hostvars`, `groups`, `play_hosts`,
 * `ansible_failed_task`/`ansible_failed_result` inside rescue) are set last except for extra vars.
 *
 * Values holding templates are wrapped in `LazyValue` so they are rendered when used, with the variables of
 * the place of use (a play var `url: "http://{{ host }}"` sees a later `set_fact: host=...`).
 */
import { LazyValue, type Templar } from '../template/index.js';

const lazyCache = new WeakMap<object, Record<string, unknown>>();

/** True when a string anywhere in the value contains a Jinja2 marker. */
export function hasTemplate(v: unknown): boolean {
  if (typeof v === 'string') return v.includes('{{') || v.includes('{%') || v.includes('{#');
  if (Array.isArray(v)) return v.some(hasTemplate);
  if (v && typeof v === 'object' && !(v instanceof LazyValue)) return Object.values(v).some(hasTemplate);
  return false;
}

/** Wrap each templated value of a layer in a LazyValue (cached per layer object). */
export function lazify(layer: Record<string, unknown> | undefined): Record<string, unknown> {
  if (!layer) return {};
  const hit = lazyCache.get(layer);
  if (hit) return hit;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(layer)) out[k] = hasTemplate(v) ? new LazyValue(v) : v;
  lazyCache.set(layer, out);
  return out;
}

/**
 * A read-only view of variables where LazyValues are resolved on access (for `hostvars[h].x`, `vars['x']`,
 * and modules reading `ctx.vars`), rendered with the same variables.
 */
export function resolvedView(vars: Record<string, unknown>, templar: Templar, self?: () => Record<string, unknown>): Record<string, unknown> {
  const cache = new Map<string, unknown>();
  return new Proxy(vars, {
    get(target, key) {
      if (typeof key !== 'string') return undefined;
      if (cache.has(key)) return cache.get(key);
      const v = target[key];
      if (v instanceof LazyValue) {
        const r = templar.renderSync(v.raw, self ? self() : target);
        cache.set(key, r);
        return r;
      }
      return v;
    },
    set() {
      return false;
    },
  });
}

export interface VarLayers {
  magic: Record<string, unknown>;
  inventory: Record<string, unknown>;
  runPlayVars?: Record<string, unknown>;
  playVars?: Record<string, unknown>;
  varsFiles?: Record<string, unknown>;
  blockVars?: Array<Record<string, unknown>>;
  taskVars?: Record<string, unknown>;
  includeVars?: Record<string, unknown>;
  facts?: Record<string, unknown>;
  includeParams?: Record<string, unknown>;
  loopVars?: Record<string, unknown>;
  fixedMagic?: Record<string, unknown>;
  extraVars?: Record<string, unknown>;
}

/** Merge the layers in precedence order (later wins; no deep merge, like Ansible's default hash_behaviour). */
export function composeVars(l: VarLayers): Record<string, unknown> {
  const out: Record<string, unknown> = Object.assign({}, l.magic, lazify(l.inventory), lazify(l.runPlayVars), lazify(l.playVars), lazify(l.varsFiles));
  if (l.blockVars) for (const b of l.blockVars) Object.assign(out, lazify(b));
  Object.assign(out, lazify(l.taskVars), l.includeVars, l.facts, lazify(l.includeParams), l.loopVars, l.fixedMagic, lazify(l.extraVars));
  return out;
}
