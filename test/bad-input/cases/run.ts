/** Bad inputs reaching `dci-agent-ts run`: hook files, pull secrets, run options (an sno lab in plan mode). */
import type { BadInputCase } from '../case.js';

const LAB = `all:
  vars:
    cluster: e2e
    domain: lab.example
    install_type: sno
    ocp_version: "4.16.3"
    dci_install_mode: plan
    dci_cluster_configs_dir: "{dir}/cc"
    dci_config_dirs: ["{dir}/cfg"]
  hosts:
    localhost:
      ansible_connection: local
  children:
    masters:
      hosts:
        sno-0:
          ipmi_address: 192.0.2.10
          ipmi_user: admin
          ipmi_password: bmc-Secret-1
          baremetal_mac: "52:54:00:00:00:10"
`;
const NO_DCI = { DCI_CLIENT_ID: undefined, DCI_API_SECRET: undefined, DCI_CS_URL: undefined, DCI_AGENT_TS_STATE_DIR: '{dir}/state' };
const runArgs = (...more: string[]): string[] => ['run', '-i', 'lab.yml', '--output', 'plain', '--state-dir', '{dir}/state', ...more];

const hook = (name: string, content: string, says: RegExp, extra: Partial<BadInputCase> = {}): BadInputCase => ({
  name: `run: hook ${name}`,
  files: { 'lab.yml': LAB, 'cfg/hooks/pre-run.yml': content },
  args: runArgs(),
  env: NO_DCI,
  code: 1,
  file: 'cfg/hooks/pre-run.yml',
  says,
  timeoutMs: 60_000,
  ...extra,
});

const pullSecret = (name: string, content: string | null, says: RegExp, extra: Partial<BadInputCase> = {}): BadInputCase => ({
  name: `run: pull secret ${name}`,
  files: { 'lab.yml': LAB, ...(content === null ? {} : { 'ps.json': content }) },
  args: runArgs('-e', 'pullsecret_file={dir}/ps.json'),
  env: NO_DCI,
  code: 1,
  file: 'ps.json',
  says,
  // the merged pull secret is never left behind from a failed merge
  absent: ['cc/pull-secret.json'],
  timeoutMs: 60_000,
  ...extra,
});

export const RUN_CASES: BadInputCase[] = [
  hook('with a YAML syntax error', '- name: x\n  debug: msg=1\n   bad: indent\n', /YAML syntax error/, { line: 3 }),
  hook('that is a mapping', 'name: x\ndebug: msg=1\n', /must hold a YAML list/),
  hook('with an unknown module', '- name: x\n  nosuch_mod: {a: 1}\n', /unknown module or keyword `nosuch_mod`/, { line: 1 }),
  hook('with an unknown filter', '- debug:\n    msg: "{{ 1 | nosuchfilter }}"\n', /no filter named 'nosuchfilter'/, { line: 1 }),
  pullSecret('file truncated', '{"auths": ', /not valid JSON/),
  pullSecret('file missing', null, /does not exist/),
  pullSecret('auth not base64', '{"auths": {"quay.io": {"auth": "!!!"}}}', /not base64/),
  pullSecret('entry not an object', '{"foo": 1}', /must be an object like \{"auth"/),
  { ...pullSecret('openshift_secret not JSON', null, /openshift_secret is not valid JSON/), args: runArgs('-e', '{"openshift_secret": "{not json"}'), file: 'openshift_secret' },
  { name: 'run: --stages unknown', files: { 'lab.yml': LAB }, args: runArgs('--stages', 'bogus'), env: NO_DCI, code: 2, file: null, says: /unknown stage "bogus" \(known stages: pre-run/, absent: ['state/runs'] },
  { name: 'run: --start-at unknown', files: { 'lab.yml': LAB }, args: runArgs('--start-at', 'deploy'), env: NO_DCI, code: 2, file: null, says: /unknown stage "deploy"/, absent: ['state/runs'] },
  { name: 'run: --output unknown', files: { 'lab.yml': LAB }, args: runArgs('--output', 'fancy'), env: NO_DCI, code: 2, file: null, says: /--output must be tty, plain or jsonl/, absent: ['state/runs'] },
  { name: 'run: --env-file with incomplete credentials', files: { 'lab.yml': LAB, 'dci.env': 'DCI_CLIENT_ID remoteci/abc\n' }, args: runArgs('--env-file', 'dci.env'), env: NO_DCI, code: 2, file: 'dci.env', says: /DCI_CLIENT_ID and DCI_API_SECRET are missing/, absent: ['state/runs'] },
  { name: 'run: bad setting in the inventory', files: { 'lab.yml': LAB.replace('install_type: sno', 'install_type: upi') }, args: runArgs(), env: NO_DCI, code: 2, file: 'lab.yml', line: 5, says: /unknown install type "upi"/, absent: ['state/runs'] },
];
