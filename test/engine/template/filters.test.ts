/** Filters and tests beyond the differential corpus (edge cases of the ones hooks use). */
import { describe, expect, it } from 'vitest';
import { createTemplar } from '../../../src/engine/template/index.js';

const t = createTemplar();
const vars = {
  a: { x: [1, 2], y: { z: 1 } },
  b: { x: [2, 3], y: { w: 2 } },
  url: 'http://u:p@[fe80::1]:8080/p?q=1',
  docs: 'a: 1\n---\na: 2\n',
  data: { items: [{ n: 'a', tags: ['t1'] }, { n: 'b' }] },
};
const cases: Array<[string, unknown]> = [
  ['{{ a | combine(b) }}', { x: [2, 3], y: { w: 2 } }],
  ['{{ a | combine(b, recursive=True, list_merge="append_rp") }}', { x: [1, 2, 3], y: { z: 1, w: 2 } }],
  ['{{ [a, b] | combine }}', { x: [2, 3], y: { w: 2 } }],
  ['{{ url | urlsplit("username") }}', 'u'],
  ['{{ url | urlsplit("password") }}', 'p'],
  ['{{ url | urlsplit("hostname") }}', 'fe80::1'],
  ['{{ url | urlsplit("port") }}', 8080],
  ['{{ "fe80::1" | ipwrap }}', '[fe80::1]'],
  ['{{ "10.1.2.3/16" | ipaddr("network/prefix") }}', '10.1.0.0/16'],
  ['{{ "10.1.2.3/16" | ipaddr("broadcast") }}', '10.1.255.255'],
  ['{{ "10.1.0.0/16" | ipaddr("1") }}', '10.1.0.1/16'],
  ['{{ "300.1.1.1" | ipv4 }}', false],
  ['{{ [1, 2] | zip_longest(["a"]) | list }}', [[1, 'a'], [2, null]]],
  ['{{ "x" | hash("sha256") }}', '2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881'],
  ['{{ docs | from_yaml_all | list }}', [{ a: 1 }, { a: 2 }]],
  ['{{ data | json_query("items[?tags].n") }}', ['a']],
  ['{{ data["items"] | selectattr("tags", "defined") | map(attribute="n") | list }}', ['a']],
  ['{{ data["items"] | subelements("tags", skip_missing=True) | length }}', 1],
  ['{{ "1.2.3-beta.1" is version("1.2.3", "lt", version_type="semver") }}', true],
  ['{{ "4.9" is version("4.10", "<") }}', true],
  ['{{ "ABC" | regex_search("b", ignorecase=True) }}', 'B'],
  ['{{ "abc" is match("(?i)ABC") }}', true],
  ['{{ "a-b_c" | regex_replace("[-_]", "") }}', 'abc'],
  ['{{ "0x1A" | int(base=16) }}', 26],
  ['{{ "12abc" | int }}', 0],
  ['{{ 2.5 | round }}', 2],
  ['{{ [3, "a"] | type_debug }}', 'list'],
  ['{{ {"b": 1, "a": 2} | to_nice_json(indent=0) }}', '{\n"a": 2,\n"b": 1\n}'],
  ['{{ {"k": [1, 2], "s": "x"} | to_yaml }}', 'k: [1, 2]\ns: x\n'],
  ['{{ "~/x" | expanduser }}', `${process.env.HOME}/x`],
  ['{{ ["a", "b"] | path_join }}', 'a/b'],
  ['{{ "f.tar.gz" | splitext }}', ['f.tar', '.gz']],
  ['{{ [1, [2, [3]]] | flatten(1) }}', [1, 2, [3]]],
  ['{{ ["b", "B", "a"] | unique }}', ['b', 'a']],
  ['{{ ["b", "B", "a"] | unique(case_sensitive=True) }}', ['b', 'B', 'a']],
  ['{{ {"b": 2, "a": 1} | dictsort(by="value", reverse=true) }}', [['b', 2], ['a', 1]]],
  ['{{ "abc" | reverse }}', 'cba'],
  ['{{ None | ternary(1, 2, 3) }}', 3],
  ['{{ "x" is truthy }}', true],
  ['{{ {"auth": "x", "a": [{"Password": "p", "k": 1}]} | redhatci.ocp.redact }}', { auth: 'REDACTED', a: [{ Password: 'REDACTED', k: 1 }] }],
  ['{{ {"token": "x"} | redhatci.ocp.redact("token") }}', { token: 'REDACTED' }],
  ["{{ query('ansible.builtin.config', 'DEFAULT_ROLES_PATH') | length > 0 }}", true],
  ['{{ {"failed": True} is failed }}', true],
  ['{{ 10 is divisibleby 5 }}'.replace(' 5', '(5)'), true],
];

describe('filters and tests', () => {
  it.each(cases)('%s', (expr, expected) => {
    expect(t.renderSync(expr, vars)).toStrictEqual(expected);
  });

  it('fails clearly on bad filter input', () => {
    expect(() => t.renderSync('{{ [1] | dict2items }}', vars)).toThrow(/dict2items requires a dictionary/);
    expect(() => t.renderSync('{{ a | combine(b, list_merge="bogus") }}', vars)).toThrow(/list_merge/);
    expect(() => t.renderSync('{{ "x" is version("1.0", "~~") }}', vars)).toThrow(/Invalid operator/);
    expect(() => t.renderSync('{{ "{" | from_json }}', vars)).toThrow(/from_json/);
  });
});
