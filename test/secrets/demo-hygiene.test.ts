/**
 * The demo pipeline (inventories/demo.yml: every stage, a mirror into an OCI layout, plan-mode install) with its
 * fake secrets: the registry auth of openshift_secret and the BMC password. Terminal output and the whole state
 * dir are scanned (raw and base64); the only files allowed to hold a credential are the credential files
 * themselves (merged pull secret, kubeconfig, kubeadmin-password), and those must be 0600.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { runCli, type CliRun } from '../helpers/cli.js';
import { findLeaks, walk } from './scan.js';

const SECRETS = ['demo-registry-password', 'ZGVtbzpkZW1vLXJlZ2lzdHJ5LXBhc3N3b3Jk', 'demo-bmc-password'];
const CREDENTIAL_FILES = new Set(['pull-secret.json', 'kubeconfig', 'kubeadmin-password']);

let state: string;
let r: CliRun;
beforeAll(async () => {
  state = mkdtempSync(join(tmpdir(), 'demo-secrets-'));
  // keep the cluster configs dir (teardown removes the merged pull secret) so its mode can be checked
  r = await runCli(['run', '-i', 'inventories/demo.yml', '--output', 'plain', '--state-dir', state, '-e', 'dci_teardown_on_success=false'], {
    env: { DCI_CLIENT_ID: undefined, DCI_API_SECRET: undefined, DCI_CS_URL: undefined, DCI_AGENT_TS_STATE_DIR: state },
    timeoutMs: 90_000,
  });
}, 120_000);
afterAll(() => rmSync(state, { recursive: true, force: true }));

describe('secret hygiene of the demo pipeline', () => {
  it('the demo ran every stage', () => {
    expect(r.code, (r.stdout + r.stderr).slice(-2000)).toBe(0);
    expect(r.stdout + r.stderr).toMatch(/deploy-operators/);
  });
  it('terminal output holds no secret', () => {
    expect(findLeaks('output', r.stdout + r.stderr, SECRETS)).toEqual([]);
  });
  it('the state dir holds secrets only in 0600 credential files, and the merged pull secret is one of them', () => {
    const files = walk(state);
    expect(files.length).toBeGreaterThan(10);
    const holding = files.filter((f) => findLeaks(f.path, f.bytes, SECRETS).length > 0);
    expect(holding.filter((f) => !CREDENTIAL_FILES.has(basename(f.path))).map((f) => f.path)).toEqual([]);
    expect(holding.map((f) => basename(f.path))).toContain('pull-secret.json');
    for (const f of holding) expect(`${f.path} ${f.mode.toString(8)}`).toBe(`${f.path} 600`);
  });
});
