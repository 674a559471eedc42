/**
 * Engine benchmark (issue #3): the same playbooks through ansible-playbook (the anchor) and our engine, in one run.
 *   1. 1000 controller tasks (500 set_fact + 500 debug)   goal ≥ 50× faster
 *   2. 200 `command: /bin/true` tasks, connection local    goal ≥ 5×
 *   3. 200 `command: /bin/true` tasks over SSH to a real sshd on 127.0.0.1 (user dcitest, pipelining +
 *      ControlPersist for ansible, one pooled ssh2 connection for us)   goal ≥ 5×
 * Ours is measured twice: in-process (`runTaskFile`, the engine itself, as the pipeline calls it) and as a CLI
 * process (`dci-agent-ts play`, start-up included, comparable to ansible-playbook's wall clock).
 * Medians of N runs (default ours 5, ansible 3 for the controller case and 2 for the slow module cases). Wall clock
 * and CPU time (user+sys with children, via /usr/bin/time) are both printed: on a shared machine the CPU ratio is
 * the stable one. Remote CPU (sshd, ansible's remote python) is counted for neither side.
 *
 *   npx tsx bench/engine.ts [--ours-runs 5] [--ansible-runs 3] [--slow-ansible-runs 2]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runTaskFile } from '../src/engine/index.js';
import { SecretRegistry } from '../src/core/secrets.js';
import type { EngineInventory } from '../src/engine/types.js';
import { startSshd } from '../test/helpers/sshd.js';

const args = process.argv.slice(2);
const opt = (name: string, dflt: number): number => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const OURS_RUNS = opt('ours-runs', 5);
const ANSIBLE_RUNS = opt('ansible-runs', 3);
const SLOW_ANSIBLE_RUNS = opt('slow-ansible-runs', 2);
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

interface Timing {
  wallMs: number;
  /** user+sys CPU of the process and its children (robust when the machine is shared). */
  cpuMs: number;
}

/** Wall clock and CPU time (through /usr/bin/time, children included) of one command. */
function spawnTimed(cmd: string, argv: string[], env: Record<string, string> = {}): Promise<Timing> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn('/usr/bin/time', ['-f', 'DCI_CPU %U %S', cmd, ...argv], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const wallMs = performance.now() - t0;
      const m = /DCI_CPU ([\d.]+) ([\d.]+)/.exec(err);
      if (code !== 0 || !m) return reject(new Error(`${cmd} exited ${code}: ${err.slice(0, 2000)}`));
      resolve({ wallMs, cpuMs: (Number(m[1]) + Number(m[2])) * 1000 });
    });
  });
}

function playbook(dir: string, name: string, hosts: string, tasks: string[]): string {
  const path = join(dir, `${name}.yml`);
  writeFileSync(path, [`- hosts: ${hosts}`, '  gather_facts: false', '  tasks:', ...tasks].join('\n') + '\n');
  return path;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'dci-bench-engine-'));
  const sshd = await startSshd();
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
    const rows: string[] = [];
    for (const c of cases) {
      const inproc: Timing[] = [];
      for (let i = 0; i < OURS_RUNS; i++) {
        const t0 = performance.now();
        const c0 = process.cpuUsage();
        const r = await runTaskFile({ file: c.file, inventory: engineInv, secrets: new SecretRegistry(), runDir: dir, emit: () => undefined });
        const cu = process.cpuUsage(c0);
        // Local commands run in child processes whose CPU process.cpuUsage() does not see: count wall for them.
        inproc.push({ wallMs: performance.now() - t0, cpuMs: (cu.user + cu.system) / 1000 });
        if (!r.ok) throw new Error(`our engine failed on ${c.name}: ${JSON.stringify(r.failures[0])}`);
      }
      const cli: Timing[] = [];
      for (let i = 0; i < OURS_RUNS; i++) {
        cli.push(await spawnTimed(process.execPath, [join(ROOT, 'bin', 'dci-agent-ts'), 'play', c.file, '-i', invPath, '--output', 'jsonl']));
      }
      const ans: Timing[] = [];
      for (let i = 0; i < c.ansibleRuns; i++) ans.push(await spawnTimed('ansible-playbook', ['-i', invPath, c.file], ansibleEnv));
      const aw = median(ans.map((t) => t.wallMs));
      const ac = median(ans.map((t) => t.cpuMs));
      const ow = median(inproc.map((t) => t.wallMs));
      const cw = median(cli.map((t) => t.wallMs));
      const cc = median(cli.map((t) => t.cpuMs));
      const s = (ms: number) => `${(ms / 1000).toFixed(2).padStart(6)} s`;
      rows.push(
        `${c.name.padEnd(18)} wall: ansible ${s(aw)} (n=${ans.length}) | ours in-process ${s(ow)} → ${(aw / ow).toFixed(1)}× | ours CLI ${s(cw)} → ${(aw / cw).toFixed(1)}×   ` +
          `CPU (user+sys, children): ansible ${s(ac)} | ours CLI ${s(cc)} → ${(ac / cc).toFixed(1)}×   (goal ≥ ${c.goal}×; ours n=${OURS_RUNS})`,
      );
      console.log(rows[rows.length - 1]);
    }
    console.log('\nengine benchmark (medians):\n' + rows.join('\n'));
  } finally {
    await sshd.stop();
  }
}

await main();
