// The real worker bundle, built as `npm run build` builds it, in a real worker thread, driven by the
// real RunController against Ollama doubles on loopback (no sweep, no 127.0.0.1:11434).
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunController, type WorkerHandle } from '../../main/app/run-controller.js';
import { runOptions } from '../../main/app/run-options.js';
import { DEFAULT_SETTINGS } from '../../main/app/store.js';
import type { SpeedrunEvent } from '../../main/core/events.js';
import type { LastRun } from '../../main/contract.js';
import { startOllamaDouble, type OllamaDouble, type SimulatedModel } from '../../main/simulator/ollama-double.js';

const model = (name: string, tokensPerSec: number, sizeBytes: number): SimulatedModel => ({
  name,
  family: 'llama',
  parameterSize: '1.2B',
  parameterCount: 1_235_814_432,
  quantization: 'Q4_K_M',
  sizeBytes,
  memoryBytes: sizeBytes * 1.4,
  contextLength: 131_072,
  capabilities: ['completion'],
  tokensPerSec,
  ttftMs: 5,
  loadMs: 5,
});

let folder: string;
let workerFile: string;
let doubles: OllamaDouble[];

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'speedrun-worker-'));
  workerFile = join(folder, 'worker.cjs');
  // The app job's settings for the worker (scripts/build.mjs).
  await build({ bundle: true, platform: 'node', target: 'node22', format: 'cjs', logLevel: 'error', entryPoints: ['main/worker/worker.ts'], outfile: workerFile });
  doubles = [
    await startOllamaDouble({ models: [model('llama3.2:1b', 900, 1_300_000_000), model('qwen3:4b', 400, 2_500_000_000)] }),
    await startOllamaDouble({ models: [model('slow:1b', 20, 1_200_000_000)] }),
  ];
});

afterAll(async () => {
  await Promise.all(doubles.map((double) => double.close()));
  await rm(folder, { recursive: true, force: true });
});

function controller(createWorker: () => WorkerHandle) {
  const events: SpeedrunEvent[] = [];
  let finished: (run: LastRun) => void = () => undefined;
  const done = new Promise<LastRun>((resolve) => (finished = resolve));
  const changed: (() => void)[] = [];
  const runs = new RunController({
    createWorker,
    onEvent: (event) => events.push(event),
    onFinished: (run) => finished(run),
    onStateChange: () => changed.forEach((listener) => listener()),
    schedule: (ms, callback) => {
      const timer = setTimeout(callback, ms);
      return () => clearTimeout(timer);
    },
  });
  const ended = new Promise<void>((resolve) => changed.push(() => runs.status === 'idle' && resolve()));
  return { runs, events, done, ended };
}

const options = (hosts: string[], maxTokens = 32) =>
  runOptions({ ...DEFAULT_SETTINGS, extraHosts: hosts, scan: false, maxTokens, runs: 1 }, { ollamaHostEnv: undefined, knownServersFile: join(folder, 'known-servers.json') });

describe('the worker', () => {
  it('bundles the core runner without Electron', async () => {
    const bundle = await readFile(workerFile, 'utf8');
    expect(bundle).not.toMatch(/require\("electron"\)/);
    expect(bundle).toContain('bench-progress');
  });

  it('runs the core runner and relays its events up to the report', async () => {
    const { runs, events, done } = controller(() => new Worker(workerFile));
    const settings = options(doubles.map((double) => double.url));
    // This machine's own server is not part of a test.
    settings.discovery.includeLoopback = false;
    expect(runs.start(settings)).toEqual({ ok: true });
    const run = await done;

    expect(events[0]).toEqual({ type: 'phase', phase: 'discover' });
    expect(events.at(-1)).toMatchObject({ type: 'done', cancelled: false });
    expect(events.filter((event) => event.type === 'host-found')).toHaveLength(2);
    expect(events.some((event) => event.type === 'bench-progress')).toBe(true);
    expect(run.cancelled).toBe(false);
    expect(run.report.results.map((result) => `${result.model} ${result.status}`).sort()).toEqual(['llama3.2:1b ok', 'qwen3:4b ok', 'slow:1b ok']);
    expect(run.report.tiers.find((tier) => tier.tier === 'tiny')?.recommended?.model).toBe('llama3.2:1b');
    expect(runs.status).toBe('idle');
    expect(runs.crash).toBeNull();
  });

  it('stops when cancelled: the runner reports what it had and the worker is ended', async () => {
    const { runs, events, done } = controller(() => new Worker(workerFile));
    const settings = options([doubles[1]?.url ?? ''], 4096);
    settings.discovery.includeLoopback = false;
    runs.start(settings);
    await expect.poll(() => events.some((event) => event.type === 'bench-progress' && event.stage === 'generate'), { timeout: 10_000 }).toBe(true);
    const stoppedAt = performance.now();
    runs.stop();
    const run = await done;
    expect(run.cancelled).toBe(true);
    expect(performance.now() - stoppedAt).toBeLessThan(5_000);
    expect(runs.status).toBe('idle');
    expect(doubles[1]?.loadedModels()).toEqual([]);
  });

  it('turns a worker that throws into a message, and the app goes on', async () => {
    const { runs, ended } = controller(() => new Worker('throw new Error("worker exploded")', { eval: true }));
    runs.start(options([]));
    await ended;
    expect(runs.status).toBe('idle');
    expect(runs.crash).toBe('The benchmark stopped with an internal error: worker exploded');
  });

  it('hard-stops a worker that ignores the cancel', async () => {
    const { runs, ended } = controller(() => new Worker('setInterval(() => {}, 1000)', { eval: true }));
    runs.start(options([]));
    runs.stop(200);
    await ended;
    expect(runs.crash).toMatch(/did not stop within 0.2 s and was ended/);
  });
});
