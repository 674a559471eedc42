/** Placeholder published with the contract; replaced by the nunjucks-backed implementation. */
import { TemplateError } from '../../core/errors.js';
import type { Templar, TemplarOptions } from './types.js';

export function createTemplar(_opts: TemplarOptions = {}): Templar {
  const isTemplate = (s: string): boolean => s.includes('{{') || s.includes('{%') || s.includes('{#');
  const fail = (): never => {
    throw new TemplateError('template-unavailable', 'templating is being implemented');
  };
  const renderSync = (v: unknown): unknown => (typeof v === 'string' && isTemplate(v) ? fail() : v);
  return {
    isTemplate,
    renderSync,
    evaluateSync: fail,
    conditionSync: fail,
    render: async (v) => renderSync(v),
    evaluate: async () => fail(),
    condition: async () => fail(),
  };
}
