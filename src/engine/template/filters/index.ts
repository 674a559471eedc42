/** Every filter, by name (FQCN forms `ansible.builtin.x` resolve to `x` at call time). */
import type { FilterFn } from '../context.js';
import { CORE_FILTERS } from './core.js';
import { ANSIBLE_FILTERS } from './ansible.js';
import { DATA_FILTERS } from './data.js';
import { FILTER_TABLE, TEST_TABLE } from './registry.js';
import { TESTS } from '../tests.js';

const versionCompare: FilterFn = (ctx, v, c) => TESTS.version_compare(ctx, v, c);

export const FILTERS: Record<string, FilterFn> = Object.assign(FILTER_TABLE, CORE_FILTERS, ANSIBLE_FILTERS, DATA_FILTERS, {
  version_compare: versionCompare,
});
Object.assign(TEST_TABLE, TESTS);
