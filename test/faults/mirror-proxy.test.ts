/**
 * The fault-injecting proxy in front of the SOURCE registry, driven through the whole mirror-images stage
 * (`dci-agent-ts mirror images --inventory lab.yml --out DIR`, a real process): release (release image + components),
 * a filtered operator catalog (bundles, related images, the pruned catalog rebuilt) and additional images with
 * bigger layers. Transient faults (503, 429 + Retry-After, a connection dropped mid-blob, a truncated body) → the
 * stage completes and every image of mapping.txt is on the lab registry with the source digest (every manifest and
 * blob read back and hashed). A blob whose bytes never match its digest → the stage fails (exit 1, a failed stage)
 * naming the image and the blob, the lab registry has no blob with that digest and no manifest naming it, and no
 * output file is written.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import type { ProxyLogEntry } from '../helpers/fault-proxy.js';
import { blobCommitted, parseMapping, readBackMapping, referencesTo, startMirrorLab, type MirrorLab } from './helpers-mirror.js';

let lab: MirrorLab;
let dir: string;
/** When the proxy saw each request (the proxy's log has no clock). */
const seenAt = new WeakMap<ProxyLogEntry, number>();

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'faults-mirror-proxy-'));
  lab = await startMirrorLab({ dir, proxy: true, components: 6, catalog: true, extraSizes: [384 << 10, 256 << 10] });
  const log = lab.proxy!.log;
  const push = log.push.bind(log);
  log.push = (...entries: ProxyLogEntry[]) => {
    for (const e of entries) seenAt.set(e, Date.now());
    return push(...entries);
  };
}, 90_000);

