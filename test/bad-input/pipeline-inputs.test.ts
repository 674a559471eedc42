/** Broken hooks, pull secrets, mirror-set and mirror-copy inputs through the real CLI (cases in cases/). */
import { CASE_GROUPS } from './cases/index.js';
import { describeCases } from './check-case.js';

const { run, 'mirror-sets': mirrorSets, 'mirror-copy': mirrorCopy } = CASE_GROUPS;
describeCases({ run, 'mirror-sets': mirrorSets, 'mirror-copy': mirrorCopy });
