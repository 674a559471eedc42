/**
 * A host's variables as ordered layers, each tagged with its precedence level and where it came from, so the
 * merged view (`merged()`) and the explanation of one value (`explain()`) come from the same data. Merging is
 * Ansible's default `hash_behaviour=replace`: a higher layer replaces a whole top-level value, dicts are not merged.
 */
import { precedenceRank, precedenceTitle, type PrecedenceLevel } from './precedence.js';

export interface VarOrigin {
  file?: string;
  line?: number;
}

export interface VarLayer {
  level: PrecedenceLevel;
  /** What this layer is, for people: `group "masters"`, `group_vars/all.yml`, `-e @settings.yml`. */
  label: string;
  vars: Record<string, unknown>;
  /** The file of the whole layer (when it is one file). */
  file?: string;
  /** Per-variable file/line when known (overrides `file`). */
  origins?: Record<string, VarOrigin>;
}

export interface VarProvenance {
  name: string;
  value: unknown;
  level: PrecedenceLevel;
  /** Human title of the level (from PRECEDENCE_LEVELS). */
  levelTitle: string;
  label: string;
  file?: string;
  line?: number;
}

export interface VarExplanation extends VarProvenance {
  /** Lower-precedence definitions this value overrode, highest first. */
  overridden: VarProvenance[];
}

export class VarStore {
  private readonly stack: VarLayer[] = [];

  constructor(layers: Iterable<VarLayer> = []) {
    for (const l of layers) this.add(l);
  }

  /** Insert a layer after every layer of the same or a lower level (stable: same-level layers keep their order). */
  add(layer: VarLayer): this {
    const rank = precedenceRank(layer.level);
    let at = this.stack.length;
    while (at > 0 && precedenceRank(this.stack[at - 1].level) > rank) at--;
    this.stack.splice(at, 0, layer);
    return this;
  }

  /** A copy with more layers (the original is unchanged). */
  with(...layers: VarLayer[]): VarStore {
    const copy = new VarStore(this.stack);
    for (const l of layers) copy.add(l);
    return copy;
  }

  layers(): readonly VarLayer[] {
    return this.stack;
  }

  merged(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const l of this.stack) Object.assign(out, l.vars);
    return out;
  }

  has(name: string): boolean {
    return this.stack.some((l) => Object.hasOwn(l.vars, name));
  }

  get(name: string): unknown {
    for (let i = this.stack.length - 1; i >= 0; i--) if (Object.hasOwn(this.stack[i].vars, name)) return this.stack[i].vars[name];
    return undefined;
  }

  names(): string[] {
    return Object.keys(this.merged());
  }

  provenance(name: string): VarProvenance | undefined {
    for (let i = this.stack.length - 1; i >= 0; i--) if (Object.hasOwn(this.stack[i].vars, name)) return describe(this.stack[i], name);
    return undefined;
  }

  /** Provenance of every variable of the merged view. */
  provenanceAll(): Record<string, VarProvenance> {
    const out: Record<string, VarProvenance> = {};
    for (const l of this.stack) for (const name of Object.keys(l.vars)) out[name] = describe(l, name);
    return out;
  }

  explain(name: string): VarExplanation | undefined {
    const defs: VarProvenance[] = [];
    for (let i = this.stack.length - 1; i >= 0; i--) if (Object.hasOwn(this.stack[i].vars, name)) defs.push(describe(this.stack[i], name));
    if (defs.length === 0) return undefined;
    return { ...defs[0], overridden: defs.slice(1) };
  }
}

function describe(layer: VarLayer, name: string): VarProvenance {
  const o = layer.origins?.[name];
  const file = o?.file ?? layer.file;
  const p: VarProvenance = { name, value: layer.vars[name], level: layer.level, levelTitle: precedenceTitle(layer.level), label: layer.label };
  if (file !== undefined) p.file = file;
  if (o?.line !== undefined) p.line = o.line;
  return p;
}
