/** add_host: add a host (and groups, variables) to the in-memory inventory; the executor applies `add_host`. */
import { z } from 'zod';
import type { Module } from '../engine/types.js';
import { str, strList } from './lib/args.js';
import { fail } from './lib/result.js';

const Args = z
  .object({
    name: str.optional(),
    hostname: str.optional(),
    host: str.optional(),
    groups: strList.optional(),
    groupname: strList.optional(),
    group: strList.optional(),
  })
  .catchall(z.unknown());
type Args = z.infer<typeof Args>;

export const addHost: Module<Args> = {
  name: 'add_host',
  aliases: ['ansible.builtin.add_host', 'ansible.legacy.add_host'],
  args: Args,
  checkMode: true,
  controllerOnly: true,
  async run(args) {
    const { name, hostname, host, groups, groupname, group, ...vars } = args;
    const hostName = name ?? hostname ?? host;
    if (!hostName) return fail('name (or hostname/host) is required');
    // `name: host:port` sets ansible_port like Ansible's parse_address.
    const m = /^([^:[\]]+):(\d+)$/.exec(hostName) ?? /^\[([^\]]+)\]:(\d+)$/.exec(hostName);
    const hostVars: Record<string, unknown> = { ...vars };
    const finalName = m ? m[1] : hostName;
    if (m) hostVars.ansible_port = Number(m[2]);
    // Ansible reports add_host as changed.
    return { changed: true, failed: false, add_host: { host_name: finalName, groups: groups ?? groupname ?? group ?? [], host_vars: hostVars } };
  },
};
