import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

describe('dci-agent-ts version', () => {
  it('prints the package version and exits 0', async () => {
    const r = await runCli(['version']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^dci-agent-ts \d+\.\d+\.\d+ \(node v20/);
  });

  it('exits 2 with a usage message on an unknown command', async () => {
    const r = await runCli(['frobnicate']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown command 'frobnicate'/);
  });
});
