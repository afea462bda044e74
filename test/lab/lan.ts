// A small office LAN inside a namespace lab (netns.ts), for the discovery test and benchmark: Ollama
// servers and things that are not Ollama on port 11434, empty addresses around them, and a scanner
// host that runs the real headless command. Everything here runs inside the lab's namespaces.
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { HEADLESS_BUNDLE } from '../helpers/headless.js';
import type { Lab, LabHost } from './netns.js';

export { HEADLESS_BUNDLE };

const root = new URL('../../', import.meta.url).pathname;
export const SIMULATOR_BUNDLE = join(root, 'dist/simulator.cjs');
export const OLLAMA_PORT = 11434;

/**
 * What a host of the LAN runs on port 11434: `ollama` binds 0.0.0.0, `ollama-loopback` only its own
 * 127.0.0.1 (Ollama's default, invisible to other machines), `web` is an ordinary web page, `forbidden`
 * a web server answering 403, `tarpit` accepts connections and never answers, `closed` runs nothing.
 */
export type Role = 'scanner' | 'ollama' | 'ollama-loopback' | 'web' | 'forbidden' | 'tarpit' | 'closed';

/** The discovery lab's network: private, and never one of this machine's real networks. */
export const DISCOVERY_LAB_SUBNET = '10.213.7.0/26';
/** Host number in the /26 -> what it runs. Every other address but the router's (.1) stays empty. */
export const DISCOVERY_LAB_LAYOUT: [number, Role][] = [
  [2, 'scanner'],
  [5, 'web'],
  [9, 'ollama'],
  [14, 'tarpit'],
  [20, 'ollama-loopback'],
  [27, 'closed'],
  [33, 'forbidden'],
  [58, 'ollama'], // put in the scanner's neighbour cache: found first although the sweep would reach it last
];

export interface LanHost extends LabHost {
  role: Role;
  url: string;
}

/** One small, fast model: the benchmark after discovery takes a moment, not minutes. */
const MODELS = {
  models: [
    {
      name: 'lab-tiny:1b',
      family: 'llama',
      parameterSize: '1.2B',
      parameterCount: 1_235_814_432,
      quantization: 'Q4_K_M',
      sizeBytes: 807_694_464,
      memoryBytes: 1_400_000_000,
      contextLength: 8192,
      capabilities: ['completion'],
      tokensPerSec: 2000,
      ttftMs: 5,
      loadMs: 5,
    },
  ],
  loaded: [],
};

// Node one-liners for what is not Ollama; each prints one line once it listens.
const SERVICES: Record<'web' | 'forbidden' | 'tarpit', string> = {
  web: `require('node:http').createServer((q, s) => { s.writeHead(200, { 'content-type': 'text/html' }); s.end('<!doctype html><title>Printer</title><h1>Status: ready</h1>'); }).listen(${OLLAMA_PORT}, '0.0.0.0', () => console.log('listening'))`,
  forbidden: `require('node:http').createServer((q, s) => { s.writeHead(403, { 'content-type': 'text/plain' }); s.end('Forbidden'); }).listen(${OLLAMA_PORT}, '0.0.0.0', () => console.log('listening'))`,
  tarpit: `const held = []; require('node:net').createServer((c) => { held.push(c); c.on('error', () => {}); }).listen(${OLLAMA_PORT}, '0.0.0.0', () => console.log('listening'))`,
};

/** Resolves with the first line the child prints; rejects if it exits or stays silent first. */
async function firstLine(child: ChildProcess, what: string, timeoutMs = 15_000): Promise<string> {
  let stdout = '';
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(`${what} printed nothing within ${timeoutMs} ms`), timeoutMs);
    const fail = (message: string) => {
      clearTimeout(timer);
      reject(new Error(`${message}${stderr ? `: ${stderr.trim()}` : ''}`));
    };
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const end = stdout.indexOf('\n');
      if (end >= 0) {
        clearTimeout(timer);
        resolve(stdout.slice(0, end));
      }
    });
    child.once('exit', (code, signal) => fail(`${what} exited (${signal ?? code}) before it was ready`));
    child.once('error', (error) => fail(`${what} could not start (${error.message})`));
  });
}

/**
 * Starts each host's role (in `roles`, one per lab host, in order) and resolves once every server
 * listens. The lab kills them on teardown.
 */
export async function startLan(lab: Lab, roles: Role[], workDir: string): Promise<LanHost[]> {
  if (roles.length !== lab.hosts.length) throw new Error(`${roles.length} roles for ${lab.hosts.length} lab hosts`);
  const modelsFile = join(workDir, 'lab-models.json');
  await writeFile(modelsFile, JSON.stringify(MODELS));
  const hosts = lab.hosts.map((host, index) => {
    const role = roles[index] as Role;
    return { ...host, role, url: `http://${host.address}:${OLLAMA_PORT}` };
  });
  await Promise.all(
    hosts.map(async (host) => {
      if (host.role === 'scanner' || host.role === 'closed') return;
      const what = `${host.role} on ${host.name} (${host.address})`;
      if (host.role === 'ollama' || host.role === 'ollama-loopback') {
        const bind = host.role === 'ollama' ? '0.0.0.0' : '127.0.0.1';
        const child = lab.start(host, process.execPath, [SIMULATOR_BUNDLE, '--host', bind, '--port', String(OLLAMA_PORT), '--models-json', modelsFile]);
        const line = await firstLine(child, what);
        const { url } = JSON.parse(line) as { url: string };
        if (url !== `http://${bind}:${OLLAMA_PORT}`) throw new Error(`${what} listens at ${url}`);
        return;
      }
      await firstLine(lab.start(host, process.execPath, ['-e', SERVICES[host.role]]), what);
    }),
  );
  return hosts;
}

