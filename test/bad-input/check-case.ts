/**
 * Run one bad-input case through the real CLI in its own temporary directory and check what the user sees.
 * Registers the cases of some groups as concurrent vitest tests (each CLI start costs ~1 s of CPU; running them
 * a few at a time keeps the suite short on a 2-core machine).
 */
import { describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import type { BadInputCase } from './case.js';

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const fill = (s: string, dir: string): string => s.replaceAll('{dir}', dir);

export async function checkCase(c: BadInputCase): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bad-input-'));
  try {
    for (const [rel, content] of Object.entries(c.files)) {
      mkdirSync(dirname(join(dir, rel)), { recursive: true });
      writeFileSync(join(dir, rel), fill(content, dir));
    }
    const env = Object.fromEntries(Object.entries(c.env ?? {}).map(([k, v]) => [k, v === undefined ? undefined : fill(v, dir)]));
    const r = await runCli(c.args.map((a) => fill(a, dir)), { cwd: dir, env: { DCI_AGENT_TS_STATE_DIR: join(dir, 'state'), ...env }, timeoutMs: c.timeoutMs ?? 60_000 });
    const out = `${r.stdout}\n${r.stderr}`;
    const shown = `exit ${r.code}; output:\n${out.slice(-1500)}`;
    expect(out, `no stack trace\n${shown}`).not.toMatch(/\n\s+at /);
    expect(r.code, shown).toBe(c.code);
    expect(out, `says what to fix\n${shown}`).toMatch(c.says);
    if (c.file !== null) {
      expect(out, `names ${c.file}\n${shown}`).toContain(c.file);
      if (c.line !== undefined) expect(out, `gives ${c.file}:${c.line}\n${shown}`).toMatch(new RegExp(`${escapeRe(c.file)}:${c.line}\\b`));
    }
    for (const p of c.absent ?? []) expect(existsSync(join(dir, p)), `${p} must not be left behind\n${shown}`).toBe(false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function describeCases(groups: Record<string, BadInputCase[]>): void {
  for (const [group, cases] of Object.entries(groups)) {
    describe.concurrent(group, () => {
      for (const c of cases) {
        const timeout = (c.timeoutMs ?? 60_000) + 10_000;
        if (c.knownBug) it.concurrent.fails(`${c.name} [known bug: ${c.knownBug}]`, () => checkCase(c), timeout);
        else it.concurrent(c.name, () => checkCase(c), timeout);
      }
    });
  }
}
