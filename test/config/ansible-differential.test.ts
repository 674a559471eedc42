/**
 * Differential test against the real `ansible-inventory` (Debian ansible-core 2.14): for generated inventories
 * covering INI and YAML, nested children, ranges, typed INI values, YAML 1.1 scalars, group_vars/host_vars (files,
 * directories, extension-less, JSON), group priority and depth conflicts and directory inventories, our merged
 * host variables and group membership must equal what Ansible computes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostVars, loadInventory, type LoadedInventory } from '../../src/config/index.js';
import { ansibleInventory, writeTree, type TempTree } from './fixtures.js';

interface Case {
  name: string;
  files: Record<string, string>;
  /** Path of the inventory inside the tree (a file or a directory). */
  inventory: string;
  /** Hosts to also check with `--host`: the implicit localhost is only there (--list omits it). */
  hosts?: string[];
}


/** A deterministic pseudo-random lab: a DAG of groups with priorities, hosts in several groups, conflicts at every level. */
function generatedLab(seed: number): Record<string, string> {
  let state = seed;
  const rnd = (n: number): number => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state % n;
  };
  const values = ['1', '"2"', "'three'", 'True', 'yes', '4.10', '[1, 2]', "{'k': 'v'}", 'None', '0x1F', 'a#b', '"x y"', '-7', '01'];
  const hostValues = values.filter((v) => !v.includes(' ')); // a host line splits words on spaces
  const groups = Array.from({ length: 12 }, (_, i) => `g${i}`);
  const lines: string[] = ['[all:vars]', 'x=all', `typed_all=${values[rnd(values.length)]}`];
  const files: Record<string, string> = {};
  for (const g of groups) lines.push(`[${g}]`); // declare every group (an INI child group must be declared)
  for (let i = 1; i < groups.length; i++) {
    // parents have a lower index: no cycles, but several depths and diamonds
    const parents = new Set([rnd(i), rnd(i)]);
    for (const p of parents) lines.push(`[g${p}:children]`, `g${i}`);
  }
  const hosts = Array.from({ length: 30 }, (_, i) => `node-${String(i).padStart(2, '0')}`);
  for (const h of hosts) {
    const n = 1 + rnd(3);
    for (let k = 0; k < n; k++) {
      const g = groups[rnd(groups.length)];
      const vars = rnd(3) === 0 ? ` x=host-${h} t=${hostValues[rnd(hostValues.length)]}` : '';
      lines.push(`[${g}]`, `${h}${vars}`);
    }
  }
  for (const g of groups) {
    lines.push(`[${g}:vars]`, `x=${g}`, `only_${g}=${values[rnd(values.length)]}`);
    if (rnd(3) === 0) lines.push(`ansible_group_priority=${1 + rnd(3)}`);
    if (rnd(2) === 0) files[`group_vars/${g}.yml`] = `x: gv-${g}\nz: gv-${g}\n`;
  }
  files['group_vars/all.yml'] = 'z: gv-all\nx: gv-all\n';
  for (const h of hosts) if (rnd(4) === 0) files[`host_vars/${h}.yml`] = `x: hv-${h}\n`;
  files['lab.ini'] = lines.join('\n') + '\n';
  return files;
}

