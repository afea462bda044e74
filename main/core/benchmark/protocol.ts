// Stage 3: the measuring protocol for one server. Models run strictly one after another (two
// generations on one server measure each other, not the models), and the server is left with the
// models it had loaded when we came, each with the time it had left.
import type { Emit } from '../events.js';
import { OllamaClient, OllamaError, UNLOAD_NOW } from '../ollama/client.js';
import type { RunningModel } from '../ollama/schemas.js';
import type { HostInfo, ModelResult, RegistryEntry, ResultFlag, RunRecord } from '../report.js';
import { tierOf } from '../assess/tiers.js';
import { assessQuality } from '../assess/quality.js';
import { TOOL_VERSION } from '../version.js';
import { BENCHMARK_SEED, capabilityPrompt, makeNonce } from './prompt.js';
import { interTokenGapsMs, prefillRate, timedRun, type Clock, type RunSample } from './run.js';
import { median, quantile, round, spreadOf } from './stats.js';

export interface BenchmarkSettings {
  maxTokens: number;
  /** Timed runs per model after the warm-up, or `auto`: repeat until the median settles. */
  runs: number | 'auto';
  /** The whole protocol for one model (load, warm-up, runs) must end within this. */
  modelTimeoutMs: number;
}

/** Tokens the untimed warm-up generates: enough to warm every kernel, cheap next to the runs. */
const WARMUP_TOKENS = 32;
/** Keeps the model resident between our requests; it is unloaded explicitly afterwards. */
const KEEP_ALIVE_WHILE_MEASURING = '10m';
/** Cleanup must not wait long on a server that stopped answering. */
const CLEANUP_TIMEOUT_MS = 3_000;
/**
 * After a cancel, all the cleanup still under way or to come gets this long in all, so Ctrl-C ends
 * within a second even when the server no longer answers.
 */
const CANCELLED_CLEANUP_MS = 500;
/** `expires_at` this far ahead means the model was loaded with a negative keep_alive: forever. */
const FOREVER_THRESHOLD_MS = 100 * 365 * 24 * 3600 * 1000;
/** `--runs auto`: at least this many runs, at most that many. */
export const AUTO_RUNS_MIN = 3;
export const AUTO_RUNS_MAX = 10;
/** `--runs auto` stops once one more run moves the median decode rate by less than this. */
const AUTO_RUNS_SETTLED = 0.01;
/** A warm request that waited this long before starting was queued behind someone else's. */
const CONTENDED_LOAD_MS = 100;
/** TTFT differences below this are network and scheduler jitter, not instability. */
const TTFT_JITTER_MS = 20;
/** A last run this much slower than the first suggests thermal or power throttling. */
const THROTTLE_RATIO = 0.85;

/** What one model's protocol produced, before scoring. */
export interface ModelMeasurement {
  loadMs: number;
  /** `/api/ps` while loaded; null when the server did not list the model. */
  resident: RunningModel | null;
  /** Other models resident while this one was measured. */
  othersLoaded: string[];
  /** `/api/ps` did not answer: memory use and the other resident models are unknown. */
  psUnanswered: boolean;
  samples: RunSample[];
  startedAt: string;
}

