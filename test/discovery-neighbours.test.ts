import { describe, expect, it } from 'vitest';
import { neighboursIn, parseLinuxArp, parseMacArp, readNeighbours } from '../main/core/discovery/neighbours.js';
import { parseCidr } from '../main/core/discovery/subnet.js';
import { fixture } from './fixtures/discovery/fake-network.js';

describe('the Linux ARP cache', () => {
  it('keeps only complete entries (flags with 0x2), skipping incomplete ones', () => {
    const entries = parseLinuxArp(fixture('linux-proc-net-arp.txt'));
    expect(entries.map((entry) => entry.address)).toEqual([
      '192.168.1.40',
      '192.168.1.1',
      '172.17.0.2',
      '192.168.1.12',
      '10.0.0.9',
      '192.168.1.40',
    ]);
    expect(entries[0]).toEqual({ address: '192.168.1.40', mac: '3c:22:fb:12:34:56', device: 'eth0' });
  });

  it('restricts neighbours to the swept network, once each, in address order', () => {
    const entries = parseLinuxArp(fixture('linux-proc-net-arp.txt'));
    expect(neighboursIn(entries, parseCidr('192.168.1.0/24'))).toEqual(['192.168.1.1', '192.168.1.12', '192.168.1.40']);
    expect(neighboursIn(entries, parseCidr('10.213.7.0/26'))).toEqual([]);
  });
});

describe('the macOS ARP cache (`arp -an`)', () => {
  it('reads entries with short MAC octets and skips "(incomplete)"', () => {
    const entries = parseMacArp(fixture('macos-arp-an.txt'));
    expect(entries.map((entry) => entry.address)).not.toContain('192.168.1.41');
    expect(entries[0]).toEqual({ address: '192.168.1.1', mac: 'a4:91:b1:c:22:e0', device: 'en0' });
  });

  it('leaves out the broadcast, multicast and other networks when restricted to the subnet', () => {
    const entries = parseMacArp(fixture('macos-arp-an.txt'));
    expect(neighboursIn(entries, parseCidr('192.168.1.0/24'))).toEqual(['192.168.1.1', '192.168.1.12', '192.168.1.40']);
  });

  it('never counts the network or broadcast address of the subnet', () => {
    const entries = [
      { address: '10.0.0.0', mac: '11:22:33:44:55:66', device: 'en0' },
      { address: '10.0.0.63', mac: '11:22:33:44:55:67', device: 'en0' },
      { address: '10.0.0.62', mac: '11:22:33:44:55:68', device: 'en0' },
    ];
    expect(neighboursIn(entries, parseCidr('10.0.0.0/26'))).toEqual(['10.0.0.62']);
  });
});

describe('reading the neighbour table', () => {
  it('reads /proc/net/arp on Linux and runs `arp -an` on macOS', async () => {
    const calls: string[] = [];
    const deps = {
      readFile: async (file: string) => {
        calls.push(file);
        return fixture('linux-proc-net-arp.txt');
      },
      exec: async (file: string, args: string[]) => {
        calls.push([file, ...args].join(' '));
        return fixture('macos-arp-an.txt');
      },
    };
    expect(await readNeighbours('linux', deps)).toHaveLength(6);
    expect(await readNeighbours('darwin', deps)).toHaveLength(7);
    expect(await readNeighbours('win32', deps)).toEqual([]);
    expect(calls).toEqual(['/proc/net/arp', '/usr/sbin/arp -an']);
  });
});
