/**
 * Disk full while writing a mirror archive: `dci-agent-ts mirror to-disk --archive DIR` onto a small tmpfs (we run
 * as root; where mounting is not permitted the tests are skipped with the reason). The run fails with a clear error
 * naming the path and "no space left" (ENOSPC), exits non-zero (1: a failed stage, not bad input), and leaves no
 * archive that looks complete: no refs.json (what from-disk reads), no outputs, and every manifest index.json lists
 * is there with every blob below it (an interrupted archive only ever lists whole images). Given more room
 * (the same tmpfs remounted bigger), the same command resumes into the same folder and the archive is complete:
 * every reference of refs.json resolves in index.json to a manifest whose blobs are all present and hash right.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { runCli } from '../helpers/cli.js';
import { sha256, startMirrorLab, type MirrorLab } from './helpers-mirror.js';
import { canMountTmpfs, mountTmpfs, type Tmpfs } from './helpers-tmpfs.js';

const execFileP = promisify(execFile);
const scratch = mkdtempSync(join(tmpdir(), 'faults-mirror-diskfull-'));
const tmpfsCheck = await canMountTmpfs(join(scratch, 'probe'));
if (!tmpfsCheck.ok) console.log(`mirror disk-full tests skipped: ${tmpfsCheck.reason}`);

/** Room for the small content (release + a few KiB images) but not for the 1 MiB and 768 KiB additional images. */
const SMALL_KIB = 640;
const BIG_KIB = 16 * 1024;

let lab: MirrorLab;
let mnt: Tmpfs | undefined;
let archive: string;
let inventory: string;

interface LayoutProblem {
  what: string;
  digest: string;
}

/** Every manifest listed in index.json, every child manifest and every blob below it: present, hashing right. */
function checkLayout(dir: string): { manifests: number; blobs: number; problems: LayoutProblem[]; tags: string[] } {
  const problems: LayoutProblem[] = [];
  const seen = new Set<string>();
  let manifests = 0;
  let blobs = 0;
  const blob = (digest: string): Buffer | undefined => {
    const p = join(dir, 'blobs', 'sha256', digest.slice(7));
    if (!existsSync(p)) return undefined;
    return readFileSync(p);
  };
  const visit = (digest: string, what: string): void => {
    if (seen.has(digest)) return;
    seen.add(digest);
    const bytes = blob(digest);
    if (!bytes) return void problems.push({ what: `${what} missing`, digest });
    if (sha256(bytes) !== digest) return void problems.push({ what: `${what} corrupt`, digest });
    if (what !== 'manifest') {
      blobs++;
      return;
    }
    manifests++;
    const m = JSON.parse(bytes.toString('utf8')) as { manifests?: Array<{ digest: string }>; config?: { digest: string }; layers?: Array<{ digest: string }> };
    for (const c of m.manifests ?? []) visit(c.digest, 'manifest');
    if (m.config) visit(m.config.digest, 'config');
    for (const l of m.layers ?? []) visit(l.digest, 'layer');
  };
  const indexFile = join(dir, 'index.json');
  const index = existsSync(indexFile) ? (JSON.parse(readFileSync(indexFile, 'utf8')) as { manifests: Array<{ digest: string; annotations?: Record<string, string> }> }) : { manifests: [] };
  for (const d of index.manifests) visit(d.digest, 'manifest');
  const tags = index.manifests.map((d) => d.annotations?.['org.opencontainers.image.ref.name']).filter((t): t is string => !!t);
  return { manifests, blobs, problems, tags };
}

beforeAll(async () => {
  if (!tmpfsCheck.ok) return;
  lab = await startMirrorLab({ dir: join(scratch, 'lab'), components: 4, catalog: true, extraSizes: [1 << 20, 768 << 10] });
  inventory = await lab.inventory('lab.yml', { prefix: 'disk' });
  const m = await mountTmpfs(join(scratch, 'mnt'), SMALL_KIB);
  if ('error' in m) throw new Error(m.error);
  mnt = m;
  archive = join(mnt.dir, 'ocp-archive');
}, 120_000);

afterAll(async () => {
  // Unmounted even when a test failed; the lab's registries stopped; nothing left in /tmp.
  await mnt?.unmount();
  await lab?.close();
  rmSync(scratch, { recursive: true, force: true });
});

describe.skipIf(!tmpfsCheck.ok)(`mirror to-disk onto a full disk${tmpfsCheck.ok ? '' : ` (skipped: ${tmpfsCheck.reason})`}`, () => {
  it(`fails clearly on a ${SMALL_KIB} KiB tmpfs: names the path and ENOSPC, exit 1, nothing that looks complete`, async () => {
    const r = await runCli(['mirror', 'to-disk', '--inventory', inventory, '--archive', archive], { timeoutMs: 90_000 });
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stderr).toMatch(/ENOSPC|no space left/i);
    expect(r.stderr).toContain(mnt!.dir);
    expect(r.stderr).not.toMatch(/\n\s+at .*\.(ts|js):\d+/); // one message, no stack trace
    // The half-written blobs are gone (not left to look like content, nor to keep the disk full).
    expect(readdirSync(join(archive, 'blobs', 'sha256')).filter((f) => f.startsWith('.'))).toEqual([]);
    // Not an archive from-disk would take: no refs.json, no outputs; index.json lists only whole images.
    expect(existsSync(join(archive, 'refs.json'))).toBe(false);
    expect(existsSync(join(archive, 'outputs', 'mapping.txt'))).toBe(false);
    const layout = checkLayout(archive);
    expect(layout.problems).toEqual([]);
    // The small images fit before the disk filled: index.json lists them (else "no problems" would prove nothing).
    expect(layout.manifests).toBeGreaterThan(0);
    // from-disk refuses it with the reason.
    const from = await runCli(['mirror', 'from-disk', '--inventory', inventory, '--archive', archive, '--out', join(scratch, 'from-out')], { timeoutMs: 60_000 });
    expect(from.code).toBe(2);
    expect(from.stderr).toMatch(/refs\.json/);
    expect(existsSync(join(scratch, 'from-out', 'mapping.txt'))).toBe(false);
  }, 120_000);

  it(`given room (remounted at ${BIG_KIB / 1024} MiB), the same command completes the same archive and it verifies`, async () => {
    await execFileP('mount', ['-o', `remount,size=${BIG_KIB}k`, mnt!.dir]);
    const r = await runCli(['mirror', 'to-disk', '--inventory', inventory, '--archive', archive], { timeoutMs: 90_000 });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const refs = JSON.parse(readFileSync(join(archive, 'refs.json'), 'utf8')) as { refs: Record<string, string> };
    const layout = checkLayout(archive);
    expect(layout.problems).toEqual([]);
    // Every reference the archive claims is in index.json, the release and the additional images among them.
    for (const tag of Object.values(refs.refs)) expect(layout.tags).toContain(tag);
    for (const ref of [lab.release.releaseRef, ...lab.extras.map((e) => e.ref)]) expect(Object.keys(refs.refs)).toContain(ref);
    expect(layout.blobs).toBeGreaterThan(lab.extras.length);
    // No temp file of the failed run is left to fill the disk again.
    expect(readdirSync(join(archive, 'blobs', 'sha256')).filter((f) => f.startsWith('.'))).toEqual([]);
  }, 120_000);
});
