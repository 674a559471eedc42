/**
 * The differential suite (issue #3): every corpus file runs through ansible-playbook (connection local, and
 * over SSH to a real sshd on 127.0.0.1) and through our engine; per host we compare the tasks run, their
 * outcome and their results as registered, normalised (timestamps, durations, ports, temp paths).
 *
 * Speed: ansible runs ONE playbook per mode holding every corpus file (one play and one inventory host each),
 * both modes in parallel, and its records are cached under $TMPDIR keyed by the corpus, the recording callback
 * and the ansible version (set DCI_ORACLE_REFRESH=1 to re-run it). Our engine runs each file on its own, so a
 * file that uses a module we do not have yet fails alone.
 *
 * Deliberate differences are listed in EXPECTED with the reason; ipaddr-family filters are not compared because
 * ansible.utils needs python3-netaddr, which is not installed here (the templating unit tests cover them).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSshd, type SshdHandle } from '../helpers/sshd.js';
import { runAnsiblePlaybook } from '../helpers/ansible.js';
import { CALLBACK_DIR } from '../helpers/ansible.js';
import { BUILD_VERSION, buildCombined, clearCorpusScratch, compareRuns, corpusFiles, CORPUS_DIR, type Record_ } from './differential.js';
import { runOurs } from './run-ours.js';
import { startHttpFixture, type HttpFixture } from './http-fixture.js';
import { DciError } from '../../src/core/errors.js';

/** Corpus files where our engine differs on purpose, and what may differ. */
const EXPECTED: Record<string, { reason: string; allow: RegExp }> = {
  '061-native-types-differ': {
    reason: 'native types for single-expression templates (issue #3); ansible-core 2.14 runs with jinja2_native off',
    allow: /status ok \(ours\) vs failed \(ansible\)/,
  },
};

type Mode = { suffix: 'local' | 'ssh'; vars: Record<string, unknown> };

const files = corpusFiles();
let sshd: SshdHandle | undefined;
let http: HttpFixture | undefined;
const oracle = new Map<string, Record_[]>();
const ours = new Map<string, Record_[]>();
const oursErrors = new Map<string, unknown>();
let normalisers: Array<[string, string]> = [];
let ports: number[] = [];

function hashCorpus(): string {
  const h = createHash('sha256');
  const walk = (dir: string) => {
    for (const f of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = join(dir, f.name);
      if (f.isDirectory()) walk(p);
      else h.update(p).update(readFileSync(p));
    }
  };
  // Records cached before both engines started from a clean /tmp (clearCorpusScratch) are not comparable.
  h.update('scratch-cleared-before-each-run');
  walk(CORPUS_DIR);
  walk(CALLBACK_DIR);
  h.update(String(BUILD_VERSION));
  h.update(execFileSync('ansible-playbook', ['--version']).toString().split('\n')[0]);
  return h.digest('hex').slice(0, 16);
}

/** Replace run-specific values (ports, temp dirs) so cached and fresh records compare. */
function normalise(records: Record_[], pairs: Array<[string, string]>, ports: number[] = []): Record_[] {
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') {
      let s = v;
      for (const [from, to] of pairs) s = s.split(from).join(to);
      return s;
    }
    if (typeof v === 'number' && ports.includes(v)) return '<port>';
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk(records) as Record_[];
}

beforeAll(async () => {
  sshd = await startSshd();
  http = await startHttpFixture();
  const modes: Mode[] = [
    { suffix: 'local', vars: { ansible_connection: 'local', http_port: http.port } },
    { suffix: 'ssh', vars: { ...sshd.inventoryVars(), http_port: http.port } },
  ];
  normalisers = [
    [sshd.dir, '<sshd-dir>'],
    [String(http.port), '<port>'],
    [String(sshd.port), '<port>'],
  ];
  ports = [http.port, sshd.port];
  const cacheDir = join(tmpdir(), 'dci-engine-oracle');
  mkdirSync(cacheDir, { recursive: true });
  const cacheFile = join(cacheDir, `${hashCorpus()}.json`);
  if (existsSync(cacheFile) && !process.env.DCI_ORACLE_REFRESH) {
    const cached = JSON.parse(readFileSync(cacheFile, 'utf8')) as Record<string, Record_[]>;
    for (const [k, v] of Object.entries(cached)) oracle.set(k, v);
  } else {
    // One ansible-playbook per mode, both at once (2 cores): ~190 ms per module task is ansible's floor.
    clearCorpusScratch();
    const runs = await Promise.all(
      modes.map(async (m) => {
        const c = buildCombined(files, [m]);
        try {
          const r = await runAnsiblePlaybook(c.playbook, { inventory: c.inventoryPath, timeoutMs: 900_000 });
          if (!r.records.length) throw new Error(`ansible-playbook produced no records (exit ${r.code}): ${r.stderr.slice(0, 2000)}`);
          writeFileSync(`${cacheFile}.${m.suffix}.raw`, JSON.stringify(r.records));
          return normalise(r.records, [[c.dir, '<dir>'], ...normalisers], ports);
        } finally {
          rmSync(c.dir, { recursive: true, force: true });
        }
      }),
    );
    const all: Record<string, Record_[]> = {};
    for (const rec of runs.flat()) (all[rec.host] ??= []).push(rec);
    for (const [k, v] of Object.entries(all)) oracle.set(k, v);
    writeFileSync(cacheFile, JSON.stringify(all));
  }
  for (const f of files) {
    const c = buildCombined([f], modes);
    clearCorpusScratch();
    try {
      const r = await runOurs(c.playbook, c.inventoryPath);
      for (const rec of normalise(r.records, [[c.dir, '<dir>'], ...normalisers], ports)) {
        const l = ours.get(rec.host) ?? [];
        l.push(rec);
        ours.set(rec.host, l);
      }
    } catch (e) {
      oursErrors.set(f, e);
    } finally {
      rmSync(c.dir, { recursive: true, force: true });
    }
  }
}, 1_200_000);

afterAll(async () => {
  await sshd?.stop();
  await http?.close();
});

describe('differential: our engine vs ansible-core 2.14', () => {
  it('has at least 60 corpus files', () => {
    expect(files.length).toBeGreaterThanOrEqual(60);
  });

  for (const f of files) {
    const name = f.replace(/\.yml$/, '');
    for (const mode of ['local', 'ssh'] as const) {
      it(`${name} (${mode})`, (ctx) => {
        const err = oursErrors.get(f);
        if (err instanceof DciError && err.code === 'task-unknown-module') {
          // A module of the list that the modules family has not landed yet: reported, not hidden.
          ctx.skip(`module not available yet: ${err.message}`);
          return;
        }
        if (err) throw err;
        const alias = `${name.replace(/[^A-Za-z0-9_]/g, '_')}__${mode}`;
        const theirs = oracle.get(alias) ?? [];
        const mine = ours.get(alias) ?? [];
        expect(theirs.length, `ansible recorded nothing for ${alias}`).toBeGreaterThan(0);
        const diffs = compareRuns(mine, theirs, []).get(alias) ?? [];
        const expected = EXPECTED[name];
        const unexpected = expected ? diffs.filter((d) => !expected.allow.test(d)) : diffs;
        if (expected) expect(diffs.length, `expected difference (${expected.reason}) not seen`).toBeGreaterThan(0);
        expect(unexpected, unexpected.join('\n')).toEqual([]);
      });
    }
  }
});
