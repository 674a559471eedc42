/**
 * Engine benchmark (issue #3): the same playbooks through ansible-playbook (the anchor) and our engine, in one run.
 *   1. 1000 controller tasks (500 set_fact + 500 debug)   goal ≥ 50× faster
 *   2. 200 `command: /bin/true` tasks, connection local    goal ≥ 5×
 *   3. 200 `command: /bin/true` tasks over SSH to a real sshd on 127.0.0.1 (user dcitest, pipelining +
 *      ControlPersist for ansible, one pooled ssh2 connection for us)   goal ≥ 5×
 * Ours is measured twice: in-process (`runTaskFile`, the engine itself, as the pipeline calls it) and as a CLI
 * process (`dci-agent-ts play` from the freshly built dist/, start-up included, comparable to ansible-playbook's wall clock).
 * Every case is repeated N times for ours and for ansible (default 5 each, issue #10: ≥ 5 runs) and printed as a
 * table of median (min–max) with the ratio to ansible-playbook. Wall clock and CPU time (user+sys with children, via
 * /usr/bin/time) are both printed: on a shared machine the CPU ratio is the stable one. Remote CPU (sshd, ansible's
 * remote python) is counted for neither side; the in-process rows have no CPU column (local commands run in child
 * processes that process.cpuUsage() does not see).
 *
 *   npm run bench -- engine [--ours-runs 5] [--ansible-runs 5] [--slow-ansible-runs 5] [--quick]
 *   (--quick: ours 3 runs, ansible 1)
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTaskFile } from '../src/engine/index.js';
import { SecretRegistry } from '../src/core/secrets.js';
import type { EngineInventory } from '../src/engine/types.js';
import { startSshd } from '../test/helpers/sshd.js';
import { cliArgs, loadAverage, machine, must, prepareCli, printTable, timed, type Row } from './lib.js';

const a = cliArgs();
const OURS_RUNS = a.num('ours-runs', 5);
const ANSIBLE_RUNS = a.num('ansible-runs', 5);
const SLOW_ANSIBLE_RUNS = a.num('slow-ansible-runs', 5);

function playbook(dir: string, name: string, hosts: string, tasks: string[]): string {
  const path = join(dir, `${name}.yml`);
  writeFileSync(path, [`- hosts: ${hosts}`, '  gather_facts: false', '  tasks:', ...tasks].join('\n') + '\n');
  return path;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'dci-bench-engine-'));
  const sshd = await startSshd();
  const bin = await prepareCli();
  try {
    const sshVars = sshd.inventoryVars();
    const inventoryObj = {
      all: {
        vars: { ansible_python_interpreter: '/usr/bin/python3' },
        hosts: { benchlocal: { ansible_connection: 'local' }, benchssh: sshVars },
      },
    };
    const invPath = join(dir, 'inventory.json');
    writeFileSync(invPath, JSON.stringify(inventoryObj));
    const engineInv: EngineInventory = {
      hosts: {
        benchlocal: { name: 'benchlocal', vars: { ansible_connection: 'local' }, groups: ['all', 'ungrouped'] },
        benchssh: { name: 'benchssh', vars: { ...sshVars }, groups: ['all', 'ungrouped'] },
      },
      groups: { all: ['benchlocal', 'benchssh'], ungrouped: ['benchlocal', 'benchssh'] },
    };
    const controller: string[] = [];
    for (let i = 0; i < 500; i++) {
      controller.push(`    - set_fact:\n        v${i % 50}: "{{ ${i} + 1 }}"`, `    - debug:\n        msg: "task ${i} {{ v${i % 50} }}"`);
    }
    const commands = Array.from({ length: 200 }, (_, i) => `    - name: cmd ${i}\n      command: /bin/true`);
    const cases = [
      { name: 'controller-1000', file: playbook(dir, 'controller', 'benchlocal', controller), ansibleRuns: ANSIBLE_RUNS, goal: 50 },
      { name: 'command-local-200', file: playbook(dir, 'command-local', 'benchlocal', commands), ansibleRuns: SLOW_ANSIBLE_RUNS, goal: 5 },
      { name: 'command-ssh-200', file: playbook(dir, 'command-ssh', 'benchssh', commands), ansibleRuns: SLOW_ANSIBLE_RUNS, goal: 5 },
    ];
    const ansibleEnv = {
      ANSIBLE_HOST_KEY_CHECKING: 'True',
      ANSIBLE_RETRY_FILES_ENABLED: 'False',
      ANSIBLE_PIPELINING: 'True',
      ANSIBLE_STDOUT_CALLBACK: 'null',
      ANSIBLE_LOAD_CALLBACK_PLUGINS: 'False',
    };
    process.stdout.write(`machine: ${machine()}\nload average at start: ${loadAverage()}\n`);
    const summary: Row[][] = [];
    for (const c of cases) {
      const inproc: number[] = [];
      for (let i = 0; i < OURS_RUNS; i++) {
        const t0 = performance.now();
        const r = await runTaskFile({ file: c.file, inventory: engineInv, secrets: new SecretRegistry(), runDir: dir, emit: () => undefined });
        inproc.push((performance.now() - t0) / 1000);
        if (!r.ok) throw new Error(`our engine failed on ${c.name}: ${JSON.stringify(r.failures[0])}`);
      }
      const cli = [];
      for (let i = 0; i < OURS_RUNS; i++) cli.push(must(await timed(process.execPath, [bin.bin, 'play', c.file, '-i', invPath, '--output', 'jsonl']), `ours ${c.name}`));
      const ans = [];
      for (let i = 0; i < c.ansibleRuns; i++) ans.push(must(await timed('ansible-playbook', ['-i', invPath, c.file], ansibleEnv), `ansible-playbook ${c.name}`));
      const anchor = `${c.name}: ansible-playbook`;
      const rows: Row[] = [
        { name: anchor, samples: ans.map((t) => t.seconds), cpu: ans.map((t) => t.cpuSeconds) },
        { name: `${c.name}: ours in-process`, samples: inproc, anchor, note: 'runTaskFile, no start-up' },
        { name: `${c.name}: ours CLI`, samples: cli.map((t) => t.seconds), cpu: cli.map((t) => t.cpuSeconds), anchor, note: `new process; goal ≥ ${c.goal}×` },
      ];
      summary.push(rows);
      printTable(`${c.name} (load average ${loadAverage()})`, 's', rows);
    }
    printTable('engine benchmark, all cases (ratio > 1: ours is faster)', 's', summary.flat());
  } finally {
    await bin.cleanup();
    await sshd.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
