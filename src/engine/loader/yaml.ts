/**
 * YAML as Ansible reads it: YAML 1.2 core plus merge keys (`<<: *defaults`), the YAML 1.1 booleans Ansible users
 * write (`yes/no/on/off`), `!unsafe` strings, and duplicate keys resolved last-wins (PyYAML's behaviour).
 *
 * Every mapping keeps the line it starts on (see `lineOf`) so task errors can say file:line. js-yaml has no
 * position hooks, so we parse to events ourselves and let the mapping tag's `create` pick the next mapping
 * event's offset: the constructor creates mappings in event order, one per mapping event.
 */
import {
  CORE_SCHEMA,
  EVENT_ID,
  NOT_RESOLVED,
  YAMLException,
  constructFromEvents,
  defineMappingTag,
  defineScalarTag,
  mapTag,
  mergeTag,
  parseEvents,
  type Event,
} from 'js-yaml';
import { TaskFileError } from '../../core/errors.js';

const positions = new WeakMap<object, { file: string; line: number }>();

/** The file and 1-based line where a mapping loaded by `loadYaml` starts (undefined for other objects). */
export function lineOf(value: unknown): { file: string; line: number } | undefined {
  return value && typeof value === 'object' ? positions.get(value) : undefined;
}

/** Copy the position of one object to another (used when a task dict is rebuilt). */
export function copyPosition(from: unknown, to: object): void {
  const p = lineOf(from);
  if (p) positions.set(to, p);
}

const YAML11_TRUE = new Set(['yes', 'Yes', 'YES', 'on', 'On', 'ON', 'y', 'Y']);
const YAML11_FALSE = new Set(['no', 'No', 'NO', 'off', 'Off', 'OFF', 'n', 'N']);

// PyYAML (what Ansible uses) resolves yes/no/on/off as booleans but not y/n: keep only those.
const yaml11BoolTag = defineScalarTag<boolean>('tag:yaml.org,2002:bool', {
  implicit: true,
  implicitFirstChars: ['t', 'T', 'f', 'F', 'y', 'Y', 'n', 'N', 'o', 'O'],
  resolve: (source) => {
    if (source === 'true' || source === 'True' || source === 'TRUE') return true;
    if (source === 'false' || source === 'False' || source === 'FALSE') return false;
    if (source.length > 1 && YAML11_TRUE.has(source)) return true;
    if (source.length > 1 && YAML11_FALSE.has(source)) return false;
    return NOT_RESOLVED;
  },
  identify: (v) => typeof v === 'boolean',
});

const unsafeTag = defineScalarTag<string>('!unsafe', {
  resolve: (source) => source,
  identify: () => false,
});

const vaultTag = defineScalarTag<string>('!vault', {
  resolve: () => {
    throw new TaskFileError('yaml-vault', 'ansible-vault encrypted values (!vault) are not supported', {
      hint: 'put the secret in the inventory or an extra-vars file instead',
    });
  },
  identify: () => false,
});

interface LoadState {
  offsets: number[];
  next: number;
  file: string;
  lineStarts: number[];
}
let current: LoadState | null = null;

const positionedMapTag = defineMappingTag<Record<string, unknown>>('tag:yaml.org,2002:map', {
  create: () => {
    const obj: Record<string, unknown> = {};
    if (current) {
      const offset = current.offsets[current.next++];
      if (offset !== undefined) positions.set(obj, { file: current.file, line: lineAt(current.lineStarts, offset) });
    }
    return obj;
  },
  identify: mapTag.identify,
  represent: mapTag.represent,
  addPair: mapTag.addPair,
  has: mapTag.has,
  keys: mapTag.keys,
  get: mapTag.get,
});

const ANSIBLE_SCHEMA = CORE_SCHEMA.withTags(mergeTag, yaml11BoolTag, unsafeTag, vaultTag, positionedMapTag);

function lineAt(lineStarts: number[], offset: number): number {
  let lo = 0;
  let hi = lineStarts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (lineStarts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo + 1;
}

/** Parse YAML text (one document). Throws TaskFileError with file:line on syntax errors. */
export function loadYaml(text: string, file: string): unknown {
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) lineStarts.push(i + 1);
  try {
    const events: Event[] = parseEvents(text, { filename: file });
    const offsets: number[] = [];
    for (const ev of events) {
      // Only untagged mappings (and !!map) go through the map tag; tagged ones are rare in task files.
      if (ev.type === EVENT_ID.MAPPING && ev.tagStart === ev.tagEnd) offsets.push(skipToContent(text, ev.start));
    }
    current = { offsets, next: 0, file, lineStarts };
    const docs = constructFromEvents(events, { source: text, filename: file, schema: ANSIBLE_SCHEMA, json: true });
    if (docs.length > 1) {
      throw new TaskFileError('yaml-multi-document', `${file} holds ${docs.length} YAML documents; a task file holds one`, {
        location: { file },
        hint: 'remove the extra `---` separators',
      });
    }
    return docs[0] ?? null;
  } catch (e) {
    if (e instanceof YAMLException) {
      const mark = (e as unknown as { mark?: { line?: number; column?: number } }).mark;
      const reason = (e as unknown as { reason?: string }).reason ?? e.message.split('\n')[0];
      throw new TaskFileError('yaml-syntax', `YAML syntax error: ${reason}`, {
        location: { file, line: mark?.line !== undefined ? mark.line + 1 : undefined, column: mark?.column },
        hint: 'fix the indentation or quoting at that line (values starting with {{ must be quoted)',
        cause: e,
      });
    }
    throw e;
  } finally {
    current = null;
  }
}

/** A mapping event starts at its first key; skip a leading `- `/whitespace just in case. */
function skipToContent(text: string, offset: number): number {
  let i = offset;
  while (i < text.length && (text[i] === ' ' || text[i] === '\t')) i++;
  return i;
}
