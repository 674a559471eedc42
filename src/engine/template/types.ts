/**
 * The templating contract the executor codes against. Types and two tiny runtime values only (LazyValue, OMIT):
 * importing this file does not load nunjucks.
 */
import type { SecretRegistry } from '../../core/secrets.js';

export interface TemplarOptions {
  /** Directory for relative `lookup('file'|'template'|'first_found')` paths (the task file's directory). */
  baseDir?: string;
  /** Values read through lookups (file, pipe, env) are not registered automatically; this is used to redact errors. */
  secrets?: SecretRegistry;
}

/** Where a template comes from, for error messages (`'foo' is undefined` at file:line in task "x"). */
export interface TemplateWhere {
  file?: string;
  line?: number;
  task?: string;
}

/** Variables visible to a template. Values may be `LazyValue`s: templated on use, like Ansible's lazy vars. */
export type VarsLike = Record<string, unknown>;

export interface Templar {
  /**
   * Render any value: strings with `{{ }}` / `{% %}` are templated, lists/dicts recursively. A string that is
   * exactly one expression `"{{ x }}"` returns the native value (number, list, dict, bool, null).
   */
  render(value: unknown, vars: VarsLike, where?: TemplateWhere): Promise<unknown>;
  /** Evaluate a bare Jinja2 expression (`when:`, `failed_when:`, `until:`, `changed_when:`) → value. */
  evaluate(expr: string, vars: VarsLike, where?: TemplateWhere): Promise<unknown>;
  /** when-style truthiness of a bare condition (a list is an AND of its items). */
  condition(expr: string | boolean | Array<string | boolean>, vars: VarsLike, where?: TemplateWhere): Promise<boolean>;
  /**
   * Render template-file text (template module, `ctx.render`) to text: no native types, no literal conversion,
   * no backslash doubling, `#jinja2:` header honoured, None prints as ''. Like Ansible's template action.
   */
  renderText(text: string, vars: VarsLike, where?: TemplateWhere): Promise<string>;
  renderTextSync(text: string, vars: VarsLike, where?: TemplateWhere): string;
  /** True when the string contains `{{`, `{%` or `{#` (strings without them are returned untouched). */
  isTemplate(s: string): boolean;
  /** Synchronous forms of the above (the engine is synchronous inside; lookups run synchronously). */
  renderSync(value: unknown, vars: VarsLike, where?: TemplateWhere): unknown;
  evaluateSync(expr: string, vars: VarsLike, where?: TemplateWhere): unknown;
  conditionSync(expr: string | boolean | Array<string | boolean>, vars: VarsLike, where?: TemplateWhere): boolean;
}

/**
 * Ansible's `omit` placeholder. `{{ x | default(omit) }}` renders to this exact string; the executor drops
 * module arguments whose value is OMIT.
 */
export const OMIT = '__omit_place_holder__dci_agent_ts__';

/**
 * A variable whose value is templated when it is used (play vars, set_fact results with templates, inventory
 * vars). Inside a template the templar renders `raw` itself with the variables of the current render (this is
 * what Ansible does, and it lets `item`/loop vars be seen); `resolve` is for callers outside a template.
 */
export class LazyValue {
  readonly raw: unknown;
  private readonly resolver: (() => Promise<unknown>) | undefined;

  constructor(raw: unknown, resolve?: () => Promise<unknown>) {
    this.raw = raw;
    this.resolver = resolve;
  }

  /** The resolved value through the resolver given at construction (the raw value when there is none). */
  async resolve(): Promise<unknown> {
    return this.resolver ? this.resolver() : this.raw;
  }
}
