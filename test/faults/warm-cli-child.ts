/**
 * A `dci-agent-ts` process started ahead of its run, for the kill -9 suite: it loads the CLI and the modules
 * `mirror images` loads lazily, prints `ready`, then waits for ONE line on stdin — the arguments, as a JSON array —
 * and runs `main(args)` exactly as bin/dci-agent-ts does (same entry, same exit code). The suite SIGKILLs this
 * process part-way through the run. Loading the code is most of a short run's time and has nothing to do with
 * what a kill leaves behind, so the suite bundles this file once (esbuild, see warm-cli.ts) and starts each process
 * while the previous run works. A module missing from the warm list below only makes a run slower, not different.
 */
import { createInterface } from 'node:readline';

const { main } = await import('../../src/cli/main.js');
await Promise.all([
  import('../../src/cli/mirror-stage-action.js'),
  import('../../src/mirror/stage/inventory-vars.js'),
  import('../../src/mirror/stage/run-from-vars.js'),
  import('../../src/config/index.js'),
  import('../../src/engine/index.js'),
  import('../../src/engine/template/index.js'),
  import('../../src/engine/reporters/index.js'),
  import('js-yaml'),
  import('tar-stream'),
  import('p-limit'),
  import('ignore'),
  import('undici'),
]);

// As bin/dci-agent-ts: a closed pipe is not an error worth a stack trace.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw e;
});

const lines = createInterface({ input: process.stdin });
lines.once('line', (line) => {
  // Stop reading stdin so that the process ends when the run does, like the bin.
  lines.close();
  process.stdin.destroy();
  void main(JSON.parse(line) as string[]);
});
process.stdout.write('ready\n');
