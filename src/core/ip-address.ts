/**
 * IPv4 and IPv6 addresses as numbers: an address is its family and its bits as one unsigned integer, so masks,
 * containment and order are the same bigint arithmetic for both families. node:net decides what is an address
 * (dotted quads without leading zeros; IPv6 with `::`, an embedded IPv4 tail, a `%zone` that is ignored here).
 * Nothing is trimmed: what text around an address a caller accepts is the caller's grammar.
 */
import { isIP } from 'node:net';

export type IpFamily = 4 | 6;

export interface IpAddress {
  family: IpFamily;
  /** The address as an unsigned integer of 32 (IPv4) or 128 (IPv6) bits. */
  value: bigint;
}

/** An address and a prefix length: `192.168.10.7/24` keeps its host bits (.7); `networkOf` drops them. */
export interface IpNetwork extends IpAddress {
  prefix: number;
  /** Whether a prefix was written: a lone address is a network of one (/32, /128). */
  hasPrefix: boolean;
}

/** The number of bits of an address of the family. */
export const addressBits = (family: IpFamily): number => (family === 4 ? 32 : 128);

function v4Value(text: string): bigint {
  return text.split('.').reduce((acc, octet) => (acc << 8n) + BigInt(Number(octet)), 0n);
}

function v6Value(text: string): bigint {
  let s = text.split('%')[0];
  if (s.includes('.')) {
    // An embedded IPv4 tail (::ffff:192.0.2.1) is the last two groups.
    const i = s.lastIndexOf(':');
    const v4 = v4Value(s.slice(i + 1));
    s = `${s.slice(0, i)}:${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const [head, tail] = s.split('::');
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  return groups.reduce((acc, g) => (acc << 16n) + BigInt(parseInt(g, 16)), 0n);
}

/** An address without a prefix, or undefined when node:net does not take the text for one. */
export function parseIpAddress(text: string): IpAddress | undefined {
  const family = isIP(text);
  if (family === 4) return { family, value: v4Value(text) };
  if (family === 6) return { family, value: v6Value(text) };
  return undefined;
}

/** The length of an IPv4 netmask (255.255.254.0 is 23), or undefined when its ones are not contiguous. */
function netmaskLength(text: string): number | undefined {
  if (isIP(text) !== 4) return undefined;
  const ones = v4Value(text).toString(2).padStart(32, '0').replace(/0+$/, '');
  return ones.includes('0') ? undefined : ones.length;
}

/**
 * `address`, `address/length`, or for IPv4 `address/netmask` (as netaddr reads them), or undefined when it is none
 * of these or the length is longer than the address.
 */
export function parseIpNetwork(text: string): IpNetwork | undefined {
  const [addr, length, extra] = text.split('/');
  if (extra !== undefined) return undefined;
  const a = parseIpAddress(addr);
  if (!a) return undefined;
  if (length === undefined) return { ...a, prefix: addressBits(a.family), hasPrefix: false };
  const prefix = /^\d+$/.test(length) ? Number(length) : a.family === 4 ? netmaskLength(length) : undefined;
  if (prefix === undefined || prefix > addressBits(a.family)) return undefined;
  return { ...a, prefix, hasPrefix: true };
}

/** The text of an address: dotted quad, or IPv6 in RFC 5952 form (lower case, longest run of 2+ zero groups as `::`). */
export function formatIpAddress(family: IpFamily, value: bigint): string {
  if (family === 4) return [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 0xffn)).join('.');
  const groups = Array.from({ length: 8 }, (_x, i) => Number((value >> BigInt(112 - 16 * i)) & 0xffffn));
  let best = -1;
  let bestLength = 0;
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength && j - i > 1) [best, bestLength] = [i, j - i];
    i = j === i ? i + 1 : j;
  }
  const hex = groups.map((g) => g.toString(16));
  return best < 0 ? hex.join(':') : `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLength).join(':')}`;
}

/** The netmask of a prefix length as a number (/24 of IPv4 is 0xffffff00). */
export function netmask(family: IpFamily, prefix: number): bigint {
  const width = BigInt(addressBits(family));
  return ((1n << width) - 1n) ^ ((1n << (width - BigInt(prefix))) - 1n);
}

/** The network address of a network, as a number (192.168.10.0 of 192.168.10.7/24). */
export function networkOf(network: IpNetwork): bigint {
  return network.value & netmask(network.family, network.prefix);
}

/** Whether the address lies in the network (never across families). */
export function inNetwork(network: IpNetwork, address: IpAddress): boolean {
  return address.family === network.family && (address.value & netmask(network.family, network.prefix)) === networkOf(network);
}

/** Numeric order of two addresses, IPv4 before IPv6. */
export function compareIpAddresses(a: IpAddress, b: IpAddress): number {
  if (a.family !== b.family) return a.family - b.family;
  return a.value < b.value ? -1 : a.value > b.value ? 1 : 0;
}
