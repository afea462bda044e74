// Issue 5's measurements of the tool against hostile servers:
// - survival: every fault the Ollama double can serve, each in one run beside healthy models on the
//   same and on another server; survived = the run ended, the healthy models were measured within
//   5% of their true rate, and what failed carries a reason;
// - cancel: the time from SIGINT to exit of the real headless command, in the middle of a stream;
// - the 100 MB /api/tags: the extra peak memory of the real headless command refusing it, against
//   the same command listing a healthy server, and the bytes the client itself held meanwhile.
// Needs dist/headless.cjs and dist/simulator.cjs, which `npm run bench` builds first.
import { spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import type { SpeedrunEvent } from '../main/core/events.js';
import { OllamaClient, OllamaError } from '../main/core/ollama/client.js';
import type { Report } from '../main/core/report.js';
import { realSpeedrunDeps, speedrun } from '../main/core/speedrun.js';
import { startOllamaDouble, type ModelFault, type OllamaDouble, type ServerFault, type SimulatedModel } from '../main/simulator/ollama-double.js';
import { simulatedModel } from '../main/simulator/simulated-model.js';
import { exited, peakRssBytes, root, startSimulatorProcess, stopSimulatorProcess } from './processes.js';

export const FAULT_GOALS = { survivedShare: 1, cancelExitMs: 1000, hugeBodyExtraPeakRssBytes: 32 * 1024 * 1024 };

/** The fault cases' models decode at 300 tokens/s over an 8K context. */
function model(overrides: Partial<SimulatedModel> & { name: string }): SimulatedModel {
  return simulatedModel({ contextLength: 8192, capabilities: ['completion'], tokensPerSec: 300, ...overrides });
}

/** Loopback only, and a config folder of its own: no OLLAMA_HOST, no remembered server is tried. */
async function isolatedEnv(): Promise<NodeJS.ProcessEnv> {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', XDG_CONFIG_HOME: await mkdtemp(path.join(os.tmpdir(), 'speedrun-bench-config-')) };
  delete env.OLLAMA_HOST;
  return env;
}

// ---------------------------------------------------------------------------------------------
// Survival

interface FaultCase {
  name: string;
  bad?: SimulatedModel;
  faults?: ServerFault[];
  modelTimeoutMs?: number;
}

const HEALTHY_SAME = { name: 'healthy-same:1b', tokensPerSec: 300 };
const HEALTHY_OTHER = { name: 'healthy-other:1b', tokensPerSec: 150 };

function faultCases(): FaultCase[] {
  const stream: [ModelFault, Partial<SimulatedModel>, number?][] = [
    ['malformed-json', {}],
    ['no-done', {}],
    ['error-mid-stream', {}],
    ['html-200', {}],
    ['huge-line', {}],
    ['reset', {}],
    ['tarpit', {}, 2000],
    ['endless', { tokensPerSec: 20 }, 2000],
    ['endless', { tokensPerSec: 20_000 }],
    ['absurd-numbers', {}],
  ];
  const statuses = ([400, 403, 404, 405, 500, 503] as const).flatMap((status) => [true, false].map((json) => ({ status, json })));
  const server: ServerFault[] = ['tags-huge-body', 'tags-malformed', 'ps-blocks', 'duplicate-names', 'identity-tarpit', 'not-ollama', 'forbidden'];
  return [
    ...stream.map(([fault, overrides, modelTimeoutMs]) => ({
      name: `${fault}${overrides.tokensPerSec ? ` at ${overrides.tokensPerSec} tok/s` : ''}`,
      bad: model({ name: 'faulty:1b', fault, ...overrides }),
      modelTimeoutMs,
    })),
    ...statuses.map((fault) => ({ name: `HTTP ${fault.status} ${fault.json ? 'JSON' : 'text'}`, bad: model({ name: 'faulty:1b', fault }) })),
    ...server.map((fault) => ({ name: fault, faults: [fault] })),
    { name: 'escape sequences and HTML in a name', bad: model({ name: '\u001b]0;pwned\u0007<img src=x onerror=alert(1)>\u009b2J:1b' }) },
  ];
}

/** Why a case did not survive, or null when it did. */
function judge(testCase: FaultCase, report: Report, events: SpeedrunEvent[], faultyUrl: string): string | null {
  const measuredNear = (name: string, truth: number) => {
    const result = report.results.find((entry) => entry.model === name);
    return result?.status === 'ok' && Math.abs((result.tokensPerSec ?? 0) / truth - 1) < 0.05;
  };
  if (!measuredNear(HEALTHY_OTHER.name, HEALTHY_OTHER.tokensPerSec)) return 'the model on the other server was not measured right';
  const serverRefused = events.some((event) => (event.type === 'host-failed' || event.type === 'host-rejected') && event.url === faultyUrl && event.reason.length > 0);
  if (!serverRefused && !measuredNear(HEALTHY_SAME.name, HEALTHY_SAME.tokensPerSec)) return 'the healthy model beside the fault was not measured right';
  if (testCase.bad) {
    const bad = report.results.find((entry) => entry.model === testCase.bad?.name);
    const explained = bad ? bad.status === 'ok' || (bad.reason ?? '').length > 0 : serverRefused;
    if (!explained) return 'the faulty model failed without a reason';
  } else if (!serverRefused && !events.some((event) => event.type === 'warning' && event.message.startsWith(faultyUrl))) {
    return 'the faulty server was neither refused nor warned about';
  }
  return null;
}

async function runCase(testCase: FaultCase): Promise<string | null> {
  const doubles: OllamaDouble[] = [];
  try {
    const faulty = await startOllamaDouble({ models: [...(testCase.bad ? [testCase.bad] : []), model(HEALTHY_SAME)], faults: testCase.faults ?? [] });
    doubles.push(faulty);
    const other = await startOllamaDouble({ models: [model(HEALTHY_OTHER)] });
    doubles.push(other);
    const events: SpeedrunEvent[] = [];
    const report = await speedrun(
      {
        discovery: { hosts: [faulty.url, other.url], ollamaHostEnv: undefined, includeLoopback: false, scan: false, scanTimeoutMs: 500, scanConcurrency: 1, scanDelayMs: 0 },
        benchmark: { maxTokens: 48, runs: 1, modelTimeoutMs: testCase.modelTimeoutMs ?? 30_000 },
        modelGlob: null,
      },
      (event) => events.push(event),
      AbortSignal.timeout(120_000),
      realSpeedrunDeps(),
    );
    return judge(testCase, report, events, faulty.url);
  } catch (error) {
    return `the run threw: ${error instanceof Error ? error.message : String(error)}`;
  } finally {
    await Promise.all(doubles.map((double) => double.close()));
  }
}

export interface SurvivalResult {
  tried: number;
  survived: number;
  /** Each case that did not survive, with why. */
  failures: string[];
  seconds: number;
}

export async function benchSurvival(): Promise<SurvivalResult> {
  const started = performance.now();
  const cases = faultCases();
  const failures: string[] = [];
  for (const testCase of cases) {
    const failure = await runCase(testCase);
    if (failure) failures.push(`${testCase.name}: ${failure}`);
  }
  return { tried: cases.length, survived: cases.length - failures.length, failures, seconds: (performance.now() - started) / 1000 };
}

// ---------------------------------------------------------------------------------------------
// Cancel

export interface CancelResult {
  /** SIGINT to exit, each round, ms. */
  samplesMs: number[];
  medianMs: number;
  maxMs: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}


/** Ctrl-C while a model streams its timed run, `rounds` times. */
export async function benchCancel(rounds = 5): Promise<CancelResult> {
  const env = await isolatedEnv();
  const samplesMs: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const double = await startOllamaDouble({ models: [model({ name: 'quick:1b', tokensPerSec: 2000 }), model({ name: 'slow:8b', tokensPerSec: 10 })] });
    try {
      const child = spawn(process.execPath, [`${root}dist/headless.cjs`, '--no-scan', '--host', double.url, '--json', '--runs', '1', '--max-tokens', '400'], {
        stdio: ['ignore', 'ignore', 'ignore'],
        env,
      });
      const exit = exited(child);
      const streaming = () =>
        double.requests.some((request) => {
          const body = request.body as { model?: string; options?: { num_predict?: number } } | undefined;
          return request.path === '/api/generate' && request.endedAt === null && body?.model === 'slow:8b' && body.options?.num_predict === 400;
        });
      const deadline = performance.now() + 60_000;
      while (!streaming()) {
        if (performance.now() > deadline) throw new Error('the slow model never started its timed run');
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
      const interruptedAt = performance.now();
      child.kill('SIGINT');
      await exit;
      samplesMs.push(performance.now() - interruptedAt);
    } finally {
      await double.close();
    }
  }
  return { samplesMs, medianMs: median(samplesMs), maxMs: Math.max(...samplesMs) };
}

// ---------------------------------------------------------------------------------------------
// The 100 MB body

/** Peak RSS (VmHWM) of the headless command run against `url`, in bytes. */
async function headlessPeakRss(url: string, env: NodeJS.ProcessEnv): Promise<number> {
  const child = spawn(process.execPath, [`${root}dist/headless.cjs`, '--no-scan', '--host', url, '--json', '--runs', '1', '--max-tokens', '16'], {
    stdio: ['ignore', 'ignore', 'ignore'],
    env,
  });
  return peakRssBytes(child, 5);
}

export interface HugeBodyResult {
  /** What the server offered: 100 MB of /api/tags. */
  offeredBytes: number;
  /** The client's cap on a list body. */
  capBytes: number;
  /** Peak RSS of the headless command refusing the 100 MB list, and listing a healthy server (median of 3 each). */
  peakRssHugeBytes: number;
  peakRssHealthyBytes: number;
  extraPeakRssBytes: number;
  /** Most this process's heap and buffers grew while the client read and refused the body (the server runs apart). */
  heldBytesPeak: number;
  /** The client's reason. */
  reason: string;
}

/** This process's garbage collector, so a measurement starts from live memory only. */
function collector(): () => void {
  v8.setFlagsFromString('--expose-gc');
  return vm.runInNewContext('gc') as () => void;
}

/**
 * Most heap + buffers grew above their level at the start while `work` ran, read on every turn of
 * the event loop; what a refused body held stays allocated until the next collection, so its peak
 * is seen even after the refusal.
 */
async function peakGrowth(work: () => Promise<unknown>): Promise<number> {
  const level = () => {
    const usage = process.memoryUsage();
    return usage.heapUsed + usage.arrayBuffers;
  };
  collector()();
  const start = level();
  let peak = start;
  let running = true;
  const poll = () => {
    peak = Math.max(peak, level());
    if (running) setImmediate(poll);
  };
  poll();
  try {
    await work();
  } finally {
    running = false;
    peak = Math.max(peak, level());
  }
  return peak - start;
}

export async function benchHugeBody(): Promise<HugeBodyResult> {
  const env = await isolatedEnv();
  const models = [model({ name: 'listed:1b' })];
  const huge = await startSimulatorProcess(models, ['tags-huge-body']);
  const healthy = await startSimulatorProcess(models, []);
  try {
    const hugeRss: number[] = [];
    const healthyRss: number[] = [];
    for (let round = 0; round < 3; round++) {
      hugeRss.push(await headlessPeakRss(huge.url, env));
      healthyRss.push(await headlessPeakRss(healthy.url, env));
    }
    let reason = '';
    const client = new OllamaClient(huge.url);
    await client.tags().catch(() => undefined);
    const heldBytesPeak = await peakGrowth(() =>
      client.tags().catch((error: unknown) => {
        reason = error instanceof OllamaError ? error.message : String(error);
      }),
    );
    const peakRssHugeBytes = median(hugeRss);
    const peakRssHealthyBytes = median(healthyRss);
    return {
      offeredBytes: 100_000_000,
      capBytes: 8 * 1024 * 1024,
      peakRssHugeBytes,
      peakRssHealthyBytes,
      extraPeakRssBytes: peakRssHugeBytes - peakRssHealthyBytes,
      heldBytesPeak,
      reason,
    };
  } finally {
    await Promise.all([stopSimulatorProcess(huge), stopSimulatorProcess(healthy)]);
  }
}

// ---------------------------------------------------------------------------------------------

export interface FaultsBench {
  survival: SurvivalResult;
  cancel: CancelResult;
  hugeBody: HugeBodyResult;
}

/** Every figure of issue 5: faults tried and survived, Ctrl-C to exit, memory held while a 100 MB body is refused. */
export async function benchFaults(): Promise<FaultsBench> {
  return { survival: await benchSurvival(), cancel: await benchCancel(), hugeBody: await benchHugeBody() };
}
