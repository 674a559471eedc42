/**
 * Differential test: every corpus expression is rendered by our templar and by the real ansible-core
 * (`ansible-playbook`, one `set_fact` task per case, run once in native mode and once in the default mode), and the
 * values must be equal, type included. See corpus.ts for which run is the oracle and the deliberate differences.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { createTemplar, LazyValue } from '../../../src/engine/template/index.js';
import { CORPUS, CORPUS_VARS } from './corpus.js';

const ANSIBLE = '/usr/bin/ansible-playbook';

interface HostResult {
  failed?: boolean;
  msg?: string;
  ansible_facts?: Record<string, unknown>;
}

/** Cases expected to fail get a task each; the others go 100 per set_fact task (ansible spends ~0.1 s per task here). */
function batches(): number[][] {
  const out: number[][] = [];
  let cur: number[] = [];
  CORPUS.forEach((c, i) => {
    // Cases that may fail in one of the two modes run alone, so they cannot fail a whole batch.
    if (c.error || c.native !== undefined || c.differs !== undefined) out.push([i]);
    else {
      cur.push(i);
      if (cur.length === 100) {
        out.push(cur);
        cur = [];
      }
    }
  });
  if (cur.length) out.push(cur);
  return out;
}

/** Per case: the host result of the task that rendered it. */
function runAnsible(dir: string, native: boolean): Promise<HostResult[]> {
  return new Promise((resolve, reject) => {
    execFile(
      ANSIBLE,
      ['-i', 'localhost,', join(dir, 'playbook.yml')],
      {
        cwd: dir,
        maxBuffer: 256 * 1024 * 1024,
        timeout: 120_000,
        env: {
          ...process.env,
          ANSIBLE_STDOUT_CALLBACK: 'ansible.posix.json',
          ANSIBLE_JINJA2_NATIVE: native ? 'True' : 'False',
          ANSIBLE_LOCALHOST_WARNING: 'False',
          ANSIBLE_NOCOLOR: '1',
          ANSIBLE_RETRY_FILES_ENABLED: 'False',
          DCI_TEMPLATE_CORPUS: 'from-env',
        },
      },
      (err, stdout) => {
        let parsed: { plays?: Array<{ tasks: Array<{ hosts: Record<string, HostResult> }> }> };
        try {
          parsed = JSON.parse(stdout.slice(stdout.indexOf('{'))) as typeof parsed;
        } catch {
          reject(new Error(`ansible-playbook output is not JSON (${err?.message ?? ''}): ${stdout.slice(0, 500)}`));
          return;
        }
        const perTask = (parsed.plays?.[0]?.tasks ?? []).map((t) => t.hosts.localhost ?? {});
        const perCase: HostResult[] = [];
        batches().forEach((b, t) => b.forEach((i) => (perCase[i] = perTask[t] ?? { failed: true, msg: 'task did not run' })));
        resolve(perCase);
      },
    );
  });
}

function isSingleExpression(expr: string): boolean {
  return /^\{\{(?:(?!\{\{|\}\}).)*\}\}$/s.test(expr);
}

let dir = '';
let nativeRun: HostResult[] = [];
let textRun: HostResult[] = [];
const hasAnsible = existsSync(ANSIBLE);

describe.skipIf(!hasAnsible)('templating matches ansible-core', () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tpl-diff-'));
    mkdirSync(join(dir, 'files'));
    mkdirSync(join(dir, 'templates'));
    writeFileSync(join(dir, 'files', 'corpus.txt'), 'file content\n\n');
    writeFileSync(join(dir, 'templates', 'corpus.j2'), '{% for w in words %}- {{ w }}\n{% endfor %}num={{ num }}\n');
    writeFileSync(join(dir, 'templates', 'outer.j2'), "{% for w in words %}{% include 'part.j2' %}{% endfor %}\n");
    writeFileSync(join(dir, 'templates', 'part.j2'), '[{{ w }}:{{ num }}]');
    writeFileSync(join(dir, 'vars.json'), JSON.stringify(CORPUS_VARS));
    const tasks = batches().map((b) => ({
      name: `cases ${b.join(',')}`,
      set_fact: Object.fromEntries(b.map((i) => [`r_${i}`, CORPUS[i].expr])),
      ignore_errors: true,
    }));
    const play = [{ hosts: 'localhost', connection: 'local', gather_facts: false, vars_files: ['vars.json'], tasks }];
    // JSON is YAML: no quoting surprises in the expressions.
    writeFileSync(join(dir, 'playbook.yml'), JSON.stringify(play, null, 1));
    [nativeRun, textRun] = await Promise.all([runAnsible(dir, true), runAnsible(dir, false)]);
  }, 120_000);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('ran every case in ansible', () => {
    expect(nativeRun).toHaveLength(CORPUS.length);
    expect(textRun).toHaveLength(CORPUS.length);
  });

  it('renders every corpus case like ansible-core', () => {
    process.env.DCI_TEMPLATE_CORPUS = 'from-env';
    const templar = createTemplar({ baseDir: dir });
    const vars: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(CORPUS_VARS)) vars[k] = typeof v === 'string' && templar.isTemplate(v) ? new LazyValue(v) : v;
    const mismatches: string[] = [];
    CORPUS.forEach((c, i) => {
      let ours: unknown;
      let ourError: string | undefined;
      try {
        ours = JSON.parse(JSON.stringify(templar.renderSync(c.expr, vars, { task: `case ${i}` })) ?? 'null');
      } catch (e) {
        ourError = (e as Error).message;
      }
      const useText = c.native === undefined && (!isSingleExpression(c.expr) || c.text !== undefined);
      const theirs = (useText ? textRun : nativeRun)[i];
      if (c.differs) {
        if (ourError) mismatches.push(`#${i} ${c.expr}: we fail (${ourError}) but the case is only documented as different`);
        return;
      }
      if (c.error) {
        if (!ourError) mismatches.push(`#${i} ${c.expr}: expected an error, got ${JSON.stringify(ours)}`);
        if (!theirs.failed) mismatches.push(`#${i} ${c.expr}: corpus says error but ansible succeeded`);
        // The same kind of error: an undefined name (or attribute) on both sides, named the same way.
        const undef = /'([^']+)' is undefined|has no attribute '([^']+)'/.exec(theirs.msg ?? '');
        if (undef && ourError && !ourError.includes(undef[0])) mismatches.push(`#${i} ${c.expr}: ansible says "${undef[0]}", we say "${ourError}"`);
        return;
      }
      if (theirs.failed) {
        mismatches.push(`#${i} ${c.expr}: ansible failed (${theirs.msg ?? ''}); ours ${ourError ?? JSON.stringify(ours)}`);
        return;
      }
      const expected = theirs.ansible_facts?.[`r_${i}`];
      if (ourError) {
        mismatches.push(`#${i} ${c.expr}: we failed: ${ourError}; ansible: ${JSON.stringify(expected)}`);
        return;
      }
      try {
        expect(ours).toStrictEqual(expected);
      } catch {
        mismatches.push(`#${i} ${c.expr} [${useText ? 'text' : 'native'}]: ours ${JSON.stringify(ours)} ansible ${JSON.stringify(expected)}`);
      }
    });
    expect(mismatches, mismatches.join('\n')).toEqual([]);
  });
});
