/** Small helpers for executor tests: write task files to a temp dir and run them through runTaskFile. */
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { runTaskFile, type EngineRunOptions } from '../../../src/engine/index.js';
import { SecretRegistry } from '../../../src/core/secrets.js';
import type { AgentEvent } from '../../../src/core/events.js';
import type { EngineInventory, RunTaskFileResult } from '../../../src/engine/types.js';

export function scratch(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'dci-exec-'));
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
  const result = await runTaskFile({
    file,
    inventory: opts.inventory ?? localInventory(),
    secrets,
    runDir: mkdtempSync(join(tmpdir(), 'dci-exec-run-')),
    emit: (e) => events.push(e),
    ...opts,
  } as EngineRunOptions);
  const statuses: Record<string, string> = {};
  const debugs: unknown[] = [];
  for (const e of events) {
    if (e.type === 'task-end') statuses[e.task.name] = e.status;
    if (e.type === 'debug') debugs.push(e.msg);
  }
  return { result, events, secrets, statuses, debugs };
}
