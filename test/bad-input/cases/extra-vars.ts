import type { BadInputCase } from '../case.js';

const INV = { 'lab.yml': 'all:\n  vars:\n    install_type: sno\n' };

export const EXTRA_VARS_CASES: BadInputCase[] = [
  { name: '-e @file missing', files: INV, args: ['validate', '-i', 'lab.yml', '-e', '@missing.yml'], code: 2, file: 'missing.yml', says: /not found/ },
  { name: '-e @file YAML error', files: { ...INV, 'ev.yml': 'install_type: sno\n  cluster: x\n' }, args: ['validate', '-i', 'lab.yml', '-e', '@ev.yml'], code: 2, file: 'ev.yml', line: 2, says: /invalid YAML/ },
  { name: '-e @file truncated JSON', files: { ...INV, 'ev.json': '{"auths": ' }, args: ['validate', '-i', 'lab.yml', '-e', '@ev.json'], code: 2, file: 'ev.json', line: 1, says: /invalid YAML/ },
  { name: '-e @file holding a list', files: { ...INV, 'ev.json': '[1, 2]' }, args: ['validate', '-i', 'lab.yml', '-e', '@ev.json'], code: 2, file: 'ev.json', says: /must be a mapping/ },
  { name: '-e inline flow mapping unclosed', files: INV, args: ['validate', '-i', 'lab.yml', '-e', '{bad'], code: 2, file: null, says: /-e argument #1.*invalid YAML/ },
  { name: '-e overriding a setting with a bad value', files: INV, args: ['validate', '-i', 'lab.yml', '-e', 'local_registry_port=abc'], code: 2, file: null, says: /local_registry_port: expected a port number/ },
];
