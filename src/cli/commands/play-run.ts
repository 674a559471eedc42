/** Implementation of `dci-agent-ts play` (loaded only when the command runs). */
import { mkdtempSync, existsSync, readFileSync, rmdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { UsageError } from '../../core/errors.js';
import { EventBus } from '../../core/events.js';
import { globalSecrets } from '../../core/secrets.js';
import { writeFileAtomic } from '../../core/atomic-write.js';
import type { CliIO } from '../main.js';
import type { EngineInventory } from '../../engine/types.js';
import type { InventoryFileOf } from '../../engine/index.js';

export interface PlayRunOptions {
  inventory?: string;
  extraVars: string[];
  tags?: string;
  skipTags?: string;
  check?: boolean;
  output?: 'tty' | 'plain' | 'jsonl';
  limit?: string;
  forks?: string;
  junit?: string;
}

function splitTags(v: string | undefined): string[] {
  return v ? v.split(',').map((t) => t.trim()).filter(Boolean) : [];
}

export async function runPlay(playbook: string, opts: PlayRunOptions, io: CliIO): Promise<number> {
  const file = resolve(playbook);
  if (!existsSync(file)) throw new UsageError('play-missing', `playbook ${playbook} does not exist`, { hint: 'give the path of a YAML playbook or task file' });
  // As ansible-playbook: a playbook with nothing in it is a mistake (an empty *hook* is fine: hooks run through `run`).
  if (/^\s*(---\s*)?(\.\.\.\s*)?$/.test(readFileSync(file, 'utf8').replace(/^\s*#.*$/gm, ''))) {
    throw new UsageError('play-empty', 'empty playbook, nothing to do', { hint: 'add a play (hosts + tasks) or a list of tasks', location: { file: playbook } });
  }
  const forks = opts.forks !== undefined ? Number(opts.forks) : 5;
  if (!Number.isInteger(forks) || forks < 1) throw new UsageError('play-forks', `--forks ${opts.forks} is not a positive integer`);
  const { parseExtraVars } = await import('../../config/extra-vars.js');
  const extra = await parseExtraVars(opts.extraVars ?? []);
  let inventory: EngineInventory;
  let inventoryFile: InventoryFileOf | undefined;
  if (opts.inventory) {
    const { loadInventory } = await import('../../config/load-inventory.js');
    const inv = await loadInventory(opts.inventory);
    inventory = inv.toEngineInventory();
    for (const w of inv.warnings) io.stderr(`warning: ${w}\n`);
    // inventory_file/inventory_dir as ansible-playbook -i sets them: the absolute path (symlinks kept) of the file
    // that first listed the host — in a directory inventory, that host's own file; none for the implicit localhost.
    const { inventoryFilesOf } = await import('../../engine/index.js');
    inventoryFile = inventoryFilesOf(inv.hosts);
  } else {
    inventory = { hosts: { localhost: { name: 'localhost', vars: { ansible_connection: 'local' }, groups: [] } }, groups: { all: [], ungrouped: [] } };
  }
  const { runTaskFile, createReporter, formatRecap, matchHosts } = await import('../../engine/index.js');
  if (opts.limit) {
    const keep = new Set(matchHosts(opts.limit, inventory));
    for (const g of Object.keys(inventory.groups)) inventory.groups[g] = inventory.groups[g].filter((h) => keep.has(h));
    for (const h of Object.keys(inventory.hosts)) if (!keep.has(h)) delete inventory.hosts[h];
  }
  const kind = opts.output ?? (process.stdout.isTTY ? 'tty' : 'plain');
  const reporter = createReporter({ kind, isTTY: Boolean(process.stdout.isTTY), write: io.stdout, secrets: globalSecrets });
  const bus = new EventBus();
  bus.on((e) => reporter.on(e));
  const runDir = mkdtempSync(join(tmpdir(), 'dci-play-'));
  const controller = new AbortController();
  const onSignal = () => controller.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const result = await runTaskFile({
      file,
      inventory,
      extraVars: extra.vars,
      emit: (e) => bus.emit(e),
      secrets: globalSecrets,
      checkMode: Boolean(opts.check),
      tags: splitTags(opts.tags),
      skipTags: splitTags(opts.skipTags),
      runDir,
      signal: controller.signal,
      forks,
      inventoryFile,
    } as Parameters<typeof runTaskFile>[0]);
    await reporter.close();
    if (kind !== 'jsonl') {
      io.stdout('\nPLAY RECAP\n' + formatRecap(result.stats).map((l) => globalSecrets.redact(l)).join('\n') + '\n');
      for (const f of result.failures) {
        io.stderr(globalSecrets.redact(`failed: [${f.host}] ${f.task}${f.file ? ` (${f.file}${f.line ? `:${f.line}` : ''})` : ''}: ${f.msg}`) + '\n');
      }
    } else {
      io.stdout(JSON.stringify(globalSecrets.redactDeep({ type: 'recap', ok: result.ok, stats: result.stats, failures: result.failures })) + '\n');
    }
    if (opts.junit) {
      const { renderJunit } = await import('../../report/junit.js');
      await writeFileAtomic(resolve(opts.junit), globalSecrets.redact(renderJunit(playbook, result.testCases)), { mode: 0o644 });
    }
    if (controller.signal.aborted) return 130;
    return result.ok ? 0 : 2;
  } finally {
    await reporter.close();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    // The run dir is only a place for modules that record files (install plans, operator records): removed when
    // nothing was written there (one empty /tmp/dci-play-* per play run was left behind).
    try {
      rmdirSync(runDir);
    } catch {
      // Not empty: what a module wrote there (install plan, kubeconfig, operator records) stays, and the user is
      // told where — the directory is private (0700, mkdtemp) and its name is random.
      io.stderr(`files written by this run are in ${runDir}\n`);
    }
  }
}