/** The answers of one model's timed runs, for `--save-responses`. */
export interface SavedResponses {
  host: string;
  model: string;
  digest: string;
  runs: { answer: string; thinking: string; doneReason: string }[];
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
    flags: [],
    notes: [],
    measurement: null,
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

function runRecord(sample: RunSample, quality: number): RunRecord {
  const gaps = interTokenGapsMs(sample.tokenArrivalsMs);
  const prefill = prefillRate(sample.server);
  const notes = [...sample.serverNotes, sample.note, prefill.note].filter((note): note is string => note !== null);
  return {
    client: {
      firstByteMs: round(sample.firstByteMs, 2),
      ttftMs: round(sample.ttftMs, 2),
      ttftAnswerMs: round(sample.firstAnswerMs, 2),
      endMs: round(sample.endMs, 2) as number,
      interTokenP50Ms: round(quantile(gaps, 0.5), 3),
      interTokenP99Ms: round(quantile(gaps, 0.99), 3),
      chunks: sample.tokenArrivalsMs.length,
    },
    server: {
      totalDurationNs: sample.server.totalNs,
      loadDurationNs: sample.server.loadNs,
      promptEvalCount: sample.server.promptEvalCount,
      promptEvalDurationNs: sample.server.promptEvalNs,
      evalCount: sample.server.evalCount,
      evalDurationNs: sample.server.evalNs,
    },
    tokensPerSec: round(sample.tokensPerSec, 3),
    tokensPerSecSource: sample.tokensPerSecSource,
    prefillTokensPerSec: round(prefill.rate, 2),
    overheadMs: sample.server.totalNs > 0 ? round(sample.endMs - sample.server.totalNs / 1e6, 3) : null,
    totalTokens: sample.totalTokens,
    doneReason: sample.doneReason,
    quality: round(quality, 4) as number,
    notes,
  };
}

/** Flags, each with the note that explains it. */
export function contentionFlags(runs: RunRecord[], othersLoaded: string[], unstable: boolean): { flags: ResultFlag[]; notes: string[] } {
  const flags = new Set<ResultFlag>();
  const notes: string[] = [];
  if (othersLoaded.length > 0) {
    flags.add('contended');
    notes.push(`other models were loaded on the server while this one was measured: ${othersLoaded.join(', ')}`);
  }
  const waitedMs = Math.max(0, ...runs.map((run) => run.server.loadDurationNs / 1e6));
  if (waitedMs > CONTENDED_LOAD_MS) {
    flags.add('contended');
    notes.push(`a warm run waited ${Math.round(waitedMs)} ms before starting: another request was probably being served`);
  }
  const first = runs[0]?.tokensPerSec;
  const last = runs[runs.length - 1]?.tokensPerSec;
  if (runs.length >= 2 && first && last && last < first * THROTTLE_RATIO) {
    flags.add('throttling?');
    notes.push(`the last run decoded at ${Math.round((last / first) * 100)}% of the first run's rate`);
  }
  if (unstable) {
    flags.add('unstable');
    notes.push('timed runs disagree by more than 10% (coefficient of variation): the median is a weak summary');
  }
  return { flags: [...flags], notes };
}

export function resultFromMeasurement(
  entry: RegistryEntry,
  measured: ModelMeasurement,
  host: HostInfo,
  settings: BenchmarkSettings,
): ModelResult {
  const assessments = measured.samples.map((sample) => assessQuality(sample.answer, sample.doneReason));
  const runs = measured.samples.map((sample, index) => runRecord(sample, assessments[index]?.quality ?? 0));
  const spread = {
    tokensPerSec: spreadOf(runs.map((run) => run.tokensPerSec), 2),
    ttftMs: spreadOf(runs.map((run) => run.client.ttftMs), 1, TTFT_JITTER_MS),
    ttftAnswerMs: spreadOf(runs.map((run) => run.client.ttftAnswerMs), 1),
    prefillTokensPerSec: spreadOf(runs.map((run) => run.prefillTokensPerSec), 1),
    interTokenP50Ms: spreadOf(runs.map((run) => run.client.interTokenP50Ms), 3),
    interTokenP99Ms: spreadOf(runs.map((run) => run.client.interTokenP99Ms), 3),
    overheadMs: spreadOf(runs.map((run) => run.overheadMs), 3),
    wallMs: spreadOf(runs.map((run) => run.client.endMs), 1),
  };
  const quality = spreadOf(runs.map((run) => run.quality), 3).median ?? 0;
  // The parts shown are those of the run whose quality is the median one.
  const medianRun = runs.reduce((best, run, index) => (Math.abs(run.quality - quality) < Math.abs((runs[best]?.quality ?? 0) - quality) ? index : best), 0);
  const { flags, notes } = contentionFlags(runs, measured.othersLoaded, spread.tokensPerSec.unstable || spread.ttftMs.unstable);
  const sourceNotes = [...new Set(runs.flatMap((run) => run.notes))];
  if (measured.psUnanswered) sourceNotes.push('memory use not measured: the server did not answer /api/ps');
  const resident = measured.resident;
  const memoryBytes = resident && resident.size > 0 ? resident.size : null;
  return {
    ...baseResult(entry),
    status: 'ok',
    memoryBytes,
    tier: tierOf(memoryBytes ?? entry.sizeBytes),
    loadMs: round(measured.loadMs, 1),
    ttftMs: spread.ttftMs.median,
    tokensPerSec: spread.tokensPerSec.median,
    totalTokens: round(median(runs.map((run) => run.totalTokens)), 0),
    wallMs: spread.wallMs.median,
    quality,
    flags,
    notes: [...notes, ...sourceNotes],
    measurement: {
      runs,
      spread,
      qualityParts: (assessments[medianRun] ?? assessQuality('', 'stop')).parts,
      scoreParts: null,
      envelope: {
        ollamaVersion: host.version,
        digest: entry.digest,
        quantization: entry.quantization,
        contextLength: resident?.context_length || entry.contextLength,
        gpuShare: memoryBytes && resident ? round(resident.size_vram / memoryBytes, 4) : null,
        cpuSpillBytes: memoryBytes && resident ? Math.max(0, memoryBytes - resident.size_vram) : null,
        options: { temperature: 0, seed: BENCHMARK_SEED, num_predict: settings.maxTokens, keep_alive: KEEP_ALIVE_WHILE_MEASURING },
        protocol: { warmupRuns: 1, timedRuns: runs.length, runsMode: settings.runs === 'auto' ? 'auto' : 'fixed' },
        toolVersion: TOOL_VERSION,
        startedAt: measured.startedAt,
      },
    },
  };
}

/** `--runs auto`: enough runs for the median decode rate to settle, within bounds. */
export function needsAnotherRun(runs: number | 'auto', samples: readonly RunSample[]): boolean {
  if (runs !== 'auto') return samples.length < runs;
  if (samples.length < AUTO_RUNS_MIN) return true;
  if (samples.length >= AUTO_RUNS_MAX) return false;
  const rates = samples.map((sample) => sample.tokensPerSec ?? 0);
  const now = median(rates) ?? 0;
  const before = median(rates.slice(0, -1)) ?? 0;
  return now === 0 || Math.abs(now - before) / now >= AUTO_RUNS_SETTLED;
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

/** A signal that fires `ms` after `signal` does (at once if it already has, plus `ms`). */
function graceAfter(signal: AbortSignal, ms: number): AbortSignal {
  const controller = new AbortController();
  // Unref'd: a pending cutoff must not keep a finished process alive.
  const start = () => setTimeout(() => controller.abort(), ms).unref();
  if (signal.aborted) start();
  else signal.addEventListener('abort', start, { once: true });
  return controller.signal;
}

export interface ServerBenchmarkDeps {
  clock: Clock;
  /** Wall-clock time, for `expires_at` arithmetic and timestamps. */
  wallNow: () => number;
  /** Keeps each measured model's answers (`--save-responses`); failures here never fail a model. */
  saveResponses?: (responses: SavedResponses) => Promise<void>;
}

export class ServerBenchmark {
  private nonceSequence = 0;
  private readonly client: OllamaClient;
  /** Set once /api/ps has failed on this server; it is not asked again in this run. */
  private psFailed = false;
  /** Fires CANCELLED_CLEANUP_MS after the run is cancelled; never, until then. */
  private cleanupCutoff: AbortSignal = new AbortController().signal;

  constructor(
    private readonly host: HostInfo,
    private readonly settings: BenchmarkSettings,
    private readonly deps: ServerBenchmarkDeps,
    private readonly emit: Emit,
  ) {
    this.client = new OllamaClient(host.url);
  }

  /**
   * Runs every entry in turn; `onResult` sees each result the moment it is final. A result in
   * `reuse` for the same host, model and digest (a resumed run) is passed on unmeasured.
   */
  async run(entries: RegistryEntry[], reuse: readonly ModelResult[], signal: AbortSignal, onResult: (result: ModelResult) => void): Promise<void> {
    this.cleanupCutoff = graceAfter(signal, CANCELLED_CLEANUP_MS);
    const before = await this.readLoaded(signal);
    const measured = new Set<string>();
    try {
      for (const [index, entry] of entries.entries()) {
        if (signal.aborted) return;
        this.emit({ type: 'bench-start', host: entry.host, model: entry.model, index, total: entries.length });
        const earlier = reuse.find((result) => result.host === entry.host && result.model === entry.model && result.digest === entry.digest);
        if (earlier) {
          onResult(earlier);
          continue;
        }
        const reason = skipReason(entry);
        if (!reason) measured.add(entry.model);
        const result = reason ? skippedResult(entry, reason) : await this.measureOne(entry, before, signal);
        if (result) onResult(result);
      }
    } finally {
      await this.restore(before, measured, signal.aborted);
    }
  }

  private async readLoaded(signal: AbortSignal): Promise<RunningModel[]> {
    return (await this.loadedNow(signal, 'models it had loaded may not be restored')) ?? [];
  }

  /**
   * What the server has loaded, or null when `/api/ps` does not answer (or the signal fired). Its
   * figures only inform (memory use, what else is loaded), so its failure fails no model; and
   * once it has failed it is not asked again, so a server whose `/api/ps` blocks costs one
   * timeout in all rather than two per model.
   */
  private async loadedNow(signal: AbortSignal, consequence: string): Promise<RunningModel[] | null> {
    if (this.psFailed) return null;
    try {
      return await this.client.ps(signal);
    } catch (error) {
      if (signal.aborted) return null;
      this.psFailed = true;
      this.emit({ type: 'warning', message: `${this.host.url}: cannot read /api/ps (${describe(error)}); ${consequence}` });
      return null;
    }
  }

  /** Returns null when the run was cancelled: an unfinished model is not a result. */
  private async measureOne(entry: RegistryEntry, before: RunningModel[], signal: AbortSignal): Promise<ModelResult | null> {
    const budget = AbortSignal.any([signal, AbortSignal.timeout(this.settings.modelTimeoutMs)]);
    let memoryBytes: number | null = null;
    try {
      const measured = await this.measure(entry, budget, (bytes) => (memoryBytes = bytes));
      await this.save(entry, measured.samples);
      return resultFromMeasurement(entry, measured, this.host, this.settings);
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

  private async save(entry: RegistryEntry, samples: RunSample[]): Promise<void> {
    if (!this.deps.saveResponses) return;
    try {
      await this.deps.saveResponses({
        host: entry.host,
        model: entry.model,
        digest: entry.digest,
        runs: samples.map((sample) => ({ answer: sample.answer, thinking: sample.thinking, doneReason: sample.doneReason })),
      });
    } catch (error) {
      this.emit({ type: 'warning', message: `could not save the answers of ${entry.model}: ${describe(error)}` });
    }
  }

  /** unload -> timed cold load -> one warm-up -> the timed runs. */
  private async measure(entry: RegistryEntry, signal: AbortSignal, onMemory: (bytes: number) => void): Promise<ModelMeasurement> {
    const { client, deps, settings } = this;
    const startedAt = new Date(deps.wallNow()).toISOString();

    // A cold load is timed on its own, so load time never leaks into TTFT. When the server cannot
    // say what it has loaded, the model is unloaded anyway: unloading a model that is not loaded is harmless.
    const loadedBefore = await this.loadedNow(signal, 'memory use is not measured on this server');
    if (loadedBefore === null || isLoaded(loadedBefore, entry.model)) {
      await client.loadOrUnload(entry.model, UNLOAD_NOW, settings.modelTimeoutMs, signal);
    }
    this.emit({ type: 'bench-progress', host: entry.host, model: entry.model, stage: 'load', tokens: 0, tokensPerSec: null, elapsedMs: 0 });
    const loadStart = deps.clock();
    await client.loadOrUnload(entry.model, KEEP_ALIVE_WHILE_MEASURING, settings.modelTimeoutMs, signal);
    const loadMs = deps.clock() - loadStart;

    const running = await this.loadedNow(signal, 'memory use is not measured on this server');
    const resident = (running && isLoaded(running, entry.model)) ?? null;
    if (resident && resident.size > 0) onMemory(resident.size);
    const othersLoaded = (running ?? []).filter((model) => model !== resident).map((model) => model.name);

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
    while (needsAnotherRun(settings.runs, samples)) samples.push(await run(settings.maxTokens, true));
    return { loadMs, resident, othersLoaded, samples, startedAt, psUnanswered: running === null };
  }

  /** A cleanup request's deadline: its own timeout, or the cutoff after a cancel, whichever comes first. */
  private cleanupDeadline(timeoutMs: number): AbortSignal {
    return AbortSignal.any([AbortSignal.timeout(timeoutMs), this.cleanupCutoff]);
  }

  private cleanupFailure(error: unknown): string {
    return this.cleanupCutoff.aborted ? `no answer within ${CANCELLED_CLEANUP_MS / 1000} s of the cancel; it may still be loaded` : describe(error);
  }

  private async unload(model: string): Promise<void> {
    try {
      await this.client.loadOrUnload(model, UNLOAD_NOW, CLEANUP_TIMEOUT_MS, this.cleanupDeadline(CLEANUP_TIMEOUT_MS));
    } catch (error) {
      this.emit({ type: 'warning', message: `${this.host.url}: could not unload ${model} (${this.cleanupFailure(error)})` });
    }
  }

  /**
   * Gives back what the server had loaded: a model we measured gets the keep-alive it had left,
   * one our loads evicted is loaded again. After a cancel, reloading is skipped (a cold load can
   * take far longer than the second a cancel may take), and the user is told.
   */
  private async restore(before: RunningModel[], measured: Set<string>, cancelled: boolean): Promise<void> {
    if (before.length === 0) return;
    const now = await this.client.ps(this.cleanupDeadline(CLEANUP_TIMEOUT_MS)).catch(() => null);
    for (const model of before) {
      const stillLoaded = now === null || isLoaded(now, model.name) !== undefined;
      if (stillLoaded && !measured.has(model.name)) continue;
      if (!stillLoaded && cancelled) {
        this.emit({ type: 'warning', message: `${this.host.url}: ${model.name} was loaded before the run and is not reloaded after the cancel` });
        continue;
      }
      const timeoutMs = stillLoaded ? CLEANUP_TIMEOUT_MS : this.settings.modelTimeoutMs;
      try {
        const keepAlive = remainingKeepAlive(model.expires_at, this.deps.wallNow());
        await this.client.loadOrUnload(model.name, keepAlive, timeoutMs, this.cleanupDeadline(timeoutMs));
      } catch (error) {
        this.emit({ type: 'warning', message: `${this.host.url}: could not reload ${model.name} as it was (${this.cleanupFailure(error)})` });
      }
    }
  }
}
