// Finds the Ollama servers this machine can use, most likely first, and reports each the moment it is
// confirmed: named hosts, OLLAMA_HOST, this machine, servers found by earlier runs, live neighbours on
// the local network, then the rest of that network one address at a time. Every side effect enters
// through `deps`, so the whole search can be replayed against fakes.
import { execFile } from 'node:child_process';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { setTimeout as delay } from 'node:timers/promises';
import type { Emit } from '../events.js';
import type { HostInfo, HostSource } from '../report.js';
import { DEFAULT_IDENTIFY_TIMEOUT_MS, identifyOllama, type Identify, type Identity } from './identify.js';
import {
  chooseNetwork,
  localAddresses,
  readDefaultRoute,
  type DefaultRoute,
  type InterfaceTable,
  type RouteReader,
} from './interfaces.js';
import {
  loadKnownServers,
  rememberServers,
  saveKnownServers,
  type KnownServer,
  type KnownServersFiles,
} from './known-servers.js';
import { neighboursIn, readNeighbours } from './neighbours.js';
import {
  OLLAMA_DEFAULT_PORT,
  OllamaHostError,
  cleanHostValue,
  connectableHost,
  formatHostUrl,
  parseOllamaHost,
  type OllamaHost,
} from './ollama-host.js';
import { DEFAULT_PROBE_TIMEOUT_MS, tcpProbe, type ProbeOutcome, type ProbeResult, type TcpProbe } from './probe.js';
import {
  SubnetError,
  classifyNetwork,
  formatCidr,
  hostAddresses,
  networkContains,
  parseCidr,
  sweepPolicy,
  type Ipv4Network,
} from './subnet.js';

export interface DiscoveryOptions {
  /** `--host` values, tried first, in order. */
  hosts: string[];
  /** The source reported for `hosts`: 'flag', or 'demo' for the simulated servers of `--demo`. */
  hostSource?: 'flag' | 'demo';
  /** The OLLAMA_HOST environment variable, read with Ollama's rules. */
  ollamaHostEnv: string | undefined;
  /** Sweep the local network (neighbours first, then every address). */
  scan: boolean;
  /** Try this machine's own server at 127.0.0.1:11434; demo mode turns it off. */
  includeLoopback: boolean;
  /** `--subnet CIDR`: the range to sweep instead of the default route's network. */
  subnet?: string;
  /** `--interface NAME`: sweep this interface's network, even a virtual one. */
  interface?: string;
  /** Connect timeout for each swept address (and for this machine and remembered servers). */
  scanTimeoutMs: number;
  /** Probes in flight at once during the sweep; 1, the polite default, is one address at a time. */
  scanConcurrency: number;
  /** Pause after each swept address. */
  scanDelayMs: number;
  /** The JSON file of servers found by earlier runs; none is read or written without it. */
  knownServersFile?: string;
  /** Deadline for the HTTP identity check of one server, and for connecting to a named host. */
  identifyTimeoutMs?: number;
  /** The port swept on the network; Ollama's 11434 unless testing. */
  scanPort?: number;
}

export const DEFAULT_DISCOVERY_OPTIONS: DiscoveryOptions = {
  hosts: [],
  ollamaHostEnv: undefined,
  scan: true,
  includeLoopback: true,
  scanTimeoutMs: DEFAULT_PROBE_TIMEOUT_MS,
  scanConcurrency: 1,
  scanDelayMs: 0,
  identifyTimeoutMs: DEFAULT_IDENTIFY_TIMEOUT_MS,
  scanPort: OLLAMA_DEFAULT_PORT,
};