afterAll(async () => {
  await lab?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

let runs = 0;

/** One `mirror images` run into fresh repositories of the lab registry; the proxy's rules are set by the caller. */
async function mirror(extras = lab.extras): Promise<{ code: number; stdout: string; stderr: string; out: string; prefix: string; ms: number }> {
  const prefix = `run${++runs}`;
  const out = join(dir, `out-${prefix}`);
  const inv = await lab.inventory(`${prefix}.yml`, { prefix, extras });
  const t0 = Date.now();
  const r = await runCli(['mirror', 'images', '--inventory', inv, '--out', out], { timeoutMs: 60_000 });
  return { ...r, out, prefix, ms: Date.now() - t0 };
}

/** The run ended well: exit 0, nothing on stderr (faults retried silently). */
function expectCompleted(r: { code: number; stderr: string }): void {
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
}

/** Every image of mapping.txt is on the lab registry with the source digest, every manifest and blob hashes right. */
async function expectMirrorComplete(out: string): Promise<void> {
  const lines = parseMapping(readFileSync(join(out, 'mapping.txt'), 'utf8'));
  // release image + 6 components + tiny and etcd bundles with etcd's related images + 2 additional + pruned catalog
  expect(lines.length).toBeGreaterThanOrEqual(13);
  const v = await readBackMapping(lines, { rebuilt: new Set([lab.catalog!.ref]), hostMap: { [lab.sourceHost]: lab.source.host } });
  expect(v.problems).toEqual([]);
  expect(v.images).toBe(lines.length);
  // Every blob of every image was read back (a shared layer once per repository).
  expect(v.blobs).toBeGreaterThanOrEqual(lines.length);
}

function faultsFired(kind: ProxyLogEntry['fault']): ProxyLogEntry[] {
  return lab.proxy!.log.filter((e) => e.fault === kind);
}

describe('mirror images through a faulty source registry', () => {
  it('503s on manifests and blobs are retried; the stage completes and every mapped image verifies', async () => {
    const p = lab.proxy!;
    p.clear();
    const big = lab.extras[0].layer.digest;
    const rules = [
      p.add({ method: 'GET', path: /\/manifests\/sha256:/, fault: { kind: 'status', status: 503 }, times: 3 }),
      p.add({ method: 'GET', path: new RegExp(`/blobs/${big}`), fault: { kind: 'status', status: 503 }, times: 2 }),
      // The additional images are read by tag.
      p.add({ method: 'GET', path: /\/extras\/[^/]+\/manifests\/v1$/, fault: { kind: 'status', status: 502 }, times: 2 }),
    ];
    const r = await mirror();
    expectCompleted(r);
    for (const rule of rules) expect(rule.fired, String(rule.path)).toBe(rule.times);
    // The big blob was fetched again after its two 503s, and that answer was complete.
    const gets = p.log.filter((e) => e.method === 'GET' && e.path.includes(big));
    expect(gets.map((e) => e.status)).toEqual([503, 503, 200]);
    await expectMirrorComplete(r.out);
  }, 90_000);

  it('429 with Retry-After: the stage waits as asked, then completes and verifies', async () => {
    const p = lab.proxy!;
    p.clear();
    const big = lab.extras[1].layer.digest;
    p.add({ method: 'GET', path: new RegExp(`/blobs/${big}`), fault: { kind: 'status', status: 429, retryAfter: 2 }, times: 1 });
    const r = await mirror();
    expectCompleted(r);
    const gets = p.log.filter((e) => e.method === 'GET' && e.path.includes(big));
    expect(gets.map((e) => e.status)).toEqual([429, 200]);
    // Backoff alone is ≤ 250 ms for a first retry: the wait comes from Retry-After.
    expect(seenAt.get(gets[1])! - seenAt.get(gets[0])!).toBeGreaterThanOrEqual(1900);
    await expectMirrorComplete(r.out);
  }, 90_000);

  it('a connection dropped in the middle of a blob: the download resumes, the stage completes and verifies', async () => {
    const p = lab.proxy!;
    p.clear();
    const { digest, size } = lab.extras[0].layer;
    p.add({ method: 'GET', path: new RegExp(`/blobs/${digest}`), fault: { kind: 'drop', afterBytes: Math.floor(size / 3) }, times: 1 });
    // A release component's blob too (small blobs, several readers of the same repository).
    const component = lab.release.components[2].digest;
    p.add({ method: 'GET', path: new RegExp(`/manifests/${component}`), fault: { kind: 'drop', afterBytes: 10 }, times: 1 });
    const r = await mirror();
    expectCompleted(r);
    expect(faultsFired('drop')).toHaveLength(2);
    const gets = p.log.filter((e) => e.method === 'GET' && e.path.includes(digest));
    expect(gets.length).toBeGreaterThanOrEqual(2);
    await expectMirrorComplete(r.out);
  }, 90_000);

  it('truncated bodies (a chunked answer that ends early) are fetched again; the stage completes and verifies', async () => {
    const p = lab.proxy!;
    p.clear();
    for (const e of lab.extras) p.add({ method: 'GET', path: new RegExp(`/blobs/${e.layer.digest}`), fault: { kind: 'truncate', afterBytes: 4096 }, times: 1 });
    const r = await mirror();
    expectCompleted(r);
    expect(faultsFired('truncate')).toHaveLength(2);
    await expectMirrorComplete(r.out);
  }, 90_000);

  it('all of it at once, with bytes corrupted once in flight: still completes and verifies', async () => {
    const p = lab.proxy!;
    p.clear();
    const [a, b] = lab.extras;
    const rules = [
      p.add({ method: 'GET', path: new RegExp(`/blobs/${a.layer.digest}`), fault: { kind: 'corrupt' }, times: 1 }),
      p.add({ method: 'GET', path: new RegExp(`/blobs/${b.layer.digest}`), fault: { kind: 'drop' }, times: 1 }),
      p.add({ method: 'GET', path: /\/blobs\//, fault: { kind: 'status', status: 503 }, times: 2 }),
      p.add({ method: 'GET', path: /\/manifests\//, fault: { kind: 'status', status: 429, retryAfter: 1 }, times: 1 }),
    ];
    const r = await mirror();
    expectCompleted(r);
    // Every fault happened (a rule that never fired would make this a plain run).
    for (const rule of rules) expect(rule.fired, `${rule.fault.kind} ${String(rule.path)}`).toBe(rule.times);
    expect(faultsFired('corrupt')).toHaveLength(1);
    await expectMirrorComplete(r.out);
  }, 90_000);
});

describe('a blob whose bytes never match its digest', () => {
  it('fails the stage naming image and blob; the blob is not committed, no manifest names it, no outputs', async () => {
    const p = lab.proxy!;
    p.clear();
    // Its own image: no earlier test committed this blob to the lab registry.
    const bad = await lab.addExtra('corrupt', 200 << 10);
    p.add({ method: 'GET', path: new RegExp(`/blobs/${bad.layer.digest}`), fault: { kind: 'corrupt' } });
    const r = await mirror([...lab.extras.slice(0, 2), bad]);
    // Documented: a stage that ran and failed exits 1 (2 is for bad input).
    expect(r.code).toBe(1);
    const err = r.stderr;
    expect(err).toContain(bad.layer.digest);
    expect(err).toContain(bad.ref);
    expect(err).toMatch(/digest|does not match|hashes to/i);
    expect(err).not.toMatch(/\n\s+at .*\.(ts|js):\d+/); // no stack trace without --debug
    // The proxy corrupted every attempt (the retry budget was spent, not one try).
    expect(p.log.filter((e) => e.fault === 'corrupt').length).toBeGreaterThanOrEqual(2);
    // Not on the lab registry: no blob with that digest, no repository linking it, no manifest naming it.
    expect(blobCommitted(lab.dest, bad.layer.digest)).toBe(false);
    expect(await referencesTo(lab.dest, bad.layer.digest)).toEqual({ layerLinks: [], manifests: [] });
    const head = await fetch(`${lab.dest.url}/v2/${r.prefix}/extras/corrupt/manifests/v1`, { method: 'HEAD' });
    expect(head.status).toBe(404);
    // No outputs written as if the stage had completed.
    const written = existsSync(r.out) ? readdirSync(r.out, { recursive: true }).map(String) : [];
    expect(written.filter((f) => !f.startsWith('.') && !f.includes('/.'))).toEqual([]);
  }, 90_000);
});
