/**
 * `runTaskFile`: the engine's one entry point. Loads a playbook or a bare task list, runs it on the hosts
 * (plays: their `hosts:` pattern; task lists: `opts.hosts`, default localhost) and returns stats, facts,
 * failures and junit test cases. Task failures are results; a broken task file is a thrown TaskFileError.
 */
import { dirname, resolve } from 'node:path';
import { TaskFileError, nearestNames } from '../../core/errors.js';
import { createTemplar } from '../template/index.js';
import { findModule, moduleNames, parseModuleArgs } from '../../modules/index.js';
import type { EngineInventory, HostStats, RunTaskFileOptions, RunTaskFileResult } from '../types.js';
import { TaskFileLoader } from '../loader/load-file.js';
import type { ModuleCatalog } from '../loader/task-parser.js';
import type { Play } from '../loader/task-model.js';
import { matchHosts } from './host-pattern.js';
import { PlayRunner, META_NAMES } from './play-runner.js';
import { TransportPool, type TransportFactory } from './transport-pool.js';

/** The module registry seen by the loader (aliases resolve to the canonical name). */
export const registryCatalog: ModuleCatalog = {
  resolve: (action) => (META_NAMES.has(action) ? 'meta' : findModule(action)?.name),
  names: () => [...new Set([...moduleNames(), ...META_NAMES])],
};

export interface EngineRunOptions extends RunTaskFileOptions {
  /** Parallel hosts per task (Ansible's `forks`, default 5). */
  forks?: number;
  /** Reuse connections across files of one run (the pipeline passes one pool; closed by its owner). */
  transports?: TransportPool;
  /** Replace how connections are made (tests). */
  transportFactory?: TransportFactory;
}

/** Ansible's implicit localhost: usable in `hosts:` and `delegate_to` without being in the inventory. */
function withImplicitLocalhost(inv: EngineInventory): EngineInventory {
  if (inv.hosts.localhost) return inv;
  return {
    hosts: { ...inv.hosts, localhost: { name: 'localhost', vars: { ansible_connection: 'local' }, groups: [] } },
    groups: { ...inv.groups },
  };
}

export async function runTaskFile(opts: EngineRunOptions): Promise<RunTaskFileResult> {
  const file = resolve(opts.file);
  const loader = new TaskFileLoader(registryCatalog);
  const loaded = loader.load(file);
  const inventory = withImplicitLocalhost({
    hosts: Object.fromEntries(Object.entries(opts.inventory.hosts).map(([k, v]) => [k, { ...v, groups: [...v.groups] }])),
    groups: Object.fromEntries(Object.entries(opts.inventory.groups).map(([k, v]) => [k, [...v]])),
  });
  const controller = new AbortController();
  const signal = opts.signal ?? controller.signal;
  const ownPool = !opts.transports;
  const transports = opts.transports ?? new TransportPool(opts.transportFactory);
  const runner = new PlayRunner({
    inventory,
    templar: createTemplar({ baseDir: dirname(file), secrets: opts.secrets }),
    loader,
    modules: { find: findModule, parseArgs: (m, raw) => parseModuleArgs(m, raw) },
    transports,
    emit: opts.emit,
    secrets: opts.secrets,
    runPlayVars: opts.playVars ?? {},
    extraVars: opts.extraVars ?? {},
    checkMode: opts.checkMode ?? false,
    tags: { tags: opts.tags ?? [], skipTags: opts.skipTags ?? [] },
    runDir: opts.runDir,
    signal,
    environment: opts.environment ?? {},
    forks: opts.forks ?? 5,
    playbookDir: dirname(file),
    inventoryFile: opts.inventoryFile,
  });
  for (const [host, facts] of Object.entries(opts.facts ?? {})) runner.hostState(host, facts);

  const plays: Play[] =
    loaded.kind === 'playbook'
      ? loaded.plays
      : [
          {
            name: file,
            where: { file, line: 1 },
            hosts: (opts.hosts ?? ['localhost']).join(':'),
            keywords: {},
            vars: {},
            varsFiles: [],
            preTasks: [],
            tasks: loaded.tasks,
            postTasks: [],
            handlers: [],
          },
        ];
  const touched = new Set<string>(Object.keys(opts.facts ?? {}));
  try {
    for (const play of plays) {
      const hostNames = matchHosts(play.hosts, inventory);
      if (!hostNames.length) {
        const known = [...Object.keys(inventory.groups), ...Object.keys(inventory.hosts)];
        const near = nearestNames(play.hosts, known);
        opts.emit({ type: 'warning', msg: `play "${play.name}": no hosts matched "${play.hosts}"${near.length ? ` (did you mean ${near.join(', ')}?)` : ''}` });
        continue;
      }
      for (const h of hostNames) touched.add(h);
      const down = (h: string) => runner.hosts.get(h)?.failed === true || runner.hosts.get(h)?.unreachable === true;
      const downBefore = hostNames.filter(down).length;
      await runner.runPlay(play, hostNames);
      if (signal.aborted) break;
      // As ansible-playbook: no further play once any_errors_fatal ended one, or once every host of a play failed
      // in it (hosts that had already failed count in the play's size, not in its new failures).
      if (runner.fatalStop || hostNames.filter(down).length - downBefore === hostNames.length) break;
    }
  } finally {
    if (ownPool) await transports.closeAll();
  }
  const stats: Record<string, HostStats> = {};
  const facts: Record<string, Record<string, unknown>> = {};
  for (const [name, h] of runner.hosts) {
    if (!touched.has(name) && !Object.keys(h.facts).length) continue;
    stats[name] = h.stats;
    facts[name] = h.facts;
  }
  return {
    ok: runner.failures.length === 0,
    stats,
    facts,
    failures: runner.failures,
    testCases: runner.testCases,
  };
}

/** Check a task file without running it (YAML, keywords, modules): throws TaskFileError. */
export function checkTaskFile(file: string): void {
  new TaskFileLoader(registryCatalog).load(file);
}

export { TaskFileError };