export interface DiscoveryDeps extends RouteReader, KnownServersFiles {
  platform: NodeJS.Platform;
  networkInterfaces(): InterfaceTable;
  tcpProbe: TcpProbe;
  identify: Identify;
  /** Resolves after `ms`, or rejects with the signal's reason when it is aborted. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
  now(): number;
}

const PROGRESS_EVERY = 8;
/** At least this many addresses must fail alike before a pattern is read into it. */
const LOCAL_NETWORK_BLOCK_MIN_ADDRESSES = 3;

interface Target {
  host: OllamaHost;
  url: string;
  source: HostSource;
}

type Check =
  | { kind: 'skipped' }
  | { kind: 'closed'; probe: ProbeResult }
  | { kind: 'rejected'; identity: Extract<Identity, { ok: false }> }
  | { kind: 'ollama'; version: string };

interface SweepRecord {
  network: Ipv4Network;
  /** e.g. "swept 192.168.1.0/24 on en0 (port 11434, 253 addresses)". */
  summary: string;
  /** The router, when it is on the swept network. */
  gateway: string | null;
}

function makeTarget(host: OllamaHost, source: HostSource): Target {
  return { host, url: formatHostUrl(host), source };
}

function endpoint(address: string, port: number): string {
  return `${address.includes(':') ? `[${address}]` : address}:${port}`;
}

function isCloud(address: string): boolean {
  return address === 'ollama.com' || address.endsWith('.ollama.com');
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function describeProbe(host: OllamaHost, probe: ProbeResult, timeoutMs: number): string {
  const where = endpoint(host.host, host.port);
  switch (probe.outcome) {
    case 'refused':
      return `nothing is listening on ${where} (connection refused): is Ollama running there, with OLLAMA_HOST=0.0.0.0?`;
    case 'timeout':
      return `no answer from ${where} within ${timeoutMs} ms: the machine may be off, or a firewall drops port ${host.port}`;
    case 'unreachable':
      return `${host.host} cannot be reached from this machine (${probe.code ?? 'unreachable'})`;
    case 'error':
      if (probe.code === 'ENOTFOUND' || probe.code === 'EAI_AGAIN') {
        return `cannot find a machine named ${host.host} (${probe.code})`;
      }
      return `cannot connect to ${where} (${probe.code ?? 'unknown error'})`;
    case 'open':
      return `${where} is open`;
  }
}

/**
 * macOS 15+ without Local Network permission: every address on the network fails at once with
 * "no route to host" while the router, which the system still lets through, answers.
 */
export function looksLikeLocalNetworkBlock(outcomes: ReadonlyMap<string, ProbeOutcome>, gateway: string | null): boolean {
  if (gateway === null) return false;
  const gatewayOutcome = outcomes.get(gateway);
  if (gatewayOutcome === undefined || gatewayOutcome === 'unreachable') return false;
  const others = [...outcomes].filter(([address]) => address !== gateway);
  return others.length >= LOCAL_NETWORK_BLOCK_MIN_ADDRESSES && others.every(([, outcome]) => outcome === 'unreachable');
}

function localNetworkAdvice(platform: NodeJS.Platform, network: string, gateway: string): string {
  const seen = `Every address on ${network} failed at once with "no route to host" while the router (${gateway}) answered`;
  if (platform === 'darwin') {
    return (
      `${seen}: macOS is blocking this app from the local network. Grant it in System Settings > Privacy & Security > ` +
      'Local Network (turn on the switch for Ollama Speedrun, or for the terminal app you run it from), then run again.'
    );
  }
  return `${seen}: something on this machine (a firewall or a security setting) blocks traffic to the local network.`;
}

const EXPOSE_ADVICE =
  'Ollama listens only on 127.0.0.1 unless told otherwise, so other machines cannot see it. On each server set ' +
  'OLLAMA_HOST=0.0.0.0 and restart Ollama: in the macOS or Windows app, turn on "Expose Ollama to the network" in its ' +
  'settings (or on macOS run `launchctl setenv OLLAMA_HOST 0.0.0.0` and restart the app); for the Linux service run ' +
  '`sudo systemctl edit ollama`, add `Environment="OLLAMA_HOST=0.0.0.0"` under [Service], then ' +
  '`sudo systemctl restart ollama`; the Docker image already listens on 0.0.0.0 (publish the port with -p 11434:11434).';

function firewallAdvice(port: number): string {
  return (
    `A firewall on the server can still block port ${port}: allow incoming TCP on ${port} ` +
    `(Linux with ufw: \`sudo ufw allow ${port}/tcp\`; Windows: allow Ollama when Windows Firewall asks, or add an inbound rule).`
  );
}

/**
 * Runs discovery and resolves with the servers found, in the order they were reported. Rejects with
 * the signal's reason as soon as `signal` is aborted; nothing else makes it reject.
 */
export async function discover(
  options: DiscoveryOptions,
  emit: Emit,
  signal: AbortSignal,
  deps: DiscoveryDeps,
): Promise<HostInfo[]> {
  signal.throwIfAborted();
  const identifyTimeoutMs = options.identifyTimeoutMs ?? DEFAULT_IDENTIFY_TIMEOUT_MS;
  const namedTimeoutMs = Math.max(options.scanTimeoutMs, identifyTimeoutMs);
  const scanPort = options.scanPort ?? OLLAMA_DEFAULT_PORT;
  const note = (message: string) => emit({ type: 'discovery-note', message });

  const found: HostInfo[] = [];
  /** Found servers that are not this machine: the ones worth remembering for the next run. */
  const remoteFound: HostInfo[] = [];
  const foundServers = new Set<string>();
  const probed = new Set<string>();
  const tried: string[] = [];
  const triedUrls: string[] = [];
  const sweepOutcomes = new Map<string, ProbeOutcome>();
  let rejectedCount = 0;

  const table = deps.networkInterfaces();
  const ownAddresses = localAddresses(table);
  // One server, one entry: 127.0.0.1 and this machine's LAN addresses lead to the same server on a
  // given port. Other 127.x addresses are left apart: servers can bind to them one by one.
  const isThisMachine = (address: string) =>
    ownAddresses.has(address) || ['127.0.0.1', '::1', '0.0.0.0', '::'].includes(address);
  const serverKey = (host: OllamaHost) =>
    isThisMachine(host.host) ? `this-machine:${host.port}` : endpoint(host.host, host.port);

  let route: DefaultRoute | null = null;
  let routeProblem: string | null = null;
  try {
    route = await readDefaultRoute(deps.platform, deps);
  } catch (error) {
    routeProblem = `could not read the default route (${errorText(error)})`;
  }
  const choice = chooseNetwork(table, route, options.interface);
  // The address other machines reach this one at, when it is on a private network. On any other
  // range this machine's server stays at 127.0.0.1 rather than draw a probe nobody asked for.
  const lanAddress =
    choice.chosen && classifyNetwork(choice.chosen.network).kind === 'private' ? choice.chosen.address : null;

  /** Aborts rethrow; any other failure of an injected function becomes `fallback`. */
  const guarded = async <T>(work: () => Promise<T>, fallback: (error: unknown) => T): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      return fallback(error);
    }
  };

