/**
 * Fault: the SSH connection to a host drops in the middle of a long command during `dci-agent-ts run`.
 * The host is reached over a real sshd (test/helpers/sshd.ts); the drop is made by SIGKILLing the sshd processes
 * of that connection while the hook's command streams output. The task must fail naming the host and saying the
 * connection was lost, the run must end (failure hooks, no teardown by default) with exit 1 within a bound, and
 * the run record (summary.json, events.jsonl, the task's log, junit.xml, `runs show`) must say so.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { runCli } from '../helpers/cli.js';
import { startSshd, type SshdHandle } from '../helpers/sshd.js';
import { makeLab, recordingHook, type Lab } from '../pipeline/lab-fixture.js';
import { STACK_TRACE, killSshdSessions, onlyRunDir, readEvents, startCli, startTcpProxy, waitFor, type RunningCli, type TcpProxy } from './helpers-run.js';

let sshd: SshdHandle;
let lab: Lab | undefined;
let running: RunningCli | undefined;
let proxy: TcpProxy | undefined;

beforeAll(async () => {
  sshd = await startSshd();
}, 30_000);
afterAll(async () => {
  await sshd?.stop();
});
afterEach(async () => {
  running?.kill();
  running = undefined;
  await proxy?.close();
  proxy = undefined;
  if (lab) rmSync(lab.dir, { recursive: true, force: true });
  lab = undefined;
});

/** The lab with one extra host, `remote-0`, reached over our sshd (or through a proxy listening on `port`). */
function sshLab(port = sshd.port, sshCommonArgs?: string, extraVars = ''): Lab {
  const v = sshd.inventoryVars();
  const l = makeLab(extraVars);
  const knownHosts = join(l.dir, 'known_hosts');
  writeFileSync(knownHosts, `[127.0.0.1]:${port} ${sshd.hostPublicKey.split(/\s+/).slice(0, 2).join(' ')}\n`);
  const inv = readFileSync(l.inventory, 'utf8');
  const remote = `  children:
    testers:
      hosts:
        remote-0:
          ansible_host: "${v.ansible_host}"
          ansible_port: ${port}
          ansible_user: ${v.ansible_user}
          ansible_ssh_private_key_file: ${v.ansible_ssh_private_key_file}
          ansible_ssh_known_hosts_file: ${knownHosts}
${sshCommonArgs ? `          ansible_ssh_common_args: "${sshCommonArgs}"\n` : ''}`;
  if (!inv.includes('\n  children:\n')) throw new Error('lab inventory layout changed: no top-level children');
  writeFileSync(l.inventory, inv.replace('\n  children:\n', `\n${remote}`));
  return l;
}

interface Summary {
  state: string;
  result: string;
  stages: Array<{ name: string; status: string; msg?: string }>;
  failedTask?: { stage: string; task: string; host: string; msg: string };
}

function readSummary(runDir: string): Summary {
  return JSON.parse(readFileSync(join(runDir, 'summary.json'), 'utf8')) as Summary;
}

/**
 * What every drop must give: the run ended by itself within `boundMs` of the fault (no hang), exit 1, saying the
 * connection was lost (`lost`), no stack trace.
 */
function expectFailedOnLostConnection(r: Awaited<RunningCli['done']>, sinceFaultMs: number, boundMs: number, lost: RegExp): void {
  expect(r.timedOut).toBe(false);
  expect(sinceFaultMs).toBeLessThan(boundMs);
  expect(r.code).toBe(1);
  expect(r.stdout + r.stderr).toMatch(lost);
  expect(r.stdout + r.stderr).not.toMatch(STACK_TRACE);
}

