/** `dci-agent-ts systemd install`: render the units for an inventory and write them (or print with --dry-run). */
import { chmodSync, existsSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../core/errors.js';
import { writeFileAtomic } from '../core/atomic-write.js';
import { enableCommands, parseDurationSeconds, renderService, renderTimer, type SystemdUnitOptions } from '../pipeline/systemd.js';
import { clusterNameOf } from '../pipeline/run-pipeline.js';
import type { CliIO } from './main.js';
import type { SystemdCliOptions } from './commands/systemd.js';

export async function installSystemdUnits(opts: SystemdCliOptions, io: CliIO): Promise<void> {
  if (opts.user && opts.system) throw new UsageError('bad-scope', '--user and --system cannot be used together');
  const inventory = resolve(opts.inventory);
  if (!existsSync(inventory)) throw new UsageError('no-inventory', `inventory ${inventory} does not exist`, { hint: 'pass the path of your lab inventory' });
  const { loadInventory } = await import('../config/index.js');
  const inv = await loadInventory(inventory);
  const vars = localVars(inv);
  const cluster = clusterNameOf(vars, inventory);
  const scope: 'user' | 'system' = opts.system ? 'system' : 'user';
  let envFile: string | undefined;
  if (opts.envFile) {
    envFile = resolve(opts.envFile);
    if (!existsSync(envFile)) throw new UsageError('no-env-file', `--env-file ${envFile} does not exist`, { hint: 'create it with DCI_CLIENT_ID=..., DCI_API_SECRET=..., DCI_CS_URL=... lines' });
    if (!opts.dryRun && (statSync(envFile).mode & 0o077) !== 0) {
      chmodSync(envFile, 0o600);
      io.stderr(`note: ${envFile} held credentials readable by others; its mode is now 0600\n`);
    }
  }
  await checkOnCalendar(opts.onCalendar);
  if (envFile) {
    // The same parser `run --env-file` uses: a file the run would refuse must not become a timer that fails nightly.
    const { loadDciCredentials } = await import('../report/dci/credentials.js');
    await loadDciCredentials({ envFile });
  }
  const unit: SystemdUnitOptions = {
    name: opts.name ?? `dci-agent-ts-${cluster.replace(/[^A-Za-z0-9:_.-]/g, '-')}`,
    inventory,
    execPath: resolve(fileURLToPath(new URL('../../bin/dci-agent-ts', import.meta.url))),
    nodePath: process.execPath,
    onCalendar: opts.onCalendar,
    randomizedDelaySec: parseDurationSeconds(vars.dci_timer_randomized_delay, 300),
    timeoutStartSec: parseDurationSeconds(vars.dci_run_timeout ?? vars.dci_timeout, 6 * 3600),
    envFile,
    workingDirectory: resolve(inventory, '..'),
    scope,
    user: scope === 'system' ? process.env.SUDO_USER : undefined,
  };
  const service = renderService(unit);
  const timer = renderTimer(unit);
  if (opts.dryRun) {
    io.stdout(`# ${unit.name}.service\n${service}\n# ${unit.name}.timer\n${timer}`);
    return;
  }
  const dir = opts.unitDir ? resolve(opts.unitDir) : scope === 'user' ? join(process.env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'systemd', 'user') : '/etc/systemd/system';
  await writeFileAtomic(join(dir, `${unit.name}.service`), service);
  await writeFileAtomic(join(dir, `${unit.name}.timer`), timer);
  io.stdout(`wrote ${join(dir, unit.name)}.service and .timer\nenable it with:\n${enableCommands(unit).map((c) => `  ${c}`).join('\n')}\n`);
}

function localVars(inv: { toEngineInventory(): { hosts: Record<string, { vars: Record<string, unknown> }> } }): Record<string, unknown> {
  const e = inv.toEngineInventory();
  return e.hosts.localhost?.vars ?? Object.values(e.hosts)[0]?.vars ?? {};
}

const CALENDAR_SHORTHANDS = new Set(['minutely', 'hourly', 'daily', 'weekly', 'monthly', 'yearly', 'annually', 'quarterly', 'semiannually']);

/** Refuse an OnCalendar= systemd would reject at enable time: `systemd-analyze calendar` when present, else a shape check. */
async function checkOnCalendar(spec: string): Promise<void> {
  const bad = (why: string) =>
    new UsageError('bad-on-calendar', `--on-calendar "${spec}" is not a systemd calendar expression${why ? ` (${why})` : ''}`, {
      hint: "use e.g. daily, '*-*-* 02:00:00' or 'Mon..Fri 22:30' (see man systemd.time)",
    });
  const { execCommand } = await import('../core/exec.js');
  const probe = await execCommand('systemd-analyze', ['calendar', spec], { timeoutMs: 10_000 }).catch(() => undefined);
  if (probe && probe.rc !== -1 && !/ENOENT|not found/i.test(probe.stderr)) {
    if (probe.rc !== 0) throw bad(probe.stderr.split('\n')[0].trim());
    return;
  }
  if (CALENDAR_SHORTHANDS.has(spec.trim().toLowerCase())) return;
  if (!/[0-9*]/.test(spec) || !/^[0-9A-Za-z*,./:~ -]+$/.test(spec)) throw bad('');
}
