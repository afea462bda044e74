// Which network to sweep: the one on the interface that carries the default route, unless that is a
// VPN or virtual interface. The parsers are pure; `readDefaultRoute` reads the system through `deps`.
import { formatCidr, networkOf, parseIpv4, prefixFromNetmask, type Ipv4Network } from './subnet.js';

/** One address of an interface, in the shape of `os.networkInterfaces()`. */
export interface InterfaceAddress {
  address: string;
  netmask: string;
  /** Node 18.0-18.3 reported 4 and 6 instead of the strings. */
  family: 'IPv4' | 'IPv6' | 4 | 6;
  internal: boolean;
  mac?: string;
  cidr?: string | null;
}

export type InterfaceTable = Record<string, InterfaceAddress[] | undefined>;

export interface DefaultRoute {
  interface: string;
  /** The router's address; null when the route has none (a point-to-point VPN). */
  gateway: string | null;
}

export interface RouteReader {
  readFile(path: string): Promise<string>;
  exec(file: string, args: string[]): Promise<string>;
}

/**
 * The default route from Linux `/proc/net/route`: hexadecimal addresses in the machine's byte order
 * (little-endian on x86 and ARM). The lowest metric wins when there are several.
 */
export function parseLinuxRoute(text: string, endianness: 'LE' | 'BE' = 'LE'): DefaultRoute | null {
  let best: { route: DefaultRoute; metric: number } | null = null;
  for (const line of text.split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 8) continue;
    const [name, destination, gateway, flags, , , metric, mask] = fields;
    if (destination !== '00000000' || mask !== '00000000') continue;
    const flagBits = Number.parseInt(flags ?? '0', 16);
    const RTF_UP = 0x1;
    const RTF_GATEWAY = 0x2;
    if (!(flagBits & RTF_UP) || !name) continue;
    const gatewayValue = Number.parseInt(gateway ?? '', 16);
    let gatewayAddress: string | null = null;
    if (flagBits & RTF_GATEWAY && Number.isFinite(gatewayValue) && gatewayValue !== 0) {
      const bytes = [gatewayValue >>> 24, (gatewayValue >>> 16) & 255, (gatewayValue >>> 8) & 255, gatewayValue & 255];
      gatewayAddress = (endianness === 'LE' ? bytes.reverse() : bytes).join('.');
    }
    const metricValue = Number(metric);
    if (!best || metricValue < best.metric) best = { route: { interface: name, gateway: gatewayAddress }, metric: metricValue };
  }
  return best?.route ?? null;
}

/** The default route from macOS `route -n get default`; null for "not in table". */
export function parseMacRoute(text: string): DefaultRoute | null {
  const field = (key: string): string | null => {
    const match = new RegExp(`^\\s*${key}:\\s*(\\S+)\\s*$`, 'm').exec(text);
    return match?.[1] ?? null;
  };
  const name = field('interface');
  if (!name) return null;
  const gateway = field('gateway');
  return { interface: name, gateway: gateway !== null && parseIpv4(gateway) !== null ? gateway : null };
}

/** Reads the default route; null when there is none or the platform has no reader. Throws if it cannot read. */
export async function readDefaultRoute(platform: NodeJS.Platform, deps: RouteReader): Promise<DefaultRoute | null> {
  if (platform === 'linux') return parseLinuxRoute(await deps.readFile('/proc/net/route'));
  if (platform === 'darwin') {
    try {
      return parseMacRoute(await deps.exec('/sbin/route', ['-n', 'get', 'default']));
    } catch (error) {
      // `route` exits non-zero with "not in table" when there is no default route.
      if (/not in table/i.test(String((error as { stderr?: unknown }).stderr ?? error))) return null;
      throw error;
    }
  }
  return null;
}

// Interfaces whose networks are not the user's LAN: container and VM bridges, VPN tunnels, Apple's
// peer-to-peer links. A name is matched at its start, ignoring case.
const VIRTUAL_PREFIXES = [
  'docker', 'br-', 'bridge', 'veth', 'virbr', 'vnet', 'lxc', 'lxdbr', 'cni', 'flannel', 'cali', 'kube',
  'podman', 'vxlan', 'utun', 'awdl', 'llw', 'anpi', 'ap1', 'gif', 'stf', 'tailscale', 'wg', 'zt', 'tun',
  'tap', 'vmnet', 'vboxnet', 'nordlynx', 'ham', 'ipsec', 'ppp', 'vethernet', 'virtualbox', 'vmware',
  'zerotier', 'hyper-v',
];

