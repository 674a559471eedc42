/**
 * The live listr2 renderer through a real pipeline run: `dci-agent-ts run --stages mirror-images --output tty` on
 * a pseudo-terminal (`script`), mirroring a small synthetic release, a pruned catalog and two additional images
 * into a real docker-registry. What a user sees on the terminal: the mirror_images task with one line per image
 * group (release, the catalog, additional images) ending with done/total, then the summary line, then the
 * end-of-run summary — and a clean end: exit 0, no error, cursor shown again, no unfinished spinner line.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { startRegistry, type TestRegistry } from '../../helpers/registry.js';
import { buildImage, gzLayer, pushImage, pushReleaseFixture, type ReleaseFixture } from '../../helpers/release-fixtures.js';
import { pushCatalogImage, sampleCatalog, withRealImages, type CatalogImageFixture } from '../../helpers/catalog-fixtures.js';
import { BIN, REPO_ROOT } from '../../helpers/cli.js';
import { makeLab, type Lab } from '../../pipeline/lab-fixture.js';

let source: TestRegistry;
let labRegistry: TestRegistry;
let release: ReleaseFixture;
let catalog: CatalogImageFixture;
let extras: string[];
let lab: Lab;

const COMPONENTS = 8;

/** Run the CLI on a pseudo-terminal (util-linux `script`); returns everything the terminal received. */
function runOnPty(args: string[], env: Record<string, string>, timeoutMs: number, sized = true): Promise<{ code: number; screen: string }> {
  const quote = (s: string) => `'${s.replaceAll("'", "'\\''")}'`;
  // A pty made by `script` without a terminal behind it has 0 columns: give it a size, like a real terminal.
  const command = `${sized ? 'stty cols 160 rows 50; ' : ''}${[process.execPath, '--', BIN, ...args].map(quote).join(' ')}`;
  return new Promise((resolve, reject) => {
    // -e: script exits with the command's code; -f: flush as output comes; the typescript file is discarded.
    const child = spawn('script', ['-qefc', command, '/dev/null'], { cwd: REPO_ROOT, env: { ...process.env, ...env, TERM: 'xterm-256color', COLUMNS: '160', LINES: '50' }, stdio: ['pipe', 'pipe', 'pipe'] });
    let screen = '';
    child.stdout.on('data', (d: Buffer) => (screen += d.toString()));
    child.stderr.on('data', (d: Buffer) => (screen += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : 1), screen });
    });
    child.stdin.end();
  });
}

 
const stripAnsi = (s: string) => s.replace(/\u001b\[[0-9;?]*[A-Za-z]|\u001b\][^\u0007]*\u0007/g, '');

beforeAll(async () => {
  [source, labRegistry] = await Promise.all([startRegistry(), startRegistry()]);
  release = await pushReleaseFixture({ host: source.host, components: COMPONENTS });
  catalog = await pushCatalogImage({ host: source.host, fbc: await withRealImages(source.host, sampleCatalog(source.host)) });
  extras = [];
  for (const i of [0, 1]) {
    const image = buildImage([gzLayer([{ name: `extra-${i}.txt`, content: `extra ${i} `.repeat(500) }])]);
    await pushImage(source.host, `lab/extra-${i}`, image, 'v1');
    extras.push(`${source.host}/lab/extra-${i}:v1`);
  }
  // The pipeline lab (SNO in plan mode), disconnected: mirror into labRegistry what source serves.
  lab = makeLab(
    `    dci_disconnected: true
    local_registry_host: ${labRegistry.host.split(':')[0]}
    local_registry_port: ${labRegistry.port}
    dci_plain_http_registries: ["${source.host}", "${labRegistry.host}"]
    ocp_release_image: ${release.releaseRef}
    operators_index: ${catalog.ref}
    dci_operators:
      - name: jaeger-product
    dci_additional_images:
${extras.map((e) => `      - ${e}`).join('\n')}`,
  );
}, 120_000);

afterAll(async () => {
  await Promise.all([source, labRegistry].map((r) => r?.stop()));
  if (lab) rmSync(lab.dir, { recursive: true, force: true });
});

describe('tty reporter, live renderer, real pipeline run', () => {
  it('shows one line per image group with done/total, the summary, and ends cleanly', async () => {
    const r = await runOnPty(['run', '-i', lab.inventory, '--stages', 'mirror-images', '--output', 'tty', '--state-dir', lab.stateDir], lab.env, 150_000);
    const text = stripAnsi(r.screen);
    expect(r.code, text).toBe(0);
    // The live renderer drew on the terminal (cursor movements / erase lines), not the line renderer's output.
     
    expect(r.screen).toMatch(/\u001b\[\d*[AGK]/);
    // One group line each, finished: images done/total.
    const components = COMPONENTS + 1; // the release image itself is in the release group
    expect(text).toMatch(new RegExp(`✔ release: ${components} images \\(${components} copied, 0 already there\\)`));
    expect(text).toMatch(/✔ catalog redhat-operator-index:v4\.16: \d+ images \(\d+ copied, 0 already there\)/);
    expect(text).toMatch(/✔ additional images: 2 images \(2 copied, 0 already there\)/);
    // A live progress line for a group was drawn too (done/total while copying).
    expect(text).toMatch(/release: \d+\/\d+ images/);
    expect(text).toMatch(/✔ mirrored \d+ images in 3 groups: \d+ copied, 0 skipped \(already there\); [\d.]+ [KMG]?i?B in /);
    // The pipeline's end-of-run summary closes the output; no error; cursor shown again at the end.
    expect(text).toMatch(/STAGE \[mirror-images\] ok/);
    expect(text).toMatch(/run \S+ success \[[^\]]+\]\r?\n {2}mirror: release 4\.16\.3: \d+ components mirrored/);
    expect(text).not.toMatch(/error:/i);
    expect(r.screen).toContain('\u001b[?25h');
    const tail = text.trimEnd().split(/\r?\n/).slice(-8).join('\n');
    expect(tail, tail).not.toMatch(/[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]/);
  }, 180_000);

  it('on a pseudo-terminal nobody sized (0 columns): readable lines, not one character per line; a re-run says already there', async () => {
    const r = await runOnPty(['run', '-i', lab.inventory, '--stages', 'mirror-images', '--output', 'tty', '--state-dir', lab.stateDir], lab.env, 150_000, false);
    const text = stripAnsi(r.screen);
    expect(r.code, text).toBe(0);
    expect(text).toMatch(new RegExp(`release: ${COMPONENTS + 1} images \\(0 copied, ${COMPONENTS + 1} already there\\)`));
    expect(text).toMatch(/additional images: 2 images \(0 copied, 2 already there\)/);
    expect(text).toMatch(/mirrored \d+ images in 3 groups: 0 copied, \d+ skipped \(already there\)/);
    const oneChar = text.split(/\r?\n/).filter((l) => l.trim().length === 1);
    expect(oneChar.length, oneChar.join('|')).toBeLessThan(3);
  }, 180_000);
});
