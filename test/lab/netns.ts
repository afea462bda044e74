// A private network lab made of Linux network namespaces, for tests that run real discovery. One
// namespace holds a bridge (and the lab's router address); each host namespace has one veth into it.
// Every link is created inside the lab's own namespaces, never in the machine's: the lab cannot
// touch a real interface or route, and nothing in it can reach outside.
//
// Needs Linux, root and iproute2. Names carry a unique prefix with the creating process id, so a lab
// left behind by a crashed run can be found and removed by `cleanupStaleLabs`. What a lab starts dies
// with the process that started it, once it runs (util-linux `setpriv --pdeathsig`), so even a test
// process killed outright leaves no server running; its namespaces go on the next `cleanupStaleLabs`.
import { execFile, execFileSync, spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';

export const LAB_PREFIX = 'osrlab';
const DEFAULT_SUBNET = '10.213.7.0/26';

export interface LabOptions {
  /** How many host namespaces, 1 to 60. */
  hosts?: number;
  /** A private range of /24 to /29 that no real interface uses; the router takes its first address. */
  subnet?: string;
  /**
   * Where each host sits in the subnet, as the number added to the network address (2 is the first
   * after the router); one per host, so it also sets the count. Default: 2, 3, 4, ...
   */
  hostNumbers?: number[];
}

export interface LabHost {
  /** Short name within the lab: h1, h2, ... */
  name: string;
  namespace: string;
  address: string;
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface Lab {
  id: string;
  subnet: string;
  /** The router's address, on the bridge namespace; every host's default route points at it. */
  gateway: string;
  bridgeNamespace: string;
  hosts: LabHost[];
  /** Runs a command inside a host's namespace and waits for it. */
  run(host: LabHost, command: string, args?: string[], options?: { timeoutMs?: number }): Promise<RunResult>;
  /** Starts a long-running command inside a host's namespace; it is killed on teardown, or when this process dies. */
  start(host: LabHost, command: string, args?: string[], options?: SpawnOptions): ChildProcess;
  /** The process id of everything `start` started, still running or not. */
  startedPids: number[];
  /** Kills what the lab started and deletes its namespaces; safe to call twice. */
  teardown(): Promise<void>;
}

function ip(args: string[], timeoutMs = 10_000): Promise<RunResult> {
  return runCommand('ip', args, timeoutMs);
}

function runCommand(command: string, args: string[], timeoutMs: number): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(command, args, { timeout: timeoutMs }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
      resolve({ code, stdout, stderr: stderr || (error && !stderr ? error.message : '') });
    });
  });
}

async function ipOrThrow(args: string[]): Promise<string> {
  const result = await ip(args);
  if (result.code !== 0) throw new Error(`ip ${args.join(' ')} failed: ${result.stderr.trim()}`);
  return result.stdout;
}

