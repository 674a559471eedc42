/**
 * Version ranges with the semantics oc-mirror v2 uses for `minVersion`/`maxVersion`/`versionRange`
 * (catalog-filter pins Masterminds/semver v3.3.0). They differ from npm's `semver` in ways that change
 * which bundles are kept, so we cannot reuse it:
 *  - prereleases are checked per comparator: a comparator without a prerelease never matches a
 *    prerelease version (`>=1.34.1-5 <=1.42.0-5` matches 1.40.0-3; npm would not);
 *  - `,` and whitespace both mean AND, `||` means OR, `a - b` is `>= a, <= b`;
 *  - `1.x`, `1.2.*`, `~`, `^`, `=` and `!=` follow Masterminds' "dirty" rules;
 *  - bundle versions are parsed strictly (three numeric parts, no leading `v`), range operands loosely.
 * Build metadata is ignored when comparing.
 */

export interface SemVersion {
  major: number;
  minor: number;
  patch: number;
  prerelease: string;
  build: string;
  /** The text the version was parsed from. */
  original: string;
}

const PRE_OR_BUILD = /^[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*$/;

function validPrerelease(pre: string): boolean {
  if (!PRE_OR_BUILD.test(pre)) return false;
  return pre.split('.').every((p) => !/^[0-9]+$/.test(p) || p.length === 1 || p[0] !== '0');
}

/** Strict semver (Masterminds `StrictNewVersion`): `X.Y.Z[-pre][+build]`, no leading zeros, no `v`. */
export function parseStrictVersion(text: string): SemVersion | undefined {
  if (text.length === 0) return undefined;
  const parts = text.split('.');
  if (parts.length < 3) return undefined;
  let rest = [parts[2], ...parts.slice(3)].join('.');
  let build = '';
  let prerelease = '';
  const plus = rest.indexOf('+');
  if (plus >= 0) {
    build = rest.slice(plus + 1);
    rest = rest.slice(0, plus);
    if (!PRE_OR_BUILD.test(build)) return undefined;
  }
  const dash = rest.indexOf('-');
  if (dash >= 0) {
    prerelease = rest.slice(dash + 1);
    rest = rest.slice(0, dash);
    if (!validPrerelease(prerelease)) return undefined;
  }
  const nums = [parts[0], parts[1], rest];
  for (const n of nums) {
    if (!/^[0-9]+$/.test(n)) return undefined;
    if (n.length > 1 && n[0] === '0') return undefined;
  }
  return { major: Number(nums[0]), minor: Number(nums[1]), patch: Number(nums[2]), prerelease, build, original: text };
}

const LOOSE_VERSION = /^v?([0-9]+)(\.[0-9]+)?(\.[0-9]+)?(-([0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*))?(\+([0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*))?$/;

/** Loose semver (Masterminds `NewVersion`): optional `v`, missing minor/patch default to 0. */
export function parseLooseVersion(text: string): SemVersion | undefined {
  const m = LOOSE_VERSION.exec(text);
  if (!m) return undefined;
  const prerelease = m[5] ?? '';
  if (prerelease && !validPrerelease(prerelease)) return undefined;
  return {
    major: Number(m[1]),
    minor: m[2] ? Number(m[2].slice(1)) : 0,
    patch: m[3] ? Number(m[3].slice(1)) : 0,
    prerelease,
    build: m[8] ?? '',
    original: text,
  };
}

function comparePrePart(s: string, o: string): number {
  if (s === o) return 0;
  if (s === '') return -1;
  if (o === '') return 1;
  const sNum = /^[0-9]+$/.test(s);
  const oNum = /^[0-9]+$/.test(o);
  if (!sNum && !oNum) return s > o ? 1 : -1;
  if (!oNum) return -1; // numeric identifiers sort before alphanumeric ones
  if (!sNum) return 1;
  return BigInt(s) > BigInt(o) ? 1 : -1;
}

function comparePrerelease(a: string, b: string): number {
  const as = a.split('.');
  const bs = b.split('.');
  const n = Math.max(as.length, bs.length);
  for (let i = 0; i < n; i++) {
    const d = comparePrePart(as[i] ?? '', bs[i] ?? '');
    if (d !== 0) return d;
  }
  return 0;
}

/** Semver precedence; build metadata ignored. */
export function compareSemVersions(a: SemVersion, b: SemVersion): number {
  if (a.major !== b.major) return a.major < b.major ? -1 : 1;
  if (a.minor !== b.minor) return a.minor < b.minor ? -1 : 1;
  if (a.patch !== b.patch) return a.patch < b.patch ? -1 : 1;
  if (a.prerelease === '' && b.prerelease === '') return 0;
  if (a.prerelease === '') return 1;
  if (b.prerelease === '') return -1;
  return comparePrerelease(a.prerelease, b.prerelease);
}

type Op = '' | '=' | '!=' | '>' | '<' | '>=' | '=>' | '<=' | '=<' | '~' | '~>' | '^';

interface Comparator {
  op: Op;
  con: SemVersion;
  orig: string;
  dirty: boolean;
  minorDirty: boolean;
  patchDirty: boolean;
}

const CV = String.raw`v?([0-9xX*|]+)(\.[0-9xX*|]+)?(\.[0-9xX*|]+)?(-([0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*))?(\+([0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*))?`;
// Longer operators first: JS alternation is leftmost-first like Go's, and Go only finds `>=` after
// failing `>` followed by a version; ordering them longest-first gives the same matches.
const OPS = String.raw`!=|>=|=>|<=|=<|~>|>|<|=|~|\^|`;
const CONSTRAINT = new RegExp(String.raw`^\s*(${OPS})\s*(${CV})\s*$`);
const RANGE = new RegExp(String.raw`\s*(${CV})\s+-\s+(${CV})\s*`, 'g');
const FIND = new RegExp(String.raw`(${OPS})\s*(${CV})`, 'g');
const VALID = new RegExp(String.raw`^(\s*(${OPS})\s*(${CV})\s*)((?:\s+|,\s*)(${OPS})\s*(${CV})\s*)*$`);

const isX = (s: string): boolean => s === 'x' || s === 'X' || s === '*';

function parseComparator(text: string): Comparator {
  const m = CONSTRAINT.exec(text);
  if (!m) throw new RangeError(`improper constraint: ${text}`);
  const op = m[1] as Op;
  const orig = m[2];
  const major = m[3];
  const minor = (m[4] ?? '').replace(/^\./, '');
  const patch = (m[5] ?? '').replace(/^\./, '');
  const preBuild = `${m[6] ?? ''}${m[9] ?? ''}`;
  let ver = orig;
  let dirty = false;
  let minorDirty = false;
  let patchDirty = false;
  if (isX(major) || major === '') {
    ver = `0.0.0${preBuild}`;
    dirty = true;
  } else if (isX(minor) || minor === '') {
    ver = `${major}.0.0${preBuild}`;
    dirty = true;
    minorDirty = true;
  } else if (isX(patch) || patch === '') {
    ver = `${major}.${minor}.0${preBuild}`;
    dirty = true;
    patchDirty = true;
  }
  const con = parseLooseVersion(ver);
  if (!con) throw new RangeError(`improper constraint: ${text}`);
  return { op, con, orig, dirty, minorDirty, patchDirty };
}

function preBlocked(v: SemVersion, c: Comparator): boolean {
  return v.prerelease !== '' && c.con.prerelease === '';
}

function tilde(v: SemVersion, c: Comparator): boolean {
  if (preBlocked(v, c)) return false;
  if (compareSemVersions(v, c.con) < 0) return false;
  if (c.con.major === 0 && c.con.minor === 0 && c.con.patch === 0 && !c.minorDirty && !c.patchDirty) return true;
  if (v.major !== c.con.major) return false;
  if (v.minor !== c.con.minor && !c.minorDirty) return false;
  return true;
}

function check(v: SemVersion, c: Comparator): boolean {
  const con = c.con;
  switch (c.op) {
    case '':
    case '=':
      if (preBlocked(v, c)) return false;
      if (c.dirty) return tilde(v, c);
      return compareSemVersions(v, con) === 0;
    case '!=':
      if (c.dirty) {
        if (preBlocked(v, c)) return false;
        if (con.major !== v.major) return true;
        if (con.minor !== v.minor && !c.minorDirty) return true;
        if (c.minorDirty) return false;
        if (con.patch !== v.patch && !c.patchDirty) return true;
        if (c.patchDirty) {
          if (v.prerelease !== '' || con.prerelease !== '') return comparePrerelease(v.prerelease, con.prerelease) !== 0;
          return false;
        }
      }
      return compareSemVersions(v, con) !== 0;
    case '>':
      if (preBlocked(v, c)) return false;
      if (!c.dirty) return compareSemVersions(v, con) === 1;
      if (v.major > con.major) return true;
      if (v.major < con.major) return false;
      if (c.minorDirty) return false;
      if (c.patchDirty) return v.minor > con.minor;
      return compareSemVersions(v, con) === 1;
    case '<':
      if (preBlocked(v, c)) return false;
      return compareSemVersions(v, con) < 0;
    case '>=':
    case '=>':
      if (preBlocked(v, c)) return false;
      return compareSemVersions(v, con) >= 0;
    case '<=':
    case '=<':
      if (preBlocked(v, c)) return false;
      if (!c.dirty) return compareSemVersions(v, con) <= 0;
      if (v.major > con.major) return false;
      if (v.major === con.major && v.minor > con.minor && !c.minorDirty) return false;
      return true;
    case '~':
    case '~>':
      return tilde(v, c);
    case '^':
      if (preBlocked(v, c)) return false;
      if (compareSemVersions(v, con) < 0) return false;
      if (con.major > 0 || c.minorDirty) return v.major === con.major;
      if (v.major > 0) return false;
      if (con.minor > 0 || c.patchDirty) return v.minor === con.minor;
      if (v.minor > 0) return false;
      return con.patch === v.patch;
  }
}

export interface VersionRange {
  /** The range as written. */
  readonly text: string;
  /** True when `version` satisfies the range (OR of AND groups). */
  test(version: SemVersion): boolean;
}

/**
 * Parse a range; throws RangeError("improper constraint: …") like Masterminds' `NewConstraint`.
 * Callers wrap it as "error parsing version range: …" (the message oc-mirror prints).
 */
export function parseVersionRange(text: string): VersionRange {
  const rewritten = text.replace(RANGE, (_all, from: string, ...rest: unknown[]) => {
    // The second operand's capture sits after the 9 groups of the first CV.
    const to = rest[9] as string;
    return `>= ${from}, <= ${to} `;
  });
  const groups: Comparator[][] = rewritten.split('||').map((segment) => {
    if (!VALID.test(segment)) throw new RangeError(`improper constraint: ${segment}`);
    const found = segment.match(FIND) ?? [segment];
    return found.map(parseComparator);
  });
  return {
    text,
    test: (version) => groups.some((group) => group.every((c) => check(version, c))),
  };
}

/** `minVersion`/`maxVersion` as oc-mirror v2 turns them into a range: `>=min <=max`, either side optional. */
export function rangeFromMinMax(minVersion?: string, maxVersion?: string): string | undefined {
  const parts: string[] = [];
  if (minVersion) parts.push(`>=${minVersion}`);
  if (maxVersion) parts.push(`<=${maxVersion}`);
  return parts.length ? parts.join(' ') : undefined;
}
