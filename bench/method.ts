// Issue 3's measurements of the tool itself:
// - fidelity: reported tokens/sec and TTFT against a simulated server streaming on exact schedules;
// - overhead: the benchmark client's CPU time per 10,000 streamed tokens, against a minimal
//   reference consumer (read the socket, split lines, JSON.parse) measured in the same run;
// - peak memory of a headless run over 50 models.
// The simulated servers run in child processes, so their CPU and memory never count as ours.
import { spawn } from 'node:child_process';
import http from 'node:http';
import { timedRun } from '../main/core/benchmark/run.js';
import { OllamaClient } from '../main/core/ollama/client.js';
import { simulatedModel, type SimulatedModel } from '../main/simulator/simulated-model.js';
import { peakRssBytes, root, startSimulatorProcess, stopSimulatorProcess } from './processes.js';

export const METHOD_GOALS = { tokensPerSecErrorPercent: 1, ttftErrorMs: 5, cpuRatio: 1.5, peakRssMb: 120 };

function model(name: string, tokensPerSec: number, ttftMs: number, memoryBytes = 3e9): SimulatedModel {
  // A loop never ends by itself, so every run streams exactly num_predict tokens.
  return simulatedModel({ name, tokensPerSec, ttftMs, memoryBytes, contextLength: 20_000, loadMs: 20, answer: 'repetition' });
}

async function measure(url: string, name: string, maxTokens: number) {
  const client = new OllamaClient(url);
  await client.loadOrUnload(name, '10m', 60_000);
  return timedRun(
    client,
    { model: name, prompt: `Run ${Math.random()}.`, maxTokens, seed: 42, keepAlive: '10m', firstByteTimeoutMs: 60_000, live: true },
    () => performance.now(),
    () => {},
    new AbortController().signal,
  );
}

export interface FidelityRow {
  tokensPerSec: number;
  ttftMs: number;
  reportedTokensPerSec: number;
  clientTokensPerSec: number;
  reportedTtftMs: number;
  tokensPerSecErrorPercent: number;
  clientTokensPerSecErrorPercent: number;
  ttftErrorMs: number;
}

/** Schedules from 10 to 5,000 tokens/s and TTFT from 50 ms to 5 s; each decode lasts about 2 s. */
export async function benchFidelity(): Promise<FidelityRow[]> {
  const schedules: [number, number][] = [
    [10, 50],
    [100, 50],
    [1000, 50],
    [5000, 50],
    [100, 500],
    [100, 5000],
    [5000, 5000],
  ];
  const models = schedules.map(([rate, ttft]) => model(`s${rate}-t${ttft}:1b`, rate, ttft));
  const server = await startSimulatorProcess(models);
  const rows: FidelityRow[] = [];
  try {
    for (const [rate, ttft] of schedules) {
      // Three runs per schedule, and the median of each error, so one scheduling hiccup of a busy
      // machine does not stand for the tool's accuracy.
      const samples = [];
      for (let i = 0; i < 3; i++) samples.push(await measure(server.url, `s${rate}-t${ttft}:1b`, Math.max(20, Math.min(10_000, rate * 2))));
      const clientRates = samples.map((sample) => {
        const arrivals = sample.tokenArrivalsMs;
        // The client clock's own rate, as the fallback would compute it.
        return ((arrivals.length - 1) / ((arrivals.at(-1) ?? 0) - (arrivals[0] ?? 0))) * 1000;
      });
      const middle = (values: number[]) => [...values].sort((a, b) => a - b)[1] ?? NaN;
      const reportedTokensPerSec = middle(samples.map((sample) => sample.tokensPerSec ?? NaN));
      const reportedTtftMs = middle(samples.map((sample) => sample.ttftMs ?? NaN));
      const clientTokensPerSec = middle(clientRates);
      rows.push({
        tokensPerSec: rate,
        ttftMs: ttft,
        reportedTokensPerSec,
        clientTokensPerSec,
        reportedTtftMs,
        tokensPerSecErrorPercent: Math.abs(reportedTokensPerSec / rate - 1) * 100,
        clientTokensPerSecErrorPercent: Math.abs(clientTokensPerSec / rate - 1) * 100,
        ttftErrorMs: Math.abs(reportedTtftMs - ttft),
      });
    }
  } finally {
    await stopSimulatorProcess(server);
  }
  return rows;
}

/** The least a client can do with the stream: read it, split lines, parse each. */
function referenceConsumer(url: string, name: string, maxTokens: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const body = JSON.stringify({ model: name, prompt: `Run ${Math.random()}.`, stream: true, keep_alive: '10m', options: { temperature: 0, seed: 42, num_predict: maxTokens } });
    const req = http.request(`${url}/api/generate`, { method: 'POST', agent: false, headers: { 'Content-Type': 'application/json' } }, (res) => {
      let pending = '';
      let chunks = 0;
      res.setEncoding('utf8');
      res.on('data', (data: string) => {
        pending += data;
        let newline = pending.indexOf('\n');
        while (newline !== -1) {
          JSON.parse(pending.slice(0, newline));
          chunks++;
          pending = pending.slice(newline + 1);
          newline = pending.indexOf('\n');
        }
      });
      res.on('end', () => resolve(chunks));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

function cpuMs(since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1000;
}

export interface OverheadResult {
  tokens: number;
  clientCpuMs: number;
  referenceCpuMs: number;
  ratio: number;
}

/** CPU time per 10,000 tokens at 5,000 tokens/s, median of five alternating rounds. */
export async function benchOverhead(): Promise<OverheadResult> {
  const tokens = 10_000;
  const server = await startSimulatorProcess([model('fast:1b', 5000, 5)]);
  try {
    const client = new OllamaClient(server.url);
    await client.loadOrUnload('fast:1b', '10m', 60_000);
    await referenceConsumer(server.url, 'fast:1b', 500);
    await measure(server.url, 'fast:1b', 500);
    const ours: number[] = [];
    const reference: number[] = [];
    for (let round = 0; round < 5; round++) {
      let start = process.cpuUsage();
      await referenceConsumer(server.url, 'fast:1b', tokens);
      reference.push(cpuMs(start));
      start = process.cpuUsage();
      await measure(server.url, 'fast:1b', tokens);
      ours.push(cpuMs(start));
    }
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;
    const clientCpuMs = median(ours);
    const referenceCpuMs = median(reference);
    return { tokens, clientCpuMs, referenceCpuMs, ratio: clientCpuMs / referenceCpuMs };
  } finally {
    await stopSimulatorProcess(server);
  }
}

function withoutOllamaHost(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.OLLAMA_HOST;
  return env;
}

/** Peak resident memory of the real headless command measuring 50 models (3 runs of 512 tokens each). */
export async function benchPeakMemory(): Promise<{ models: number; peakRssMb: number; seconds: number }> {
  const count = 50;
  const models = Array.from({ length: count }, (_, i) => model(`model-${i}:${i % 5}b`, 5000, 5, (i % 5) * 4e9 + 1e9));
  const server = await startSimulatorProcess(models);
  try {
    const started = performance.now();
    const child = spawn(process.execPath, [`${root}dist/headless.cjs`, '--no-scan', '--host', server.url, '--json', '--runs', '3', '--max-tokens', '512'], {
      stdio: ['ignore', 'ignore', 'ignore'],
      env: withoutOllamaHost(),
    });
    const peak = await peakRssBytes(child, 20);
    return { models: count, peakRssMb: peak / 1024 / 1024, seconds: (performance.now() - started) / 1000 };
  } finally {
    await stopSimulatorProcess(server);
  }
}