describe('fault: SSH connection dropped mid-command during run', () => {
  it('the task fails naming the host and the lost connection; the run ends with failure, exit 1, and records it', async () => {
    lab = sshLab();
    lab.writeHook(0, 'install', `- name: reach the remote host
  command: echo remote-ready
  delegate_to: remote-0
- name: test_long_remote_step
  shell: "for i in $(seq 1 300); do echo tick $i; sleep 0.1; done"
  delegate_to: remote-0
- name: never reached
  shell: echo after >> {{ order_log }}
`);
    lab.writeHook(0, 'failure', recordingHook('failure-hook'));
    lab.writeHook(0, 'teardown', recordingHook('teardown-hook'));
    running = startCli(['run', '--inventory', lab.inventory, '--output', 'plain'], { env: lab.env, timeoutMs: 60_000 });
    const run = running;

    // Drop the connection once the long command is streaming (its output reaches the task log).
    const labDir = lab.dir;
    await waitFor('the test_long_remote_step to stream output', () => {
      try {
        return /tick 3\b/.test(run.stdout()) || readTaskLogs(onlyRunDir(join(labDir, 'state'))).includes('tick 3');
      } catch {
        return false;
      }
    }, 40_000);
    const killedAt = Date.now();
    expect(killSshdSessions(sshd)).toBeGreaterThan(0);
    const r = await run.done;
    const afterDrop = Date.now() - killedAt;
    console.log(`ssh drop: run ended ${afterDrop} ms after the drop (whole run ${r.durationMs} ms)`);

    // No hang: the run ends soon after the drop (the long command alone would take ~30 s more).
    expectFailedOnLostConnection(r, afterDrop, 20_000, /connection to remote-0 \([^)]*127\.0\.0\.1:\d+\) lost/);

    // The pipeline's failure path: failure hooks ran, teardown did not (dci_teardown_on_failure defaults to false),
    // the task after the failed one never ran.
    expect(readFileSync(lab.orderLog, 'utf8').trim().split('\n')).toEqual(['failure-hook']);

    const runDir = onlyRunDir(lab.stateDir);
    const summary = readSummary(runDir);
    expect(summary.state).toBe('failure');
    expect(summary.result).toBe('failure');
    expect(summary.failedTask).toMatchObject({ stage: 'install', task: 'test_long_remote_step' });
    // The task ran for the controller (localhost) delegated to remote-0: the message is what names the host.
    expect(summary.failedTask?.msg).toMatch(/connection to remote-0 .* lost/);
    expect(summary.stages.find((s) => s.name === 'install')?.status).toBe('failed');
    expect(summary.stages.find((s) => s.name === 'failure')?.status).toBe('ok');
    expect(summary.stages.some((s) => s.name === 'teardown')).toBe(false);

    const events = readEvents(runDir);
    const end = events.find((e) => e.type === 'task-end' && (e.task as { name: string }).name === 'test_long_remote_step');
    expect(end).toBeDefined();
    expect(['failed', 'unreachable']).toContain(end?.status);
    expect(String(end?.msg)).toMatch(/connection to remote-0 .* lost/);
    expect(events.filter((e) => e.type === 'job-state').map((e) => e.state)).toEqual(['new', 'pre-run', 'running', 'failure']);
    expect(events.at(-1)?.type).toBe('run-end');

    // The task's own log holds the output streamed before the drop and the failure.
    const log = readTaskLogs(runDir, 'test_long_remote_step');
    expect(log).toMatch(/tick 1\b/);
    expect(log).toMatch(/connection to remote-0 .* lost/);

    const junit = readFileSync(join(runDir, 'junit.xml'), 'utf8');
    expect(junit).toMatch(/<testcase[^>]*name="[^"]*test_long_remote_step[^"]*"[^>]*>\s*<(failure|error)[^>]*connection to remote-0[^"]* lost/);

    const shown = await runCli(['runs', 'show', basename(runDir)], { env: lab.env, timeoutMs: 30_000 });
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/failure/);
    expect(shown.stdout).toMatch(/connection to remote-0 .* lost/);
  }, 90_000);

  /** Start a run whose install hook sleeps on remote-0 through the proxy; resolve once the sleep runs. */
  async function runSilentSleepThroughProxy(sshCommonArgs?: string, teardown = false): Promise<{ run: RunningCli; lab: Lab; proxy: TcpProxy }> {
    proxy = await startTcpProxy(sshd.port);
    lab = sshLab(proxy.port, sshCommonArgs, teardown ? '    dci_teardown_on_failure: true' : '');
    if (teardown) {
      // Teardown goes back to the same host: the dropped connection is not reused, a new one is made.
      lab.writeHook(0, 'teardown', `- name: clean up on the remote host
  command: echo cleaned
  delegate_to: remote-0
  register: cleaned
- name: record teardown
  shell: echo "teardown:{{ cleaned.stdout }}" >> {{ order_log }}
`);
    }
    lab.writeHook(0, 'install', `- name: reach the remote host
  command: echo remote-ready
  delegate_to: remote-0
- name: test_silent_remote_wait
  command: sleep 30
  delegate_to: remote-0
`);
    lab.writeHook(0, 'failure', recordingHook('failure-hook'));
    running = startCli(['run', '--inventory', lab.inventory, '--output', 'plain'], { env: lab.env, timeoutMs: 110_000 });
    const run = running;
    const l = lab;
    // The silent command prints nothing: wait for its task-start in the run record, then for sshd to run it.
    await waitFor('the silent remote wait to start', () => {
      try {
        return readEvents(onlyRunDir(l.stateDir)).some((e) => e.type === 'task-start' && (e.task as { name: string }).name === 'test_silent_remote_wait');
      } catch {
        return false;
      }
    }, 40_000);
    await waitFor('sleep 30 running for the test user', () => pgrepSleep(), 10_000);
    return { run, lab: l, proxy };
  }

  it('a connection reset by the network (proxy cut) during a silent sleep 30 fails the task at once, exit 1; teardown reconnects', async () => {
    const { run, lab: l, proxy: p } = await runSilentSleepThroughProxy(undefined, true);
    expect(p.accepted()).toBeGreaterThan(0);
    const cutAt = Date.now();
    p.cut();
    const r = await run.done;
    const afterCut = Date.now() - cutAt;
    console.log(`ssh proxy cut: run ended ${afterCut} ms after the cut (whole run ${r.durationMs} ms)`);
    expectFailedOnLostConnection(r, afterCut, 20_000, new RegExp(`connection to remote-0 \\([^)]*127\\.0\\.0\\.1:${p.port}\\) lost while running 'sleep 30'`));
    const summary = readSummary(onlyRunDir(l.stateDir));
    expect(summary.state).toBe('failure');
    expect(summary.failedTask?.task).toBe('test_silent_remote_wait');
    expect(summary.failedTask?.msg).toMatch(/connection to remote-0 .* lost/);
    expect(readFileSync(join(onlyRunDir(l.stateDir), 'junit.xml'), 'utf8')).toMatch(/test_silent_remote_wait[^>]*>\s*<failure[^>]*connection to remote-0/);
    // dci_teardown_on_failure: teardown ran after the failure hooks and reached the host again on a new connection.
    expect(readFileSync(l.orderLog, 'utf8').trim().split('\n')).toEqual(['failure-hook', 'teardown:cleaned']);
    expect(p.accepted()).toBeGreaterThanOrEqual(2);
  }, 120_000);

  it('a silent partition (proxy stops moving bytes) is detected by the SSH keepalives of ansible_ssh_common_args: no hang', async () => {
    // ServerAliveInterval=1, ServerAliveCountMax=3 as a user would set in ansible_ssh_common_args (default: 15 s × 3).
    const { run, lab: l, proxy: p } = await runSilentSleepThroughProxy('-o ServerAliveInterval=1 -o ServerAliveCountMax=3');
    const frozenAt = Date.now();
    p.freeze();
    const r = await run.done;
    const afterFreeze = Date.now() - frozenAt;
    console.log(`ssh partition: run ended ${afterFreeze} ms after the partition (whole run ${r.durationMs} ms)`);
    // 1 s keepalives, a few unanswered = lost; far below the 30 s the remote sleep would take.
    expectFailedOnLostConnection(r, afterFreeze, 15_000, /connection to remote-0 \([^)]*\) lost while running 'sleep 30'/);
    const summary = readSummary(onlyRunDir(l.stateDir));
    expect(summary.state).toBe('failure');
    expect(summary.failedTask?.msg).toMatch(/connection to remote-0 .* lost/);
  }, 120_000);
});

function readTaskLogs(runDir: string, nameFragment = ''): string {
  const dir = join(runDir, 'tasks');
  if (!existsSync(dir)) return '';
  return readdirSync(dir)
    .filter((f) => f.includes(nameFragment))
    .map((f) => readFileSync(join(dir, f), 'utf8'))
    .join('\n');
}

/** True when a `sleep 30` runs as the sshd test user (the remote command started). */
function pgrepSleep(): boolean {
  try {
    execFileSync('pgrep', ['-u', sshd.user, '-f', '^sleep 30$']);
    return true;
  } catch {
    return false;
  }
}