async function listNamespaces(): Promise<string[]> {
  const result = await ip(['netns', 'list']);
  return result.stdout
    .split('\n')
    .map((line) => line.trim().split(/\s+/)[0] ?? '')
    .filter((name) => name.length > 0);
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Kills what still runs inside one of our namespaces, by pid, then deletes it. */
async function deleteNamespace(namespace: string): Promise<void> {
  const pids = await ip(['netns', 'pids', namespace]);
  for (const pid of pids.stdout.split('\n').map(Number).filter((value) => Number.isInteger(value) && value > 0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  await ip(['netns', 'del', namespace]);
}

/** Whether this machine can host a lab; the reason when it cannot. */
export async function labSupport(): Promise<{ ok: true } | { ok: false; reason: string }> {
  if (process.platform !== 'linux') return { ok: false, reason: 'network namespaces need Linux' };
  if (process.getuid?.() !== 0) return { ok: false, reason: 'network namespaces need root' };
  const probe = `${LAB_PREFIX}-${process.pid}-${randomBytes(3).toString('hex')}-check`;
  const added = await ip(['netns', 'add', probe]);
  if (added.code !== 0) return { ok: false, reason: `ip netns add failed: ${added.stderr.trim() || 'iproute2 missing?'}` };
  const bridge = await ip(['-n', probe, 'link', 'add', 'br0', 'type', 'bridge']);
  const veth = await ip(['-n', probe, 'link', 'add', 'a0', 'type', 'veth', 'peer', 'name', 'b0']);
  await ip(['netns', 'del', probe]);
  if (bridge.code !== 0 || veth.code !== 0) {
    return { ok: false, reason: `bridge or veth links are unavailable: ${(bridge.stderr || veth.stderr).trim()}` };
  }
  return { ok: true };
}

/** Removes labs whose creating process is gone (a crashed or killed test run). */
export async function cleanupStaleLabs(): Promise<string[]> {
  const removed: string[] = [];
  for (const namespace of await listNamespaces()) {
    const match = new RegExp(`^${LAB_PREFIX}-(\\d+)-[0-9a-f]+-`).exec(namespace);
    if (!match || processAlive(Number(match[1]))) continue;
    await deleteNamespace(namespace);
    removed.push(namespace);
  }
  return removed;
}

function ipv4(value: number): string {
  return [value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255].join('.');
}

function parseSubnet(subnet: string): { base: number; prefix: number } {
  const match = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(subnet);
  if (!match) throw new Error(`lab subnet ${subnet} is not an IPv4 range`);
  const [a, b, c, d, prefix] = match.slice(1).map(Number) as [number, number, number, number, number];
  const isPrivate = a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168);
  if (!isPrivate || prefix < 24 || prefix > 29) throw new Error(`lab subnet ${subnet} must be a private /24 to /29`);
  const mask = (0xffffffff << (32 - prefix)) >>> 0;
  return { base: ((((a << 24) | (b << 16) | (c << 8) | d) >>> 0) & mask) >>> 0, prefix };
}

interface OpenLab {
  namespaces: string[];
  children: Set<ChildProcess>;
}

const openLabs = new Set<OpenLab>();
let exitHooksInstalled = false;

function killChild(child: ChildProcess): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(child.pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

/** Last resort when a test process exits or is interrupted without tearing down: synchronous, best effort. */
function tearDownNowSync(): void {
  for (const lab of openLabs) {
    lab.children.forEach(killChild);
    for (const namespace of lab.namespaces) {
      try {
        const pids = execFileSync('ip', ['netns', 'pids', namespace], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
        for (const pid of pids.split('\n').map(Number).filter((value) => Number.isInteger(value) && value > 0)) {
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            // Already gone.
          }
        }
        execFileSync('ip', ['netns', 'del', namespace], { stdio: 'ignore' });
      } catch {
        // Nothing more can be done while exiting; cleanupStaleLabs removes it next time.
      }
    }
  }
  openLabs.clear();
}

function installExitHooks(): void {
  if (exitHooksInstalled) return;
  exitHooksInstalled = true;
  process.once('exit', tearDownNowSync);
  // Ctrl-C or a runner stopping its workers: clean up, then let the signal do what it would have done.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const onSignal = () => {
      tearDownNowSync();
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    };
    process.once(signal, onSignal);
  }
}

/** `setpriv --pdeathsig KILL`, where util-linux has it: the started command dies with this process. */
const deathSignalPrefix: string[] = (() => {
  try {
    execFileSync('setpriv', ['--pdeathsig', 'KILL', '--', 'true'], { stdio: 'ignore' });
    return ['setpriv', '--pdeathsig', 'KILL', '--'];
  } catch {
    return [];
  }
})();

export async function createLab(options: LabOptions = {}): Promise<Lab> {
  const subnet = options.subnet ?? DEFAULT_SUBNET;
  const { base, prefix } = parseSubnet(subnet);
  const size = 2 ** (32 - prefix);
  const hostCount = options.hostNumbers?.length ?? options.hosts ?? 2;
  const capacity = size - 3;
  if (hostCount < 1 || hostCount > Math.min(capacity, 60)) {
    throw new Error(`a lab on ${subnet} holds 1 to ${Math.min(capacity, 60)} hosts, not ${hostCount}`);
  }
  if (options.hosts !== undefined && options.hostNumbers && options.hosts !== options.hostNumbers.length) {
    throw new Error(`${options.hosts} hosts but ${options.hostNumbers.length} host numbers`);
  }
  const hostNumbers = options.hostNumbers ?? Array.from({ length: hostCount }, (_, index) => 2 + index);
  if (new Set(hostNumbers).size !== hostNumbers.length || hostNumbers.some((n) => !Number.isInteger(n) || n < 2 || n > size - 2)) {
    throw new Error(`host numbers on ${subnet} must be distinct whole numbers from 2 to ${size - 2}, not ${hostNumbers.join(', ')}`);
  }
  const id = `${LAB_PREFIX}-${process.pid}-${randomBytes(3).toString('hex')}`;
  const gateway = ipv4(base + 1);
  const bridgeNamespace = `${id}-br`;
  const hosts: LabHost[] = Array.from({ length: hostCount }, (_, index) => ({
    name: `h${index + 1}`,
    namespace: `${id}-h${index + 1}`,
    address: ipv4(base + (hostNumbers[index] ?? 0)),
  }));
  const children = new Set<ChildProcess>();
  const open: OpenLab = { namespaces: [...hosts.map((host) => host.namespace), bridgeNamespace], children };
  let tornDown = false;

  const lab: Lab = {
    id,
    subnet,
    gateway,
    bridgeNamespace,
    hosts,
    startedPids: [],
    run: (host, command, args = [], runOptions = {}) =>
      runCommand('ip', ['netns', 'exec', host.namespace, command, ...args], runOptions.timeoutMs ?? 30_000),
    start: (host, command, args = [], spawnOptions = {}) => {
      // `ip netns exec` and setpriv exec in place: the child's pid is the command's own.
      const child = spawn('ip', ['netns', 'exec', host.namespace, ...deathSignalPrefix, command, ...args], { stdio: 'pipe', ...spawnOptions });
      children.add(child);
      if (child.pid !== undefined) lab.startedPids.push(child.pid);
      child.once('exit', () => children.delete(child));
      return child;
    },
    teardown: async () => {
      if (tornDown) return;
      tornDown = true;
      const exits = [...children].map((child) =>
        child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : once(child, 'exit').then(() => undefined),
      );
      children.forEach(killChild);
      await Promise.race([Promise.all(exits), new Promise((resolve) => setTimeout(resolve, 5000).unref())]);
      for (const namespace of open.namespaces) await deleteNamespace(namespace);
      openLabs.delete(open);
    },
  };

  installExitHooks();
  openLabs.add(open);
  try {
    const maskBits = String(prefix);
    await ipOrThrow(['netns', 'add', bridgeNamespace]);
    await ipOrThrow(['-n', bridgeNamespace, 'link', 'set', 'lo', 'up']);
    await ipOrThrow(['-n', bridgeNamespace, 'link', 'add', 'br0', 'type', 'bridge']);
    await ipOrThrow(['-n', bridgeNamespace, 'addr', 'add', `${gateway}/${maskBits}`, 'dev', 'br0']);
    await ipOrThrow(['-n', bridgeNamespace, 'link', 'set', 'br0', 'up']);
    for (const [index, host] of hosts.entries()) {
      const port = `p${index + 1}`;
      await ipOrThrow(['netns', 'add', host.namespace]);
      await ipOrThrow(['-n', host.namespace, 'link', 'set', 'lo', 'up']);
      // Created inside the host namespace with its peer placed straight into the bridge namespace.
      await ipOrThrow(['-n', host.namespace, 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', port, 'netns', bridgeNamespace]);
      await ipOrThrow(['-n', bridgeNamespace, 'link', 'set', port, 'master', 'br0']);
      await ipOrThrow(['-n', bridgeNamespace, 'link', 'set', port, 'up']);
      await ipOrThrow(['-n', host.namespace, 'addr', 'add', `${host.address}/${maskBits}`, 'dev', 'eth0']);
      await ipOrThrow(['-n', host.namespace, 'link', 'set', 'eth0', 'up']);
      await ipOrThrow(['-n', host.namespace, 'route', 'add', 'default', 'via', gateway, 'dev', 'eth0']);
    }
  } catch (error) {
    await lab.teardown();
    throw error;
  }
  return lab;
}

/** Creates a lab, runs `body` in it, and tears it down whether `body` succeeds or throws. */
export async function withLab<T>(options: LabOptions, body: (lab: Lab) => Promise<T>): Promise<T> {
  const lab = await createLab(options);
  try {
    return await body(lab);
  } finally {
    await lab.teardown();
  }
}
