import { describe, expect, it } from 'vitest';
import {
  SubnetError,
  classifyNetwork,
  formatCidr,
  formatIpv4,
  hostAddresses,
  hostCount,
  networkContains,
  networkOf,
  parseCidr,
  parseIpv4,
  prefixFromNetmask,
  sweepPolicy,
} from '../main/core/discovery/subnet.js';

describe('IPv4 addresses and ranges', () => {
  it('round-trips addresses through their integer form', () => {
    for (const address of ['0.0.0.0', '10.1.2.3', '192.168.1.255', '255.255.255.255']) {
      const value = parseIpv4(address);
      expect(value).not.toBeNull();
      expect(formatIpv4(value ?? -1)).toBe(address);
    }
    expect(parseIpv4('255.255.255.255')).toBe(0xffffffff);
  });

  it.each(['256.1.1.1', '1.2.3', '1.2.3.4.5', '01.2.3.4', 'a.b.c.d', '', '1.2.3.-4'])('refuses the address %j', (text) => {
    expect(parseIpv4(text)).toBeNull();
  });

  it('parses and formats CIDR ranges, clearing host bits', () => {
    expect(formatCidr(parseCidr('192.168.1.0/24'))).toBe('192.168.1.0/24');
    expect(formatCidr(parseCidr(' 192.168.1.77/24 '))).toBe('192.168.1.0/24');
    expect(formatCidr(parseCidr('10.213.7.9/26'))).toBe('10.213.7.0/26');
    expect(formatCidr(parseCidr('10.0.0.5/32'))).toBe('10.0.0.5/32');
    expect(formatCidr(parseCidr('0.0.0.0/0'))).toBe('0.0.0.0/0');
  });

  it.each([
    ['192.168.1.0', /address\/prefix/],
    ['192.168.1.0/33', /prefix length/],
    ['192.168.300.0/24', /not a valid IPv4 address/],
    ['fd00::/64', /IPv6 networks are far too large/],
  ])('refuses the range %j with a message', (text, message) => {
    expect(() => parseCidr(text)).toThrow(SubnetError);
    expect(() => parseCidr(text)).toThrow(message);
  });

  it('turns netmasks into prefix lengths and refuses holes', () => {
    expect(prefixFromNetmask('255.255.255.0')).toBe(24);
    expect(prefixFromNetmask('255.255.252.0')).toBe(22);
    expect(prefixFromNetmask('255.255.255.192')).toBe(26);
    expect(prefixFromNetmask('255.255.255.255')).toBe(32);
    expect(prefixFromNetmask('0.0.0.0')).toBe(0);
    expect(() => prefixFromNetmask('255.0.255.0')).toThrow(/contiguous/);
  });

  it('finds the network from the real netmask, not the first three octets', () => {
    expect(formatCidr(networkOf('10.0.5.9', '255.255.252.0'))).toBe('10.0.4.0/22');
    expect(formatCidr(networkOf('192.168.1.200', '255.255.255.128'))).toBe('192.168.1.128/25');
    expect(formatCidr(networkOf('172.17.3.4', '255.255.0.0'))).toBe('172.17.0.0/16');
  });

  it('knows which addresses a range contains', () => {
    const network = parseCidr('10.0.4.0/22');
    expect(networkContains(network, '10.0.7.255')).toBe(true);
    expect(networkContains(network, '10.0.8.0')).toBe(false);
    expect(networkContains(network, 'not an address')).toBe(false);
  });
});

describe('the addresses a sweep probes', () => {
  it('leaves out the network and broadcast addresses', () => {
    const hosts = hostAddresses(parseCidr('192.168.1.0/24'));
    expect(hosts).toHaveLength(254);
    expect(hosts[0]).toBe('192.168.1.1');
    expect(hosts.at(-1)).toBe('192.168.1.254');
    expect(hostCount(parseCidr('192.168.1.0/24'))).toBe(254);
  });

  it('lists a /26 from .1 to .62', () => {
    const hosts = hostAddresses(parseCidr('10.213.7.0/26'));
    expect(hosts).toHaveLength(62);
    expect([hosts[0], hosts.at(-1)]).toEqual(['10.213.7.1', '10.213.7.62']);
  });

  it('keeps both addresses of a /31 point-to-point link and the one of a /32', () => {
    expect(hostAddresses(parseCidr('10.0.0.4/31'))).toEqual(['10.0.0.4', '10.0.0.5']);
    expect(hostAddresses(parseCidr('10.0.0.5/32'))).toEqual(['10.0.0.5']);
    expect(hostCount(parseCidr('10.0.0.4/31'))).toBe(2);
    expect(hostCount(parseCidr('10.0.0.5/32'))).toBe(1);
  });

  it('lists a /22 across its octet boundaries', () => {
    const hosts = hostAddresses(parseCidr('10.0.4.0/22'));
    expect(hosts).toHaveLength(1022);
    expect(hosts).toContain('10.0.5.0');
    expect(hosts).toContain('10.0.6.255');
    expect(hosts).not.toContain('10.0.7.255');
  });
});

