// discover() against a fake network: every interface, table, port and server is injected, so these
// tests send nothing anywhere. The few tests with real sockets use 127.0.0.x only.
import http from 'node:http';
import net from 'node:net';
import { once } from 'node:events';
import { afterAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_DISCOVERY_OPTIONS,
  discover,
  looksLikeLocalNetworkBlock,
  realDiscoveryDeps,
  type DiscoveryDeps,
  type DiscoveryOptions,
} from '../main/core/discovery/discover.js';
import { identifyOllama } from '../main/core/discovery/identify.js';
import type { InterfaceTable } from '../main/core/discovery/interfaces.js';
import type { ProbeOutcome } from '../main/core/discovery/probe.js';
import { tcpProbe } from '../main/core/discovery/probe.js';
import {
  collect,
  fakeNetwork,
  fixture,
  interfacesFixture,
  ofType,
  ollama,
  type FakeNetworkSpec,
} from './fixtures/discovery/fake-network.js';

const linuxInterfaces = interfacesFixture('linux-interfaces.json');
const macInterfaces = interfacesFixture('macos-interfaces.json');
const KNOWN = '/home/user/.config/ollama-speedrun/known-servers.json';

function options(overrides: Partial<DiscoveryOptions> = {}): DiscoveryOptions {
  return { ...DEFAULT_DISCOVERY_OPTIONS, ...overrides };
}

/** A Linux machine at 192.168.1.23/24 on eth0, router 192.168.1.1, neighbours .1, .12 and .40. */
function linuxLan(spec: FakeNetworkSpec = {}) {
  return fakeNetwork({
    platform: 'linux',
    interfaces: linuxInterfaces,
    ...spec,
    files: {
      '/proc/net/route': fixture('linux-proc-net-route.txt'),
      '/proc/net/arp': fixture('linux-proc-net-arp.txt'),
      ...spec.files,
    },
  });
}

/** A Mac at 192.168.1.23/24 on en0, router 192.168.1.1. */
function macLan(spec: FakeNetworkSpec = {}) {
  return fakeNetwork({
    platform: 'darwin',
    interfaces: macInterfaces,
    commands: {
      '/sbin/route -n get default': fixture('macos-route-get-default.txt'),
      '/usr/sbin/arp -an': fixture('macos-arp-an.txt'),
    },
    ...spec,
  });
}

async function run(opts: DiscoveryOptions, deps: DiscoveryDeps, signal = new AbortController().signal) {
  const { events, emit } = collect();
  const hosts = await discover(opts, emit, signal, deps);
  const done = ofType(events, 'discovery-done');
  expect(done).toHaveLength(1);
  return { hosts, events, done: done[0] as (typeof done)[number] };
}

function expectNoRepeats(list: string[]) {
  expect(new Set(list).size).toBe(list.length);
}

