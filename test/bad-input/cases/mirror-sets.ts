import type { BadInputCase } from '../case.js';

const IDMS = (entry: string): string => `apiVersion: config.openshift.io/v1\nkind: ImageDigestMirrorSet\nmetadata:\n  name: x\nspec:\n  imageDigestMirrors:\n${entry}`;
const OK_MAP = { 'map.txt': 'quay.io/a/b:1=reg.local:5000/a/b:1\n' };
const render = (...more: string[]): string[] => ['mirror-sets', 'render', '--mapping', 'map.txt', '--version', '4.16', '--out', 'out', ...more];

export const MIRROR_SETS_CASES: BadInputCase[] = [
  { name: 'render: mapping line without =', files: { 'map.txt': 'quay.io/a/b:1=reg.local/a/b:1\nquay.io/a/c:1\n' }, args: render(), code: 2, file: 'map.txt', line: 2, says: /source=destination/, absent: ['out'] },
  { name: 'render: mapping line with an empty destination', files: { 'map.txt': 'quay.io/a/b:1=\n' }, args: render(), code: 2, file: 'map.txt', line: 1, says: /destination/, absent: ['out'] },
  { name: 'render: YAML entry with a non-string destination', files: { 'map.yaml': '- source: quay.io/a/b\n  destination: 12\n' }, args: ['mirror-sets', 'render', '--mapping', 'map.yaml', '--version', '4.16', '--out', 'out'], code: 2, file: 'map.yaml', says: /entry 1 needs string "source".*"destination"/, absent: ['out'] },
  { name: 'render: JSON entry without destination', files: { 'map.json': '[{"source": "quay.io/a/b"}]' }, args: ['mirror-sets', 'render', '--mapping', 'map.json', '--version', '4.16', '--out', 'out'], code: 2, file: 'map.json', says: /entry 1 needs string/, absent: ['out'] },
  { name: 'render: mapping file missing', files: {}, args: render(), code: 2, file: 'map.txt', says: /cannot read mapping file/, absent: ['out'] },
  { name: 'render: --version not a version', files: OK_MAP, args: ['mirror-sets', 'render', '--mapping', 'map.txt', '--version', 'banana', '--out', 'out'], code: 2, file: null, says: /give a version such as 4.14/, absent: ['out'] },
  { name: 'render: --kind unknown', files: OK_MAP, args: render('--kind', 'foo'), code: 2, file: null, says: /use auto, idms, icsp or itms/, absent: ['out'] },
  { name: 'render: --scope unknown', files: OK_MAP, args: render('--scope', 'weird'), code: 2, file: null, says: /use auto or repository/, absent: ['out'] },
  { name: 'render: --ca-file missing', files: OK_MAP, args: render('--ca-file', 'ca.pem'), code: 2, file: 'ca.pem', says: /cannot read --ca-file/, absent: ['out'] },
  { name: 'render: --ca-file not PEM', files: { ...OK_MAP, 'ca.pem': 'not a pem\n' }, args: render('--ca-file', 'ca.pem'), code: 2, file: 'ca.pem', says: /not a PEM certificate/, absent: ['out'] },
  { name: 'registries-conf: mirrors not a list', files: { 'idms.yaml': IDMS('  - source: quay.io/a\n    mirrors: "notalist"\n') }, args: ['mirror-sets', 'registries-conf', 'idms.yaml'], code: 2, file: 'idms.yaml', says: /mirrors must be a list of strings/ },
  { name: 'registries-conf: not a mirror set', files: { 'cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n' }, args: ['mirror-sets', 'registries-conf', 'cm.yaml'], code: 2, file: 'cm.yaml', says: /expected an ImageDigestMirrorSet.*found kind "ConfigMap"/ },
  { name: 'registries-conf: YAML error', files: { 'idms.yaml': 'kind: ImageDigestMirrorSet\nspec: [\n' }, args: ['mirror-sets', 'registries-conf', 'idms.yaml'], code: 2, file: 'idms.yaml', line: 3, says: /not valid YAML/ },
  { name: 'registries-conf: source with a space', files: { 'idms.yaml': IDMS('  - source: "quay.io/a b"\n    mirrors: [reg.local/a]\n') }, args: ['mirror-sets', 'registries-conf', 'idms.yaml'], code: 2, file: 'idms.yaml', says: /invalid format for source/ },
  { name: 'registries-conf: file missing', files: {}, args: ['mirror-sets', 'registries-conf', 'idms.yaml'], code: 2, file: 'idms.yaml', says: /cannot read mirror-set file/ },
  { name: 'migrate-icsp: entry without source', files: { 'icsp.yaml': 'apiVersion: operator.openshift.io/v1alpha1\nkind: ImageContentSourcePolicy\nmetadata:\n  name: x\nspec:\n  repositoryDigestMirrors:\n  - mirrors: [reg.local/a]\n' }, args: ['mirror-sets', 'migrate-icsp', 'icsp.yaml'], code: 2, file: 'icsp.yaml', says: /source is missing/ },
  { name: 'migrate-icsp: not an ICSP', files: { 'cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n' }, args: ['mirror-sets', 'migrate-icsp', 'cm.yaml'], code: 2, file: 'cm.yaml', says: /only ImageContentSourcePolicy/ },
  { name: 'resolve: --sets with a bad entry', files: { 'idms.yaml': IDMS('  - source: quay.io/a\n    mirrors: 5\n') }, args: ['mirror-sets', 'resolve', 'quay.io/a/b:1', '--sets', 'idms.yaml'], code: 2, file: 'idms.yaml', says: /mirrors must be a list/ },
];
