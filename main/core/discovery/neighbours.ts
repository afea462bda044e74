// Machines this one has talked to lately, from the ARP cache: they are alive, so they are tried before
// the blind sweep. Only complete entries count; an incomplete one is an address that did not answer.
import type { RouteReader } from './interfaces.js';
import { networkContains, parseIpv4, type Ipv4Network } from './subnet.js';

export interface Neighbour {
  address: string;
  mac: string;
  device: string;
}

const ATF_COM = 0x2;
const NO_MAC = /^0{1,2}(:0{1,2}){5}$/;

/** Linux `/proc/net/arp`; only entries whose flags have ATF_COM (0x2, "complete") set. */
export function parseLinuxArp(text: string): Neighbour[] {
  const neighbours: Neighbour[] = [];
  for (const line of text.split('\n').slice(1)) {
    const [address, , flags, mac, , device] = line.trim().split(/\s+/);
    if (!address || !mac || !device || parseIpv4(address) === null) continue;
    if (!(Number.parseInt(flags ?? '0', 16) & ATF_COM) || NO_MAC.test(mac)) continue;
    neighbours.push({ address, mac: mac.toLowerCase(), device });
  }
  return neighbours;
}

/** macOS `arp -an`: `? (192.168.1.1) at 0:11:22:33:44:55 on en0 ifscope [ethernet]`; "(incomplete)" is skipped. */
export function parseMacArp(text: string): Neighbour[] {
  const neighbours: Neighbour[] = [];
  for (const line of text.split('\n')) {
    const match = /^\S+ \(([0-9.]+)\) at (\S+) on (\S+)/.exec(line.trim());
    if (!match) continue;
    const [, address = '', mac = '', device = ''] = match;
    if (parseIpv4(address) === null || !/^[0-9a-f]{1,2}(:[0-9a-f]{1,2}){5}$/i.test(mac) || NO_MAC.test(mac)) continue;
    neighbours.push({ address, mac: mac.toLowerCase(), device });
  }
  return neighbours;
}

/** Reads the ARP cache; an empty list on a platform without a reader. */
export async function readNeighbours(platform: NodeJS.Platform, deps: RouteReader): Promise<Neighbour[]> {
  if (platform === 'linux') return parseLinuxArp(await deps.readFile('/proc/net/arp'));
  if (platform === 'darwin') return parseMacArp(await deps.exec('/usr/sbin/arp', ['-an']));
  return [];
}

/**
 * The neighbours' addresses that a sweep of `network` would probe, each once, in address order.
 * The network and broadcast addresses (and a broadcast entry such as ff:ff:ff:ff:ff:ff) never count.
 */
export function neighboursIn(neighbours: Neighbour[], network: Ipv4Network): string[] {
  const unique = new Set<string>();
  for (const neighbour of neighbours) {
    if (/^ff(:ff){5}$/.test(neighbour.mac)) continue;
    if (isHostOf(network, neighbour.address)) unique.add(neighbour.address);
  }
  return [...unique].sort((a, b) => (parseIpv4(a) ?? 0) - (parseIpv4(b) ?? 0));
}

/** Whether the address is one that `hostAddresses(network)` lists. */
function isHostOf(network: Ipv4Network, address: string): boolean {
  const value = parseIpv4(address);
  if (value === null || !networkContains(network, value)) return false;
  if (network.prefix >= 31) return true;
  const broadcast = (network.base + 2 ** (32 - network.prefix) - 1) >>> 0;
  return value !== network.base && value !== broadcast;
}
