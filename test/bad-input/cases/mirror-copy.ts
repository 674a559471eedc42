/** `mirror copy` inputs: mapping files, pull secrets (--auth), CA bundles, OCI layouts/archives as sources. */
import type { BadInputCase } from '../case.js';

// 127.0.0.1:1 refuses connections: the copy fails fast without any network.
const DEAD = '127.0.0.1:1';

export const MIRROR_COPY_CASES: BadInputCase[] = [
  { name: 'copy: mapping line without =', files: { 'map.txt': 'quay.io/a/b:1=reg.local/a/b:1\nquay.io/a/c:1\n' }, args: ['mirror', 'copy', '--mapping', 'map.txt'], code: 2, file: 'map.txt', line: 2, says: /expected SOURCE=DESTINATION/ },
  { name: 'copy: YAML given as a mapping file', files: { 'map.yaml': '- source: quay.io/a/b\n  destination: reg.local/a/b\n' }, args: ['mirror', 'copy', '--mapping', 'map.yaml'], code: 2, file: 'map.yaml', line: 1, says: /expected SOURCE=DESTINATION/ },
  { name: 'copy: unsupported transport', files: {}, args: ['mirror', 'copy', '--from', 'nonsense://x', '--to', 'oci:out'], code: 2, file: null, says: /use docker:\/\/host\/repo/, absent: ['out'] },
  { name: 'copy: --ca file missing', files: {}, args: ['mirror', 'copy', '--from', `docker://${DEAD}/a/b:1`, '--to', 'oci:out:x', '--ca', 'ca.pem'], code: 2, file: 'ca.pem', says: /does not exist/, absent: ['out'] },
  { name: 'copy: --platform malformed', files: {}, args: ['mirror', 'copy', '--from', `docker://${DEAD}/a/b:1`, '--to', 'oci:out:x', '--platform', 'weird/x/y/z'], code: 2, file: null, says: /write os\/arch/, absent: ['out'] },
  { name: 'copy: --auth file missing', files: {}, args: ['mirror', 'copy', '--from', `docker://${DEAD}/a/b:1`, '--to', 'oci:out:x', '--plain-http', DEAD, '--auth', 'auth.json'], code: 2, file: 'auth.json', says: /auth/, absent: ['out'], timeoutMs: 30_000 },
  { name: 'copy: --auth truncated JSON', files: { 'auth.json': '{"auths": ' }, args: ['mirror', 'copy', '--from', `docker://${DEAD}/a/b:1`, '--to', 'oci:out:x', '--plain-http', DEAD, '--auth', 'auth.json'], code: 2, file: 'auth.json', says: /JSON/, absent: ['out'], timeoutMs: 30_000 },
  { name: 'copy: OCI layout without index.json', files: { 'src/oci-layout': '{"imageLayoutVersion":"1.0.0"}' }, args: ['mirror', 'copy', '--from', 'oci:src:x', '--to', 'oci:out:x'], code: 1, file: 'src', says: /no image "x"/, absent: ['out'] },
  { name: 'copy: OCI layout with a broken index.json', files: { 'src/oci-layout': '{"imageLayoutVersion":"1.0.0"}', 'src/index.json': '{bad' }, args: ['mirror', 'copy', '--from', 'oci:src:x', '--to', 'oci:out:x'], code: 1, file: 'src/index.json', says: /not a valid OCI index/, absent: ['out'] },
  { name: 'copy: oci-archive that is not a tar', files: { 'bad.tar': 'not a tar' }, args: ['mirror', 'copy', '--from', 'oci-archive:bad.tar:x', '--to', 'oci:out:x'], code: 1, file: 'bad.tar', says: /has no index.json/, absent: ['out'] },
  { name: 'copy: source directory is not an OCI layout', files: { 'src/readme': 'x' }, args: ['mirror', 'copy', '--from', 'oci:src:x', '--to', 'oci-archive:out.tar:x'], code: 1, file: 'src', says: /not an OCI image layout/, absent: ['out.tar'] },
];
