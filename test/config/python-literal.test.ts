/**
 * INI value typing: our literal_eval against Python's own `ast.literal_eval` (what Ansible's INI plugin calls),
 * run once over many inputs, plus properties checked with fast-check.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { pythonLiteral } from '../../src/config/python-literal.js';
import { run } from './fixtures.js';

const INPUTS = [
  '1', '-5', '+7', '0', '00', '01', '0_0', '1_000', '1__0', '1_', '0x1F', '-0x10', '0o17', '0b101', '0B11', '0xZZ',
  '1.5', '.5', '5.', '1e3', '1E-3', '-1.5e+2', '1_0.5', '4.10', '1e', 'inf', 'nan', '1j', '1+2j', '1+2', '2-1', '--1', '-True',
  'True', 'False', 'None', 'true', 'none', 'yes', 'foo', 'foo bar', '', ' ', '   12', '\t3',
  '"x"', "'x'", '"a" "b"', '"a"\'b\'', 'u"u"', 'r"raw\\n"', 'b"bytes"', 'f"x"', '"esc\\tape"', '"\\x41\\101\\u00e9"', '"unknown \\q"',
  '"""triple"""', "'''t'''", '"unterminated', '"a" # comment', '1 # comment', 'foo # comment',
  '[1, 2]', '[1, 2,]', '[]', '[1, [2, [3]]]', '[1, 2', '(1, 2)', '(1,)', '()', '(1)', '1, 2', '1,', '{}', '{"a": 1}',
  "{'a': [1, {'b': None}]}", '{1: "x", None: 3, 2.5: 4}', '{"a": 1,}', '{a: 1}', '{"a"}', 'set()', '[1, x]', '{**a}',
  '[True, False, None, -1, 2.5, "s"]', '1 if 2 else 3', 'a.b', '[1][0]', 'é', '"é"', '1 2',
];

describe('pythonLiteral (Ansible INI value typing)', () => {
  it('agrees with Python ast.literal_eval on every sample', async () => {
    // Python prints, per input, the JSON of the value Ansible would keep (the input itself when literal_eval fails).
    const script = `
import ast, json, sys, warnings
warnings.simplefilter("ignore")
out = []
for s in json.load(sys.stdin):
    try:
        v = ast.literal_eval(s)
        if isinstance(v, bytes): v = v.decode()
        if isinstance(v, complex): v = s
        if isinstance(v, (set, tuple)): v = list(v)
        json.dumps(v)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        v = s
    out.append(v)
print(json.dumps(out))
`;
    const expected = JSON.parse(await run('python3', ['-c', script], { input: JSON.stringify(INPUTS) })) as unknown[];
    const ours = INPUTS.map((s) => pythonLiteral(s));
    for (const [i, s] of INPUTS.entries()) expect(ours[i], `input ${JSON.stringify(s)}`).toEqual(expected[i]);
  });

  it('types integers and keeps non-literals as the original string', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1_000_000, max: 1_000_000 }), (n) => pythonLiteral(String(n)) === n),
    );
    fc.assert(fc.property(fc.stringMatching(/^[a-z][a-z_]{0,10}$/), (s) => ['True', 'False', 'None'].includes(s) || pythonLiteral(s) === s));
  });
});