describe('what kind of range a network is', () => {
  it.each([
    ['10.1.2.0/24', 'private'],
    ['172.16.0.0/12', 'private'],
    ['172.31.255.0/24', 'private'],
    ['192.168.1.0/24', 'private'],
    ['172.32.0.0/24', 'public'],
    ['8.8.8.0/24', 'public'],
    ['192.0.2.0/24', 'reserved'],
    ['198.18.0.0/24', 'reserved'],
    ['100.64.0.0/24', 'reserved'],
    ['127.0.0.0/29', 'loopback'],
    ['169.254.1.0/24', 'link-local'],
    ['224.0.0.0/24', 'not-unicast'],
    ['240.0.0.0/24', 'not-unicast'],
  ])('%s is %s', (cidr, kind) => {
    expect(classifyNetwork(parseCidr(cidr)).kind).toBe(kind);
  });
});

describe('the sweep policy', () => {
  it('sweeps a private /24 or smaller on its own, and says so', () => {
    const decision = sweepPolicy(parseCidr('192.168.1.0/24'), { named: false, where: 'on en0' });
    expect(decision).toEqual({ sweep: true, note: 'sweeping 192.168.1.0/24 on en0 (254 addresses), a private network' });
    expect(sweepPolicy(parseCidr('10.213.7.0/26'), { named: false }).sweep).toBe(true);
  });

  it('sweeps a private /23 or /22 only when --subnet names it', () => {
    const unnamed = sweepPolicy(parseCidr('10.0.4.0/22'), { named: false, where: 'on wlan0' });
    expect(unnamed.sweep).toBe(false);
    expect(unnamed.note).toBe(
      'not sweeping 10.0.4.0/22 on wlan0: its 1,022 addresses are more than a /24 holds; name it with --subnet 10.0.4.0/22 to sweep it',
    );
    expect(sweepPolicy(parseCidr('10.0.4.0/23'), { named: false }).sweep).toBe(false);
    const named = sweepPolicy(parseCidr('10.0.4.0/22'), { named: true });
    expect(named).toEqual({ sweep: true, note: 'sweeping 10.0.4.0/22 (1,022 addresses) because --subnet names it' });
  });

  it('sweeps a reserved or public range only when --subnet names it', () => {
    expect(sweepPolicy(parseCidr('192.0.2.0/24'), { named: false }).note).toBe(
      'not sweeping 192.0.2.0/24: it is a reserved range (documentation, TEST-NET-1); name it with --subnet 192.0.2.0/24 to sweep it',
    );
    expect(sweepPolicy(parseCidr('198.18.0.0/24'), { named: false, where: 'on eth0' }).sweep).toBe(false);
    expect(sweepPolicy(parseCidr('8.8.8.0/24'), { named: false }).note).toMatch(/public range, which is probably not yours/);
    const named = sweepPolicy(parseCidr('192.0.2.0/24'), { named: true });
    expect(named.sweep).toBe(true);
    expect(named.note).toBe(
      'sweeping 192.0.2.0/24 (254 addresses), a reserved range (documentation, TEST-NET-1), because --subnet names it',
    );
  });

  it('refuses anything larger than a /22 even when named, suggesting the /24 around this machine', () => {
    const decision = sweepPolicy(parseCidr('172.17.0.0/16'), { named: true, ownAddress: '172.17.3.4' });
    expect(decision.sweep).toBe(false);
    expect(decision.note).toBe(
      'not sweeping 172.17.0.0/16: its 65,534 addresses are too many to probe one at a time (the limit is a /22); ' +
        'name a smaller part of it with --subnet, e.g. --subnet 172.17.3.0/24',
    );
    expect(sweepPolicy(parseCidr('10.0.0.0/21'), { named: true }).sweep).toBe(false);
  });

  it('never sweeps multicast or unusable ranges', () => {
    const decision = sweepPolicy(parseCidr('224.0.0.0/24'), { named: true });
    expect(decision.sweep).toBe(false);
    expect(decision.note).toMatch(/multicast/);
  });

  it('sweeps a loopback range named for a test', () => {
    expect(sweepPolicy(parseCidr('127.0.0.0/29'), { named: true }).sweep).toBe(true);
    expect(sweepPolicy(parseCidr('127.0.0.0/29'), { named: false }).sweep).toBe(false);
  });
});
