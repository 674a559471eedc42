/**
 * The one IP address module (providers' install-config checks and the ipaddr template filters both read addresses
 * through it). The expected values are what the two former copies computed for the same text, except where noted.
 */
import { describe, expect, it } from 'vitest';
import { compareIpAddresses, formatIpAddress, inNetwork, netmask, networkOf, parseIpAddress, parseIpNetwork, type IpAddress, type IpNetwork } from '../../src/core/ip-address.js';

const addr = (text: string): IpAddress => {
  const a = parseIpAddress(text);
  if (!a) throw new Error(`test setup: ${text} is not an address`);
  return a;
};
const net = (text: string): IpNetwork => {
  const n = parseIpNetwork(text);
  if (!n) throw new Error(`test setup: ${text} is not a network`);
  return n;
};
const round = (text: string): string => formatIpAddress(addr(text).family, addr(text).value);

describe('parseIpAddress', () => {
  it('reads IPv4 and IPv6 addresses as numbers', { timeout: 5_000 }, () => {
    expect(parseIpAddress('10.1.2.3')).toEqual({ family: 4, value: 0x0a010203n });
    expect(parseIpAddress('255.255.255.255')).toEqual({ family: 4, value: 0xffffffffn });
    expect(parseIpAddress('::')).toEqual({ family: 6, value: 0n });
    expect(parseIpAddress('::1')).toEqual({ family: 6, value: 1n });
    expect(parseIpAddress('1::')).toEqual({ family: 6, value: 1n << 112n });
    expect(parseIpAddress('FE80::ABCD')).toEqual(parseIpAddress('fe80::abcd'));
  });

  it('gives zero-compressed and full forms the same value', { timeout: 5_000 }, () => {
    expect(addr('2001:db8::1').value).toBe(addr('2001:0db8:0000:0000:0000:0000:0000:0001').value);
    expect(addr('1:2:3:4:5:6:7::').value).toBe(addr('1:2:3:4:5:6:7:0').value);
    expect(addr('::2:3:4:5:6:7:8').value).toBe(addr('0:2:3:4:5:6:7:8').value);
    expect(addr('0:0:0:0:0:0:0:0').value).toBe(0n);
  });

  it('reads an embedded IPv4 tail (IPv4-mapped and compatible IPv6) as the last two groups', { timeout: 5_000 }, () => {
    expect(parseIpAddress('::ffff:192.0.2.1')).toEqual({ family: 6, value: 0xffffc0000201n });
    expect(addr('::ffff:192.0.2.1').value).toBe(addr('::ffff:c000:201').value);
    expect(addr('::1.2.3.4').value).toBe(0x01020304n);
    expect(addr('1:2:3:4:5:6:1.2.3.4').value).toBe(addr('1:2:3:4:5:6:102:304').value);
  });

  it('ignores an IPv6 zone (the former copies crashed on fe80::%eth0 with a RangeError)', { timeout: 5_000 }, () => {
    expect(addr('fe80::1%eth0').value).toBe(addr('fe80::1').value);
    expect(addr('fe80::%eth0').value).toBe(addr('fe80::').value);
  });

  it('refuses what is not one address: leading zeros in IPv4, 5-digit or doubled :: in IPv6, a prefix, spaces', { timeout: 5_000 }, () => {
    for (const bad of ['010.0.0.1', '1.2.3.04', '::ffff:010.1.1.1', '300.1.1.1', '1.2.3', '00001::1', '1::2::3', '1:2:3:4:5:6:7:8:9', 'fe80::g', '10.0.0.1/24', ' 10.0.0.1', '10.0.0.1 ', '', 'x']) {
      expect(parseIpAddress(bad), bad).toBeUndefined();
    }
    // Up to four hex digits per group, leading zeros included, is IPv6.
    expect(addr('0001::1').value).toBe(addr('1::1').value);
  });
});

describe('parseIpNetwork', () => {
  it('keeps the host bits of the address; networkOf clears them', { timeout: 5_000 }, () => {
    const n = net('192.168.10.7/24');
    expect(n).toEqual({ family: 4, value: 0xc0a80a07n, prefix: 24, hasPrefix: true });
    expect(formatIpAddress(4, networkOf(n))).toBe('192.168.10.0');
    expect(formatIpAddress(6, networkOf(net('fd2e:6f44:5dd8:c956::40/64')))).toBe('fd2e:6f44:5dd8:c956::');
    expect(networkOf(net('192.168.10.0/24'))).toBe(net('192.168.10.0/24').value);
  });

  it('reads a lone address as a network of one', { timeout: 5_000 }, () => {
    expect(parseIpNetwork('10.0.0.1')).toEqual({ family: 4, value: 0x0a000001n, prefix: 32, hasPrefix: false });
    expect(parseIpNetwork('::')).toEqual({ family: 6, value: 0n, prefix: 128, hasPrefix: false });
  });

  // The length as read (undefined: refused): 0 to the address width, leading zeros allowed; for IPv4 also a netmask
  // (as netaddr reads it), but not a hostmask or a mask with holes; no mask form for IPv6.
  it.each([
    ['0.0.0.0/0', 0],
    ['10.0.0.1/32', 32],
    ['::/128', 128],
    ['10.0.0.0/024', 24],
    ['10.0.0.0/33', undefined],
    ['10.0.0.0/128', undefined],
    ['fd00::/129', undefined],
    ['10.0.0.0/255.255.254.0', 23],
    ['10.0.0.0/255.255.255.255', 32],
    ['10.0.0.0/0.0.0.0', 0],
    ['10.0.0.0/255.0.255.0', undefined],
    ['10.0.0.0/0.0.0.255', undefined],
    ['fe80::/ffff::', undefined],
  ])('length of %s: %s', { timeout: 5_000 }, (text, prefix) => {
    expect(parseIpNetwork(text)?.prefix).toBe(prefix);
  });

  it('refuses an empty or second length, a bad address and spaces', { timeout: 5_000 }, () => {
    for (const bad of ['10.0.0.1/', '10.0.0.1/24/1', '10.0.0.1/x', '10.0.0.1/-1', '10.0.0.1 /24', ' 10.0.0.1/24', '300.0.0.0/8', '/24', '']) {
      expect(parseIpNetwork(bad), bad).toBeUndefined();
    }
  });
});

