// IPv4 ranges: parsing, the addresses inside one, what kind of range it is, and whether it may be swept.
// Addresses are handled as unsigned 32-bit integers; every function here is pure.

export class SubnetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SubnetError';
  }
}

export interface Ipv4Network {
  /** The network address as an unsigned 32-bit integer (host bits zero). */
  base: number;
  prefix: number;
}

export function parseIpv4(text: string): number | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  let value = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part) || (part.length > 1 && part.startsWith('0'))) return null;
    const octet = Number(part);
    if (octet > 255) return null;
    value = value * 256 + octet;
  }
  return value;
}

export function formatIpv4(value: number): string {
  return [value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255].join('.');
}

function maskOf(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

function makeNetwork(address: number, prefix: number): Ipv4Network {
  return { base: (address & maskOf(prefix)) >>> 0, prefix };
}

/** `192.168.1.0/24`; host bits may be set (`192.168.1.77/24` is the same network). */
export function parseCidr(text: string): Ipv4Network {
  const trimmed = text.trim();
  if (trimmed.includes(':')) {
    throw new SubnetError(
      `not sweeping ${trimmed}: IPv6 networks are far too large to sweep; name the server with --host '[address]:11434'`,
    );
  }
  const match = /^([0-9.]+)\/(\d{1,2})$/.exec(trimmed);
  if (!match) {
    throw new SubnetError(`"${trimmed}" is not an IPv4 range; write it as address/prefix, e.g. 192.168.1.0/24`);
  }
  const address = parseIpv4(match[1] ?? '');
  const prefix = Number(match[2]);
  if (address === null) throw new SubnetError(`"${trimmed}": ${match[1]} is not a valid IPv4 address`);
  if (prefix > 32) throw new SubnetError(`"${trimmed}": the prefix length must be 0 to 32`);
  return makeNetwork(address, prefix);
}

export function formatCidr(network: Ipv4Network): string {
  return `${formatIpv4(network.base)}/${network.prefix}`;
}

/** `255.255.255.0` -> 24; a mask whose one-bits are not contiguous is refused. */
export function prefixFromNetmask(netmask: string): number {
  const mask = parseIpv4(netmask);
  if (mask === null) throw new SubnetError(`"${netmask}" is not an IPv4 netmask`);
  const inverted = ~mask >>> 0;
  if ((inverted & (inverted + 1)) !== 0) throw new SubnetError(`"${netmask}" is not a contiguous netmask`);
  return 32 - Math.log2(inverted + 1);
}

/** The network an interface address sits on, from the real netmask (not the first three octets). */
export function networkOf(address: string, netmask: string): Ipv4Network {
  const value = parseIpv4(address);
  if (value === null) throw new SubnetError(`"${address}" is not an IPv4 address`);
  return makeNetwork(value, prefixFromNetmask(netmask));
}

export function networkContains(network: Ipv4Network, address: string | number): boolean {
  const value = typeof address === 'string' ? parseIpv4(address) : address;
  return value !== null && ((value & maskOf(network.prefix)) >>> 0) === network.base;
}

function broadcastOf(network: Ipv4Network): number {
  return (network.base | (~maskOf(network.prefix) >>> 0)) >>> 0;
}

/** How many addresses `hostAddresses` lists. */
export function hostCount(network: Ipv4Network): number {
  const size = 2 ** (32 - network.prefix);
  return network.prefix >= 31 ? size : size - 2;
}

/**
 * The addresses a machine can have on the network, in order: without the network and broadcast
 * addresses, except on a /31 (a point-to-point link, RFC 3021) and a /32, which have none.
 */
export function hostAddresses(network: Ipv4Network): string[] {
  const first = network.prefix >= 31 ? network.base : network.base + 1;
  const last = network.prefix >= 31 ? broadcastOf(network) : broadcastOf(network) - 1;
  const addresses: string[] = [];
  for (let value = first; value <= last; value += 1) addresses.push(formatIpv4(value));
  return addresses;
}

export type RangeKind = 'private' | 'public' | 'reserved' | 'loopback' | 'link-local' | 'not-unicast';

interface KnownRange {
  network: Ipv4Network;
  kind: RangeKind;
  label: string;
}

function range(cidr: string, kind: RangeKind, label: string): KnownRange {
  return { network: parseCidr(cidr), kind, label };
}

const PRIVATE_RANGES: KnownRange[] = [
  range('10.0.0.0/8', 'private', 'a private network'),
  range('172.16.0.0/12', 'private', 'a private network'),
  range('192.168.0.0/16', 'private', 'a private network'),
];

const SPECIAL_RANGES: KnownRange[] = [
  range('0.0.0.0/8', 'not-unicast', '"this network" addresses, which nothing can be reached on'),
  range('100.64.0.0/10', 'reserved', 'a reserved range (carrier-grade NAT, also used by Tailscale)'),
  range('127.0.0.0/8', 'loopback', 'the loopback range (this machine only)'),
  range('169.254.0.0/16', 'link-local', 'a link-local range (self-assigned addresses)'),
  range('192.0.0.0/24', 'reserved', 'a reserved range (IETF protocol assignments)'),
  range('192.0.2.0/24', 'reserved', 'a reserved range (documentation, TEST-NET-1)'),
  range('198.18.0.0/15', 'reserved', 'a reserved range (network benchmarking)'),
  range('198.51.100.0/24', 'reserved', 'a reserved range (documentation, TEST-NET-2)'),
  range('203.0.113.0/24', 'reserved', 'a reserved range (documentation, TEST-NET-3)'),
  range('224.0.0.0/4', 'not-unicast', 'a multicast range, which has no servers to connect to'),
  range('240.0.0.0/4', 'not-unicast', 'a reserved range that hosts cannot use'),
];

function overlaps(a: Ipv4Network, b: Ipv4Network): boolean {
  const prefix = Math.min(a.prefix, b.prefix);
  return makeNetwork(a.base, prefix).base === makeNetwork(b.base, prefix).base;
}

export interface RangeClass {
  kind: RangeKind;
  /** Plain words for the range, e.g. "a reserved range (documentation, TEST-NET-1)". */
  label: string;
}

export function classifyNetwork(network: Ipv4Network): RangeClass {
  const privateRange = PRIVATE_RANGES.find((known) => known.network.prefix <= network.prefix && overlaps(known.network, network));
  if (privateRange) return { kind: 'private', label: privateRange.label };
  const special = SPECIAL_RANGES.find((known) => overlaps(known.network, network));
  if (special) return { kind: special.kind, label: special.label };
  return { kind: 'public', label: 'a public range, which is probably not yours to sweep' };
}

/** The largest range ever swept: a /22, 1,022 addresses. */
export const LARGEST_SWEEP_PREFIX = 22;
/** The largest range swept without being named with --subnet. */
export const LARGEST_UNNAMED_SWEEP_PREFIX = 24;

export interface SweepDecision {
  sweep: boolean;
  /** One plain-language sentence for a 'discovery-note' event. */
  note: string;
}

export interface SweepContext {
  /** True when the user named this range with --subnet. */
  named: boolean;
  /** Where the range came from, e.g. "on en0"; empty for a named range. */
  where?: string;
  /** This machine's address on the range, to suggest a smaller range around it. */
  ownAddress?: string;
}

function addresses(count: number): string {
  return `${count.toLocaleString('en-US')} ${count === 1 ? 'address' : 'addresses'}`;
}

/**
 * The sweep policy: a private /24 or smaller is swept on its own; a /23 or /22, or any range that is
 * not private, only when --subnet names it; nothing larger than a /22 and nothing that cannot hold
 * servers, ever.
 */
export function sweepPolicy(network: Ipv4Network, context: SweepContext): SweepDecision {
  const cidr = formatCidr(network);
  const where = context.where ? ` ${context.where}` : '';
  const count = hostCount(network);
  const { kind, label } = classifyNetwork(network);

  if (kind === 'not-unicast') {
    return { sweep: false, note: `not sweeping ${cidr}${where}: it is ${label}` };
  }
  if (network.prefix < LARGEST_SWEEP_PREFIX) {
    const around = parseIpv4(context.ownAddress ?? '') ?? network.base;
    const suggestion = formatCidr(makeNetwork(around, LARGEST_UNNAMED_SWEEP_PREFIX));
    return {
      sweep: false,
      note:
        `not sweeping ${cidr}${where}: its ${addresses(count)} are too many to probe one at a time ` +
        `(the limit is a /${LARGEST_SWEEP_PREFIX}); name a smaller part of it with --subnet, e.g. --subnet ${suggestion}`,
    };
  }
  if (context.named) {
    const what = kind === 'private' ? '' : `, ${label},`;
    return { sweep: true, note: `sweeping ${cidr} (${addresses(count)})${what} because --subnet names it` };
  }
  if (kind !== 'private') {
    return {
      sweep: false,
      note: `not sweeping ${cidr}${where}: it is ${label}; name it with --subnet ${cidr} to sweep it`,
    };
  }
  if (network.prefix < LARGEST_UNNAMED_SWEEP_PREFIX) {
    return {
      sweep: false,
      note:
        `not sweeping ${cidr}${where}: its ${addresses(count)} are more than a /24 holds; ` +
        `name it with --subnet ${cidr} to sweep it`,
    };
  }
  return {
    sweep: true,
    note: `sweeping ${cidr}${where} (${addresses(count)}), a private network`,
  };
}
