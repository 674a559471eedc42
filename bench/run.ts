/**
 * One entry point for the benchmarks: `npm run bench -- <name> [options]` runs `bench/<name>.ts` in a child node
 * process (with tsx), passing the options through. `npm run bench -- list` (or no name) lists them.
 * A bench is one file `bench/<name>.ts` plus one entry in BENCHES below.
 */
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** name → what it measures (and against which anchor). */
export const BENCHES: Record<string, string> = {
  engine: 'playbooks: our engine vs ansible-playbook (controller tasks, local command, SSH command)',
  mirror: '60 images A → B: ours vs skopeo copy loop / skopeo sync, fresh and no-op; 1 GiB layer peak RSS',
  catalog: 'file-based catalog of 500 packages: load + filter vs plain JSON.parse; peak RSS',
  remirror: 'no-op re-mirror of a 190-image synthetic release: ours vs skopeo sync no-op (process start included)',
  memory: 'peak RSS and time copying one large layer (1 GiB) A → B and A → oci layout: ours vs skopeo',
};

/** What `--quick` means for benches whose own options predate it (the others read --quick themselves). */
const QUICK: Record<string, string[]> = {
  engine: ['--ours-runs', '3', '--ansible-runs', '1', '--slow-ansible-runs', '1'],
  mirror: ['--small', '--runs', '3', '--big-runs', '1'],
  catalog: ['--packages', '100', '--runs', '3'],
};

const HERE = dirname(fileURLToPath(import.meta.url));

function usage(): void {
  process.stdout.write('usage: npm run bench -- <name> [options]   (--quick for a short run)\n\n');
  for (const [name, what] of Object.entries(BENCHES)) process.stdout.write(`  ${name.padEnd(10)} ${what}\n`);
}

const [name, ...rest] = process.argv.slice(2);
if (!name || name === 'list' || name === '--help' || name === '-h') {
  usage();
} else if (!(name in BENCHES)) {
  process.stderr.write(`unknown benchmark "${name}"\n`);
  usage();
  process.exitCode = 2;
} else {
  const quick = rest.includes('--quick') && QUICK[name];
  const argv = quick ? [...rest.filter((a) => a !== '--quick'), ...quick] : rest;
  const child = spawn(process.execPath, ['--import', 'tsx', join(HERE, `${name}.ts`), ...argv], { stdio: 'inherit' });
  // Forward Ctrl-C so the bench can stop the registries it started.
  const forward = (sig: NodeJS.Signals): void => void child.kill(sig);
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  child.on('close', (code, signal) => {
    process.exitCode = code ?? (signal ? 130 : 1);
  });
}