describe('formatIpAddress', () => {
  it('writes IPv4 as a dotted quad', { timeout: 5_000 }, () => {
    expect(formatIpAddress(4, 0n)).toBe('0.0.0.0');
    expect(formatIpAddress(4, 0xffffffffn)).toBe('255.255.255.255');
    expect(round('172.22.0.10')).toBe('172.22.0.10');
  });

  it('writes IPv6 in RFC 5952 form: lower case, no leading zeros, the longest (first on a tie) run of 2+ zero groups as ::', { timeout: 5_000 }, () => {
    expect(round('2001:0DB8:0000:0000:0000:0000:0000:0001')).toBe('2001:db8::1');
    expect(formatIpAddress(6, 0n)).toBe('::');
    expect(round('::1')).toBe('::1');
    expect(round('1:0:0:0:0:0:0:0')).toBe('1::');
    expect(round('2001:db8:0:1:1:1:1:1')).toBe('2001:db8:0:1:1:1:1:1');
    expect(round('1:0:0:1:0:0:0:1')).toBe('1:0:0:1::1');
    expect(round('1:0:0:1:0:0:1:1')).toBe('1::1:0:0:1:1');
  });

  it('writes an IPv4-mapped address in hex groups (netaddr would write ::ffff:192.0.2.1; the former copies did not)', { timeout: 5_000 }, () => {
    expect(round('::ffff:192.0.2.1')).toBe('::ffff:c000:201');
  });
});

describe('netmask, inNetwork, compareIpAddresses', () => {
  it('builds netmasks of any length', { timeout: 5_000 }, () => {
    expect(netmask(4, 24)).toBe(0xffffff00n);
    expect(netmask(4, 0)).toBe(0n);
    expect(netmask(4, 32)).toBe(0xffffffffn);
    expect(formatIpAddress(6, netmask(6, 64))).toBe('ffff:ffff:ffff:ffff::');
    expect(netmask(6, 128)).toBe((1n << 128n) - 1n);
  });

  it('finds addresses inside a network, whether or not it was written with host bits', { timeout: 5_000 }, () => {
    expect(inNetwork(net('172.22.0.0/21'), addr('172.22.7.255'))).toBe(true);
    expect(inNetwork(net('172.22.0.0/21'), addr('172.22.8.0'))).toBe(false);
    expect(inNetwork(net('192.168.10.7/24'), addr('192.168.10.200'))).toBe(true);
    expect(inNetwork(net('fd00:1101::/64'), addr('fd00:1101::ff'))).toBe(true);
    expect(inNetwork(net('fd00:1101::/64'), addr('fd00:1102::ff'))).toBe(false);
    expect(inNetwork(net('10.0.0.1'), addr('10.0.0.1'))).toBe(true);
  });

  it('never matches across families, IPv4-mapped IPv6 included', { timeout: 5_000 }, () => {
    expect(inNetwork(net('10.0.0.0/8'), addr('::ffff:10.0.0.1'))).toBe(false);
    expect(inNetwork(net('0.0.0.0/0'), addr('::'))).toBe(false);
    expect(inNetwork(net('::/0'), addr('1.2.3.4'))).toBe(false);
    expect(inNetwork(net('::ffff:0.0.0.0/96'), addr('::ffff:1.2.3.4'))).toBe(true);
  });

  it('orders by number, not by text; IPv4 before IPv6', { timeout: 5_000 }, () => {
    expect(compareIpAddresses(addr('10.0.0.9'), addr('10.0.0.10'))).toBe(-1);
    expect(compareIpAddresses(addr('fd00:1101::ff'), addr('fd00:1101::a'))).toBe(1);
    expect(compareIpAddresses(addr('2001:db8::1'), addr('2001:0db8:0:0:0:0:0:1'))).toBe(0);
    expect(compareIpAddresses(addr('255.255.255.255'), addr('::'))).toBeLessThan(0);
  });
});
