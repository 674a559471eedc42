// Prints vitest's result as one plain line ("N passed, N failed, N skipped") that CI systems can read, from the
// JSON report written next to the default one. Exit code stays vitest's (the npm script passes it through).
import { existsSync, readFileSync } from 'node:fs';

const file = process.argv[2] ?? '.vitest-report.json';
if (!existsSync(file)) {
  console.log('tests: no report written (vitest did not finish)');
  process.exit(0);
}
const r = JSON.parse(readFileSync(file, 'utf8'));
const skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${skipped} skipped`);
