/** Small helpers for executor tests: write task files to a temp dir and run them through runTaskFile. */
import { afterAll } from 'vitest';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { runTaskFile, type EngineRunOptions } from '../../../src/engine/index.js';
import { SecretRegistry } from '../../../src/core/secrets.js';
import type { AgentEvent } from '../../../src/core/events.js';
import type { EngineInventory, RunTaskFileResult } from '../../../src/engine/types.js';

/**
 * Scratch dirs are used across the tests of a file: removed after the file's tests (this hook is registered on the
 * root suite of each test file importing this module; vitest evaluates it afresh per file).
 */
const scratchDirs: string[] = [];
afterAll(() => {
  for (const d of scratchDirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

export function scratch(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'dci-exec-'));
  scratchDirs.push(dir);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

export function localInventory(hosts: string[] = ['localhost'], vars: Record<string, unknown> = {}): EngineInventory {
  const inv: EngineInventory = { hosts: {}, groups: { all: [], ungrouped: [] } };
  for (const h of hosts) {
    inv.hosts[h] = { name: h, vars: { ansible_connection: 'local', ...vars }, groups: ['all', 'ungrouped'] };
    inv.groups.all.push(h);
    inv.groups.ungrouped.push(h);
  }
  return inv;
}

export interface Ran {
  result: RunTaskFileResult;
  events: AgentEvent[];
  secrets: SecretRegistry;
  /** task-end events: name → status (last wins) */
  statuses: Record<string, string>;
  debugs: unknown[];
}

export async function run(file: string, opts: Partial<EngineRunOptions> = {}): Promise<Ran> {
  const events: AgentEvent[] = [];
  const secrets = opts.secrets ?? new SecretRegistry();
  // Our own run dir (unless the caller passes one, which stays theirs) is removed once the run ends: nothing reads it.
  const ownRunDir = opts.runDir === undefined ? mkdtempSync(join(tmpdir(), 'dci-exec-run-')) : undefined;
  let result: RunTaskFileResult;
  try {
    result = await runTaskFile({
      file,
      inventory: opts.inventory ?? localInventory(),
      secrets,
      runDir: ownRunDir,
      emit: (e) => events.push(e),
      ...opts,
    } as EngineRunOptions);
  } finally {
    if (ownRunDir) rmSync(ownRunDir, { recursive: true, force: true });
  }
  const statuses: Record<string, string> = {};
  const debugs: unknown[] = [];
  for (const e of events) {
    if (e.type === 'task-end') statuses[e.task.name] = e.status;
    if (e.type === 'debug') debugs.push(e.msg);
  }
  return { result, events, secrets, statuses, debugs };
}
