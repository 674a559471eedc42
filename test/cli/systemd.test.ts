/**
 * `dci-agent-ts systemd install`: the units a jumphost timer needs — oneshot service, persistent randomized timer,
 * credentials only through a 0600 EnvironmentFile — checked by `systemd-analyze verify` when it is available.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { runCli } from '../helpers/cli.js';

let dir: string;
let inventory: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'systemd-'));
  inventory = join(dir, 'lab.yml');
  writeFileSync(inventory, 'all:\n  vars:\n    cluster: lab7\n    dci_run_timeout: 5h\n  hosts:\n    localhost: {ansible_connection: local}\n');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('systemd install', () => {
  it('--dry-run prints a oneshot service and a persistent timer without writing anything', async () => {
    const r = await runCli(['systemd', 'install', '--inventory', inventory, '--on-calendar', '*-*-* 02:00', '--dry-run', '--unit-dir', join(dir, 'units')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('# dci-agent-ts-lab7.service');
    expect(r.stdout).toMatch(/^Type=oneshot$/m);
    expect(r.stdout).toMatch(new RegExp(`^ExecStart=\\S*node -- \\S+/bin/dci-agent-ts run --inventory ${inventory.replace(/[/.]/g, '\\$&')} --output plain$`, 'm'));
    expect(r.stdout).toMatch(/^TimeoutStartSec=18000$/m);
    expect(r.stdout).toMatch(/^SuccessExitStatus=75$/m);
    expect(r.stdout).toMatch(/^OnCalendar=\*-\*-\* 02:00$/m);
    expect(r.stdout).toMatch(/^Persistent=true$/m);
    expect(r.stdout).toMatch(/^RandomizedDelaySec=\d+$/m);
    expect(existsSync(join(dir, 'units'))).toBe(false);
  });

  it('writes the units, references credentials only through the EnvironmentFile and makes it 0600', async () => {
    const envFile = join(dir, 'dci.env');
    writeFileSync(envFile, 'DCI_CLIENT_ID=remoteci/abc\nDCI_API_SECRET=verysecretvalue123\nDCI_CS_URL=https://api.example.com\n');
    chmodSync(envFile, 0o644);
    const units = join(dir, 'units');
    const r = await runCli(['systemd', 'install', '--inventory', inventory, '--env-file', envFile, '--unit-dir', units]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('systemctl --user enable --now dci-agent-ts-lab7.timer');
    const service = readFileSync(join(units, 'dci-agent-ts-lab7.service'), 'utf8');
    expect(service).toContain(`EnvironmentFile=${envFile}`);
    expect(service).not.toContain('verysecretvalue123');
    expect(statSync(envFile).mode & 0o777).toBe(0o600);
    const timer = readFileSync(join(units, 'dci-agent-ts-lab7.timer'), 'utf8');
    expect(timer).toContain('Unit=dci-agent-ts-lab7.service');
    const analyze = spawnSync('systemd-analyze', ['--version'], { encoding: 'utf8' });
    if (analyze.status === 0) {
      const v = spawnSync('systemd-analyze', ['verify', '--man=no', join(units, 'dci-agent-ts-lab7.service'), join(units, 'dci-agent-ts-lab7.timer')], { encoding: 'utf8' });
      // Only complaints about our own units count (the sandbox has no running systemd).
      const ours = (v.stderr + v.stdout).split('\n').filter((l) => l.includes('dci-agent-ts-lab7'));
      expect(ours).toEqual([]);
    }
  });

  it('a missing env file is one clear error, exit 2', async () => {
    const r = await runCli(['systemd', 'install', '--inventory', inventory, '--env-file', join(dir, 'nope.env'), '--dry-run']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: --env-file \S+nope\.env does not exist/);
  });
});
