/** Behaviour of the templar a task author notices: native types, undefined errors, lazy vars, conditions, lookups. */
import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync, symlinkSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTemplar, LazyValue, OMIT } from '../../../src/engine/template/index.js';
import { TemplateError } from '../../../src/core/errors.js';
import { SecretRegistry } from '../../../src/core/secrets.js';

const t = createTemplar();
const where = { file: 'hooks/pre-run.yml', line: 12, task: 'Compute mirror' };

function renderError(expr: unknown, vars: Record<string, unknown> = {}): TemplateError {
  try {
    t.renderSync(expr, vars, where);
  } catch (e) {
    expect(e).toBeInstanceOf(TemplateError);
    return e as TemplateError;
  }
  throw new Error(`expected ${JSON.stringify(expr)} to fail`);
}

describe('render', () => {
  it('returns strings without template markers untouched and renders structures recursively', async () => {
    const vars = { n: 2, items: ['a'] };
    expect(t.renderSync('plain {text}', vars)).toBe('plain {text}');
    expect(await t.render({ a: '{{ n }}', b: ['{{ items }}', 'x{{ n }}'], '{{ "k" ~ n }}': true }, vars)).toEqual({ a: 2, b: [['a'], 'x2'], k2: true });
    expect(t.isTemplate('a {{ b }}')).toBe(true);
    expect(t.isTemplate('{% if x %}')).toBe(true);
    expect(t.isTemplate('no template')).toBe(false);
  });

  it('keeps native types for one expression and Python text for several', () => {
    const vars = { l: ['a', 'b'], d: { a: 1 }, f: false, n: null };
    expect(t.renderSync('{{ l }}', vars)).toEqual(['a', 'b']);
    expect(t.renderSync('{{ 3 }}', vars)).toBe(3);
    expect(t.renderSync('{{ f }}', vars)).toBe(false);
    expect(t.renderSync('{{ n }}', vars)).toBeNull();
    expect(t.renderSync('x={{ l }} d={{ d }} f={{ f }} n={{ n }}', vars)).toBe("x=['a', 'b'] d={'a': 1} f=False n=");
    // A rendered text that is a Python literal becomes the value, as in Ansible.
    expect(t.renderSync("[{% for x in l %}'{{ x }}',{% endfor %}]", vars)).toEqual(['a', 'b']);
  });

  it('exports the omit placeholder', () => {
    expect(t.renderSync('{{ missing | default(omit) }}', {})).toBe(OMIT);
  });

  it('handles Python operators and methods', () => {
    const vars = { s: 'a,b', l: [1], d: { k: 'v' } };
    expect(t.renderSync('{{ l + [2] }}', vars)).toEqual([1, 2]);
    expect(t.renderSync('{{ s.split(",") | length }}', vars)).toBe(2);
    expect(t.renderSync('{{ [] or "empty" }}', vars)).toBe('empty');
    expect(t.renderSync('{{ "1" == 1 }}', vars)).toBe(false);
    expect(t.renderSync('{{ d.get("x", "dflt") }}', vars)).toBe('dflt');
    expect(t.renderSync('{% set acc = [] %}{% for i in [1, 2] %}{% set _ = acc.append(i * 10) %}{% endfor %}{{ acc }}', vars)).toEqual([10, 20]);
  });
});

describe('renderText (template module)', () => {
  it('renders template files to text: no native types, no literal conversion, escapes processed', async () => {
    const vars = { l: ['a', 'b'], n: null };
    expect(await t.renderText('{{ l }}', vars)).toBe("['a', 'b']");
    expect(await t.renderText("[{% for x in l %}'{{ x }}',{% endfor %}]\n", vars)).toBe("['a','b',]\n");
    expect(await t.renderText('n={{ n }}', vars)).toBe('n=');
    expect(await t.renderText('{{ "a\\tb" }}', vars)).toBe('a\tb');
    expect(await t.renderText('#jinja2: trim_blocks: False\n{% if true %}\nx\n{% endif %}', vars)).toBe('\nx\n');
    expect(() => t.renderTextSync('{{ nope }}', vars, where)).toThrow(/'nope' is undefined/);
  });
});

