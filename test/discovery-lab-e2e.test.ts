// Discovery end to end on a LAN made of network namespaces (test/lab): the real headless command,
// run inside the scanner's namespace with no --host and no --subnet, must pick the LAN from the
// default route, try the neighbour cache first, sweep the rest one address at a time at the default
// 500 ms, and find exactly the Ollama servers other machines can reach. Nothing leaves the lab's
// private /26; every namespace and process is gone afterwards, whatever happened.
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_IDENTIFY_TIMEOUT_MS } from '../main/core/discovery/identify.js';
import { DEFAULT_PROBE_TIMEOUT_MS } from '../main/core/discovery/probe.js';
import { hostCount, parseCidr } from '../main/core/discovery/subnet.js';
import type { Report } from '../main/core/report.js';
import { DISCOVERY_LAB_LAYOUT, DISCOVERY_LAB_SUBNET, discoveryTimes, rejectionOf, runHeadlessInLab, serverFoundAt, startLan, touchNeighbour } from './lab/lan.js';
import { cleanupStaleLabs, labSupport, withLab, type Lab } from './lab/netns.js';

const support = await labSupport();
const inCi = Boolean(process.env.CI);
if (!support.ok) {
  const banner = '!'.repeat(100);
  const what = inCi ? 'FAILING (CI must run it)' : 'SKIPPING';
  console.warn(`\n${banner}\n${what} the discovery network lab: ${support.reason}. Run the tests as root on Linux with iproute2.\n${banner}\n`);
}

const SUBNET = DISCOVERY_LAB_SUBNET;
const LAYOUT = DISCOVERY_LAB_LAYOUT;
const address = (hostNumber: number) => `10.213.7.${hostNumber}`;
const urlOf = (hostNumber: number) => `http://${address(hostNumber)}:11434`;

/** What the polite sweep cannot go below: every empty address waits out the connect timeout, the tarpit the HTTP one. */
const EMPTY_ADDRESSES = hostCount(parseCidr(SUBNET)) - 1 - LAYOUT.length;
const SWEEP_FLOOR_MS = EMPTY_ADDRESSES * DEFAULT_PROBE_TIMEOUT_MS + DEFAULT_IDENTIFY_TIMEOUT_MS;

function leftovers(lab: Lab): { namespaces: string[]; processes: number[] } {
  const namespaces = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })
    .split('\n')
    .map((line) => line.split(' ')[0] ?? '')
    .filter((name) => name.startsWith(lab.id));
  const processes = lab.startedPids.filter((pid) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  });
  return { namespaces, processes };
}

describe.skipIf(!support.ok && !inCi)('discovery on a namespace LAN, end to end', () => {
  beforeAll(async () => {
    if (!support.ok) throw new Error(`the discovery network lab cannot run here (${support.reason}), and CI must run it`);
    await cleanupStaleLabs();
  }, 120_000);

  it('finds exactly the reachable Ollama servers, the cached neighbour first, one address at a time, and leaves nothing behind', async () => {
    const home = await mkdtemp(join(tmpdir(), 'osr-lab-home-'));
    let seen: Lab | null = null;
    try {
      await withLab({ subnet: SUBNET, hostNumbers: LAYOUT.map(([hostNumber]) => hostNumber) }, async (lab) => {
        seen = lab;
        const hosts = await startLan(lab, LAYOUT.map(([, role]) => role), home);
        const [scanner] = hosts;
        const cached = hosts.find((host) => host.address === address(58));
        if (!scanner || !cached) throw new Error('the lab layout lost its scanner or its cached server');
        expect(scanner.role).toBe('scanner');
        await touchNeighbour(lab, scanner, cached);

        const run = await runHeadlessInLab(lab, scanner, ['--json', '--runs', '1', '--max-tokens', '16'], home);
        const log = run.lines.map((line) => `${line.atMs.toFixed(0).padStart(6)} ms  ${line.text}`).join('\n');
        expect(run.code, log).toBe(0);
        const report = JSON.parse(run.stdout) as Report;

        // Exactly the servers bound to 0.0.0.0; the cached neighbour before the swept one.
        expect(report.hosts.map(({ url, source }) => ({ url, source })), log).toEqual([
          { url: urlOf(58), source: 'neighbour' },
          { url: urlOf(9), source: 'sweep' },
        ]);
        // Each was listed and measured.
        expect(report.results.map((result) => [result.host, result.model, result.status])).toEqual([
          [urlOf(58), 'lab-tiny:1b', 'ok'],
          [urlOf(9), 'lab-tiny:1b', 'ok'],
        ]);

        // The LAN came from the default route, and what answers but is not Ollama is told apart with a reason.
        expect(run.stderr).toContain(`sweeping ${SUBNET} on eth0 (62 addresses), a private network; probing port 11434, one address at a time`);
        const rejection = (hostNumber: number) => rejectionOf(run, address(hostNumber));
        expect(rejection(5)?.text, log).toContain('is not an Ollama server: GET / answered 200 text/html');
        expect(rejection(14)?.text, log).toContain(`accepted the connection but sent no answer within ${DEFAULT_IDENTIFY_TIMEOUT_MS} ms`);
        expect(rejection(33)?.text, log).toContain('answered 403 Forbidden: a web server refusing access');
        // Bound to its own loopback, or nothing listening: connection refused, quietly.
        for (const refused of [20, 27]) expect(run.stderr).not.toContain(`${address(refused)}:`);
        // Silent empty addresses are not mistaken for macOS's Local Network block.
        expect(run.stderr).not.toContain('no route to host');

        // Timing: the cached server at once; the whole sweep at its polite floor, and bounded.
        const times = discoveryTimes(run);
        const cachedFound = serverFoundAt(run, address(58));
        if (times === null || cachedFound === null) throw new Error(`a progress line is missing:\n${log}`);
        expect(cachedFound, log).toBe(times.firstServerMs);
        expect(cachedFound - times.discoveryStartMs, log).toBeLessThan(2000);
        expect(cachedFound, 'the cached server is confirmed before the sweep reaches its first address').toBeLessThan(rejection(5)?.atMs ?? 0);
        const sweepMs = times.discoveryEndMs - times.sweepStartMs;
        expect(sweepMs, `one address at a time cannot beat ${SWEEP_FLOOR_MS} ms\n${log}`).toBeGreaterThanOrEqual(SWEEP_FLOOR_MS * 0.98);
        expect(sweepMs, log).toBeLessThan(SWEEP_FLOOR_MS + 10_000);

        // The next run (terminal or app) starts from what this one found.
        const known = JSON.parse(await readFile(join(home, 'Ollama Speedrun', 'known-servers.json'), 'utf8')) as {
          servers: { url: string }[];
        };
        expect(known.servers.map((server) => server.url)).toEqual([urlOf(58), urlOf(9)]);
      });
    } finally {
      await rm(home, { recursive: true, force: true });
      if (seen) expect(leftovers(seen)).toEqual({ namespaces: [], processes: [] });
    }
  }, 120_000);
});