const CASES: Case[] = [
  {
    name: 'INI: nested children, depth precedence, host line beats group vars',
    inventory: 'hosts.ini',
    files: {
      'hosts.ini': `# lab
ungrouped-host who=ungrouped
[dc:children]
rack1
rack2
[rack1:children]
masters
[rack2]
worker-a
[masters]
m0 who=host-line
m1
[dc:vars]
who=dc
level=dc
only_dc=1
[rack1:vars]
who=rack1
level=rack1
[masters:vars]
level=masters
[all:vars]
who=all
level=all
only_all=yes
`,
    },
  },
  {
    name: 'INI: Ansible value typing on host lines and in :vars',
    inventory: 'typed',
    files: {
      typed: `h1 a=1 b="2" c='x y' d=True e=true f=1.5 g=[1,2] h={'a':1} i=01 j=0x1F k=1_000 l=None m= n=a#b
h2 o="a b" p=1e3 q=(1,2) r=-5 t="'q'" u=1+2 v=4.10 x='{"a": [1, {"b": null}]}' y=-0x10 z=.5 aa=5. cc=a\\ b dd="a\\"b" ee='a\\b' gg=ä port=5000 pw="s3cr=t"
[g]
h1
[g:vars]
va=1
vb="2"
vc='x y'
vd=True
ve = true
vf=1 # comment
vg=foo # comment
vh=[1, 2
vi={"x": [1,2]}
vj=yes
vk="a" "b"
vl=1,2
vm=   spaced
vn=False
vo=0o17
vp=0b101
vq=1e-3
vr=-1.5e+2
vs=u'unicode'
vt=r'raw\\n'
vu="esc\\tape"
`,
    },
  },
  {
    name: 'INI: host ranges, strides, letters, zero padding, ports',
    inventory: 'ranges.ini',
    files: {
      'ranges.ini': `worker-[0:2] role=worker
node[01:10:3]
db-[a:c]-x
r[1:2]-[a:b]
web[1:2]:2222 ansible_user=core
my_host:2200
10.0.0.5:2201
[fe80::1]:2202
fe80::2
[edge]
edge[08:10] zone=edge
[edge:vars]
tier=edge
`,
    },
  },
  {
    name: 'YAML: nested children, hosts in several groups, host vars set twice',
    inventory: 'inv.yml',
    files: {
      'inv.yml': `all:
  vars:
    who: all
    level: all
  hosts:
    lonely:
      who: lonely
  children:
    cluster:
      vars:
        who: cluster
      children:
        masters:
          vars:
            level: masters
          hosts:
            m0:
              ansible_host: 10.0.0.10
              who: m0
            m1:
        workers:
          hosts:
            w0:
              ansible_port: 2222
            m1:
              extra: from-workers
    infra:
      hosts:
        w0:
          ansible_host: 10.0.0.20
      vars:
        level: infra
`,
    },
  },
  {
    name: 'YAML 1.1 scalars as PyYAML reads them, anchors and merge keys',
    inventory: 'types.yaml',
    files: {
      'types.yaml': `all:
  hosts:
    h1:
      y_letter: y
      n_letter: n
      yes_word: yes
      No_word: No
      on_word: on
      OFF_word: OFF
      true_word: true
      octal: 0755
      sexagesimal: 1:30
      exp_no_dot: 1e3
      exp_dot: 1.5e+3
      date: 2001-12-14
      not_octal: 08
      o_prefix: 0o17
      hex: 0x1F
      underscore: 1_000
      float_one: 1.0
      tilde: ~
      empty:
      null_word: Null
      quoted: "yes"
      mac_digits: 52:54:00:11:22:33
      mac_letters: "52:54:00:aa:bb:cc"
      folded: >
        folded
        text
      literal: |
        line1
        line2
      base: &base
        a: 1
        b: 2
      merged:
        <<: *base
        b: 3
      alias: *base
      list: [1, "two", {three: 3}]
      explicit_str: !!str 123
      explicit_int: !!int "42"
      vaulted: !vault |
        $ANSIBLE_VAULT;1.1;AES256
        6231336539666234306139346433616338376437376461363365363430623138
`,
    },
  },
  {
    name: 'group_vars/host_vars: files, directories, extension-less, JSON, first match only',
    inventory: 'hosts',
    hosts: ['localhost'],
    files: {
      hosts: `[web]
h1 inline=host-line
h2
[db]
h3
[web:vars]
from=inventory-web
surprise=inventory-web-vars
`,
      'group_vars/all/00-base.yml': 'from: gv-all-dir\nbase_only: 1\nlist: [a, b]\n# group_vars/all beats [web:vars] in Ansible\nsurprise: gv-all\n',
      'group_vars/all/10-more.yaml': 'from: gv-all-dir-later\n',
      'group_vars/all/notes.txt': 'ignored: true\n',
      'group_vars/all/.hidden.yml': 'hidden: true\n',
      'group_vars/all.yml': 'shadowed_by_dir: true\n',
      'group_vars/web': 'from: gv-web-noext\nweb_only: yes\n',
      'group_vars/web.yml': 'shadowed: true\n',
      'group_vars/db.json': '{"from": "gv-db-json", "port": 5432}\n',
      'host_vars/h1.yml': 'from: hv-h1\ninline: host_vars-wins\n',
      'host_vars/h2/a.yml': 'from: hv-h2-a\n',
      'host_vars/h2/sub/b.yml': 'from: hv-h2-sub-b\nnested: true\n',
      'host_vars/localhost.yml': 'for_localhost: 1\n',
    },
  },
  {
    name: 'ansible_group_priority and alphabetical order at the same depth',
    inventory: 'prio.ini',
    files: {
      'prio.ini': `[alpha]
h1
h2
h3
[beta]
h1
h2
[gamma]
h2
h3
[alpha:vars]
who=alpha
ansible_group_priority=10
[beta:vars]
who=beta
[gamma:vars]
who=gamma
`,
      'group_vars/beta.yml': 'gv: beta\n',
      'group_vars/alpha.yml': 'gv: alpha\n',
      'group_vars/gamma.yml': 'gv: gamma\n',
    },
  },
  {
    name: 'directory inventory: YAML + extension-less INI, .ini ignored, group_vars inside',
    inventory: 'invdir',
    files: {
      'invdir/01-hosts.yml': `all:
  children:
    apps:
      hosts:
        a1:
        a2:
      vars:
        tier: yaml
`,
      'invdir/02-more': `[apps]
a3 tier=ini-host
[dbs]
d1
[apps:vars]
tier=ini
`,
      'invdir/ignored.ini': '[ghosts]\nghost1\n',
      'invdir/README.md': '# not an inventory\n',
      'invdir/group_vars/apps.yml': 'gv_apps: true\n',
      'invdir/host_vars/d1.yml': 'hv_d1: 1\n',
    },
  },
  {
    name: 'implicit localhost gets group all vars only',
    inventory: 'local.yml',
    hosts: ['localhost'],
    files: {
      'local.yml': `all:
  vars:
    everyone: yes
  children:
    servers:
      hosts:
        srv:
      vars:
        servers_only: 1
`,
      'group_vars/all.yml': 'from_group_vars_all: 1\n',
      'group_vars/servers.yml': 'gv_servers: 1\n',
    },
  },
  {
    name: 'generated lab: group DAG, priorities, several groups per host, conflicts at every level (seed 7)',
    inventory: 'lab.ini',
    files: generatedLab(7),
  },
  {
    name: 'generated lab (seed 2026)',
    inventory: 'lab.ini',
    files: generatedLab(2026),
  },
];