describe('undefined variables', () => {
  it('names the variable, the task and file:line, and suggests near names', () => {
    const e = renderError('{{ mirror_regsitry }}/ocp', { mirror_registry: 'r' });
    expect(e.code).toBe('template-undefined');
    expect(e.message).toContain("'mirror_regsitry' is undefined");
    expect(e.message).toContain('Compute mirror');
    expect(e.location).toMatchObject({ file: 'hooks/pre-run.yml', line: 12, task: 'Compute mirror' });
    expect(e.where).toBe('hooks/pre-run.yml:12');
    expect(e.hint).toContain("'mirror_registry'");
  });

  it('reports a missing attribute like Jinja2', () => {
    const e = renderError('{{ cfg.nope }}', { cfg: { a: 1 } });
    expect(e.message).toContain("'dict object' has no attribute 'nope'");
  });

  it('lets default(), is defined and attribute chains see undefined values', () => {
    const vars = { cfg: { a: 1 } };
    expect(t.renderSync('{{ x.y.z | default("d") }}', vars)).toBe('d');
    expect(t.renderSync('{{ x.y is defined }}', vars)).toBe(false);
    expect(t.renderSync('{{ cfg.b is undefined }}', vars)).toBe(true);
    expect(t.conditionSync('x is not defined', vars)).toBe(true);
    expect(() => t.conditionSync('x', vars, where)).toThrow(/'x' is undefined/);
    expect(() => t.renderSync('{{ x | upper }}', vars)).toThrow(/'x' is undefined/);
    expect(() => t.renderSync('{{ x | mandatory }}', vars)).toThrow(/Mandatory variable 'x' not defined/);
  });

  it('reports syntax and type errors with the template', () => {
    expect(renderError('{{ a + }}', { a: 1 }).code).toBe('template-syntax');
    const e = renderError('{{ a + "x" }}', { a: 1 });
    expect(e.code).toBe('template-error');
    expect(e.message).toContain('{{ a + \\"x\\" }}');
    expect(renderError('{{ a | no_such_filter }}', { a: 1 }).message).toMatch(/no filter named 'no_such_filter'/);
  });

  it('redacts secrets in error messages', () => {
    const secrets = new SecretRegistry();
    secrets.add('s3cr3t-token');
    const st = createTemplar({ secrets });
    expect(() => st.renderSync('{{ "s3cr3t-token" + undefined_thing }}', {})).toThrow(/\*\*\*\*\*\*\*\*/);
    try {
      st.renderSync('{{ "s3cr3t-token" + undefined_thing }}', {});
    } catch (e) {
      expect((e as Error).message).not.toContain('s3cr3t-token');
    }
  });
});

describe('lazy variables', () => {
  it('templates a variable when it is used, recursively', () => {
    const vars: Record<string, unknown> = { base: 'quay.io', repo: new LazyValue('{{ base }}/ocp'), image: new LazyValue('{{ repo }}:{{ tag }}') };
    expect(t.renderSync('{{ image }}', { ...vars, tag: '4.14' })).toBe('quay.io/ocp:4.14');
    expect(t.renderSync('{{ nested.x }}', { n: 5, nested: { x: new LazyValue('{{ n * 2 }}') } })).toBe(10);
  });

  it('does not walk proxies (hostvars views resolve on access)', () => {
    const reads: string[] = [];
    const hosts: Record<string, unknown> = { h1: { ip: '10.0.0.1' }, broken: { x: 1 } };
    const hostvars = new Proxy(hosts, {
      get(target, key) {
        if (typeof key === 'string') reads.push(key);
        if (key === 'broken') throw new Error('would template a broken variable');
        return target[key as string];
      },
    });
    expect(t.renderSync("{{ hostvars['h1'].ip }}", { hostvars })).toBe('10.0.0.1');
    expect(t.renderSync('{{ ["h1"] | map("extract", hostvars, "ip") | list }}', { hostvars })).toEqual(['10.0.0.1']);
    expect(reads).not.toContain('broken');
  });

  it('detects loops with a clear error', () => {
    const vars: Record<string, unknown> = {};
    vars.a = new LazyValue('{{ b }}');
    vars.b = new LazyValue('{{ a }}');
    expect(() => t.renderSync('{{ a }}', vars, where)).toThrow(/recursive loop detected/);
  });

  it('resolves through the resolver outside templates', async () => {
    expect(await new LazyValue('{{ x }}', async () => 42).resolve()).toBe(42);
  });
});

