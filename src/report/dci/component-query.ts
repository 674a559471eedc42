/**
 * Component selection strings as dci-pipeline writes them, turned into the server's `query` DSL
 * (dci-api.md §2.1 step 3, §3.2):
 *   `ocp`                               → and(eq(state,active),eq(type,ocp))
 *   `ocp=4.16.3`                        → and(eq(state,active),eq(type,ocp),eq(version,4.16.3))
 *   `ocp?tags:build:dev&version:4.16*`  → and(eq(type,ocp),ilike(version,4.16%),or(contains(tags,build:dev),…ga))
 * A `build:<level>` tag matches that level or anything more mature (nightly < dev < candidate < ga).
 * Pure; values are checked against the DSL's character set because the DSL has no escaping.
 */
import { UsageError } from '../../core/errors.js';

export const DCI_BUILD_LEVELS = ['nightly', 'dev', 'candidate', 'ga'] as const;

export interface ComponentFilter {
  type: string;
  /** Exact version, or a pattern with `*` (→ ilike). */
  version?: string;
  /** Exact name, or a pattern with `*`. */
  name?: string;
  /** Every tag must match (build tags widen to more mature levels). */
  tags?: string[];
  /** Add eq(state,active) (default true). */
  activeOnly?: boolean;
  /** Other `field:value` conditions. */
  fields?: Record<string, string>;
}

const VALUE_RE = /^[A-Za-z0-9_\- %.:/]+$/;
const FIELD_RE = /^[A-Za-z0-9_]+$/;

function checkValue(v: string, what: string): string {
  if (!VALUE_RE.test(v)) {
    throw new UsageError('dci-bad-component-query', `component ${what} '${v}' has characters the DCI query language cannot express`, {
      hint: 'use only letters, digits, and _ - . : / % and spaces; * is allowed as a wildcard in version and name',
    });
  }
  return v;
}

function cond(field: string, value: string): string {
  if (!FIELD_RE.test(field)) throw new UsageError('dci-bad-component-query', `component field '${field}' is not a valid DCI field name`, { hint: 'use names like version, name, tags' });
  if (value.includes('*')) return `ilike(${field},${checkValue(value.replace(/\*/g, '%'), field)})`;
  return `eq(${field},${checkValue(value, field)})`;
}

function tagCond(tag: string): string {
  checkValue(tag, 'tag');
  const m = /^build:(.+)$/.exec(tag);
  const level = m ? DCI_BUILD_LEVELS.indexOf(m[1] as (typeof DCI_BUILD_LEVELS)[number]) : -1;
  if (level < 0) return `contains(tags,${tag})`;
  return `or(${DCI_BUILD_LEVELS.slice(level)
    .map((l) => `contains(tags,build:${l})`)
    .join(',')})`;
}

/** The DSL for one filter. */
export function componentQuery(filter: ComponentFilter): string {
  const parts: string[] = [];
  if (filter.activeOnly !== false) parts.push('eq(state,active)');
  parts.push(cond('type', filter.type));
  if (filter.version) parts.push(cond('version', filter.version));
  if (filter.name) parts.push(cond('name', filter.name));
  for (const [k, v] of Object.entries(filter.fields ?? {})) parts.push(cond(k, v));
  for (const t of filter.tags ?? []) parts.push(tagCond(t));
  return `and(${parts.join(',')})`;
}

/** Parse `type`, `type=version` or `type?key:value&key:value` (pipeline syntax) into a filter. */
export function parseComponentSpec(spec: string): ComponentFilter {
  const s = spec.trim();
  const q = s.indexOf('?');
  const eq = s.indexOf('=');
  if (q < 0 && eq > 0) return { type: s.slice(0, eq), version: s.slice(eq + 1) };
  if (q < 0) {
    if (!s) throw new UsageError('dci-bad-component-query', 'empty component specification', { hint: "write e.g. 'ocp', 'ocp=4.16.3' or 'ocp?tags:build:ga'" });
    return { type: s };
  }
  // The `?` form does not add eq(state,active), as dci-pipeline.
  const filter: ComponentFilter = { type: s.slice(0, q), activeOnly: false, tags: [], fields: {} };
  for (const part of s.slice(q + 1).split('&')) {
    if (!part) continue;
    const c = part.indexOf(':');
    if (c <= 0) {
      throw new UsageError('dci-bad-component-query', `component specification '${spec}': '${part}' is not key:value`, { hint: "write e.g. 'ocp?tags:build:ga&version:4.16*'" });
    }
    const key = part.slice(0, c);
    const value = part.slice(c + 1);
    if (key === 'tags') filter.tags?.push(value);
    else if (key === 'version') filter.version = value;
    else if (key === 'name') filter.name = value;
    else (filter.fields as Record<string, string>)[key] = value;
  }
  return filter;
}
