/**
 * junit.xml from the test cases the engine collected (tasks named `test_*`, as the original agent's junit
 * callback does with JUNIT_TEST_CASE_PREFIX=test_). Pure rendering.
 */
export interface JunitCase {
  name: string;
  host: string;
  status: 'passed' | 'failed' | 'skipped';
  durationMs: number;
  msg?: string;
  file?: string;
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '');
}

export function renderJunit(suiteName: string, cases: JunitCase[]): string {
  const failures = cases.filter((c) => c.status === 'failed').length;
  const skipped = cases.filter((c) => c.status === 'skipped').length;
  const time = cases.reduce((a, c) => a + c.durationMs, 0) / 1000;
  const lines = [
    '<?xml version="1.0" encoding="utf-8"?>',
    `<testsuites name="${esc(suiteName)}" tests="${cases.length}" failures="${failures}" skipped="${skipped}" time="${time.toFixed(3)}">`,
    `  <testsuite name="${esc(suiteName)}" tests="${cases.length}" failures="${failures}" errors="0" skipped="${skipped}" time="${time.toFixed(3)}">`,
  ];
  for (const c of cases) {
    const attrs = `classname="${esc(c.file ?? c.host)}" name="[${esc(c.host)}] ${esc(c.name)}" time="${(c.durationMs / 1000).toFixed(3)}"`;
    if (c.status === 'passed') lines.push(`    <testcase ${attrs}/>`);
    else if (c.status === 'skipped') lines.push(`    <testcase ${attrs}><skipped/></testcase>`);
    else lines.push(`    <testcase ${attrs}><failure message="${esc(c.msg ?? 'failed')}">${esc(c.msg ?? '')}</failure></testcase>`);
  }
  lines.push('  </testsuite>', '</testsuites>', '');
  return lines.join('\n');
}