describe('the order of discovery', () => {
  it('tries --host, OLLAMA_HOST, 127.0.0.1, known servers, neighbours, then the sweep, reporting each as found', async () => {
    const network = linuxLan({
      files: {
        [KNOWN]: JSON.stringify({
          schemaVersion: 1,
          servers: [{ url: 'http://192.168.1.60:11434', version: '0.29.0', lastSeen: '2026-02-01T00:00:00.000Z' }],
        }),
      },
      ports: {
        '10.0.0.77:11500': 'open',
        '192.168.1.50:11434': 'open',
        '127.0.0.1:11434': 'open',
        '192.168.1.23:11434': 'refused',
        '192.168.1.60:11434': 'open',
        '192.168.1.1:11434': 'refused',
        '192.168.1.12:11434': 'open',
        '192.168.1.40:11434': 'open',
        '192.168.1.200:11434': 'open',
      },
      otherPorts: 'timeout',
      servers: {
        'http://10.0.0.77:11500': ollama('0.30.1'),
        'http://192.168.1.50:11434': ollama('0.30.0'),
        'http://127.0.0.1:11434': ollama('0.29.1'),
        'http://192.168.1.60:11434': ollama('0.29.0'),
        'http://192.168.1.40:11434': ollama('0.28.0'),
        'http://192.168.1.200:11434': ollama('0.27.0'),
      },
    });
    const { hosts, events, done } = await run(
      options({ hosts: ['10.0.0.77:11500'], ollamaHostEnv: '192.168.1.50', knownServersFile: KNOWN }),
      network.deps,
    );

    expect(network.probes.slice(0, 8)).toEqual([
      '10.0.0.77:11500',
      '192.168.1.50:11434',
      '127.0.0.1:11434',
      '192.168.1.23:11434',
      '192.168.1.60:11434',
      '192.168.1.1:11434',
      '192.168.1.12:11434',
      '192.168.1.40:11434',
    ]);
    expect(network.probes.slice(8, 11)).toEqual(['192.168.1.2:11434', '192.168.1.3:11434', '192.168.1.4:11434']);
    expect(network.probes.at(-1)).toBe('192.168.1.254:11434');
    expectNoRepeats(network.probes);
    // Every address of the /24 once, plus the two outside it.
    expect(network.probes).toHaveLength(254 + 2);

    const found = ofType(events, 'host-found').map((event) => [event.host.source, event.host.url]);
    expect(found).toEqual([
      ['flag', 'http://10.0.0.77:11500'],
      ['env', 'http://192.168.1.50:11434'],
      ['loopback', 'http://127.0.0.1:11434'],
      ['cache', 'http://192.168.1.60:11434'],
      ['neighbour', 'http://192.168.1.40:11434'],
      ['sweep', 'http://192.168.1.200:11434'],
    ]);
    expect(hosts.map((host) => host.url)).toEqual(found.map(([, url]) => url));
    expect(hosts[0]).toEqual({ url: 'http://10.0.0.77:11500', version: '0.30.1', source: 'flag' });
    expect(done.hosts).toEqual(hosts);
    expect(done.advice).toEqual([]);

    // Each server is reported the moment it is confirmed, before the next address is probed.
    const order = events.map((event) => event.type);
    expect(order.indexOf('host-found')).toBeLessThan(order.indexOf('scan-progress'));
    expect(ofType(events, 'host-rejected').map((event) => event.url)).toEqual(['http://192.168.1.12:11434']);
  });

  it('reports a swept server before probing the next address', async () => {
    const timeline: string[] = [];
    const network = linuxLan({
      ports: { '192.168.1.200:11434': 'open' },
      otherPorts: 'refused',
      servers: { 'http://192.168.1.200:11434': ollama() },
    });
    const probe = network.deps.tcpProbe;
    network.deps.tcpProbe = (address, port, probeOptions) => {
      timeline.push(`probe ${address}`);
      return probe(address, port, probeOptions);
    };
    await discover(options({ includeLoopback: false }), (event) => {
      if (event.type === 'host-found') timeline.push(`found ${event.host.url}`);
    }, new AbortController().signal, network.deps);
    const at = timeline.indexOf('found http://192.168.1.200:11434');
    expect(timeline.slice(at - 1, at + 2)).toEqual(['probe 192.168.1.200', 'found http://192.168.1.200:11434', 'probe 192.168.1.201']);
  });

  it('asks only servers that accepted the connection', async () => {
    const network = linuxLan({ ports: { '192.168.1.40:11434': 'open' }, otherPorts: 'refused' });
    await run(options({ includeLoopback: false }), network.deps);
    expect(network.identified).toEqual(['http://192.168.1.40:11434']);
  });

  it('lists what was tried: named servers, neighbours and the sweep', async () => {
    const network = linuxLan({ otherPorts: 'refused' });
    const { done } = await run(options({ hosts: ['10.0.0.77'] }), network.deps);
    expect(done.tried).toEqual([
      'http://10.0.0.77:11434',
      'http://127.0.0.1:11434',
      'http://192.168.1.1:11434',
      'http://192.168.1.12:11434',
      'http://192.168.1.40:11434',
      '192.168.1.0/24 port 11434 (sweep of 254 addresses)',
    ]);
  });

  it('reports the servers of a demo with the demo source', async () => {
    const network = fakeNetwork({
      ports: { '127.0.0.1:40001': 'open' },
      servers: { 'http://127.0.0.1:40001': ollama() },
    });
    const { hosts } = await run(
      options({ hosts: ['http://127.0.0.1:40001'], hostSource: 'demo', includeLoopback: false, scan: false }),
      network.deps,
    );
    expect(hosts).toEqual([{ url: 'http://127.0.0.1:40001', version: '0.30.1', source: 'demo' }]);
    expect(network.probes).toEqual(['127.0.0.1:40001']);
  });
});

