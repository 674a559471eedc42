/** docs/variables.md is generated from SETTINGS_SCHEMA: regenerate and compare, so a schema change fails here. */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { SETTINGS_SCHEMA } from '../../src/config/settings.js';
import { DESCRIPTIONS, VARIABLES_DOC, renderVariablesDoc } from './variables-doc.js';

describe('docs/variables.md', () => {
  it('matches the schema (regenerate with: node --import tsx test/docs/variables-doc.ts --write)', () => {
    expect(readFileSync(VARIABLES_DOC, 'utf8')).toBe(renderVariablesDoc());
  });
  it('documents every schema variable, with its schema default', () => {
    const doc = readFileSync(VARIABLES_DOC, 'utf8');
    for (const name of Object.keys(SETTINGS_SCHEMA.shape)) expect(doc).toContain(`| \`${name}\` |`);
    expect(doc).toMatch(/\| `dci_teardown_on_success` \| bool \| `true` \|/);
  });
  it('refuses to render when a variable has no description', () => {
    const saved = DESCRIPTIONS.install_type;
    delete DESCRIPTIONS.install_type;
    try {
      expect(() => renderVariablesDoc()).toThrow(/no description for install_type/);
    } finally {
      DESCRIPTIONS.install_type = saved;
    }
  });
});
