/**
 * Run the real `ansible-playbook` (ansible-core, the oracle for our engine) on a playbook with an inventory and
 * return every task result as data, through the recording callback in test/engine/ansible-callback.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from './cli.js';

export interface AnsibleRecord {
  play: string;
  host: string;
  task: string;
  /** `/abs/file.yml:LINE` of the task. */
  path: string;
  action: string;
  status: 'ok' | 'changed' | 'skipped' | 'failed' | 'ignored' | 'unreachable';
  result: Record<string, unknown>;
}

export interface AnsibleStats {
  ok: number;
  changed: number;
  failures: number;
  skipped: number;
  rescued: number;
  ignored: number;
  unreachable: number;
}

export interface AnsibleRun {
  code: number;
  records: AnsibleRecord[];
  stats: Record<string, AnsibleStats>;
  stderr: string;
  stdout: string;
  durationMs: number;
}

export interface RunAnsibleOptions {
  /** Inventory: a path, or an object written as a YAML/JSON inventory file. */
  inventory: string | Record<string, unknown>;
  extraVars?: Record<string, unknown>;
  tags?: string[];
  skipTags?: string[];
  check?: boolean;
  forks?: number;
  env?: Record<string, string>;
  timeoutMs?: number;
  cwd?: string;
}

export const CALLBACK_DIR = join(REPO_ROOT, 'test', 'engine', 'ansible-callback');

export function runAnsiblePlaybook(playbook: string, opts: RunAnsibleOptions): Promise<AnsibleRun> {
  const dir = mkdtempSync(join(tmpdir(), 'dci-ansible-'));
  const out = join(dir, 'records.json');
  let inv: string;
  if (typeof opts.inventory === 'string') inv = opts.inventory;
  else {
    inv = join(dir, 'inventory.json');
    writeFileSync(inv, JSON.stringify(opts.inventory));
  }
  const args = ['-i', inv, playbook];
  if (opts.extraVars) args.push('-e', JSON.stringify(opts.extraVars));
  if (opts.tags?.length) args.push('--tags', opts.tags.join(','));
  if (opts.skipTags?.length) args.push('--skip-tags', opts.skipTags.join(','));
  if (opts.check) args.push('--check');
  if (opts.forks) args.push('--forks', String(opts.forks));
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn('ansible-playbook', args, {
      cwd: opts.cwd ?? dir,
      env: {
        ...process.env,
        ANSIBLE_STDOUT_CALLBACK: 'dci_record',
        ANSIBLE_CALLBACK_PLUGINS: CALLBACK_DIR,
        ANSIBLE_RETRY_FILES_ENABLED: 'False',
        ANSIBLE_HOST_KEY_CHECKING: 'True',
        ANSIBLE_PIPELINING: 'True',
        ANSIBLE_LOCAL_TEMP: join(dir, 'tmp'),
        ANSIBLE_SSH_CONTROL_PATH_DIR: join(dir, 'cp'),
        ANSIBLE_PYTHON_INTERPRETER: '/usr/bin/python3',
        ANSIBLE_NOCOLOR: '1',
        ANSIBLE_DEPRECATION_WARNINGS: 'False',
        ANSIBLE_SYSTEM_WARNINGS: 'False',
        ANSIBLE_COMMAND_WARNINGS: 'False',
        DCI_RECORD_FILE: out,
        ...opts.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 300_000);
    child.on('error', (e) => {
      clearTimeout(timer);
      rmSync(dir, { recursive: true, force: true });
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      let data: { records: AnsibleRecord[]; stats: Record<string, AnsibleStats> } = { records: [], stats: {} };
      try {
        data = JSON.parse(readFileSync(out, 'utf8')) as typeof data;
      } catch {
        /* ansible failed before the end of the run: no records (see stderr/stdout) */
      }
      rmSync(dir, { recursive: true, force: true });
      resolve({ code: code ?? 1, records: data.records, stats: data.stats, stderr, stdout, durationMs: Date.now() - started });
    });
  });
}
