// Discovery figures for `npm run bench`, measured in a namespace lab (test/lab): a private /26 with
// two Ollama servers (one in the scanner's neighbour cache), one bound to its own loopback, a web
// page, a 403, a closed port and empty addresses. Everything runs inside the lab's namespaces; nmap
// too, and only against the lab's subnet. Needs Linux, root, iproute2 and nmap.
//   - the polite sweep (the default: one address at a time) against its floor, empty addresses x the
//     connect timeout; goal: within 5%;
//   - the time to the first server when it is in the neighbour cache; goal: under 1 s from launch;
//   - the fast mode (--scan-concurrency 32) against `nmap -sT -p 11434` on the same subnet, in the same
//     run; goal: no slower.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DEFAULT_PROBE_TIMEOUT_MS } from '../main/core/discovery/probe.js';
import { hostCount, parseCidr } from '../main/core/discovery/subnet.js';
import type { Report } from '../main/core/report.js';
import {
  DISCOVERY_LAB_LAYOUT,
  DISCOVERY_LAB_SUBNET,
  HEADLESS_BUNDLE,
  SIMULATOR_BUNDLE,
  discoveryTimes,
  flushNeighbours,
  runHeadlessInLab,
  serverFoundAt,
  startLan,
  touchNeighbour,
  type DiscoveryTimes,
  type HeadlessLabRun,
  type LanHost,
} from '../test/lab/lan.js';
import { cleanupStaleLabs, labSupport, withLab, type Lab } from '../test/lab/netns.js';

const SUBNET = DISCOVERY_LAB_SUBNET;
/** The discovery test's LAN without its tarpit, whose 2 s HTTP timeout is not part of the sweep's floor. */
const LAYOUT = DISCOVERY_LAB_LAYOUT.filter(([, role]) => role !== 'tarpit');
const CACHED_HOST_NUMBER = 58;
const FAST_CONCURRENCY = 32;
/** Fast-mode and nmap runs, alternated so a busy moment of the machine hits both alike. */
const FAST_RUNS = 3;
const HEADLESS_ARGS = ['--json', '--runs', '1', '--max-tokens', '16'];

export const DISCOVERY_GOALS = { politeSweepOverFloorMax: 1.05, firstCachedServerMsMax: 1000, fastToNmapRatioMax: 1 };

