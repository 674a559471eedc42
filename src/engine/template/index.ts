/**
 * Templating: Jinja2 expressions as Ansible evaluates them, through nunjucks (loaded lazily on first render).
 * See docs at the top of templar.ts for the supported syntax and the deliberate differences.
 */
export type { TemplarOptions, Templar, TemplateWhere, VarsLike } from './types.js';
export { LazyValue, OMIT } from './types.js';
export { createTemplar, isTemplate } from './templar.js';
