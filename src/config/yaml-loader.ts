/**
 * YAML as Ansible reads it (PyYAML's SafeLoader + Ansible's constructors), on top of js-yaml 5:
 *  - YAML 1.1 scalars like PyYAML: `yes/no/on/off/true/false` (any of the three casings) are booleans but `y`/`n`
 *    stay strings, `0755` is octal, `1:30` is sexagesimal, `1e3` (no dot) is a string, `~`/`null`/empty are null;
 *  - merge keys `<<`; a duplicated key keeps the last value (PyYAML does, js-yaml would throw);
 *  - Ansible's tags: `!unsafe` (a plain string here) and `!vault` (kept as `{__ansible_vault: ciphertext}`, the shape
 *    `ansible-inventory` prints without a vault password).
 * Every mapping key keeps its line, so errors and `vars --explain` can name file:line.
 */
import {
  constructFromEvents,
  defineScalarTag,
  floatYaml11Tag,
  intYaml11Tag,
  mapTag,
  mergeTag,
  NOT_RESOLVED,
  nullYaml11Tag,
  parseEvents,
  Schema,
  seqTag,
  strTag,
  getScalarValue,
  EVENT_ID,
  YAMLException,
} from 'js-yaml';
import type { Event } from 'js-yaml';
import { InventoryError } from '../core/errors.js';

const TRUE_WORDS = new Set(['yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON']);
const FALSE_WORDS = new Set(['no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF']);

/** PyYAML's bool resolver: YAML 1.1 words, but not the single letters `y`/`n` (js-yaml's YAML 1.1 tag takes those). */
const ansibleBoolTag = defineScalarTag<boolean>('tag:yaml.org,2002:bool', {
  implicit: true,
  implicitFirstChars: ['y', 'Y', 'n', 'N', 't', 'T', 'f', 'F', 'o', 'O'],
  resolve: (source) => (TRUE_WORDS.has(source) ? true : FALSE_WORDS.has(source) ? false : NOT_RESOLVED),
  identify: (data: unknown) => typeof data === 'boolean',
  represent: (data: unknown) => (data ? 'true' : 'false'),
});

const unsafeTag = defineScalarTag<string>('!unsafe', {
  resolve: (source) => source,
  identify: () => false,
});

const vaultTag = defineScalarTag<{ __ansible_vault: string }>('!vault', {
  resolve: (source) => ({ __ansible_vault: source }),
  identify: () => false,
});

/** The schema Ansible effectively uses for inventories, vars files and `-e @file`. */
export const ANSIBLE_YAML_SCHEMA = new Schema([
  strTag,
  seqTag,
  mapTag,
  nullYaml11Tag,
  ansibleBoolTag,
  intYaml11Tag,
  floatYaml11Tag,
  mergeTag,
  unsafeTag,
  vaultTag,
]);

/** Line numbers (1-based) of a mapping's keys, recursively; `line` is where the node itself starts. */
export interface YamlPositions {
  line: number;
  keys?: Map<string, YamlPositions>;
  items?: YamlPositions[];
}

export interface LoadedYaml {
  /** `undefined` for an empty document (no content at all). */
  value: unknown;
  positions: YamlPositions | undefined;
}

/** Offsets → 1-based line numbers. */
export function lineIndex(source: string): (offset: number) => number {
  const starts = [0];
  for (let i = 0; i < source.length; i++) if (source.charCodeAt(i) === 10) starts.push(i + 1);
  return (offset: number) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
}

/**
 * Parse one YAML document with Ansible's schema. Throws InventoryError `yaml-syntax` naming file:line, or
 * `yaml-multiple-documents` (Ansible refuses those too).
 */
export function loadAnsibleYaml(source: string, file: string): LoadedYaml {
  let events: Event[];
  let docs: unknown[];
  try {
    events = parseEvents(source, { filename: file });
    docs = constructFromEvents(events, { source, filename: file, schema: ANSIBLE_YAML_SCHEMA, json: true });
  } catch (e) {
    throw yamlError(e, file);
  }
  if (docs.length === 0) return { value: undefined, positions: undefined };
  const toLine = lineIndex(source);
  const roots = positionsFromEvents(events, source, toLine);
  if (docs.length > 1) {
    throw new InventoryError('yaml-multiple-documents', 'expected a single YAML document, found several', {
      location: { file, line: roots[1]?.line },
      hint: 'remove the extra `---` document separator or split the file',
    });
  }
  return { value: docs[0], positions: roots[0] };
}

function yamlError(e: unknown, file: string): InventoryError {
  if (e instanceof YAMLException) {
    const line = e.mark ? e.mark.line + 1 : undefined;
    const column = e.mark ? e.mark.column + 1 : undefined;
    return new InventoryError('yaml-syntax', `invalid YAML: ${e.reason}${column ? ` (column ${column})` : ''}`, {
      location: { file, line, column },
      hint: 'fix the YAML syntax at that line (indentation, quotes, a missing ":" or closing bracket)',
      cause: e,
    });
  }
  const msg = e instanceof Error ? e.message : String(e);
  return new InventoryError('yaml-syntax', `invalid YAML: ${msg}`, { location: { file }, cause: e });
}

/** Walk the event stream once more to learn where each mapping key and sequence item starts. */
function positionsFromEvents(events: Event[], source: string, toLine: (o: number) => number): Array<YamlPositions | undefined> {
  const docs: Array<YamlPositions | undefined> = [];
  let i = 0;
  const startOf = (ev: Event): number => {
    switch (ev.type) {
      case EVENT_ID.SCALAR:
        return ev.valueStart >= 0 ? ev.valueStart : ev.anchorStart >= 0 ? ev.anchorStart : ev.tagStart;
      case EVENT_ID.MAPPING:
      case EVENT_ID.SEQUENCE:
        return ev.tagStart >= 0 ? Math.min(ev.start, ev.tagStart) : ev.start;
      case EVENT_ID.ALIAS:
        return ev.anchorStart;
      default:
        return 0;
    }
  };
  // Reads the node at events[i], returns its positions and advances i past it.
  const node = (): YamlPositions => {
    const ev = events[i];
    const pos: YamlPositions = { line: toLine(Math.max(0, startOf(ev))) };
    i++;
    if (ev.type === EVENT_ID.MAPPING) {
      pos.keys = new Map();
      while (events[i] && events[i].type !== EVENT_ID.POP) {
        const keyEv = events[i];
        const keyPos = node();
        const valuePos = node();
        if (keyEv.type === EVENT_ID.SCALAR) {
          valuePos.line = keyPos.line;
          pos.keys.set(getScalarValue(source, keyEv), valuePos);
        }
      }
      i++; // POP
    } else if (ev.type === EVENT_ID.SEQUENCE) {
      pos.items = [];
      while (events[i] && events[i].type !== EVENT_ID.POP) pos.items.push(node());
      i++;
    }
    return pos;
  };
  while (i < events.length) {
    const ev = events[i];
    if (ev.type === EVENT_ID.DOCUMENT) {
      i++;
      if (events[i] && events[i].type !== EVENT_ID.POP) docs.push(node());
      else docs.push(undefined);
      i++; // POP of the document
    } else i++;
  }
  return docs;
}

/** Mapping check used by every loader: a plain object, not an array/null/scalar. */
export function isPlainMapping(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** "a mapping", "a list", "a string"... for error messages. */
export function describeType(v: unknown): string {
  if (v === null || v === undefined) return 'nothing (null)';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return `a string ("${v.length > 40 ? v.slice(0, 40) + '…' : v}")`;
  return `a ${typeof v} (${String(v)})`;
}