  /** Connects, then asks; each address at most once, and never a server already found at another address. */
  const check = async (target: Target, connectTimeoutMs: number, listInTried: boolean): Promise<Check> => {
    signal.throwIfAborted();
    const { host } = target;
    const key = endpoint(host.host, host.port);
    if (probed.has(key) || foundServers.has(serverKey(host))) return { kind: 'skipped' };
    probed.add(key);
    if (listInTried) {
      tried.push(target.url);
      triedUrls.push(target.url);
    }
    const probe = await guarded(
      () => deps.tcpProbe(host.host, host.port, { timeoutMs: connectTimeoutMs, signal }),
      (error): ProbeResult => ({ outcome: 'error', code: errorText(error) }),
    );
    if (probe.outcome !== 'open') return { kind: 'closed', probe };
    const identity = await guarded(
      () => deps.identify(target.url, { timeoutMs: identifyTimeoutMs, signal }),
      (error): Identity => ({ ok: false, failure: 'not-http', reason: `${target.url}: ${errorText(error)}` }),
    );
    return identity.ok ? { kind: 'ollama', version: identity.version } : { kind: 'rejected', identity };
  };

  const report = (target: Target, version: string) => {
    const host: HostInfo = { url: target.url, version, source: target.source };
    found.push(host);
    if (!isThisMachine(target.host.host) && target.source !== 'demo') remoteFound.push(host);
    foundServers.add(serverKey(target.host));
    emit({ type: 'host-found', host });
  };

  const reject = (url: string, reason: string) => {
    rejectedCount += 1;
    emit({ type: 'host-rejected', url, reason });
  };

  /**
   * This machine's server (found through OLLAMA_HOST or 127.0.0.1) as other machines can reach it,
   * when it answers on the LAN address too. A host named with --host is reported as named.
   */
  const preferLanAddress = async (target: Target): Promise<Target> => {
    if (target.source !== 'env' && target.source !== 'loopback') return target;
    if (!lanAddress || target.host.host === lanAddress || !isThisMachine(target.host.host)) return target;
    const lan = makeTarget({ ...target.host, host: lanAddress }, target.source);
    const result = await check(lan, options.scanTimeoutMs, true);
    return result.kind === 'ollama' ? lan : target;
  };

  const tryNamed = async (target: Target, connectTimeoutMs: number, label: string) => {
    if (isCloud(target.host.host)) {
      reject(
        target.url,
        `${label}: ollama.com is Ollama's cloud service; its models run on your ollama.com account, ` +
          'not on your machines, so it is not benchmarked',
      );
      return;
    }
    const result = await check(target, connectTimeoutMs, true);
    if (result.kind === 'ollama') {
      report(await preferLanAddress(target), result.version);
    } else if (result.kind === 'rejected') {
      reject(target.url, `${label}: ${result.identity.reason}`);
    } else if (result.kind === 'closed') {
      if (target.source === 'loopback' && result.probe.outcome === 'refused') {
        note(`no Ollama server on this machine (nothing is listening on ${endpoint(target.host.host, target.host.port)})`);
      } else {
        reject(target.url, `${label}: ${describeProbe(target.host, result.probe, connectTimeoutMs)}`);
      }
    }
  };

