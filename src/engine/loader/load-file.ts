/**
 * Read a task file or playbook from disk. A list whose items all have `hosts:` (or `import_playbook:`) is a
 * playbook; any other list is a bare task list (a hook). Parsed files are cached per loader so a loop over
 * `include_tasks` reads and parses the file once.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { TaskFileError } from '../../core/errors.js';
import { loadYaml, lineOf } from './yaml.js';
import { parsePlay, parseTaskList, type ModuleCatalog } from './task-parser.js';
import type { LoadedFile, Node, Play } from './task-model.js';

export class TaskFileLoader {
  private readonly cache = new Map<string, Node[]>();

  constructor(readonly catalog: ModuleCatalog) {}

  /** Read and parse YAML (any content): for vars files. */
  readYaml(path: string, what = 'file'): unknown {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new TaskFileError('file-not-found', `cannot read ${what} ${path}: ${code === 'ENOENT' ? 'no such file' : (e as Error).message}`, {
        location: { file: path },
        hint: 'check the path (relative paths resolve from the including file\'s directory)',
        cause: e,
      });
    }
    return loadYaml(text, path);
  }

  load(path: string): LoadedFile {
    const file = resolve(path);
    const doc = this.readYaml(file, 'task file');
    if (doc === null || doc === undefined) return { kind: 'tasks', file, tasks: [] };
    if (!Array.isArray(doc)) {
      throw new TaskFileError('task-file-not-list', `${file} must hold a YAML list (of plays or tasks)`, {
        location: { file, line: lineOf(doc)?.line ?? 1 },
        hint: 'start each play with "- hosts: ..." or each task with "- name: ..."',
      });
    }
    const isPlaybook = doc.length > 0 && doc.every((p) => p && typeof p === 'object' && ('hosts' in p || 'import_playbook' in p));
    if (!isPlaybook) {
      const tasks = parseTaskList(doc, file, this.catalog);
      this.cache.set(file, tasks);
      return { kind: 'tasks', file, tasks };
    }
    const plays: Play[] = [];
    for (const p of doc as Array<Record<string, unknown>>) {
      if ('import_playbook' in p) {
        const target = resolve(dirname(file), String(p.import_playbook));
        const sub = this.load(target);
        if (sub.kind !== 'playbook') {
          throw new TaskFileError('import-playbook-not-playbook', `import_playbook ${p.import_playbook} is a task list, not a playbook`, {
            location: { file, line: lineOf(p)?.line },
            hint: 'use include_tasks inside a play for task lists',
          });
        }
        plays.push(...sub.plays);
      } else {
        plays.push(parsePlay(p, file, this.catalog));
      }
    }
    return { kind: 'playbook', file, plays };
  }

  /** Tasks of an included file (cached). */
  loadTasks(path: string): Node[] {
    const file = resolve(path);
    const hit = this.cache.get(file);
    if (hit) return hit;
    const loaded = this.load(file);
    if (loaded.kind !== 'tasks') {
      throw new TaskFileError('include-is-playbook', `${file} is a playbook; include_tasks needs a task list`, { location: { file } });
    }
    return loaded.tasks;
  }
}
