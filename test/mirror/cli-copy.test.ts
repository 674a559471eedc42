/**
 * `dci-agent-ts mirror copy` as a user runs it (real CLI process, real registries), including a kill -9 in the
 * middle of a mirror followed by a rerun that completes and verifies.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, BIN } from '../helpers/cli.js';
import { startRegistry, type TestRegistry } from '../helpers/registry.js';
import { writeOciLayout, imageSetSpecs, pushLayout, type GeneratedLayout } from '../helpers/oci-images.js';
import { verifyImages } from './mirror-api.js';

let work: string;
let layout: GeneratedLayout;
let a: TestRegistry;
let b: TestRegistry;
let tls: TestRegistry;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'mirror-cli-'));
  [a, b, tls] = await Promise.all([startRegistry(), startRegistry(), startRegistry({ kind: 'tls-htpasswd' })]);
  layout = await writeOciLayout(join(work, 'src'), { seed: 'cli', images: imageSetSpecs({ seed: 'cli', count: 10, totalBytes: 40 << 20, multiArchEvery: 4 }), gzipLevel: 0 });
  await pushLayout(layout.dir, { host: a.host, repository: 'src/app' });
});

afterAll(async () => {
  await Promise.all([a, b, tls].map((r) => r?.stop()));
  await rm(work, { recursive: true, force: true });
});

async function countFiles(dir: string): Promise<number> {
  let n = 0;
  for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    if (e.isDirectory()) n += await countFiles(join(dir, e.name));
    else n++;
  }
  return n;
}

describe('mirror copy (CLI)', () => {
  it('explains bad usage with exit 2', async () => {
    const none = await runCli(['mirror', 'copy']);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/mirror copy needs --from SRC and --to DST \(or --mapping FILE\)/);
    const map = join(work, 'bad-mapping.txt');
    await writeFile(map, `${a.host}/src/app:x=${b.host}/m/x:1\nthis line is wrong\n`);
    const bad = await runCli(['mirror', 'copy', '--mapping', map]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(`${map}:2: expected SOURCE=DESTINATION`);
    const ca = await runCli(['mirror', 'copy', '--from', `${a.host}/a/b:1`, '--to', `${b.host}/a/b:1`, '--ca', `${b.host}=/nonexistent.pem`]);
    expect(ca.code).toBe(2);
    expect(ca.stderr).toMatch(/CA bundle \/nonexistent\.pem does not exist/);
  });

  it('copies to a TLS + basic-auth registry with --ca and --auth, verifies, and prints the report', async () => {
    const tag = layout.images[1].tag;
    const r = await runCli(['mirror', 'copy', '--from', `docker://${a.host}/src/app:${tag}`, '--to', `docker://${tls.host}/ocp/app:${tag}`, '--plain-http', a.host, '--ca', `${tls.host}=${tls.caFile}`, '--auth', tls.authFile!, '--verify']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/images: 1 \(1 copied, 0 already there, 0 failed\)/);
    expect(r.stdout).toMatch(/verify: \d+ manifests and \d+ blobs read back, 0 problem\(s\)/);
    expect(r.stdout).not.toContain(tls.password!);
    const json = await runCli(['mirror', 'copy', '--from', `docker://${a.host}/src/app:${tag}`, '--to', `docker://${tls.host}/ocp/app:${tag}`, '--plain-http', a.host, '--ca', `${tls.host}=${tls.caFile}`, '--auth', tls.authFile!, '--json']);
    expect(json.code).toBe(0);
    const report = JSON.parse(json.stdout) as { images: unknown; requests: Record<string, number> };
    expect(report.images).toMatchObject({ total: 1, skipped: 1 });
    // A no-op: HEADs only (one per side, plus the 401 that tells us the destination wants basic auth).
    expect(Object.keys(report.requests)).toEqual(['HEAD']);
    expect(report.requests.HEAD).toBeLessThanOrEqual(3);
  });

  it('exits 1 and names the image when a copy fails', async () => {
    const r = await runCli(['mirror', 'copy', '--from', `docker://${a.host}/src/app:nope`, '--to', `oci:${join(work, 'nope')}:x`, '--plain-http', a.host]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`failed: docker://${a.host}/src/app:nope`);
  });

  it('kill -9 in the middle of a mirror, rerun completes and every digest verifies', async () => {
    const map = join(work, 'mapping.txt');
    const pairs = layout.images.map((i) => ({ source: `${a.host}/src/app:${i.tag}`, destination: `${b.host}/killed/${i.tag}:v1` }));
    await writeFile(map, pairs.map((p) => `${p.source}=${p.destination}`).join('\n') + '\n');
    const args = ['mirror', 'copy', '--mapping', map, '--plain-http', a.host, '--plain-http', b.host, '--concurrency', '1'];
    const child = spawn(process.execPath, [BIN, ...args], { stdio: 'ignore' });
    const blobsDir = join(b.dataDir, 'docker', 'registry', 'v2', 'blobs');
    const deadline = Date.now() + 30_000;
    while ((await countFiles(blobsDir)) < 4 && Date.now() < deadline && child.exitCode === null) await new Promise((r) => setTimeout(r, 20));
    expect(child.exitCode).toBeNull();
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const partial = await verifyImages(pairs.map((p) => `docker://${p.destination}`), { registry: { plainHttp: [b.host] } });
    expect(partial.ok).toBe(false); // the kill really interrupted the mirror

    const rerun = await runCli(args);
    expect(rerun.stderr).toBe('');
    expect(rerun.code).toBe(0);
    expect(rerun.stdout).toMatch(/images: 10 \(\d+ copied/);
    const v = await verifyImages(pairs.map((p) => `docker://${p.destination}`), { registry: { plainHttp: [b.host] } });
    expect(v.problems).toEqual([]);
    // one repository per image: every blob of every image was read back and hashed there
    expect(v.blobs).toBe(layout.images.reduce((n, i) => n + i.blobs.length, 0));
  });
});
