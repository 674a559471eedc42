/**
 * YAML in and out: multi-document streams that `oc apply -f` accepts, and the parsing of the same.
 * js-yaml is loaded eagerly: it is small and every caller of this file needs it.
 */
import { dump, loadAll } from 'js-yaml';
import { MirrorSetError } from '../core/errors.js';

/** Objects as one multi-document YAML stream (`---` between documents, none leading). */
export function toYaml(objects: readonly unknown[]): string {
  return objects.map((o) => dump(o, { noRefs: true, lineWidth: -1 })).join('---\n');
}

/** Every non-empty document of a YAML stream; `kind: List` documents are flattened into their items. */
export function parseYamlDocuments(text: string, file = 'input'): unknown[] {
  let docs: unknown[];
  try {
    docs = loadAll(text);
  } catch (e) {
    // The CLI prints "file:line: message": keep the file out of the message and give the line js-yaml found.
    const mark = (e as { mark?: { line?: number } }).mark;
    const reason = ((e as { reason?: string }).reason ?? (e as Error).message.split('\n')[0]).trim();
    throw new MirrorSetError('invalid-yaml', `not valid YAML: ${reason}`, {
      location: { file, line: typeof mark?.line === 'number' ? mark.line + 1 : undefined },
      hint: 'fix the YAML at that line (indentation, brackets, quotes)',
    });
  }
  const out: unknown[] = [];
  for (const d of docs) {
    if (d === null || d === undefined) continue;
    const list = d as { kind?: unknown; items?: unknown };
    if (typeof d === 'object' && !Array.isArray(d) && typeof list.kind === 'string' && list.kind.endsWith('List') && Array.isArray(list.items)) out.push(...list.items);
    else out.push(d);
  }
  return out;
}
