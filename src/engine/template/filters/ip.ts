/**
 * The basics of ansible.utils' ipaddr family (which needs Python's netaddr): validate and take apart IPv4/IPv6
 * addresses and networks. `ipaddr(query)` returns the value (or the part asked for) or False when it is not an
 * address; lists are filtered.
 */
import { isIP } from 'node:net';
import type { FilterFn } from '../context.js';
import { PyError, str } from '../py.js';
import { param } from '../kwargs.js';

interface Parsed {
  version: 4 | 6;
  addr: string;
  prefix: number;
  hasPrefix: boolean;
  bits: bigint;
}

function v4ToBig(a: string): bigint {
  return a.split('.').reduce((acc, o) => (acc << 8n) + BigInt(Number(o)), 0n);
}

function bigToV4(b: bigint): string {
  return [24n, 16n, 8n, 0n].map((s) => String((b >> s) & 255n)).join('.');
}

function v6ToBig(a: string): bigint {
  let s = a;
  if (s.includes('.')) {
    const i = s.lastIndexOf(':');
    const v4 = v4ToBig(s.slice(i + 1));
    s = `${s.slice(0, i)}:${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const [head, tail] = s.split('::');
  const h = head ? head.split(':') : [];
  const t = tail !== undefined && tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  return groups.reduce((acc, g) => (acc << 16n) + BigInt(parseInt(g || '0', 16)), 0n);
}

function bigToV6(b: bigint): string {
  const groups = Array.from({ length: 8 }, (_x, i) => Number((b >> BigInt(112 - 16 * i)) & 0xffffn));
  // Compress the longest run of zero groups (RFC 5952).
  let best = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i > 1) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}

export function parseIp(v: unknown): Parsed | undefined {
  if (typeof v !== 'string' && typeof v !== 'number') return undefined;
  const s = String(v).trim();
  const [addr, pfx, extra] = s.split('/');
  if (extra !== undefined) return undefined;
  const version = isIP(addr);
  if (version !== 4 && version !== 6) return undefined;
  const max = version === 4 ? 32 : 128;
  let prefix = max;
  if (pfx !== undefined) {
    if (/^\d+$/.test(pfx)) prefix = Number(pfx);
    else if (version === 4 && isIP(pfx) === 4) {
      const m = v4ToBig(pfx);
      prefix = m.toString(2).replace(/0+$/, '').length;
      if (m !== 0n && !/^1+0*$/.test(m.toString(2).padStart(32, '0'))) return undefined;
    } else return undefined;
    if (prefix > max) return undefined;
  }
  const bits = version === 4 ? v4ToBig(addr) : v6ToBig(addr);
  return { version, addr, prefix, hasPrefix: pfx !== undefined, bits };
}

function fmt(p: Parsed, b: bigint): string {
  return p.version === 4 ? bigToV4(b) : bigToV6(b);
}

function mask(p: Parsed): bigint {
  const max = BigInt(p.version === 4 ? 32 : 128);
  return ((1n << max) - 1n) ^ ((1n << (max - BigInt(p.prefix))) - 1n);
}

const PRIVATE = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7', 'fe80::/10', '127.0.0.0/8', '::1/128', '169.254.0.0/16'];

function inNet(p: Parsed, net: string): boolean {
  const n = parseIp(net);
  if (!n || n.version !== p.version) return false;
  return (p.bits & mask(n)) === (n.bits & mask(n));
}

function query(p: Parsed, raw: string, q: string): unknown {
  const net = p.bits & mask(p);
  const max = p.version === 4 ? 32 : 128;
  const size = 1n << BigInt(max - p.prefix);
  switch (q) {
    case '':
      return raw.trim();
    // netaddr has no broadcast address for IPv6 or /31-/32 networks: their network address is a host address.
    case 'address':
    case 'ip':
      return p.bits !== net || p.version === 6 || p.prefix >= max - 1 ? fmt(p, p.bits) : null;
    case 'host':
      return p.bits !== net || p.version === 6 || p.prefix >= max - 1 ? `${fmt(p, p.bits)}/${p.prefix}` : null;
    case 'network':
      return fmt(p, net);
    case 'net':
      return p.bits === net ? `${fmt(p, net)}/${p.prefix}` : false;
    case 'cidr':
    case 'subnet':
      return `${fmt(p, net)}/${p.prefix}`;
    case 'netmask':
      return fmt(p, mask(p));
    case 'hostmask':
      return fmt(p, size - 1n);
    case 'prefix':
      return p.prefix;
    case 'broadcast':
      return p.version === 4 && p.prefix < 31 ? fmt(p, net + size - 1n) : null;
    case 'size':
      return Number(size);
    case 'version':
      return p.version;
    case 'ipv4':
      return p.version === 4 ? raw.trim() : false;
    case 'ipv6':
      return p.version === 6 ? raw.trim() : false;
    case 'private':
      return PRIVATE.some((n) => inNet(p, n)) ? raw.trim() : false;
    case 'public':
      return PRIVATE.some((n) => inNet(p, n)) ? false : raw.trim();
    case 'host/prefix':
    case 'address/prefix':
      return p.hasPrefix && p.bits !== net ? `${fmt(p, p.bits)}/${p.prefix}` : false;
    case 'network/prefix':
      return `${fmt(p, net)}/${p.prefix}`;
    case 'wrap':
      return p.version === 6 ? `[${raw.trim()}]` : raw.trim();
    default:
      if (/^-?\d+$/.test(q)) {
        const n = BigInt(q);
        const b = n >= 0n ? net + n : net + size + n;
        return `${fmt(p, b)}/${p.prefix}`;
      }
      throw new PyError(`ipaddr: unknown filter type: ${q}`);
  }
}

function ipFilter(version: 0 | 4 | 6): FilterFn {
  const one = (v: unknown, q: string): unknown => {
    const p = parseIp(v);
    if (!p || (version !== 0 && p.version !== version)) return false;
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
    const max = p.version === 4 ? 32 : 128;
    const size = 1n << BigInt(max - p.prefix);
    const net = p.bits & mask(p);
    if (n >= size || -n > size) return false;
    return fmt(p, n >= 0n ? net + n : net + size + n);
  },
  ipaddr: ipFilter(0),
  ipv4: ipFilter(4),
  ipv6: ipFilter(6),
  ipwrap: (_ctx, v) => {
    const wrap = (x: unknown): unknown => {
      const p = parseIp(x);
      return p && p.version === 6 ? (p.hasPrefix ? `[${p.addr}]/${p.prefix}` : `[${str(x).trim()}]`) : x;
    };
    return Array.isArray(v) ? v.map(wrap) : wrap(v);
  },
};
