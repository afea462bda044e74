// Stage 3: the measuring protocol for one server. Models run strictly one after another (two
// generations on one server measure each other, not the models), and the server is left with the
// models it had loaded when we came, each with the time it had left.
import type { Emit } from '../events.js';
import { OllamaClient, OllamaError, UNLOAD_NOW } from '../ollama/client.js';
import type { RunningModel } from '../ollama/schemas.js';
import type { ModelResult, RegistryEntry } from '../report.js';
import { tierOf } from '../assess/tiers.js';
import { assessQuality } from '../assess/quality.js';
import { BENCHMARK_SEED, capabilityPrompt, makeNonce } from './prompt.js';
import { timedRun, type Clock, type RunSample } from './run.js';

export interface BenchmarkSettings {
  maxTokens: number;
  /** Timed runs per model; the report gives their median. */
  runs: number;
  /** The whole protocol for one model (load, warm-up, runs) must end within this. */
  modelTimeoutMs: number;
}

/** Tokens the untimed warm-up generates: enough to warm every kernel, cheap next to the runs. */
const WARMUP_TOKENS = 32;
/** Keeps the model resident between our requests; it is unloaded explicitly afterwards. */
const KEEP_ALIVE_WHILE_MEASURING = '10m';
/** Cleanup after a cancel must not wait long on a server that stopped answering. */
const CLEANUP_TIMEOUT_MS = 3_000;
/** `expires_at` this far ahead means the model was loaded with a negative keep_alive: forever. */
const FOREVER_THRESHOLD_MS = 100 * 365 * 24 * 3600 * 1000;

export interface Measurement {
  loadMs: number;
  memoryBytes: number | null;
  samples: RunSample[];
}

export function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

function present(values: (number | null)[]): number[] {
  return values.filter((value): value is number => value !== null);
}

function baseResult(entry: RegistryEntry): ModelResult {
  return {
    host: entry.host,
    model: entry.model,
    digest: entry.digest,
    status: 'failed',
    reason: null,
    sizeBytes: entry.sizeBytes,
    memoryBytes: null,
    tier: tierOf(entry.sizeBytes),
    parameterCount: entry.parameterCount,
    quantization: entry.quantization,
    loadMs: null,
    ttftMs: null,
    tokensPerSec: null,
    totalTokens: null,
    wallMs: null,
    quality: null,
    score: null,
  };
}

export function skippedResult(entry: RegistryEntry, reason: string): ModelResult {
  return { ...baseResult(entry), status: 'skipped', reason };
}

export function failedResult(entry: RegistryEntry, reason: string, memoryBytes: number | null = null): ModelResult {
  return { ...baseResult(entry), status: 'failed', reason, memoryBytes, tier: tierOf(memoryBytes ?? entry.sizeBytes) };
}

/** Why a model must not be prompted, or null when it may be. */
export function skipReason(entry: RegistryEntry): string | null {
  if (entry.cloud) return 'cloud model: a prompt would run on ollama.com on the owner\'s account, so it is never sent one';
  // Servers older than 0.6.4 report no capabilities; those models are tried, and an embedding
  // model then fails with the server's own "does not support generate".
  if (entry.capabilities.length > 0 && !entry.capabilities.includes('completion')) {
    return `no completion capability (${entry.capabilities.join(', ') || 'none'}): an embedding model cannot generate text`;
  }
  return null;
}

/** Report precision: a tenth of a millisecond, a hundredth of a token/s, three places of quality. */
function round(value: number | null, places: number): number | null {
  if (value === null) return null;
  const factor = 10 ** places;
  return Math.round(value * factor) / factor;
}

export function resultFromMeasurement(entry: RegistryEntry, measurement: Measurement): ModelResult {
  const { samples } = measurement;
  const qualities = samples.map((sample) => assessQuality(sample.answer, sample.doneReason).quality);
  return {
    ...baseResult(entry),
    status: 'ok',
    memoryBytes: measurement.memoryBytes,
    tier: tierOf(measurement.memoryBytes ?? entry.sizeBytes),
    loadMs: round(measurement.loadMs, 1),
    ttftMs: round(median(present(samples.map((sample) => sample.ttftMs))), 1),
    tokensPerSec: round(median(present(samples.map((sample) => sample.tokensPerSec))), 2),
    totalTokens: round(median(samples.map((sample) => sample.totalTokens)), 0),
    wallMs: round(median(samples.map((sample) => sample.endMs)), 1),
    quality: round(median(qualities), 3),
  };
}

function isLoaded(running: RunningModel[], model: string): RunningModel | undefined {
  return running.find((entry) => entry.name === model || entry.model === model);
}

/** The keep_alive that gives a model back the time it had left when we found it. */
export function remainingKeepAlive(expiresAt: string, nowMs: number): number | string {
  const expires = Date.parse(expiresAt);
  if (!Number.isFinite(expires)) return '5m';
  const remainingMs = expires - nowMs;
  if (remainingMs > FOREVER_THRESHOLD_MS) return -1;
  return `${Math.max(1, Math.round(remainingMs / 1000))}s`;
}

function describe(error: unknown): string {
  if (error instanceof OllamaError || error instanceof Error) return error.message;
  return String(error);
}

export interface ServerBenchmarkDeps {
  clock: Clock;
  /** Wall-clock time, for `expires_at` arithmetic. */
  wallNow: () => number;
}

export class ServerBenchmark {
  private nonceSequence = 0;

  constructor(
    private readonly client: OllamaClient,
    private readonly settings: BenchmarkSettings,
    private readonly deps: ServerBenchmarkDeps,
    private readonly emit: Emit,
  ) {}

