/**
 * Test context for modules: the real local transport, a temp dir, and a renderer. The renderer is nunjucks with
 * undefined-is-an-error and `to_json`, standing in for the engine's templar so module tests stay independent of it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nunjucks from 'nunjucks';
import { LocalTransport } from '../../src/engine/transports/local.js';
import { SecretRegistry } from '../../src/core/secrets.js';
import { parseModuleArgs, findModule } from '../../src/modules/index.js';
import type { Module, RunContext, TaskResult, Transport } from '../../src/engine/types.js';
import type { AgentEvent } from '../../src/core/events.js';

export interface TestContext extends RunContext {
  events: AgentEvent[];
  logged: Array<{ stream: string; line: string }>;
}

export function makeContext(overrides: Partial<RunContext> = {}): TestContext {
  const env = new nunjucks.Environment(null, { throwOnUndefined: true, autoescape: false });
  env.addFilter('to_json', (v: unknown) => JSON.stringify(v));
  const events: AgentEvent[] = [];
  const logged: Array<{ stream: string; line: string }> = [];
  const local: Transport = new LocalTransport();
  const vars = overrides.vars ?? {};
  const ctx: TestContext = {
    host: 'localhost',
    vars,
    transport: local,
    controller: local,
    emit: (e) => events.push(e),
    signal: new AbortController().signal,
    checkMode: false,
    runDir: tmpdir(),
    taskDir: process.cwd(),
    secrets: new SecretRegistry(),
    render: async (template, extra) => env.renderString(template, { ...vars, ...extra }),
    log: (line, stream = 'stdout') => logged.push({ stream, line }),
    taskName: 'test task',
    events,
    logged,
    ...overrides,
  };
  return ctx;
}

/** Resolve a module by name through the registry, validate args like the engine does, run it. */
export async function runModule(name: string, args: unknown, ctx: RunContext = makeContext()): Promise<TaskResult> {
  const entry = findModule(name);
  if (!entry) throw new Error(`no module ${name}`);
  const mod = (await entry.load()) as unknown as Module<unknown>;
  return mod.run(parseModuleArgs(mod, args), ctx);
}

export async function withTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'dci-mod-'));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
