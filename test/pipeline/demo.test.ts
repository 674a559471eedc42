/**
 * The README's main command: the demo inventory runs every stage on a machine with no lab and no network, and
 * ends with the run record and a summary saying what was mirrored, where, and which mirror-set kind and why.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { parseYamlDocuments } from '../../src/manifests/yaml.js';

const state = mkdtempSync(join(tmpdir(), 'demo-'));
afterAll(() => rmSync(state, { recursive: true, force: true }));

async function demo(extra: string[] = []) {
  const r = await runCli(['run', '--inventory', 'inventories/demo.yml', '--output', 'plain', ...extra], { env: { DCI_AGENT_TS_STATE_DIR: state }, timeoutMs: 120_000 });
  const runDir = /record: (\S+) /.exec(r.stdout)?.[1];
  return { ...r, runDir };
}

describe('the demo lab (inventories/demo.yml)', () => {
  it('runs every stage to success, mirrors, renders the SNO install plan and prints the summary', async () => {
    const t0 = Date.now();
    const r = await demo();
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(Date.now() - t0).toBeLessThan(60_000);
    for (const stage of ['pre-run', 'mirror-images', 'install', 'deploy-operators', 'post-run', 'success', 'teardown']) expect(r.stdout).toContain(`STAGE [${stage}] ok`);
    expect(r.stdout).toMatch(/mirror: release 4\.16\.3: 12 components mirrored to registry\.demo\.lab:5000\/ocp-4\.16\/4\.16\.3:4\.16\.3-x86_64/);
    expect(r.stdout).toMatch(/mirror: mirror sets: IDMS — version 4\.16\.3 is 4\.16 ≥ 4\.14/);
    expect(r.runDir).toBeTruthy();
    const dir = r.runDir!;
    const ic = parseYamlDocuments(readFileSync(join(dir, 'install-plan', 'install-config.yaml'), 'utf8'))[0] as Record<string, unknown>;
    expect(ic.imageDigestSources).toBeDefined();
    expect(ic.imageContentSources).toBeUndefined();
    expect(existsSync(join(dir, 'install-plan', 'agent-config.yaml'))).toBe(true);
    expect(readdirSync(join(dir, 'mirror'))).toEqual(expect.arrayContaining(['idms-release-0.yaml', 'mapping.txt', 'install-config-sources.yaml']));
    const junit = readFileSync(join(dir, 'junit.xml'), 'utf8');
    expect(junit).toMatch(/test_release_is_mirrored_by_digest/);
    expect(junit).toMatch(/failures="0"/);
    // The BMC password and the registry password of the demo inventory appear nowhere in the record.
    const all = readdirSync(dir, { recursive: true }).map(String).filter((f) => !f.includes('registry/') && !f.includes('demo-archive/'));
    for (const f of all) {
      const p = join(dir, f);
      try {
        const text = readFileSync(p, 'utf8');
        expect(text, p).not.toContain('demo-bmc-password');
        expect(text, p).not.toContain('demo-registry-password');
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EISDIR') throw e;
      }
    }
  });

  it('for OCP 4.12 writes ImageContentSourcePolicy and imageContentSources instead', async () => {
    const r = await demo(['-e', 'ocp_version=4.12.40']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/mirror sets: ICSP/);
    const dir = r.runDir!;
    expect(readdirSync(join(dir, 'mirror')).some((f) => f.startsWith('icsp-'))).toBe(true);
    const ic = parseYamlDocuments(readFileSync(join(dir, 'install-plan', 'install-config.yaml'), 'utf8'))[0] as Record<string, unknown>;
    expect(ic.imageContentSources).toBeDefined();
    expect(ic.imageDigestSources).toBeUndefined();
  });
});