export function isVirtualInterface(name: string): boolean {
  const lower = name.toLowerCase();
  return VIRTUAL_PREFIXES.some((prefix) => lower.startsWith(prefix));
}

function isIpv4(entry: InterfaceAddress): boolean {
  return entry.family === 'IPv4' || entry.family === 4;
}

function isLinkLocal(address: string): boolean {
  return address.startsWith('169.254.');
}

export interface ChosenNetwork {
  interface: string;
  address: string;
  network: Ipv4Network;
  /** The default route's router, when the route goes through this interface. */
  gateway: string | null;
}

export interface NetworkChoice {
  chosen: ChosenNetwork | null;
  /** Plain-language sentences about the choice, for 'discovery-note' events. */
  notes: string[];
}

/** The first IPv4 address of an interface that has neighbours: not loopback, not link-local, not a /32. */
function lanAddress(entries: InterfaceAddress[], allowSingle: boolean): InterfaceAddress | null {
  for (const entry of entries) {
    if (!isIpv4(entry) || entry.internal || isLinkLocal(entry.address)) continue;
    let prefix: number;
    try {
      prefix = prefixFromNetmask(entry.netmask);
    } catch {
      continue;
    }
    if (prefix === 32 && !allowSingle) continue;
    return entry;
  }
  return null;
}

function choose(name: string, entry: InterfaceAddress, route: DefaultRoute | null): ChosenNetwork {
  return {
    interface: name,
    address: entry.address,
    network: networkOf(entry.address, entry.netmask),
    gateway: route && route.interface === name ? route.gateway : null,
  };
}

/**
 * The network to sweep. A named interface is used whatever it is; otherwise the default route's
 * interface, unless it is virtual or has no LAN address, and then the first physical-looking
 * interface on a private network.
 */
export function chooseNetwork(table: InterfaceTable, route: DefaultRoute | null, interfaceName?: string): NetworkChoice {
  const notes: string[] = [];
  if (interfaceName) {
    const entries = table[interfaceName];
    if (!entries) {
      const names = Object.keys(table).join(', ') || 'none';
      return { chosen: null, notes: [`there is no interface named ${interfaceName} (this machine has: ${names})`] };
    }
    const entry = lanAddress(entries, true);
    if (!entry) {
      return { chosen: null, notes: [`${interfaceName} has no IPv4 address to sweep from; IPv6 networks are too large to sweep`] };
    }
    return { chosen: choose(interfaceName, entry, route), notes };
  }

  if (route) {
    const entries = table[route.interface];
    if (isVirtualInterface(route.interface)) {
      notes.push(
        `the default route goes through ${route.interface}, a VPN or virtual interface; looking for the local network ` +
          `elsewhere (name it with --interface ${route.interface} to sweep its network)`,
      );
    } else if (entries) {
      const entry = lanAddress(entries, false);
      if (entry) return { chosen: choose(route.interface, entry, route), notes };
      notes.push(`the default route's interface ${route.interface} has no IPv4 network with neighbours`);
    }
  } else {
    notes.push('found no default route; looking for a local network on the other interfaces');
  }

  const candidates: { name: string; entry: InterfaceAddress }[] = [];
  for (const [name, entries] of Object.entries(table)) {
    if (!entries || isVirtualInterface(name)) continue;
    const entry = lanAddress(entries, false);
    if (entry) candidates.push({ name, entry });
  }
  const isPrivate = (address: string) => /^(10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.)/.test(address);
  const pick = candidates.find((candidate) => isPrivate(candidate.entry.address)) ?? candidates[0];
  if (!pick) {
    notes.push('found no network interface to sweep; name a server with --host, or a range with --subnet');
    return { chosen: null, notes };
  }
  const chosen = choose(pick.name, pick.entry, route);
  notes.push(`using ${pick.name} (${pick.entry.address} on ${formatCidr(chosen.network)})`);
  return { chosen, notes };
}

/** Every address of this machine, loopback included, lower-case and without brackets. */
export function localAddresses(table: InterfaceTable): Set<string> {
  const addresses = new Set<string>();
  for (const entries of Object.values(table)) {
    for (const entry of entries ?? []) addresses.add(entry.address.toLowerCase().replace(/%.*$/, ''));
  }
  return addresses;
}
