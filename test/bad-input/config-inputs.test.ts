/** Broken inventories, extra vars, playbooks and tool inputs through the real CLI (cases in cases/). */
import { CASE_GROUPS } from './cases/index.js';
import { describeCases } from './check-case.js';

const { inventory, 'extra-vars': extraVars, playbooks, tools, 'mirror-stage': mirrorStage } = CASE_GROUPS;
describeCases({ inventory, 'extra-vars': extraVars, playbooks, tools, 'mirror-stage': mirrorStage });
