/** Jinja2 and Ansible tests (`x is defined`, `r is failed`, `v is version('4.12', '>=')`). */
import { existsSync, lstatSync, statSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import type { TestFn } from './context.js';
import { PyError, compare, contains, eq, isDict, isFloat, isNumeric, truthy } from './py.js';
import { param } from './kwargs.js';
import { Undef } from './undefined.js';
import { versionCompare } from './version.js';
import { toBool } from './filters/convert.js';
import { pyRegExp } from './regex.js';

function regexTest(mode: 'match' | 'search' | 'fullmatch'): TestFn {
  return (_ctx, v, c) => {
    const pattern = String(param(c, 0, 'pattern'));
    let flags = '';
    if (param(c, 1, 'ignorecase', false) === true) flags += 'i';
    if (param(c, 2, 'multiline', false) === true) flags += 'm';
    const re = pyRegExp(pattern, flags);
    const m = re.exec(String(v));
    if (!m) return false;
    if (mode === 'search') return true;
    // re.match anchors at the start, re.fullmatch at both ends: check where the leftmost match lies.
    const anchored = pyRegExp(mode === 'match' ? `^(?:${re.source})` : `^(?:${re.source})$`, re.flags);
    return anchored.test(String(v));
  };
}

function resultDict(name: string, v: unknown): Record<string, unknown> {
  if (!isDict(v)) throw new PyError(`The '${name}' test expects a dictionary`);
  return v;
}

const failed: TestFn = (_c, v) => truthy(resultDict('failed', v).failed ?? false);
const changed: TestFn = (_c, v) => {
  const r = resultDict('changed', v);
  if ('changed' in r) return truthy(r.changed);
  return Array.isArray(r.results) && r.results.some((x) => isDict(x) && truthy(x.changed ?? false));
};
const skipped: TestFn = (_c, v) => truthy(resultDict('skipped', v).skipped ?? false);
const succeeded: TestFn = (c, v, a) => !failed(c, v, a);
const reachable: TestFn = (_c, v) => !truthy(resultDict('unreachable', v).unreachable ?? false);

const cmp = (op: string): TestFn => (_c, v, a) => compare(v, op, param(a, 0, 'other'));

const truthyTest: TestFn = (_c, v, a) => truthy(param(a, 0, 'convert_bool', false) === true ? toBool(v, false) : v);

const inTest: TestFn = (_c, v, a) => contains(param(a, 0, 'seq'), v);

export const TESTS: Record<string, TestFn> = {
  defined: (_c, v) => !(v instanceof Undef),
  undefined: (_c, v) => v instanceof Undef,
  none: (_c, v) => v === null,
  string: (_c, v) => typeof v === 'string',
  number: (_c, v) => isNumeric(v),
  integer: (_c, v) => typeof v === 'number' && Number.isInteger(v),
  float: (_c, v) => isFloat(v),
  boolean: (_c, v) => typeof v === 'boolean',
  true: (_c, v) => v === true,
  false: (_c, v) => v === false,
  mapping: (_c, v) => isDict(v),
  sequence: (_c, v) => typeof v === 'string' || Array.isArray(v) || isDict(v),
  iterable: (_c, v) => typeof v === 'string' || Array.isArray(v) || isDict(v),
  callable: (_c, v) => typeof v === 'function',
  sameas: (_c, v, a) => v === (param(a, 0, 'other') ?? null) || (v === undefined && param(a, 0, 'other') === null),
  lower: (_c, v) => String(v) === String(v).toLowerCase(),
  upper: (_c, v) => String(v) === String(v).toUpperCase(),
  escaped: () => false,
  divisibleby: (_c, v, a) => Number(v) % Number(param(a, 0, 'num')) === 0,
  even: (_c, v) => Number(v) % 2 === 0,
  odd: (_c, v) => Math.abs(Number(v) % 2) === 1,
  eq: cmp('=='),
  equalto: cmp('=='),
  '==': cmp('=='),
  ne: cmp('!='),
  '!=': cmp('!='),
  lt: cmp('<'),
  lessthan: cmp('<'),
  '<': cmp('<'),
  le: cmp('<='),
  '<=': cmp('<='),
  gt: cmp('>'),
  greaterthan: cmp('>'),
  '>': cmp('>'),
  ge: cmp('>='),
  '>=': cmp('>='),
  in: inTest,
  contains: (_c, v, a) => contains(v, param(a, 0, 'value')),
  match: regexTest('match'),
  search: regexTest('search'),
  regex: (ctx, v, a) => {
    const mt = String(param(a, 3, 'match_type', 'search'));
    return regexTest(mt === 'match' ? 'match' : mt === 'fullmatch' ? 'fullmatch' : 'search')(ctx, v, a);
  },
  version: (_c, v, a) => versionCompare(v, param(a, 0, 'version'), param(a, 1, 'operator', 'eq'), param(a, 2, 'strict'), param(a, 3, 'version_type')),
  version_compare: (_c, v, a) => versionCompare(v, param(a, 0, 'version'), param(a, 1, 'operator', 'eq'), param(a, 2, 'strict'), param(a, 3, 'version_type')),
  file: (_c, v) => existsSync(String(v)) && statSync(String(v)).isFile(),
  is_file: (_c, v) => existsSync(String(v)) && statSync(String(v)).isFile(),
  directory: (_c, v) => existsSync(String(v)) && statSync(String(v)).isDirectory(),
  is_dir: (_c, v) => existsSync(String(v)) && statSync(String(v)).isDirectory(),
  exists: (_c, v) => existsSync(String(v)),
  link: (_c, v) => {
    try {
      return lstatSync(String(v)).isSymbolicLink();
    } catch {
      return false;
    }
  },
  is_link: (c, v, a) => TESTS.link(c, v, a),
  abs: (_c, v) => isAbsolute(String(v)),
  is_abs: (_c, v) => isAbsolute(String(v)),
  failed,
  failure: failed,
  succeeded,
  success: succeeded,
  successful: succeeded,
  changed,
  change: changed,
  skipped,
  skip: skipped,
  reachable,
  unreachable: (c, v, a) => !reachable(c, v, a),
  finished: (_c, v) => resultDict('finished', v).finished !== 0,
  truthy: truthyTest,
  falsy: (c, v, a) => !truthyTest(c, v, a),
  subset: (_c, v, a) => {
    const b = param(a, 0, 'b');
    return Array.isArray(v) && Array.isArray(b) && v.every((x) => b.some((y) => eq(x, y)));
  },
  superset: (_c, v, a) => {
    const b = param(a, 0, 'b');
    return Array.isArray(v) && Array.isArray(b) && b.every((x) => v.some((y) => eq(x, y)));
  },
  issubset: (c, v, a) => TESTS.subset(c, v, a),
  issuperset: (c, v, a) => TESTS.superset(c, v, a),
  any: (_c, v) => Array.isArray(v) && v.some(truthy),
  all: (_c, v) => Array.isArray(v) && v.every(truthy),
  nan: (_c, v) => typeof v === 'number' && Number.isNaN(v),
};