describe('one server, one entry', () => {
  it("reports this machine's server once, at the LAN address others can use, and never sweeps that address again", async () => {
    const network = linuxLan({
      ports: { '127.0.0.1:11434': 'open', '192.168.1.23:11434': 'open' },
      otherPorts: 'refused',
      servers: { 'http://127.0.0.1:11434': ollama(), 'http://192.168.1.23:11434': ollama() },
    });
    const { hosts } = await run(options(), network.deps);
    expect(hosts).toEqual([{ url: 'http://192.168.1.23:11434', version: '0.30.1', source: 'loopback' }]);
    expect(network.probes.filter((probe) => probe === '192.168.1.23:11434')).toHaveLength(1);
    expectNoRepeats(network.probes);
  });

  it('keeps 127.0.0.1 when the server is bound to loopback only', async () => {
    const network = linuxLan({
      ports: { '127.0.0.1:11434': 'open', '192.168.1.23:11434': 'refused' },
      otherPorts: 'refused',
      servers: { 'http://127.0.0.1:11434': ollama() },
    });
    const { hosts } = await run(options(), network.deps);
    expect(hosts).toEqual([{ url: 'http://127.0.0.1:11434', version: '0.30.1', source: 'loopback' }]);
    expectNoRepeats(network.probes);
  });

  it("does not try 127.0.0.1 once --host named this machine's LAN address", async () => {
    const network = linuxLan({
      ports: { '192.168.1.23:11434': 'open' },
      otherPorts: 'refused',
      servers: { 'http://192.168.1.23:11434': ollama() },
    });
    const { hosts } = await run(options({ hosts: ['192.168.1.23'] }), network.deps);
    expect(hosts).toEqual([{ url: 'http://192.168.1.23:11434', version: '0.30.1', source: 'flag' }]);
    expect(network.probes).not.toContain('127.0.0.1:11434');
  });

  it('takes OLLAMA_HOST=0.0.0.0 as this machine, once, and prefers its LAN address', async () => {
    const network = linuxLan({
      ports: { '127.0.0.1:11434': 'open', '192.168.1.23:11434': 'open' },
      otherPorts: 'refused',
      servers: { 'http://127.0.0.1:11434': ollama(), 'http://192.168.1.23:11434': ollama() },
    });
    const { hosts } = await run(options({ ollamaHostEnv: '0.0.0.0' }), network.deps);
    expect(hosts).toEqual([{ url: 'http://192.168.1.23:11434', version: '0.30.1', source: 'env' }]);
    expect(network.probes.filter((probe) => probe === '127.0.0.1:11434')).toHaveLength(1);
  });

  it('probes the same host named twice only once', async () => {
    const network = fakeNetwork({ otherPorts: 'refused' });
    await run(
      options({ hosts: ['10.0.0.5', 'http://10.0.0.5:11434', '"10.0.0.5:11434"'], scan: false, includeLoopback: false }),
      network.deps,
    );
    expect(network.probes).toEqual(['10.0.0.5:11434']);
  });

  it("leaves this machine's server at 127.0.0.1 when the interface is not on a private network", async () => {
    const reserved: InterfaceTable = {
      lo: linuxInterfaces.lo,
      eth0: [{ address: '198.18.0.23', netmask: '255.255.255.0', family: 'IPv4', internal: false }],
    };
    const network = fakeNetwork({
      interfaces: reserved,
      files: { '/proc/net/route': fixture('linux-proc-net-route.txt'), '/proc/net/arp': '' },
      ports: { '127.0.0.1:11434': 'open' },
      servers: { 'http://127.0.0.1:11434': ollama() },
    });
    const { hosts } = await run(options(), network.deps);
    expect(hosts.map((host) => host.url)).toEqual(['http://127.0.0.1:11434']);
    expect(network.probes).toEqual(['127.0.0.1:11434']);
  });
});

