import { describe, expect, it } from 'vitest';
import {
  chooseNetwork,
  isVirtualInterface,
  localAddresses,
  parseLinuxRoute,
  parseMacRoute,
  readDefaultRoute,
} from '../main/core/discovery/interfaces.js';
import { formatCidr } from '../main/core/discovery/subnet.js';
import { fixture, interfacesFixture } from './fixtures/discovery/fake-network.js';

const linux = interfacesFixture('linux-interfaces.json');
const macos = interfacesFixture('macos-interfaces.json');

describe('the default route', () => {
  it('reads Linux /proc/net/route, preferring the lowest metric', () => {
    expect(parseLinuxRoute(fixture('linux-proc-net-route.txt'))).toEqual({ interface: 'eth0', gateway: '192.168.1.1' });
  });

  it('reads the gateway in big-endian byte order when the machine is big-endian', () => {
    const text = 'Iface\tDestination\tGateway\tFlags\tRefCnt\tUse\tMetric\tMask\tMTU\tWindow\tIRTT\neth0\t00000000\tC0A80101\t0003\t0\t0\t0\t00000000\t0\t0\t0\n';
    expect(parseLinuxRoute(text, 'BE')).toEqual({ interface: 'eth0', gateway: '192.168.1.1' });
  });

  it('takes a Linux default route without a gateway (a WireGuard tunnel) as it is', () => {
    expect(parseLinuxRoute(fixture('linux-proc-net-route-wireguard.txt'))).toEqual({ interface: 'wg0', gateway: null });
  });

  it('finds no Linux default route when there is none', () => {
    expect(parseLinuxRoute(fixture('linux-proc-net-route-no-default.txt'))).toBeNull();
    expect(parseLinuxRoute('')).toBeNull();
  });

  it('reads macOS `route -n get default`', () => {
    expect(parseMacRoute(fixture('macos-route-get-default.txt'))).toEqual({ interface: 'en0', gateway: '192.168.1.1' });
    expect(parseMacRoute(fixture('macos-route-get-default-vpn.txt'))).toEqual({ interface: 'utun4', gateway: null });
    expect(parseMacRoute('route: writing to routing socket: not in table\n')).toBeNull();
  });

  it('reads the route through the injected file reader or command', async () => {
    const reads: string[] = [];
    const deps = {
      readFile: async (file: string) => {
        reads.push(file);
        return fixture('linux-proc-net-route.txt');
      },
      exec: async (file: string, args: string[]) => {
        reads.push([file, ...args].join(' '));
        return fixture('macos-route-get-default.txt');
      },
    };
    expect(await readDefaultRoute('linux', deps)).toEqual({ interface: 'eth0', gateway: '192.168.1.1' });
    expect(await readDefaultRoute('darwin', deps)).toEqual({ interface: 'en0', gateway: '192.168.1.1' });
    expect(await readDefaultRoute('win32', deps)).toBeNull();
    expect(reads).toEqual(['/proc/net/route', '/sbin/route -n get default']);
  });

  it('takes "not in table" from macOS as no default route, and other failures as errors', async () => {
    const failing = (stderr: string) => ({
      readFile: async () => '',
      exec: async () => {
        throw Object.assign(new Error('Command failed: /sbin/route -n get default'), { stderr });
      },
    });
    expect(await readDefaultRoute('darwin', failing('route: writing to routing socket: not in table\n'))).toBeNull();
    await expect(readDefaultRoute('darwin', failing('route: permission denied'))).rejects.toThrow(/Command failed/);
  });
});

describe('virtual and VPN interfaces', () => {
  it.each(['docker0', 'br-3f2a9c1d7e01', 'bridge100', 'veth1a2b3c4', 'virbr0', 'utun4', 'awdl0', 'llw0', 'tailscale0', 'wg0', 'zt7nnig26', 'tun0', 'tap0', 'vmnet8', 'vboxnet0', 'vEthernet (WSL)'])(
    '%s is virtual',
    (name) => {
      expect(isVirtualInterface(name)).toBe(true);
    },
  );

  it.each(['eth0', 'en0', 'en5', 'wlan0', 'wlp3s0', 'enp0s31f6', 'Wi-Fi', 'Ethernet'])('%s is not', (name) => {
    expect(isVirtualInterface(name)).toBe(false);
  });
});

