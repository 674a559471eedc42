/**
 * The basics of ansible.utils' ipaddr family (which needs Python's netaddr): validate and take apart IPv4/IPv6
 * addresses and networks. `ipaddr(query)` returns the value (or the part asked for) or False when it is not an
 * address; lists are filtered.
 */
import { addressBits, formatIpAddress, inNetwork, netmask, networkOf, parseIpNetwork, type IpNetwork } from '../../../core/ip-address.js';
import type { FilterFn } from '../context.js';
import { PyError, str } from '../py.js';
import { param } from '../kwargs.js';

/** A string or number that reads as an address or network (see parseIpNetwork), else undefined. */
function parseIp(v: unknown): IpNetwork | undefined {
  return typeof v === 'string' || typeof v === 'number' ? parseIpNetwork(String(v).trim()) : undefined;
}

const PRIVATE = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7', 'fe80::/10', '127.0.0.0/8', '::1/128', '169.254.0.0/16'].flatMap((n) => parseIpNetwork(n) ?? []);

/** The number of addresses of the network (2^host bits). */
const sizeOf = (p: IpNetwork): bigint => 1n << BigInt(addressBits(p.family) - p.prefix);

function query(p: IpNetwork, raw: string, q: string): unknown {
  const fmt = (value: bigint): string => formatIpAddress(p.family, value);
  const net = networkOf(p);
  const size = sizeOf(p);
  // netaddr has no broadcast address for IPv6 or /31-/32 networks: their network address is a host address.
  const isHost = p.value !== net || p.family === 6 || p.prefix >= addressBits(p.family) - 1;
  const isPrivate = PRIVATE.some((n) => inNetwork(n, p));
  switch (q) {
    case '':
      return raw.trim();
    case 'address':
    case 'ip':
      return isHost ? fmt(p.value) : null;
    case 'host':
      return isHost ? `${fmt(p.value)}/${p.prefix}` : null;
    case 'network':
      return fmt(net);
    case 'net':
      return p.value === net ? `${fmt(net)}/${p.prefix}` : false;
    case 'cidr':
    case 'subnet':
      return `${fmt(net)}/${p.prefix}`;
    case 'netmask':
      return fmt(netmask(p.family, p.prefix));
    case 'hostmask':
      return fmt(size - 1n);
    case 'prefix':
      return p.prefix;
    case 'broadcast':
      return p.family === 4 && p.prefix < 31 ? fmt(net + size - 1n) : null;
    case 'size':
      return Number(size);
    case 'version':
      return p.family;
    case 'ipv4':
      return p.family === 4 ? raw.trim() : false;
    case 'ipv6':
      return p.family === 6 ? raw.trim() : false;
    case 'private':
      return isPrivate ? raw.trim() : false;
    case 'public':
      return isPrivate ? false : raw.trim();
    case 'host/prefix':
    case 'address/prefix':
      return p.hasPrefix && p.value !== net ? `${fmt(p.value)}/${p.prefix}` : false;
    case 'network/prefix':
      return `${fmt(net)}/${p.prefix}`;
    case 'wrap':
      return p.family === 6 ? `[${raw.trim()}]` : raw.trim();
    default:
      if (/^-?\d+$/.test(q)) {
        const n = BigInt(q);
        return `${fmt(n >= 0n ? net + n : net + size + n)}/${p.prefix}`;
      }
      throw new PyError(`ipaddr: unknown filter type: ${q}`);
  }
}

function ipFilter(family: 0 | 4 | 6): FilterFn {
  const one = (v: unknown, q: string): unknown => {
    const p = parseIp(v);
    if (!p || (family !== 0 && p.family !== family)) return false;
    return query(p, str(v), q);
  };
  return (_ctx, v, c) => {
    const q = String(param(c, 0, 'query', ''));
    if (Array.isArray(v)) return v.map((x) => one(x, q)).filter((x) => x !== false && x !== null);
    if (v === true || v === false || v === null || v === '') return false;
    return one(v, q);
  };
}

export const IP_FILTERS: Record<string, FilterFn> = {
  /** nthhost(n): the n-th address of a network (negative counts from the end). */
  nthhost: (_ctx, v, c) => {
    const p = parseIp(v);
    if (!p) return false;
    const n = BigInt(Number(param(c, 0, 'query', 0)));
    const size = sizeOf(p);
    if (n >= size || -n > size) return false;
    return formatIpAddress(p.family, n >= 0n ? networkOf(p) + n : networkOf(p) + size + n);
  },
  ipaddr: ipFilter(0),
  ipv4: ipFilter(4),
  ipv6: ipFilter(6),
  ipwrap: (_ctx, v) => {
    const wrap = (x: unknown): unknown => {
      const p = parseIp(x);
      if (!p || p.family !== 6) return x;
      const text = str(x).trim();
      return p.hasPrefix ? `[${text.split('/')[0]}]/${p.prefix}` : `[${text}]`;
    };
    return Array.isArray(v) ? v.map(wrap) : wrap(v);
  },
};
