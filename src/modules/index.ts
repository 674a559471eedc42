/**
 * The module registry: every module the engine can run, loaded lazily (a task file that only uses `debug`
 * never loads the HTTP client or ssh2). Names resolve as Ansible does: bare `copy`, `ansible.builtin.copy`,
 * `ansible.legacy.copy`. Domain modules (mirroring, install, DCI) register the same way with `registerModules`.
 */
import type { Module, ModuleEntry } from '../engine/types.js';
import { TaskFileError, nearestNames } from '../core/errors.js';
import { DOMAIN_MODULES } from './domain/index.js';

export { parseModuleArgs, toBool } from './lib/args.js';

function builtin(name: string, load: () => Promise<Module<never>>): ModuleEntry {
  return { name, aliases: [`ansible.builtin.${name}`, `ansible.legacy.${name}`], load };
}

/** Lazy loader for a named export of a module file. */
function from<K extends string>(load: () => Promise<Record<K, unknown>>, key: K): () => Promise<Module<never>> {
  return async () => (await load())[key] as Module<never>;
}

export const MODULES: ModuleEntry[] = [
  builtin('debug', from(() => import('./debug.js'), 'debug')),
  builtin('set_fact', from(() => import('./set-fact.js'), 'setFact')),
  builtin('assert', from(() => import('./assert.js'), 'assert')),
  builtin('fail', from(() => import('./fail.js'), 'fail')),
  builtin('command', from(() => import('./command.js'), 'command')),
  builtin('shell', from(() => import('./shell.js'), 'shell')),
  builtin('copy', from(() => import('./copy.js'), 'copy')),
  builtin('template', from(() => import('./template.js'), 'template')),
  builtin('file', from(() => import('./file.js'), 'file')),
  builtin('stat', from(() => import('./stat.js'), 'stat')),
  builtin('slurp', from(() => import('./slurp.js'), 'slurp')),
  builtin('lineinfile', from(() => import('./lineinfile.js'), 'lineinfile')),
  builtin('blockinfile', from(() => import('./blockinfile.js'), 'blockinfile')),
  builtin('find', from(() => import('./find.js'), 'find')),
  builtin('uri', from(() => import('./uri.js'), 'uri')),
  builtin('get_url', from(() => import('./get-url.js'), 'getUrl')),
  builtin('wait_for', from(() => import('./wait-for.js'), 'waitFor')),
  builtin('pause', from(() => import('./pause.js'), 'pause')),
  builtin('include_vars', from(() => import('./include-vars.js'), 'includeVars')),
  builtin('add_host', from(() => import('./add-host.js'), 'addHost')),
  builtin('meta', from(() => import('./meta.js'), 'meta')),
  // Beyond the issue's list: small ones real hooks use often.
  builtin('tempfile', from(() => import('./tempfile.js'), 'tempfile')),
  builtin('replace', from(() => import('./replace.js'), 'replace')),
  builtin('ping', from(() => import('./ping.js'), 'ping')),
  builtin('fetch', from(() => import('./fetch.js'), 'fetch')),
  // Domain modules (pipeline steps: pull secret, mirroring, mirror sets, install, operators, DCI).
  ...DOMAIN_MODULES,
];

let index: Map<string, ModuleEntry> | undefined;

function byName(): Map<string, ModuleEntry> {
  if (!index) {
    index = new Map();
    for (const entry of MODULES) {
      index.set(entry.name, entry);
      for (const alias of entry.aliases) index.set(alias, entry);
    }
  }
  return index;
}

/** Add modules (domain families) to the registry. A name already taken is a programming error. */
export function registerModules(entries: ModuleEntry[]): void {
  for (const entry of entries) {
    for (const n of [entry.name, ...entry.aliases]) {
      if (byName().has(n)) throw new Error(`module name ${n} is registered twice`);
    }
    MODULES.push(entry);
    index = undefined;
  }
}

/** Resolve a module name (bare, `ansible.builtin.X`, `ansible.legacy.X` or a registered alias). */
export function findModule(name: string): ModuleEntry | undefined {
  return byName().get(name);
}

/** Every name a task may use (for "did you mean" hints and keyword/module disambiguation). */
export function moduleNames(): string[] {
  return [...byName().keys()];
}

/** findModule or a TaskFileError listing the nearest names. */
export function requireModule(name: string): ModuleEntry {
  const entry = findModule(name);
  if (entry) return entry;
  const near = nearestNames(name, MODULES.map((m) => m.name));
  throw new TaskFileError('unknown-module', `unknown module '${name}'`, {
    hint: near.length ? `did you mean ${near.map((n) => `'${n}'`).join(', ')}?` : 'see the list of supported modules in README.md',
  });
}