export interface DiscoveryBench {
  subnet: string;
  /** Addresses of the subnet where nothing answers: each costs the full connect timeout. */
  emptyAddresses: number;
  scanTimeoutMs: number;
  /** The default run's whole discovery phase (one address at a time), from its start to the model listing. */
  politeSweepMs: number;
  /** emptyAddresses x scanTimeoutMs. */
  politeSweepFloorMs: number;
  /** politeSweepMs / politeSweepFloorMs. */
  politeSweepOverFloor: number;
  /** From launching the command to the neighbour-cache server being reported. */
  firstCachedServerMs: number;
  /** The same, from the start of discovery (without the command's own start-up). */
  firstCachedServerIntoDiscoveryMs: number;
  /** Median, from launching `--scan-concurrency 32` to the end of its discovery. */
  fastModeMs: number;
  /** Median of the same runs' discovery phase alone. */
  fastModeDiscoveryMs: number;
  /** Median wall time of `nmap -n -sT -p 11434 <subnet>`. */
  nmapMs: number;
  /** fastModeMs / nmapMs: at most 1 means the fast mode is no slower than nmap. */
  fastToNmapRatio: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

function timesOf(run: HeadlessLabRun, what: string): DiscoveryTimes {
  const times = discoveryTimes(run);
  if (run.code !== 0 || times === null) throw new Error(`the ${what} run did not go as expected (exit ${run.code}):\n${run.stderr}`);
  return times;
}

function expectServers(run: HeadlessLabRun, hosts: LanHost[], what: string): void {
  const expected = hosts.filter((host) => host.role === 'ollama').map((host) => host.url).sort();
  const found = (JSON.parse(run.stdout) as Report).hosts.map((host) => host.url).sort();
  if (found.join() !== expected.join()) throw new Error(`the ${what} run found ${found.join(', ') || 'nothing'}, not ${expected.join(', ')}`);
}

/** One headless run with a fresh home, so no run starts from servers an earlier one remembered. */
async function headless(lab: Lab, scanner: LanHost, args: string[]): Promise<HeadlessLabRun> {
  const home = await mkdtemp(join(tmpdir(), 'osr-bench-home-'));
  try {
    return await runHeadlessInLab(lab, scanner, [...HEADLESS_ARGS, ...args], home);
  } finally {
    await rm(home, { recursive: true, force: true });
  }
}

async function timeNmap(lab: Lab, scanner: LanHost): Promise<number> {
  const started = performance.now();
  // -n: no reverse DNS, which would only wait on a resolver the lab cannot reach.
  const result = await lab.run(scanner, 'nmap', ['-n', '-sT', '-p', '11434', lab.subnet], { timeoutMs: 120_000 });
  const wallMs = performance.now() - started;
  if (result.code !== 0) throw new Error(`nmap failed in the lab: ${result.stderr}`);
  return wallMs;
}

function verdict(ok: boolean): string {
  return ok ? 'meets goal' : 'MISSES GOAL';
}

export function formatDiscoveryBench(bench: DiscoveryBench): string {
  const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  const goals = DISCOVERY_GOALS;
  const row = (label: string, figure: string, goal: string, ok: boolean) => `  ${label.padEnd(22)} ${figure} (goal ${goal}): ${verdict(ok)}`;
  return [
    `Discovery in a namespace lab: ${bench.subnet}, ${bench.emptyAddresses} empty addresses, ${bench.scanTimeoutMs} ms connect timeout`,
    row(
      'polite sweep',
      `${s(bench.politeSweepMs)} against a floor of ${s(bench.politeSweepFloorMs)}, x${bench.politeSweepOverFloor.toFixed(3)}`,
      `<= x${goals.politeSweepOverFloorMax}`,
      bench.politeSweepOverFloor <= goals.politeSweepOverFloorMax,
    ),
    row(
      'first cached server',
      `${s(bench.firstCachedServerMs)} from launch, ${s(bench.firstCachedServerIntoDiscoveryMs)} into discovery`,
      `< ${s(goals.firstCachedServerMsMax)} from launch`,
      bench.firstCachedServerMs < goals.firstCachedServerMsMax,
    ),
    row(
      `fast mode (${FAST_CONCURRENCY} at once)`,
      `${s(bench.fastModeMs)} from launch (discovery ${s(bench.fastModeDiscoveryMs)}) against nmap -sT ${s(bench.nmapMs)}, ratio ${bench.fastToNmapRatio.toFixed(2)}`,
      `<= ${goals.fastToNmapRatioMax}`,
      bench.fastToNmapRatio <= goals.fastToNmapRatioMax,
    ),
  ].join('\n');
}

/** Measures discovery in a fresh lab, prints the figures with their goals, and returns them. */
export async function benchDiscovery(print: (text: string) => void = (text) => console.log(text)): Promise<DiscoveryBench> {
  const support = await labSupport();
  if (!support.ok) throw new Error(`the discovery bench needs a network namespace lab: ${support.reason}`);
  if (spawnSync('nmap', ['--version'], { stdio: 'ignore' }).status !== 0) {
    throw new Error('the discovery bench compares with nmap: apt-get install -y nmap');
  }
  for (const bundle of [HEADLESS_BUNDLE, SIMULATOR_BUNDLE]) {
    if (!existsSync(bundle)) throw new Error(`${bundle} is missing: \`npm run bench\` builds it (node scripts/build.mjs headless)`);
  }
  await cleanupStaleLabs();

  const emptyAddresses = hostCount(parseCidr(SUBNET)) - 1 - LAYOUT.length;
  const scanTimeoutMs = DEFAULT_PROBE_TIMEOUT_MS;
  const workDir = await mkdtemp(join(tmpdir(), 'osr-bench-lab-'));
  try {
    const bench = await withLab({ subnet: SUBNET, hostNumbers: LAYOUT.map(([hostNumber]) => hostNumber) }, async (lab) => {
      const hosts = await startLan(lab, LAYOUT.map(([, role]) => role), workDir);
      const scanner = hosts.find((host) => host.role === 'scanner');
      const cached = hosts.find((host) => host.address.endsWith(`.${CACHED_HOST_NUMBER}`));
      if (!scanner || !cached) throw new Error('the bench layout lost its scanner or its cached server');

      // The default, polite run, with one server in the neighbour cache.
      await flushNeighbours(lab, scanner);
      await touchNeighbour(lab, scanner, cached);
      const polite = await headless(lab, scanner, []);
      expectServers(polite, hosts, 'polite');
      const politeTimes = timesOf(polite, 'polite');
      const firstCached = serverFoundAt(polite, cached.address);
      if (firstCached === null || firstCached !== politeTimes.firstServerMs) {
        throw new Error(`the cached server was not the first one reported:\n${polite.stderr}`);
      }

      // The fast mode and nmap, each from an empty neighbour cache.
      const fast: { launchMs: number; discoveryMs: number }[] = [];
      const nmap: number[] = [];
      for (let run = 0; run < FAST_RUNS; run++) {
        await flushNeighbours(lab, scanner);
        nmap.push(await timeNmap(lab, scanner));
        await flushNeighbours(lab, scanner);
        const fastRun = await headless(lab, scanner, ['--scan-concurrency', String(FAST_CONCURRENCY)]);
        expectServers(fastRun, hosts, 'fast');
        const times = timesOf(fastRun, 'fast');
        fast.push({ launchMs: times.discoveryEndMs, discoveryMs: times.discoveryEndMs - times.discoveryStartMs });
      }

      const politeSweepMs = politeTimes.discoveryEndMs - politeTimes.discoveryStartMs;
      const politeSweepFloorMs = emptyAddresses * scanTimeoutMs;
      const fastModeMs = median(fast.map((run) => run.launchMs));
      const nmapMs = median(nmap);
      return {
        subnet: SUBNET,
        emptyAddresses,
        scanTimeoutMs,
        politeSweepMs,
        politeSweepFloorMs,
        politeSweepOverFloor: politeSweepMs / politeSweepFloorMs,
        firstCachedServerMs: firstCached,
        firstCachedServerIntoDiscoveryMs: firstCached - politeTimes.discoveryStartMs,
        fastModeMs,
        fastModeDiscoveryMs: median(fast.map((run) => run.discoveryMs)),
        nmapMs,
        fastToNmapRatio: fastModeMs / nmapMs,
      } satisfies DiscoveryBench;
    });
    print(formatDiscoveryBench(bench));
    return bench;
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  benchDiscovery().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = 1;
  });
}