/**
 * Makes `target` a complete entry of the scanner's neighbour (ARP) cache the way ordinary traffic does:
 * one TCP connection attempt to a port nothing listens on, answered by a reset.
 */
export async function touchNeighbour(lab: Lab, scanner: LabHost, target: LabHost): Promise<void> {
  const script = `const s = require('node:net').connect(9, '${target.address}'); s.on('connect', () => s.destroy()); s.on('error', () => {}); s.on('close', () => process.exit(0)); setTimeout(() => process.exit(1), 3000);`;
  const result = await lab.run(scanner, process.execPath, ['-e', script]);
  if (result.code !== 0) throw new Error(`${scanner.name} could not reach ${target.address}: ${result.stderr}`);
  const arp = await lab.run(scanner, 'cat', ['/proc/net/arp']);
  const entry = arp.stdout.split('\n').find((line) => line.startsWith(`${target.address} `));
  if (!entry || !(Number.parseInt(entry.trim().split(/\s+/)[2] ?? '0', 16) & 0x2)) {
    throw new Error(`${target.address} is not a complete entry of ${scanner.name}'s neighbour cache:\n${arp.stdout}`);
  }
}

/** Empties the scanner's neighbour cache, so a run starts from what the test puts in it. */
export async function flushNeighbours(lab: Lab, scanner: LabHost): Promise<void> {
  const result = await lab.run(scanner, 'ip', ['neigh', 'flush', 'all']);
  if (result.code !== 0) throw new Error(`ip neigh flush failed in ${scanner.name}: ${result.stderr}`);
}

export interface TimedLine {
  /** Milliseconds since the command was started. */
  atMs: number;
  text: string;
}

export interface HeadlessLabRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Progress lines from stderr, stamped as they arrived. */
  lines: TimedLine[];
  wallMs: number;
}

/**
 * The real headless command inside the scanner's namespace, as a user runs it there: no OLLAMA_HOST,
 * and a home and config folder of its own (so its known-servers file starts empty).
 */
export async function runHeadlessInLab(
  lab: Lab,
  scanner: LabHost,
  args: string[],
  home: string,
  timeoutMs = 120_000,
): Promise<HeadlessLabRun> {
  const started = performance.now();
  const child = lab.start(scanner, 'env', [
    '-u',
    'OLLAMA_HOST',
    `HOME=${home}`,
    `XDG_CONFIG_HOME=${home}`,
    'NO_COLOR=1',
    process.execPath,
    HEADLESS_BUNDLE,
    ...args,
  ]);
  let stdout = '';
  let stderr = '';
  let partial = '';
  const lines: TimedLine[] = [];
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => {
    const atMs = performance.now() - started;
    const text = chunk.toString();
    stderr += text;
    const parts = (partial + text).split('\n');
    partial = parts.pop() ?? '';
    for (const line of parts) lines.push({ atMs, text: line });
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const [code] = (await once(child, 'close')) as [number | null];
  clearTimeout(timer);
  if (partial) lines.push({ atMs: performance.now() - started, text: partial });
  return { code, stdout, stderr, lines, wallMs: performance.now() - started };
}

// The headless command's progress lines that the lab times, all read here: they are terminal text.
const DISCOVERY_START = /^- Looking for Ollama servers/;
const SWEEP_START = /^· sweeping /;
const DISCOVERY_END = /^- Listing models/;
const SERVER_FOUND = /^✔ Ollama /;

function firstAt(run: HeadlessLabRun, matches: (text: string) => boolean): number | null {
  return run.lines.find((line) => matches(line.text))?.atMs ?? null;
}

export interface DiscoveryTimes {
  /** Each in ms since launch. */
  discoveryStartMs: number;
  sweepStartMs: number;
  firstServerMs: number;
  /** When the models of the servers found start to be listed. */
  discoveryEndMs: number;
}

/** When discovery started, began its sweep, reported its first server and ended; null if a line is missing. */
export function discoveryTimes(run: HeadlessLabRun): DiscoveryTimes | null {
  const discoveryStartMs = firstAt(run, (text) => DISCOVERY_START.test(text));
  const sweepStartMs = firstAt(run, (text) => SWEEP_START.test(text));
  const firstServerMs = firstAt(run, (text) => SERVER_FOUND.test(text));
  const discoveryEndMs = firstAt(run, (text) => DISCOVERY_END.test(text));
  if (discoveryStartMs === null || sweepStartMs === null || firstServerMs === null || discoveryEndMs === null) return null;
  return { discoveryStartMs, sweepStartMs, firstServerMs, discoveryEndMs };
}

/** When the server at `address` was reported found, in ms since launch; null if it never was. */
export function serverFoundAt(run: HeadlessLabRun, address: string): number | null {
  return firstAt(run, (text) => SERVER_FOUND.test(text) && text.includes(`${address}:${OLLAMA_PORT}`));
}

/** The first line about `address` that does not report it found: why it was passed over. */
export function rejectionOf(run: HeadlessLabRun, address: string): TimedLine | undefined {
  return run.lines.find((line) => !SERVER_FOUND.test(line.text) && line.text.includes(`${address}:${OLLAMA_PORT}`));
}
