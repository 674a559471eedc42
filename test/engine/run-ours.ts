/** Run a playbook through our engine and record task results in the shape the ansible callback writes. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTaskFile } from '../../src/engine/index.js';
import { loadInventory } from '../../src/config/load-inventory.js';
import { SecretRegistry } from '../../src/core/secrets.js';
import type { AgentEvent } from '../../src/core/events.js';
import type { RunTaskFileResult } from '../../src/engine/types.js';
import type { Record_ } from './differential.js';


export interface OursRun {
  records: Record_[];
  events: AgentEvent[];
  result: RunTaskFileResult;
  durationMs: number;
}

export interface OursOptions {
  extraVars?: Record<string, unknown>;
  tags?: string[];
  skipTags?: string[];
  check?: boolean;
  secrets?: SecretRegistry;
  runDir?: string;
}

/**
 * The run directory is a fresh temp dir removed once the run ends (no caller reads it: results come back as records
 * and events); pass `runDir` to keep the run's files, that directory is then the caller's to remove.
 */
export async function runOurs(playbook: string, inventoryPath: string, opts: OursOptions = {}): Promise<OursRun> {
  const inv = await loadInventory(inventoryPath);
  const runDir = opts.runDir ?? mkdtempSync(join(tmpdir(), 'dci-ours-'));
  try {
    return await runIn(runDir, playbook, inv, opts);
  } finally {
    if (!opts.runDir) rmSync(runDir, { recursive: true, force: true });
  }
}

async function runIn(runDir: string, playbook: string, inv: Awaited<ReturnType<typeof loadInventory>>, opts: OursOptions): Promise<OursRun> {
  const events: AgentEvent[] = [];
  const records: Record_[] = [];
  let play = '';
  const t0 = Date.now();
  const result = await runTaskFile({
    file: playbook,
    inventory: inv.toEngineInventory(),
    extraVars: opts.extraVars,
    tags: opts.tags,
    skipTags: opts.skipTags,
    checkMode: opts.check,
    secrets: opts.secrets ?? new SecretRegistry(),
    runDir,
    emit(e) {
      events.push(e);
      if (e.type === 'play-start') play = e.name;
      if (e.type === 'task-end') {
        records.push({
          play,
          host: e.task.host,
          task: e.task.name,
          path: `${e.task.file}:${e.task.line}`,
          action: e.module,
          status: e.status,
          result: (e.result ?? {}) as Record<string, unknown>,
        });
      }
    },
  });
  return { records, events, result, durationMs: Date.now() - t0 };
}