describe('what is swept, and what is said about it', () => {
  it('says which network it sweeps and how', async () => {
    const network = linuxLan({ otherPorts: 'refused' });
    const { events } = await run(options({ includeLoopback: false }), network.deps);
    expect(ofType(events, 'discovery-note').map((event) => event.message)).toEqual([
      'sweeping 192.168.1.0/24 on eth0 (254 addresses), a private network; probing port 11434, one address at a time',
    ]);
  });

  it('does not sweep a reserved range on its own, and probes nothing on it', async () => {
    const reserved: InterfaceTable = {
      lo: linuxInterfaces.lo,
      eth0: [{ address: '198.18.0.23', netmask: '255.255.255.0', family: 'IPv4', internal: false }],
    };
    const network = fakeNetwork({
      interfaces: reserved,
      files: { '/proc/net/route': fixture('linux-proc-net-route.txt'), '/proc/net/arp': '198.18.0.1 0x1 0x2 aa:bb:cc:dd:ee:ff * eth0' },
      otherPorts: 'refused',
    });
    const { events, done } = await run(options(), network.deps);
    expect(network.probes).toEqual(['127.0.0.1:11434']);
    expect(ofType(events, 'discovery-note').map((event) => event.message)).toContain(
      'not sweeping 198.18.0.0/24 on eth0: it is a reserved range (network benchmarking); name it with --subnet 198.18.0.0/24 to sweep it',
    );
    expect(done.advice[0]).toMatch(/the local network was not swept \(not sweeping 198\.18\.0\.0\/24/);
  });

  it('does not sweep a /22 on its own, but does when --subnet names it', async () => {
    const wifi = { ...linuxInterfaces };
    const route = 'Iface\tDestination\tGateway\tFlags\tRefCnt\tUse\tMetric\tMask\tMTU\tWindow\tIRTT\nwlan0\t00000000\t0104000A\t0003\t0\t0\t0\t00000000\t0\t0\t0\n';
    const unnamed = fakeNetwork({ interfaces: wifi, files: { '/proc/net/route': route, '/proc/net/arp': '' }, otherPorts: 'refused' });
    const first = await run(options({ includeLoopback: false }), unnamed.deps);
    expect(unnamed.probes).toEqual([]);
    expect(ofType(first.events, 'discovery-note')[0]?.message).toMatch(/^not sweeping 10\.0\.4\.0\/22 on wlan0: its 1,022 addresses/);

    const named = fakeNetwork({ interfaces: wifi, files: { '/proc/net/route': route, '/proc/net/arp': '' }, otherPorts: 'refused' });
    await run(options({ includeLoopback: false, subnet: '10.0.4.0/22' }), named.deps);
    expect(named.probes).toHaveLength(1022);
    expectNoRepeats(named.probes);
  });

  it('refuses a range larger than a /22 and IPv6, saying why', async () => {
    for (const subnet of ['10.0.0.0/16', 'fd00::/64', 'nonsense']) {
      const network = linuxLan({ otherPorts: 'refused' });
      const { events } = await run(options({ includeLoopback: false, subnet }), network.deps);
      expect(network.probes).toEqual([]);
      expect(ofType(events, 'discovery-note')).toHaveLength(1);
    }
  });

  it('sweeps a reserved range that --subnet names', async () => {
    const network = linuxLan({ otherPorts: 'refused' });
    await run(options({ includeLoopback: false, subnet: '192.0.2.0/29' }), network.deps);
    expect(network.probes).toEqual(['192.0.2.1', '192.0.2.2', '192.0.2.3', '192.0.2.4', '192.0.2.5', '192.0.2.6'].map((a) => `${a}:11434`));
  });

  it('sweeps the network of --interface, a virtual one included, neighbours first', async () => {
    const network = macLan({ otherPorts: 'refused' });
    await run(options({ includeLoopback: false, interface: 'bridge100' }), network.deps);
    expect(network.probes.slice(0, 2)).toEqual(['192.168.64.3:11434', '192.168.64.1:11434']);
    expect(network.probes).toHaveLength(254);
    expect(network.probes.every((probe) => probe.startsWith('192.168.64.'))).toBe(true);
  });

  it('still applies the policy to the network of --interface: not tailscale0 (a reserved /32) nor docker0 (a /16)', async () => {
    const tailscale = linuxLan({ otherPorts: 'refused' });
    const first = await run(options({ includeLoopback: false, interface: 'tailscale0' }), tailscale.deps);
    expect(tailscale.probes).toEqual([]);
    expect(ofType(first.events, 'discovery-note')[0]?.message).toMatch(/not sweeping 100\.101\.102\.103\/32 on tailscale0: it is a reserved range/);
    const docker = linuxLan({ otherPorts: 'refused' });
    const second = await run(options({ includeLoopback: false, interface: 'docker0' }), docker.deps);
    expect(docker.probes).toEqual([]);
    expect(ofType(second.events, 'discovery-note')[0]?.message).toMatch(/not sweeping 172\.17\.0\.0\/16 on docker0: its 65,534 addresses/);
  });

  it('does not sweep at all when scanning is off', async () => {
    const network = linuxLan({ otherPorts: 'refused' });
    const { done } = await run(options({ scan: false }), network.deps);
    expect(network.probes).toEqual(['127.0.0.1:11434']);
    expect(done.advice[0]).toBe(
      'No Ollama server answered: tried http://127.0.0.1:11434; the local network was not swept (scanning the local network was turned off).',
    );
  });

  it('reports progress every 8 addresses and at the end', async () => {
    const network = linuxLan({ otherPorts: 'refused' });
    const { events } = await run(options({ includeLoopback: false, subnet: '10.1.1.0/27' }), network.deps);
    const progress = ofType(events, 'scan-progress');
    expect(progress.map((event) => event.probed)).toEqual([0, 8, 16, 24, 30]);
    expect(progress.every((event) => event.network === '10.1.1.0/27' && event.total === 30)).toBe(true);
  });

  it('sweeps without the neighbour table when it cannot be read, saying so', async () => {
    const network = fakeNetwork({
      interfaces: linuxInterfaces,
      files: { '/proc/net/route': fixture('linux-proc-net-route.txt') },
      otherPorts: 'refused',
    });
    const { events } = await run(options({ includeLoopback: false }), network.deps);
    expect(network.probes).toHaveLength(254);
    expect(ofType(events, 'discovery-note').map((event) => event.message)).toContain(
      "could not read the neighbour table (ENOENT: no such file or directory, open '/proc/net/arp'); sweeping without it",
    );
  });

  it('sweeps the macOS LAN from `route` and `arp` output, neighbours first', async () => {
    const network = macLan({ otherPorts: 'refused' });
    await run(options({ includeLoopback: false }), network.deps);
    expect(network.probes.slice(0, 4)).toEqual(['192.168.1.1:11434', '192.168.1.12:11434', '192.168.1.40:11434', '192.168.1.2:11434']);
    expect(network.probes).toHaveLength(254);
  });
});

describe('pace', () => {
  it('probes one address at a time by default', async () => {
    let inFlight = 0;
    let most = 0;
    const network = linuxLan({ otherPorts: 'refused' });
    const probe = network.deps.tcpProbe;
    network.deps.tcpProbe = async (address, port, probeOptions) => {
      inFlight += 1;
      most = Math.max(most, inFlight);
      await new Promise((resolve) => setImmediate(resolve));
      inFlight -= 1;
      return probe(address, port, probeOptions);
    };
    await run(options({ includeLoopback: false, subnet: '10.1.1.0/28' }), network.deps);
    expect(most).toBe(1);

    most = 0;
    await run(options({ includeLoopback: false, subnet: '10.1.2.0/28', scanConcurrency: 4 }), network.deps);
    expect(most).toBe(4);
    expectNoRepeats(network.probes);
    expect(network.probes).toHaveLength(28);
  });

  it('pauses between swept addresses when asked', async () => {
    const network = linuxLan({ otherPorts: 'refused' });
    await run(options({ includeLoopback: false, subnet: '10.1.1.0/29', scanDelayMs: 250 }), network.deps);
    expect(network.sleeps).toEqual([250, 250, 250, 250, 250]);
  });

  it('gives each swept address the scan timeout and named hosts the longer identify timeout', async () => {
    const timeouts: Record<string, number> = {};
    const network = linuxLan({ otherPorts: 'refused' });
    const probe = network.deps.tcpProbe;
    network.deps.tcpProbe = (address, port, probeOptions) => {
      timeouts[address] = probeOptions.timeoutMs;
      return probe(address, port, probeOptions);
    };
    await run(options({ hosts: ['10.0.0.9'], subnet: '10.1.1.0/30', scanTimeoutMs: 300, identifyTimeoutMs: 1500 }), network.deps);
    expect(timeouts).toEqual({ '10.0.0.9': 1500, '127.0.0.1': 300, '10.1.1.1': 300, '10.1.1.2': 300 });
  });
});

describe('named hosts that are not usable', () => {
  it('rejects an invalid --host or OLLAMA_HOST with the reason and goes on', async () => {
    const network = fakeNetwork({ otherPorts: 'refused' });
    const { events } = await run(
      options({ hosts: ['10.0.0.5:99999', ''], ollamaHostEnv: 'ftp://x', scan: false, includeLoopback: false }),
      network.deps,
    );
    expect(ofType(events, 'host-rejected')).toEqual([
      {
        type: 'host-rejected',
        url: '10.0.0.5:99999',
        reason: '--host 10.0.0.5:99999: "10.0.0.5:99999": the port must be a number from 1 to 65535, not "99999"',
      },
      { type: 'host-rejected', url: '', reason: expect.stringMatching(/empty host/) },
      { type: 'host-rejected', url: 'ftp://x', reason: expect.stringMatching(/OLLAMA_HOST=ftp:\/\/x: .*unsupported scheme "ftp"/) },
    ]);
    expect(network.probes).toEqual([]);
  });

  it('says why a named host did not answer', async () => {
    const network = fakeNetwork({
      ports: {
        '10.0.0.1:11434': 'refused',
        '10.0.0.2:11434': 'timeout',
        '10.0.0.3:11434': { outcome: 'unreachable', code: 'EHOSTUNREACH' },
        'nas.local:11434': { outcome: 'error', code: 'ENOTFOUND' },
        '10.0.0.4:11434': 'open',
      },
      servers: { 'http://10.0.0.4:11434': { ok: false, failure: 'tarpit', reason: 'http://10.0.0.4:11434 accepted the connection but sent no answer within 2000 ms' } },
    });
    const { events } = await run(
      options({ hosts: ['10.0.0.1', '10.0.0.2', '10.0.0.3', 'nas.local', '10.0.0.4'], scan: false, includeLoopback: false }),
      network.deps,
    );
    expect(ofType(events, 'host-rejected').map((event) => event.reason)).toEqual([
      '--host 10.0.0.1: nothing is listening on 10.0.0.1:11434 (connection refused): is Ollama running there, with OLLAMA_HOST=0.0.0.0?',
      '--host 10.0.0.2: no answer from 10.0.0.2:11434 within 2000 ms: the machine may be off, or a firewall drops port 11434',
      '--host 10.0.0.3: 10.0.0.3 cannot be reached from this machine (EHOSTUNREACH)',
      '--host nas.local: cannot find a machine named nas.local (ENOTFOUND)',
      '--host 10.0.0.4: http://10.0.0.4:11434 accepted the connection but sent no answer within 2000 ms',
    ]);
  });

  it('never contacts ollama.com, the cloud service', async () => {
    const network = fakeNetwork({ otherPorts: 'open' });
    const { events } = await run(options({ hosts: [], ollamaHostEnv: 'ollama.com', scan: false, includeLoopback: false }), network.deps);
    expect(network.probes).toEqual([]);
    expect(ofType(events, 'host-rejected')[0]?.reason).toMatch(/ollama\.com is Ollama's cloud service/);
  });

  it('says so quietly when Ollama is not running on this machine', async () => {
    const network = fakeNetwork({ otherPorts: 'refused' });
    const { events } = await run(options({ scan: false }), network.deps);
    expect(ofType(events, 'host-rejected')).toEqual([]);
    expect(ofType(events, 'discovery-note').map((event) => event.message)).toEqual([
      'no Ollama server on this machine (nothing is listening on 127.0.0.1:11434)',
    ]);
  });

  it('survives a probe or identify that throws', async () => {
    const network = fakeNetwork();
    network.deps.tcpProbe = async (address) => {
      if (address === '10.0.0.1') throw new Error('EMFILE: too many open files');
      return { outcome: 'open' };
    };
    network.deps.identify = async () => {
      throw new Error('parser exploded');
    };
    const { events } = await run(options({ hosts: ['10.0.0.1', '10.0.0.2'], scan: false, includeLoopback: false }), network.deps);
    expect(ofType(events, 'host-rejected').map((event) => event.reason)).toEqual([
      '--host 10.0.0.1: cannot connect to 10.0.0.1:11434 (EMFILE: too many open files)',
      '--host 10.0.0.2: http://10.0.0.2:11434: parser exploded',
    ]);
  });
});

describe('the servers found by earlier runs', () => {
  it('remembers the servers found on other machines, not this one', async () => {
    const network = linuxLan({
      ports: { '127.0.0.1:11434': 'open', '192.168.1.40:11434': 'open' },
      otherPorts: 'refused',
      servers: { 'http://127.0.0.1:11434': ollama(), 'http://192.168.1.40:11434': ollama('0.28.0') },
    });
    await run(options({ knownServersFile: KNOWN }), network.deps);
    expect(JSON.parse(network.files.get(KNOWN) ?? 'null')).toEqual({
      schemaVersion: 1,
      servers: [{ url: 'http://192.168.1.40:11434', version: '0.28.0', lastSeen: '2026-03-01T12:00:00.000Z' }],
    });
  });

  it('moves a corrupt file aside with a note and goes on', async () => {
    const network = linuxLan({ files: { [KNOWN]: '{"schemaVersion":1,' }, otherPorts: 'refused' });
    const { events } = await run(options({ knownServersFile: KNOWN, scan: false }), network.deps);
    expect(ofType(events, 'discovery-note').some((event) => /was unreadable.*moved it to/.test(event.message))).toBe(true);
    expect(network.files.get(`${KNOWN}.corrupt-2026-03-01T12-00-00-000Z`)).toBe('{"schemaVersion":1,');
  });

  it('skips an entry that is not a server address', async () => {
    const network = fakeNetwork({
      files: {
        [KNOWN]: JSON.stringify({ schemaVersion: 1, servers: [{ url: 'http://bad host', version: '1', lastSeen: 'x' }] }),
      },
    });
    const { events } = await run(options({ knownServersFile: KNOWN, scan: false, includeLoopback: false }), network.deps);
    expect(network.probes).toEqual([]);
    expect(ofType(events, 'discovery-note')[0]?.message).toMatch(/skipping http:\/\/bad host/);
  });

  it('notes a failure to save and still finishes', async () => {
    const network = fakeNetwork({ ports: { '10.0.0.4:11434': 'open' }, servers: { 'http://10.0.0.4:11434': ollama() } });
    network.deps.writeFile = async () => {
      throw new Error('EROFS: read-only file system');
    };
    const { hosts, events } = await run(
      options({ hosts: ['10.0.0.4'], knownServersFile: KNOWN, scan: false, includeLoopback: false }),
      network.deps,
    );
    expect(hosts).toHaveLength(1);
    expect(ofType(events, 'discovery-note').at(-1)?.message).toMatch(/could not save the known servers.*EROFS/);
  });
});

describe('advice when nothing is found', () => {
  it('says what was swept, how to expose Ollama, and to check the firewall', async () => {
    const network = linuxLan({ otherPorts: 'timeout' });
    const { hosts, done } = await run(options(), network.deps);
    expect(hosts).toEqual([]);
    expect(done.advice[0]).toBe(
      'No Ollama server answered: tried http://127.0.0.1:11434, http://192.168.1.1:11434, http://192.168.1.12:11434, ' +
        'http://192.168.1.40:11434, and swept 192.168.1.0/24 on eth0 (port 11434, 254 addresses).',
    );
    const text = done.advice.join('\n');
    expect(text).toMatch(/Ollama listens only on 127\.0\.0\.1 unless told otherwise/);
    expect(text).toMatch(/OLLAMA_HOST=0\.0\.0\.0 and restart Ollama/);
    expect(text).toMatch(/systemctl edit ollama/);
    expect(text).toMatch(/firewall on the server can still block port 11434/);
    expect(text).not.toMatch(/Local Network/);
  });

  it('on macOS, recognises a missing Local Network permission and says how to grant it', async () => {
    const network = macLan({
      ports: { '127.0.0.1:11434': 'refused', '192.168.1.1:11434': 'refused' },
      otherPorts: { outcome: 'unreachable', code: 'EHOSTUNREACH' },
    });
    const { done } = await run(options(), network.deps);
    const text = done.advice.join('\n');
    expect(text).toMatch(/Every address on 192\.168\.1\.0\/24 failed at once with "no route to host" while the router \(192\.168\.1\.1\) answered/);
    expect(text).toMatch(/System Settings > Privacy & Security > Local Network/);
  });

  it('gives the Local Network advice even when this machine\'s own server was found', async () => {
    const network = macLan({
      ports: { '127.0.0.1:11434': 'open', '192.168.1.23:11434': 'open', '192.168.1.1:11434': 'refused' },
      otherPorts: { outcome: 'unreachable', code: 'EHOSTUNREACH' },
      servers: { 'http://127.0.0.1:11434': ollama(), 'http://192.168.1.23:11434': ollama() },
    });
    const { hosts, done } = await run(options(), network.deps);
    expect(hosts).toHaveLength(1);
    expect(done.advice).toHaveLength(1);
    expect(done.advice[0]).toMatch(/Privacy & Security > Local Network/);
  });

  it('does not see the pattern when the router is unreachable too, or addresses merely time out', () => {
    const outcomes = (router: ProbeOutcome, others: ProbeOutcome) =>
      new Map<string, ProbeOutcome>([
        ['192.168.1.1', router],
        ['192.168.1.2', others],
        ['192.168.1.3', others],
        ['192.168.1.4', others],
      ]);
    expect(looksLikeLocalNetworkBlock(outcomes('refused', 'unreachable'), '192.168.1.1')).toBe(true);
    expect(looksLikeLocalNetworkBlock(outcomes('timeout', 'unreachable'), '192.168.1.1')).toBe(true);
    expect(looksLikeLocalNetworkBlock(outcomes('unreachable', 'unreachable'), '192.168.1.1')).toBe(false);
    expect(looksLikeLocalNetworkBlock(outcomes('refused', 'timeout'), '192.168.1.1')).toBe(false);
    expect(looksLikeLocalNetworkBlock(outcomes('refused', 'unreachable'), null)).toBe(false);
    const mixed = outcomes('refused', 'unreachable').set('192.168.1.5', 'refused');
    expect(looksLikeLocalNetworkBlock(mixed, '192.168.1.1')).toBe(false);
  });

  it('on Linux, names the same pattern without the macOS setting', async () => {
    const network = linuxLan({
      ports: { '192.168.1.1:11434': 'refused' },
      otherPorts: { outcome: 'unreachable', code: 'EHOSTUNREACH' },
    });
    const { done } = await run(options({ includeLoopback: false }), network.deps);
    const text = done.advice.join('\n');
    expect(text).toMatch(/blocks traffic to the local network/);
    expect(text).not.toMatch(/System Settings/);
  });
});

describe('cancellation', () => {
  it('stops within a second when aborted in the middle of a sweep of silent addresses', async () => {
    const network = linuxLan({ otherPorts: 'hang' });
    const controller = new AbortController();
    const { events, emit } = collect();
    setTimeout(() => controller.abort(new Error('Ctrl-C')), 50);
    const started = Date.now();
    await expect(discover(options({ includeLoopback: false }), emit, controller.signal, network.deps)).rejects.toThrow('Ctrl-C');
    expect(Date.now() - started).toBeLessThan(1000);
    expect(ofType(events, 'discovery-done')).toEqual([]);
    const probesAtAbort = network.probes.length;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(network.probes.length).toBe(probesAtAbort);
  });

  it('stops within a second when aborted during the pause between probes', async () => {
    const network = linuxLan({ otherPorts: 'refused' });
    network.deps.sleep = realDiscoveryDeps().sleep;
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('Ctrl-C')), 100);
    const started = Date.now();
    await expect(
      discover(options({ includeLoopback: false, scanDelayMs: 60_000 }), () => {}, controller.signal, network.deps),
    ).rejects.toThrow('Ctrl-C');
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('stops within a second when aborted while a server is being identified', async () => {
    const network = fakeNetwork({ ports: { '10.0.0.4:11434': 'open' }, servers: { 'http://10.0.0.4:11434': 'hang' } });
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('Ctrl-C')), 50);
    await expect(
      discover(options({ hosts: ['10.0.0.4'], scan: false }), () => {}, controller.signal, network.deps),
    ).rejects.toThrow('Ctrl-C');
  });

  it('does nothing when the signal is already aborted', async () => {
    const network = linuxLan();
    const controller = new AbortController();
    controller.abort(new Error('Ctrl-C'));
    await expect(discover(options(), () => {}, controller.signal, network.deps)).rejects.toThrow('Ctrl-C');
    expect(network.probes).toEqual([]);
  });
});