  const parseNamed = (value: string, source: HostSource, label: string): Target | null => {
    try {
      return makeTarget(connectableHost(parseOllamaHost(value)), source);
    } catch (error) {
      if (!(error instanceof OllamaHostError)) throw error;
      reject(value, `${label}: ${error.message}`);
      return null;
    }
  };

  const sweep = async (network: Ipv4Network, where: string): Promise<string> => {
    const cidr = formatCidr(network);
    let neighbours: string[] = [];
    try {
      neighbours = neighboursIn(await readNeighbours(deps.platform, deps), network);
    } catch (error) {
      note(`could not read the neighbour table (${errorText(error)}); sweeping without it`);
    }
    signal.throwIfAborted();
    const neighbourSet = new Set(neighbours);
    const queue: { address: string; source: 'neighbour' | 'sweep' }[] = [
      ...neighbours.map((address) => ({ address, source: 'neighbour' as const })),
      ...hostAddresses(network)
        .filter((address) => !neighbourSet.has(address))
        .map((address) => ({ address, source: 'sweep' as const })),
    ].filter(({ address }) => !probed.has(endpoint(address, scanPort)));
    const total = queue.length;

    let next = 0;
    let done = 0;
    let reported = -1;
    const progress = () => {
      if (reported === done) return;
      reported = done;
      emit({ type: 'scan-progress', network: cidr, probed: done, total });
    };
    progress();
    const worker = async () => {
      for (let item = queue[next++]; item; item = queue[next++]) {
        const target = makeTarget({ scheme: 'http', host: item.address, port: scanPort, path: '' }, item.source);
        const result = await check(target, options.scanTimeoutMs, item.source === 'neighbour');
        if (result.kind === 'closed') sweepOutcomes.set(item.address, result.probe.outcome);
        else if (result.kind !== 'skipped') sweepOutcomes.set(item.address, 'open');
        if (result.kind === 'ollama') report(target, result.version);
        else if (result.kind === 'rejected') reject(target.url, result.identity.reason);
        done += 1;
        if (done % PROGRESS_EVERY === 0) progress();
        if (options.scanDelayMs > 0 && next < queue.length) await deps.sleep(options.scanDelayMs, signal);
      }
    };
    const workers = Math.max(1, Math.min(options.scanConcurrency, queue.length));
    await Promise.all(Array.from({ length: workers }, worker));
    progress();
    tried.push(`${cidr} port ${scanPort} (sweep of ${total} addresses)`);
    return `swept ${cidr}${where ? ` ${where}` : ''} (port ${scanPort}, ${total} addresses)`;
  };

  // 1. Hosts named with --host.
  for (const value of options.hosts) {
    const label = `--host ${value}`;
    if (cleanHostValue(value) === '') {
      reject(value, `${label}: an empty host was given; name a server, e.g. 192.168.1.20 or 192.168.1.20:11434`);
      continue;
    }
    const target = parseNamed(value, options.hostSource ?? 'flag', label);
    if (target) await tryNamed(target, namedTimeoutMs, label);
  }

  // 2. OLLAMA_HOST, the way Ollama's own client reads it.
  if (options.ollamaHostEnv !== undefined && cleanHostValue(options.ollamaHostEnv) !== '') {
    const label = `OLLAMA_HOST=${options.ollamaHostEnv}`;
    const target = parseNamed(options.ollamaHostEnv, 'env', label);
    if (target) await tryNamed(target, namedTimeoutMs, label);
  }

  // 3. This machine.
  if (options.includeLoopback) {
    const target = makeTarget({ scheme: 'http', host: '127.0.0.1', port: OLLAMA_DEFAULT_PORT, path: '' }, 'loopback');
    await tryNamed(target, options.scanTimeoutMs, 'this machine');
  }

  // 4. Servers found by earlier runs.
  let knownServers: KnownServer[] = [];
  if (options.knownServersFile) {
    const loaded = await loadKnownServers(options.knownServersFile, deps, deps.now());
    loaded.notes.forEach(note);
    knownServers = loaded.servers;
    for (const server of knownServers) {
      let target: Target;
      try {
        target = makeTarget(connectableHost(parseOllamaHost(server.url)), 'cache');
      } catch {
        note(`skipping ${server.url} from the known servers file: it is not a server address`);
        continue;
      }
      await tryNamed(target, options.scanTimeoutMs, 'found by an earlier run');
    }
  }

