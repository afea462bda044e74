// The runner: discover -> enumerate -> benchmark -> assess, as one typed event stream and one
// report. The headless command and the Electron worker both host exactly this function.
import picomatch from 'picomatch';
import { assess } from './assess/assess.js';
import { ServerBenchmark, failedResult, type BenchmarkSettings, type SavedResponses } from './benchmark/protocol.js';
import type { Clock } from './benchmark/run.js';
import { discover, realDiscoveryDeps, type DiscoveryDeps, type DiscoveryOptions } from './discovery/discover.js';
import { enumerateHost, type ModelProblem } from './enumerate.js';
import type { Emit } from './events.js';
import { OllamaClient } from './ollama/client.js';
import type { HostInfo, ModelResult, RegistryEntry, Report } from './report.js';
import { TOOL_NAME, TOOL_VERSION } from './version.js';

export interface SpeedrunOptions {
  discovery: DiscoveryOptions;
  benchmark: BenchmarkSettings;
  /** Only models whose name matches this glob (e.g. `qwen3:*`) are measured. */
  modelGlob: string | null;
  /** Measured results of an earlier run (`--resume`): the same host, model and digest is not measured again. */
  reuse?: ModelResult[];
}

export interface SpeedrunDeps {
  discovery: DiscoveryDeps;
  /** Monotonic milliseconds, for durations. */
  clock: Clock;
  /** Wall-clock milliseconds, for timestamps. */
  wallNow: () => number;
  /** Where `--save-responses` keeps each model's answers; absent, they are not kept. */
  saveResponses?: (responses: SavedResponses) => Promise<void>;
}

export function realSpeedrunDeps(): SpeedrunDeps {
  return { discovery: realDiscoveryDeps(), clock: () => performance.now(), wallNow: () => Date.now() };
}

function problemResult(host: string, problem: ModelProblem): ModelResult {
  const entry: RegistryEntry = {
    host,
    model: problem.model,
    digest: problem.digest,
    sizeBytes: problem.sizeBytes,
    parameterCount: null,
    quantization: null,
    capabilities: [],
    cloud: false,
    contextLength: null,
  };
  return failedResult(entry, problem.reason);
}

export function buildReport(startedAt: string, finishedAt: string, hosts: HostInfo[], results: ModelResult[]): Report {
  const assessed = assess(results);
  return {
    schemaVersion: 1,
    tool: { name: TOOL_NAME, version: TOOL_VERSION },
    startedAt,
    finishedAt,
    hosts,
    results: assessed.results,
    tiers: assessed.tiers,
  };
}

interface HostPlan {
  host: HostInfo;
  entries: RegistryEntry[];
  problems: ModelProblem[];
}

/** Lists one server's models; a server that cannot be listed is reported and left out. */
async function planHost(host: HostInfo, modelGlob: string | null, emit: Emit, signal: AbortSignal): Promise<HostPlan | null> {
  const client = new OllamaClient(host.url);
  try {
    const inventory = await enumerateHost(client, emit, signal);
    const matches = modelGlob ? picomatch(modelGlob, { nocase: true }) : () => true;
    return {
      host,
      entries: inventory.entries.filter((entry) => matches(entry.model)),
      problems: inventory.problems.filter((problem) => matches(problem.model)),
    };
  } catch (error) {
    if (!signal.aborted) emit({ type: 'host-failed', url: host.url, reason: error instanceof Error ? error.message : String(error) });
    return null;
  }
}

/**
 * Discovery rejects when cancelled; a cancelled run still ends with its (empty) report and a
 * `done` event, so a Ctrl-C while servers are being looked for is a cancel, not a crash.
 */
async function discoverUnlessCancelled(options: DiscoveryOptions, emit: Emit, signal: AbortSignal, deps: DiscoveryDeps): Promise<HostInfo[]> {
  const found: HostInfo[] = [];
  try {
    return await discover(options, (event) => {
      if (event.type === 'host-found') found.push(event.host);
      emit(event);
    }, signal, deps);
  } catch (error) {
    if (signal.aborted) return found;
    throw error;
  }
}

export async function speedrun(
  options: SpeedrunOptions,
  emit: Emit,
  signal: AbortSignal,
  deps: SpeedrunDeps = realSpeedrunDeps(),
): Promise<Report> {
  const startedAt = new Date(deps.wallNow()).toISOString();
  emit({ type: 'phase', phase: 'discover' });
  const hosts = await discoverUnlessCancelled(options.discovery, emit, signal, deps.discovery);

  const perHost = new Map<string, ModelResult[]>(hosts.map((host) => [host.url, []]));
  const record = (result: ModelResult) => {
    perHost.get(result.host)?.push(result);
    emit({ type: 'bench-done', result });
  };
  if (hosts.length > 0 && !signal.aborted) {
    emit({ type: 'phase', phase: 'enumerate' });
    const plans = (await Promise.all(hosts.map((host) => planHost(host, options.modelGlob, emit, signal)))).filter(
      (plan): plan is HostPlan => plan !== null,
    );
    for (const plan of plans) for (const problem of plan.problems) record(problemResult(plan.host.url, problem));

    if (!signal.aborted) {
      emit({ type: 'phase', phase: 'benchmark' });
      // Servers run side by side; within a server, one model at a time.
      await Promise.all(
        plans.map((plan) => new ServerBenchmark(plan.host, options.benchmark, deps, emit).run(plan.entries, options.reuse ?? [], signal, record)),
      );
    }
  }

  emit({ type: 'phase', phase: 'assess' });
  const results = hosts.flatMap((host) => perHost.get(host.url) ?? []);
  const report = buildReport(startedAt, new Date(deps.wallNow()).toISOString(), hosts, results);
  emit({ type: 'assessment', tiers: report.tiers });
  emit({ type: 'done', report, cancelled: signal.aborted });
  return report;
}
