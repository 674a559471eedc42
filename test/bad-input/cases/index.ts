/** Every bad-input case, by area. A new area: one file here and one line below. */
import type { BadInputCase } from '../case.js';
import { INVENTORY_CASES } from './inventory.js';
import { EXTRA_VARS_CASES } from './extra-vars.js';
import { PLAYBOOK_CASES } from './playbooks.js';
import { RUN_CASES } from './run.js';
import { MIRROR_SETS_CASES } from './mirror-sets.js';
import { MIRROR_COPY_CASES } from './mirror-copy.js';
import { TOOL_CASES } from './tools.js';
import { MIRROR_STAGE_CASES } from './mirror-stage.js';

export const CASE_GROUPS: Record<string, BadInputCase[]> = {
  inventory: INVENTORY_CASES,
  'extra-vars': EXTRA_VARS_CASES,
  playbooks: PLAYBOOK_CASES,
  run: RUN_CASES,
  'mirror-sets': MIRROR_SETS_CASES,
  'mirror-copy': MIRROR_COPY_CASES,
  tools: TOOL_CASES,
  'mirror-stage': MIRROR_STAGE_CASES,
};