  // 5 and 6. The local network: live neighbours first, then every other address.
  let swept: SweepRecord | null = null;
  let notSweptReason = 'scanning the local network was turned off';
  if (options.scan) {
    let network: Ipv4Network | null = null;
    let where = '';
    if (options.subnet) {
      try {
        network = parseCidr(options.subnet);
      } catch (error) {
        if (!(error instanceof SubnetError)) throw error;
        note(error.message);
        notSweptReason = error.message;
      }
    } else {
      if (routeProblem) note(routeProblem);
      choice.notes.forEach(note);
      if (choice.chosen) {
        network = choice.chosen.network;
        where = `on ${choice.chosen.interface}`;
      } else {
        notSweptReason = choice.notes.at(-1) ?? 'found no local network to sweep';
      }
    }

    if (network) {
      const decision = sweepPolicy(network, {
        named: Boolean(options.subnet),
        where,
        ...(choice.chosen ? { ownAddress: choice.chosen.address } : {}),
      });
      if (decision.sweep) {
        const pace = options.scanConcurrency <= 1 ? 'one address at a time' : `${options.scanConcurrency} addresses at a time`;
        note(`${decision.note}; probing port ${scanPort}, ${pace}`);
        const router = choice.chosen?.gateway ?? route?.gateway ?? null;
        const gateway = router !== null && networkContains(network, router) ? router : null;
        swept = { network, gateway, summary: await sweep(network, where) };
      } else {
        note(decision.note);
        notSweptReason = decision.note;
      }
    }
  }

  // The advice: what was tried, and why a server may still be invisible.
  const advice: string[] = [];
  const blockedAdvice =
    swept?.gateway && looksLikeLocalNetworkBlock(sweepOutcomes, swept.gateway)
      ? localNetworkAdvice(deps.platform, formatCidr(swept.network), swept.gateway)
      : null;
  if (found.length === 0) {
    const triedText = triedUrls.length > 0 ? `tried ${triedUrls.join(', ')}` : 'no single address was tried';
    advice.push(
      swept
        ? `No Ollama server answered: ${triedText}, and ${swept.summary}.`
        : `No Ollama server answered: ${triedText}; the local network was not swept (${notSweptReason}).`,
    );
    if (blockedAdvice) advice.push(blockedAdvice);
    advice.push(EXPOSE_ADVICE, firewallAdvice(scanPort));
    if (rejectedCount > 0) advice.push('Some addresses answered but are not usable Ollama servers: the reasons are above.');
    advice.push(
      swept
        ? 'If you know where a server is, name it: --host 192.168.1.20 (or --host http://192.168.1.20:11434).'
        : 'Name a server with --host 192.168.1.20, or a range to sweep with --subnet 192.168.1.0/24.',
    );
  } else if (blockedAdvice) {
    advice.push(blockedAdvice);
  }

  if (options.knownServersFile && remoteFound.length > 0) {
    try {
      await saveKnownServers(options.knownServersFile, rememberServers(knownServers, remoteFound, deps.now()), deps);
    } catch (error) {
      note(`could not save the known servers to ${options.knownServersFile} (${errorText(error)})`);
    }
  }

  emit({ type: 'discovery-done', hosts: found, tried, advice });
  return found;
}

function runCommand(file: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { timeout: 5000, maxBuffer: 1024 * 1024, env: { ...process.env, LC_ALL: 'C' } }, (error, stdout, stderr) => {
      if (error) reject(Object.assign(error, { stderr }));
      else resolve(stdout);
    });
  });
}

/** The real machine: its interfaces, route and ARP tables, files, sockets and clock. */
export function realDiscoveryDeps(): DiscoveryDeps {
  return {
    platform: process.platform,
    networkInterfaces: () => os.networkInterfaces(),
    readFile: (file) => readFile(file, 'utf8'),
    exec: runCommand,
    writeFile: (file, data) => writeFile(file, data, { mode: 0o600 }),
    rename: (from, to) => rename(from, to),
    mkdir: async (directory) => {
      await mkdir(directory, { recursive: true });
    },
    tcpProbe,
    identify: (url, identifyOptions) => identifyOllama(url, identifyOptions),
    sleep: async (ms, signal) => {
      try {
        await delay(ms, undefined, { signal });
      } catch (error) {
        throw signal.aborted ? signal.reason : error;
      }
    },
    now: () => Date.now(),
  };
}
