/**
 * Ansible's `version` test / `version_compare`: loose (distutils LooseVersion, the default), strict
 * (StrictVersion) and semver comparison, with Ansible's operator spellings.
 */
import semver from 'semver';
import { PyError } from './py.js';

const OPS: Record<string, (c: number) => boolean> = {};
for (const [names, f] of [
  [['==', '=', 'eq'], (c: number) => c === 0],
  [['!=', '<>', 'ne'], (c: number) => c !== 0],
  [['<', 'lt'], (c: number) => c < 0],
  [['<=', 'le'], (c: number) => c <= 0],
  [['>', 'gt'], (c: number) => c > 0],
  [['>=', 'ge'], (c: number) => c >= 0],
] as Array<[string[], (c: number) => boolean]>) {
  for (const n of names) OPS[n] = f;
}

function looseParts(v: string): Array<number | string> {
  return v
    .split(/(\d+|[a-z]+|\.)/i)
    .filter((p) => p && p !== '.')
    .map((p) => (/^\d+$/.test(p) ? Number(p) : p));
}

function cmpLoose(a: string, b: string): number {
  const x = looseParts(a);
  const y = looseParts(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const p = x[i];
    const q = y[i];
    if (p === q) continue;
    if (typeof p !== typeof q) throw new PyError(`Version comparison failed: '<' not supported between instances of '${typeof p === 'number' ? 'int' : 'str'}' and '${typeof q === 'number' ? 'int' : 'str'}'`);
    return p < q ? -1 : 1;
  }
  return x.length === y.length ? 0 : x.length < y.length ? -1 : 1;
}

function strictParse(v: string): [number[], [string, number] | undefined] {
  const m = /^(\d+)\.(\d+)(\.(\d+))?([ab](\d+))?$/.exec(v);
  if (!m) throw new PyError(`Version comparison failed: invalid version number '${v}'`);
  const pre: [string, number] | undefined = m[5] ? [m[5][0], Number(m[6])] : undefined;
  return [[Number(m[1]), Number(m[2]), Number(m[4] ?? 0)], pre];
}

function cmpStrict(a: string, b: string): number {
  const [x, xp] = strictParse(a);
  const [y, yp] = strictParse(b);
  for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return x[i] < y[i] ? -1 : 1;
  if (!xp && !yp) return 0;
  if (!xp) return 1;
  if (!yp) return -1;
  if (xp[0] !== yp[0]) return xp[0] < yp[0] ? -1 : 1;
  return xp[1] === yp[1] ? 0 : xp[1] < yp[1] ? -1 : 1;
}

function cmpSemver(a: string, b: string): number {
  const x = semver.parse(a);
  const y = semver.parse(b);
  if (!x) throw new PyError(`Version comparison failed: invalid semantic version '${a}'`);
  if (!y) throw new PyError(`Version comparison failed: invalid semantic version '${b}'`);
  return semver.compare(x, y);
}

export function versionCompare(value: unknown, version: unknown, operator: unknown = 'eq', strictFlag?: unknown, versionType?: unknown): boolean {
  const op = OPS[String(operator)];
  if (!op) throw new PyError(`Invalid operator type (${String(operator)})`);
  const a = String(value);
  const b = String(version);
  if (!b) throw new PyError('Version parameter to compare against cannot be empty');
  const type = versionType ? String(versionType) : strictFlag === true ? 'strict' : 'loose';
  let c: number;
  if (type === 'loose') c = cmpLoose(a, b);
  else if (type === 'strict') c = cmpStrict(a, b);
  else if (type === 'semver' || type === 'semantic') c = cmpSemver(a, b);
  else throw new PyError(`Invalid version type (${type}). Must be one of loose, strict, semver, semantic`);
  return op(c);
}