  /** Runs every entry in turn; `onResult` sees each result the moment it is final. */
  async run(entries: RegistryEntry[], signal: AbortSignal, onResult: (result: ModelResult, index: number) => void): Promise<void> {
    const before = await this.readLoaded(signal);
    const measured = new Set<string>();
    try {
      for (const [index, entry] of entries.entries()) {
        if (signal.aborted) return;
        this.emit({ type: 'bench-start', host: entry.host, model: entry.model, index, total: entries.length });
        const reason = skipReason(entry);
        if (!reason) measured.add(entry.model);
        const result = reason ? skippedResult(entry, reason) : await this.measureOne(entry, before, signal);
        if (result) onResult(result, index);
      }
    } finally {
      await this.restore(before, measured, signal.aborted);
    }
  }

  private async readLoaded(signal: AbortSignal): Promise<RunningModel[]> {
    try {
      return await this.client.ps(signal);
    } catch (error) {
      this.emit({ type: 'warning', message: `${this.client.baseUrl}: cannot read /api/ps (${describe(error)}); models it had loaded may not be restored` });
      return [];
    }
  }

  /** Returns null when the run was cancelled: an unfinished model is not a result. */
  private async measureOne(entry: RegistryEntry, before: RunningModel[], signal: AbortSignal): Promise<ModelResult | null> {
    const budget = AbortSignal.any([signal, AbortSignal.timeout(this.settings.modelTimeoutMs)]);
    let memoryBytes: number | null = null;
    try {
      const measurement = await this.measure(entry, budget, (bytes) => (memoryBytes = bytes));
      return resultFromMeasurement(entry, measurement);
    } catch (error) {
      if (signal.aborted) return null;
      const reason = budget.aborted
        ? `did not finish within the per-model budget of ${Math.round(this.settings.modelTimeoutMs / 1000)} s`
        : describe(error);
      return failedResult(entry, reason, memoryBytes);
    } finally {
      if (!isLoaded(before, entry.model)) await this.unload(entry.model);
    }
  }

  private async measure(entry: RegistryEntry, signal: AbortSignal, onMemory: (bytes: number) => void): Promise<Measurement> {
    const { client, deps, settings } = this;

    // A cold load is timed on its own, so load time never leaks into TTFT.
    if (isLoaded(await client.ps(signal), entry.model)) {
      await client.loadOrUnload(entry.model, UNLOAD_NOW, settings.modelTimeoutMs, signal);
    }
    this.emit({ type: 'bench-progress', host: entry.host, model: entry.model, stage: 'load', tokens: 0, tokensPerSec: null, elapsedMs: 0 });
    const loadStart = deps.clock();
    await client.loadOrUnload(entry.model, KEEP_ALIVE_WHILE_MEASURING, settings.modelTimeoutMs, signal);
    const loadMs = deps.clock() - loadStart;

    const resident = isLoaded(await client.ps(signal), entry.model);
    const memoryBytes = resident && resident.size > 0 ? resident.size : null;
    if (memoryBytes !== null) onMemory(memoryBytes);

    const run = (maxTokens: number, live: boolean) =>
      timedRun(
        client,
        {
          model: entry.model,
          prompt: capabilityPrompt(makeNonce(deps.wallNow(), this.nonceSequence++)),
          maxTokens,
          seed: BENCHMARK_SEED,
          keepAlive: KEEP_ALIVE_WHILE_MEASURING,
          firstByteTimeoutMs: settings.modelTimeoutMs,
          live,
        },
        deps.clock,
        this.emit,
        signal,
      );

    await run(Math.min(WARMUP_TOKENS, settings.maxTokens), false);
    const samples: RunSample[] = [];
    for (let i = 0; i < settings.runs; i++) samples.push(await run(settings.maxTokens, true));
    return { loadMs, memoryBytes, samples };
  }

  private async unload(model: string): Promise<void> {
    try {
      await this.client.loadOrUnload(model, UNLOAD_NOW, CLEANUP_TIMEOUT_MS, AbortSignal.timeout(CLEANUP_TIMEOUT_MS));
    } catch (error) {
      this.emit({ type: 'warning', message: `${this.client.baseUrl}: could not unload ${model} (${describe(error)})` });
    }
  }

  /**
   * Gives back what the server had loaded: a model we measured gets the keep-alive it had left,
   * one our loads evicted is loaded again. After a cancel, reloading is skipped (a cold load can
   * take far longer than the second a cancel may take), and the user is told.
   */
  private async restore(before: RunningModel[], measured: Set<string>, cancelled: boolean): Promise<void> {
    if (before.length === 0) return;
    const now = await this.client.ps(AbortSignal.timeout(CLEANUP_TIMEOUT_MS)).catch(() => null);
    for (const model of before) {
      const stillLoaded = now === null || isLoaded(now, model.name) !== undefined;
      if (stillLoaded && !measured.has(model.name)) continue;
      if (!stillLoaded && cancelled) {
        this.emit({ type: 'warning', message: `${this.client.baseUrl}: ${model.name} was loaded before the run and is not reloaded after the cancel` });
        continue;
      }
      const timeoutMs = stillLoaded ? CLEANUP_TIMEOUT_MS : this.settings.modelTimeoutMs;
      try {
        const keepAlive = remainingKeepAlive(model.expires_at, this.deps.wallNow());
        await this.client.loadOrUnload(model.name, keepAlive, timeoutMs, AbortSignal.timeout(timeoutMs));
      } catch (error) {
        this.emit({ type: 'warning', message: `${this.client.baseUrl}: could not reload ${model.name} as it was (${describe(error)})` });
      }
    }
  }
}