function sortedList(v: unknown): string[] {
  return Array.isArray(v) ? [...(v as string[])].sort() : [];
}

/** Ansible's --list output: group → {hosts, children}; hostvars under _meta. */
function membership(list: Record<string, { hosts?: string[]; children?: string[] }>): Record<string, { hosts: string[]; children: string[] }> {
  const out: Record<string, { hosts: string[]; children: string[] }> = {};
  for (const [g, body] of Object.entries(list)) {
    if (g === '_meta') continue;
    const hosts = sortedList(body.hosts);
    const children = sortedList(body.children);
    if (hosts.length || children.length) out[g] = { hosts, children };
  }
  return out;
}

function ourMembership(inv: LoadedInventory): Record<string, { hosts: string[]; children: string[] }> {
  const out: Record<string, { hosts: string[]; children: string[] }> = {};
  for (const g of Object.values(inv.groups)) {
    const hosts = g.name === 'all' ? [] : [...g.hosts].sort();
    const children = [...g.children].sort();
    if (hosts.length || children.length) out[g.name] = { hosts, children };
  }
  return out;
}

describe('inventories: same result as ansible-inventory', () => {
  const trees: TempTree[] = [];
  const results = new Map<string, { tree: TempTree; list: Record<string, unknown>; hostOut: Record<string, unknown> }>();

  beforeAll(async () => {
    // Run Ansible for every case up front, two at a time (2 cores), so the assertions below are cheap.
    const queue = [...CASES];
    const worker = async (): Promise<void> => {
      for (let c = queue.shift(); c; c = queue.shift()) {
        const tree = await writeTree(c.files, 'dci-diff-');
        trees.push(tree);
        const list = (await ansibleInventory(['-i', tree.path(c.inventory), '--list'], tree.dir)) as Record<string, unknown>;
        const hostOut: Record<string, unknown> = {};
        for (const h of c.hosts ?? []) hostOut[h] = await ansibleInventory(['-i', tree.path(c.inventory), '--host', h], tree.dir);
        results.set(c.name, { tree, list, hostOut });
      }
    };
    await Promise.all([worker(), worker()]);
  }, 120_000);

  afterAll(async () => {
    await Promise.all(trees.map((t) => t.cleanup()));
  });

  it('covers at least 8 inventories', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(8);
  });

  for (const c of CASES) {
    it(c.name, async () => {
      const r = results.get(c.name)!;
      const inv = await loadInventory(r.tree.path(c.inventory));
      const theirs = (r.list._meta as { hostvars: Record<string, Record<string, unknown>> }).hostvars;
      const ours: Record<string, Record<string, unknown>> = {};
      for (const h of Object.keys(inv.hosts)) ours[h] = hostVars(inv, h);
      // Ansible omits hosts without variables from _meta.hostvars.
      for (const h of Object.keys(ours)) if (Object.keys(ours[h]).length === 0 && !(h in theirs)) delete ours[h];
      expect(ours).toEqual(theirs);
      expect(ourMembership(inv)).toEqual(membership(r.list as Record<string, { hosts?: string[]; children?: string[] }>));
      for (const [h, expected] of Object.entries(r.hostOut)) {
        const mine = hostVars(inv, h);
        const exp = { ...(expected as Record<string, unknown>) };
        // The implicit localhost's interpreter is the Python running Ansible: not ours to know.
        if (h === 'localhost' && inv.implicitLocalhost) delete exp.ansible_python_interpreter;
        expect(mine, `--host ${h}`).toEqual(exp);
      }
    });
  }
});