describe('conditions', () => {
  it('evaluates when-style expressions, lists as AND, booleans as is', async () => {
    const vars = { v: '4.14.2', l: [1, 2], r: { failed: false, changed: true } };
    expect(await t.condition(true, vars)).toBe(true);
    expect(await t.condition(['v is version("4.12", ">=")', 'l | length == 2'], vars)).toBe(true);
    expect(await t.condition(['r is changed', 'r is failed'], vars)).toBe(false);
    expect(await t.condition('"{{ l | length > 1 }}"', vars)).toBe(true);
    expect(await t.condition('[]', vars)).toBe(false);
    expect(await t.evaluate('l | map("string") | join("-")', vars)).toBe('1-2');
    // Bare expressions process string escapes like Jinja2 inside {% if %}.
    expect(await t.condition('"a\\tb" is search("\\t")', vars)).toBe(true);
  });
});

describe('lookups', () => {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'tpl-lookup-'));
    mkdirSync(join(dir, 'files'));
    mkdirSync(join(dir, 'templates'));
    writeFileSync(join(dir, 'files', 'a.txt'), 'A content\n');
    writeFileSync(join(dir, 'templates', 'h.j2'), '#jinja2: trim_blocks: False\n{% if true %}\nhost={{ host }}\n{% endif %}');
    symlinkSync(join(dir, 'files', 'a.txt'), join(dir, 'link'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads files and templates relative to the task file directory', () => {
    const lt = createTemplar({ baseDir: dir });
    expect(lt.renderSync("{{ lookup('file', 'a.txt') }}", {})).toBe('A content');
    expect(lt.renderSync("{{ lookup('template', 'h.j2') }}", { host: 'h1' })).toBe('\nhost=h1\n');
    expect(lt.renderSync("{{ lookup('first_found', ['missing', 'a.txt']) }}", {})).toBe(join(dir, 'files', 'a.txt'));
    expect(lt.renderSync("{{ query('first_found', ['missing'], skip=True) }}", {})).toEqual([]);
    expect(() => lt.renderSync("{{ lookup('file', 'missing.txt') }}", {})).toThrow(/missing\.txt/);
    expect(lt.renderSync("{{ lookup('pipe', 'pwd') }}", {})).toBe(dir);
    expect(lt.renderSync("{{ lookup('vars', 'x', default='d') }}", {})).toBe('d');
    expect(lt.renderSync("{{ lookup('env', 'DCI_T_NOT_SET', default='none-here') }}", {})).toBe('none-here');
    expect(lt.renderSync('{{ (d ~ "/link") is link }}', { d: dir })).toBe(true);
    expect(lt.renderSync('{{ (d ~ "/files") is directory }}', { d: dir })).toBe(true);
    // A hook in another directory finds its own files/ first (the task file of `where`).
    mkdirSync(join(dir, 'hooks', 'files'), { recursive: true });
    writeFileSync(join(dir, 'hooks', 'files', 'a.txt'), 'hook copy\n');
    expect(lt.renderSync("{{ lookup('file', 'a.txt') }}", {}, { file: join(dir, 'hooks', 'pre-run.yml') })).toBe('hook copy');
    const secrets = new SecretRegistry();
    const pt = createTemplar({ baseDir: dir, secrets });
    const pw = pt.renderSync("{{ lookup('password', 'creds/pw chars=digits length=12') }}", {}) as string;
    expect(pw).toMatch(/^\d{12}$/);
    expect(statSync(join(dir, 'creds', 'pw')).mode & 0o777).toBe(0o600);
    expect(pt.renderSync("{{ lookup('password', 'creds/pw') }}", {})).toBe(pw);
    expect(secrets.redact(`x ${pw}`)).toBe('x ********');
    expect(pt.renderSync("{{ lookup('community.general.random_string', length=6, special=false) | length }}", {})).toBe(6);
  });
});