describe('real sockets on 127.0.0.x', () => {
  const servers: net.Server[] = [];
  const sockets = new Set<net.Socket>();
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  });

  async function listen(server: net.Server, host: string, port = 0): Promise<number> {
    servers.push(server);
    server.on('connection', (socket: net.Socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    server.listen(port, host);
    await once(server, 'listening');
    return (server.address() as net.AddressInfo).port;
  }

  function fakeOllama(): http.Server {
    return http.createServer((req, res) => {
      if (req.url === '/api/version') res.end('{"version":"0.30.1"}');
      else if (req.url === '/') res.end('Ollama is running');
      else res.writeHead(404).end('404 page not found');
    });
  }

  /** Real probing and identifying; the machine's interfaces and tables are fakes with loopback only. */
  function loopbackDeps(): DiscoveryDeps {
    const network = fakeNetwork({
      interfaces: { lo: linuxInterfaces.lo },
      files: { '/proc/net/route': fixture('linux-proc-net-route-no-default.txt'), '/proc/net/arp': '' },
    });
    return { ...network.deps, tcpProbe, identify: identifyOllama };
  }

  it('is not stalled by a server that accepts and never answers', async () => {
    const tarpit = await listen(net.createServer(() => {}), '127.0.0.1');
    const ollamaPort = await listen(fakeOllama(), '127.0.0.1');
    const started = Date.now();
    const { hosts, events } = await run(
      options({
        hosts: [`127.0.0.1:${tarpit}`, `127.0.0.1:${ollamaPort}`],
        scan: false,
        includeLoopback: false,
        identifyTimeoutMs: 400,
      }),
      loopbackDeps(),
    );
    expect(Date.now() - started).toBeLessThan(2000);
    expect(hosts).toEqual([{ url: `http://127.0.0.1:${ollamaPort}`, version: '0.30.1', source: 'flag' }]);
    expect(ofType(events, 'host-rejected')[0]?.reason).toMatch(/accepted the connection but sent no answer within 400 ms/);
  });

  it('sweeps a named loopback range, passing a tarpit to find the server behind it', async () => {
    const port = await listen(net.createServer(() => {}), '127.0.0.2');
    await listen(fakeOllama(), '127.0.0.3', port);
    const started = Date.now();
    const { hosts, events } = await run(
      options({ subnet: '127.0.0.0/29', scanPort: port, includeLoopback: false, identifyTimeoutMs: 400, scanTimeoutMs: 300 }),
      loopbackDeps(),
    );
    expect(Date.now() - started).toBeLessThan(3000);
    expect(hosts).toEqual([{ url: `http://127.0.0.3:${port}`, version: '0.30.1', source: 'sweep' }]);
    expect(ofType(events, 'host-rejected').map((event) => event.url)).toEqual([`http://127.0.0.2:${port}`]);
    expect(ofType(events, 'scan-progress').at(-1)).toEqual({ type: 'scan-progress', network: '127.0.0.0/29', probed: 6, total: 6 });
  });
});