describe('choosing the network to sweep', () => {
  it('Linux: takes the default route interface, with the real netmask and the router', () => {
    const choice = chooseNetwork(linux, { interface: 'eth0', gateway: '192.168.1.1' });
    expect(choice.chosen).toMatchObject({ interface: 'eth0', address: '192.168.1.23', gateway: '192.168.1.1' });
    expect(formatCidr(choice.chosen?.network ?? { base: 0, prefix: 0 })).toBe('192.168.1.0/24');
    expect(choice.notes).toEqual([]);
  });

  it('Linux: a WireGuard default route is passed over for the LAN, never docker0, a bridge or tailscale0', () => {
    const choice = chooseNetwork(linux, { interface: 'wg0', gateway: null });
    expect(choice.chosen?.interface).toBe('eth0');
    expect(choice.chosen?.gateway).toBeNull();
    expect(choice.notes[0]).toMatch(/default route goes through wg0, a VPN or virtual interface.*--interface wg0/);
    expect(choice.notes.at(-1)).toBe('using eth0 (192.168.1.23 on 192.168.1.0/24)');
  });

  it('Linux: with no default route, still never picks docker0 (/16), a br- bridge, a veth or tailscale0 (/32)', () => {
    const choice = chooseNetwork(linux, null);
    expect(choice.chosen?.interface).toBe('eth0');
    expect(choice.notes[0]).toMatch(/found no default route/);
  });

  it('Linux: a default route on wlan0 gives its /22 network, computed from the netmask', () => {
    const choice = chooseNetwork(linux, { interface: 'wlan0', gateway: '10.0.4.1' });
    expect(formatCidr(choice.chosen?.network ?? { base: 0, prefix: 0 })).toBe('10.0.4.0/22');
  });

  it('Linux: --interface names a virtual interface and gets it, /16 and /32 alike', () => {
    expect(formatCidr(chooseNetwork(linux, null, 'docker0').chosen?.network ?? { base: 0, prefix: 0 })).toBe('172.17.0.0/16');
    const tailscale = chooseNetwork(linux, null, 'tailscale0');
    expect(tailscale.chosen?.address).toBe('100.101.102.103');
    expect(formatCidr(tailscale.chosen?.network ?? { base: 0, prefix: 0 })).toBe('100.101.102.103/32');
  });

  it('Linux: --interface with no such interface, or one with only IPv6, says so', () => {
    expect(chooseNetwork(linux, null, 'eth9')).toEqual({
      chosen: null,
      notes: ['there is no interface named eth9 (this machine has: lo, docker0, br-3f2a9c1d7e01, eth0, wlan0, tailscale0, veth1a2b3c4)'],
    });
    expect(chooseNetwork(linux, null, 'veth1a2b3c4').notes[0]).toMatch(/no IPv4 address/);
  });

  it('macOS: takes en0 from the default route', () => {
    const choice = chooseNetwork(macos, parseMacRoute(fixture('macos-route-get-default.txt')));
    expect(choice.chosen).toMatchObject({ interface: 'en0', address: '192.168.1.23', gateway: '192.168.1.1' });
  });

  it('macOS: a utun VPN default route falls back to en0, skipping link-local en5, bridge100, awdl0 and llw0', () => {
    const choice = chooseNetwork(macos, parseMacRoute(fixture('macos-route-get-default-vpn.txt')));
    expect(choice.chosen?.interface).toBe('en0');
    expect(choice.notes).toEqual([
      'the default route goes through utun4, a VPN or virtual interface; looking for the local network elsewhere (name it with --interface utun4 to sweep its network)',
      'using en0 (192.168.1.23 on 192.168.1.0/24)',
    ]);
  });

  it('macOS: --interface bridge100 sweeps the VM bridge', () => {
    expect(chooseNetwork(macos, null, 'bridge100').chosen?.address).toBe('192.168.64.1');
  });

  it('finds nothing on a machine with only loopback and virtual interfaces, and says what to do', () => {
    const only = { lo: linux.lo, docker0: linux.docker0, tailscale0: linux.tailscale0 };
    const choice = chooseNetwork(only, null);
    expect(choice.chosen).toBeNull();
    expect(choice.notes.at(-1)).toMatch(/found no network interface to sweep; name a server with --host, or a range with --subnet/);
  });

  it("lists every one of this machine's addresses, loopback included", () => {
    const addresses = localAddresses(linux);
    for (const address of ['127.0.0.1', '::1', '192.168.1.23', '10.0.5.9', '172.17.0.1', '100.101.102.103']) {
      expect(addresses.has(address)).toBe(true);
    }
  });
});
