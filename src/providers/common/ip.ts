/**
 * IP addresses and CIDR networks as install-config needs them checked: family, network address, membership.
 * node:net validates the addresses; the arithmetic is BigInt over the address bits (IPv4 and IPv6 alike).
 */
import { isIP } from 'node:net';

export type IpFamily = 4 | 6;

export interface Cidr {
  family: IpFamily;
  /** The text as given. */
  text: string;
  prefix: number;
  /** The network address of the text (`192.168.10.0` of `192.168.10.7/24`). */
  network: string;
  bits: bigint;
}

function v4Bits(a: string): bigint {
  return a.split('.').reduce((acc, o) => (acc << 8n) + BigInt(Number(o)), 0n);
}

function v6Bits(a: string): bigint {
  let s = a;
  if (s.includes('.')) {
    // An embedded IPv4 tail (::ffff:192.0.2.1) is two groups.
    const i = s.lastIndexOf(':');
    const v4 = v4Bits(s.slice(i + 1));
    s = `${s.slice(0, i)}:${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const [head, tail] = s.split('::');
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  return groups.reduce((acc, g) => (acc << 16n) + BigInt(parseInt(g || '0', 16)), 0n);
}

function format(family: IpFamily, b: bigint): string {
  if (family === 4) return [24n, 16n, 8n, 0n].map((s) => String((b >> s) & 255n)).join('.');
  const groups = Array.from({ length: 8 }, (_x, i) => Number((b >> BigInt(112 - 16 * i)) & 0xffffn));
  // RFC 5952: the longest run (2+) of zero groups becomes "::".
  let best = -1;
  let len = 0;
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > len && j - i > 1) [best, len] = [i, j - i];
    i = j === i ? i + 1 : j;
  }
  const hex = groups.map((g) => g.toString(16));
  return best < 0 ? hex.join(':') : `${hex.slice(0, best).join(':')}::${hex.slice(best + len).join(':')}`;
}

const width = (f: IpFamily): bigint => (f === 4 ? 32n : 128n);
const maskOf = (f: IpFamily, prefix: number): bigint => ((1n << width(f)) - 1n) ^ ((1n << (width(f) - BigInt(prefix))) - 1n);

/** The family of an IP address (no prefix), or undefined. */
export function ipFamily(value: string): IpFamily | undefined {
  const v = isIP(value.trim());
  return v === 4 || v === 6 ? v : undefined;
}

/** `addr/prefix` parsed, or undefined when it is not one. */
export function parseCidr(value: string): Cidr | undefined {
  const text = value.trim();
  const m = /^([^/]+)\/(\d{1,3})$/.exec(text);
  if (!m) return undefined;
  const family = ipFamily(m[1]);
  const prefix = Number(m[2]);
  if (!family || prefix > Number(width(family))) return undefined;
  const bits = (family === 4 ? v4Bits(m[1]) : v6Bits(m[1])) & maskOf(family, prefix);
  return { family, text, prefix, network: format(family, bits), bits };
}

/** Whether `cidr` is written with its network address (the installer refuses `192.168.10.7/24`). */
export function isNetworkAddress(cidr: Cidr): boolean {
  const addr = cidr.text.split('/')[0];
  return (cidr.family === 4 ? v4Bits(addr) : v6Bits(addr)) === cidr.bits;
}

/** Whether the address `ip` lies in the network. */
export function contains(cidr: Cidr, ip: string): boolean {
  const family = ipFamily(ip);
  if (family !== cidr.family) return false;
  return ((family === 4 ? v4Bits(ip.trim()) : v6Bits(ip.trim())) & maskOf(family, cidr.prefix)) === cidr.bits;
}

/** Numeric order of two addresses of the same family. */
export function compareIp(a: string, b: string): number {
  const f = ipFamily(a) ?? 4;
  const x = f === 4 ? v4Bits(a.trim()) : v6Bits(a.trim());
  const y = f === 4 ? v4Bits(b.trim()) : v6Bits(b.trim());
  return x < y ? -1 : x > y ? 1 : 0;
}
