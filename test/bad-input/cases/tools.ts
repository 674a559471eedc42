/** DCI credentials files, systemd install, run records. */
import type { BadInputCase } from '../case.js';

const INV = { 'lab.yml': 'all:\n  vars:\n    install_type: sno\n    cluster: c\n' };

export const TOOL_CASES: BadInputCase[] = [
  { name: 'dci whoami: env file incomplete', files: { 'dci.env': 'DCI_CLIENT_ID remoteci/abc\n' }, args: ['dci', 'whoami', '--env-file', 'dci.env'], code: 2, file: 'dci.env', says: /DCI_API_SECRET are missing/ },
  { name: 'dci whoami: env file missing', files: {}, args: ['dci', 'whoami', '--env-file', 'dci.env'], code: 2, file: 'dci.env', says: /cannot read the DCI env file/ },
  { name: 'dci whoami: DCI_CS_URL not a URL', files: { 'dci.env': 'DCI_CLIENT_ID=remoteci/abc\nDCI_API_SECRET=x\nDCI_CS_URL=not a url\n' }, args: ['dci', 'whoami', '--env-file', 'dci.env'], code: 2, file: 'dci.env', says: /not an http\(s\) URL/ },
  { name: 'systemd install: inventory missing', files: {}, args: ['systemd', 'install', '-i', 'lab.yml', '--unit-dir', 'units'], code: 2, file: 'lab.yml', says: /does not exist/, absent: ['units'] },
  { name: 'systemd install: env file missing', files: INV, args: ['systemd', 'install', '-i', 'lab.yml', '--env-file', 'dci.env', '--unit-dir', 'units'], code: 2, file: 'dci.env', says: /does not exist/, absent: ['units'] },
  { name: 'systemd install: OnCalendar nonsense', files: INV, args: ['systemd', 'install', '-i', 'lab.yml', '--on-calendar', 'every full moon', '--unit-dir', 'units'], code: 2, file: null, says: /OnCalendar|calendar/, absent: ['units'] },
  { name: 'systemd install: env file without credentials', files: { ...INV, 'dci.env': 'DCI_CLIENT_ID remoteci/abc\n' }, args: ['systemd', 'install', '-i', 'lab.yml', '--env-file', 'dci.env', '--unit-dir', 'units'], code: 2, file: 'dci.env', says: /DCI_API_SECRET/, absent: ['units'] },
  { name: 'runs show: unknown run id', files: {}, args: ['runs', 'show', 'nope', '--state-dir', 'state'], code: 2, file: 'state/runs', says: /runs list/ },
];
