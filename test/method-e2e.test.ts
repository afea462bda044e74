// The measuring protocol against simulated servers: both clocks, flags, envelope, auto runs, resume.
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SavedResponses } from '../main/core/benchmark/protocol.js';
import type { ModelResult } from '../main/core/report.js';
import { responseSaver } from '../main/headless/responses.js';
import { simulatedModel, useOllamaDoubles } from './helpers/ollama-doubles.js';
import { namedHostsOptions, runCore } from './helpers/speedrun.js';

const startDouble = useOllamaDoubles();

function only(results: ModelResult[], model: string): ModelResult {
  const found = results.find((result) => result.model === model);
  if (!found?.measurement) throw new Error(`${model} was not measured: ${found?.reason}`);
  return found;
}

describe('the measuring protocol', () => {
  it('unloads, loads cold, warms up, then times N runs, and leaves the server as it was', async () => {
    const double = await startDouble({
      models: [simulatedModel({ name: 'target:3b', loadMs: 300, ttftMs: 40, tokensPerSec: 400 })],
      loaded: ['target:3b'],
    });
    const { report } = await runCore(namedHostsOptions([double.url], { benchmark: { maxTokens: 40, runs: 3, modelTimeoutMs: 30_000 } }));
    const result = only(report.results, 'target:3b');

    const generates = double.requests.filter((request) => request.path === '/api/generate').map((request) => request.body as { prompt: string; keep_alive?: unknown; options?: { num_predict?: number } });
    // unload, cold load, warm-up, three timed runs, then the keep-alive it had given back.
    expect(generates.map((body) => (body.prompt === '' ? `empty:${String(body.keep_alive)}` : `prompt:${body.options?.num_predict}`))).toEqual([
      'empty:0',
      'empty:10m',
      'prompt:32',
      'prompt:40',
      'prompt:40',
      'prompt:40',
      expect.stringMatching(/^empty:/),
    ]);
    const prompts = generates.filter((body) => body.prompt !== '').map((body) => body.prompt);
    expect(new Set(prompts).size).toBe(prompts.length);
    expect(result.loadMs).toBeGreaterThanOrEqual(290);
    expect(result.measurement?.runs).toHaveLength(3);
    expect(result.measurement?.envelope.protocol).toEqual({ warmupRuns: 1, timedRuns: 3, runsMode: 'fixed' });
    expect(double.loadedModels()).toEqual(['target:3b']);
  }, 30_000);

  it('records both clocks, and the first answer token of a thinking model apart from its first thought', async () => {
    const double = await startDouble({
      models: [simulatedModel({ name: 'thinker:8b', capabilities: ['completion', 'thinking'], thinkingTokens: 40, tokensPerSec: 200, ttftMs: 50 })],
    });
    const { report } = await runCore(namedHostsOptions([double.url], { benchmark: { maxTokens: 120, runs: 1, modelTimeoutMs: 30_000 } }));
    const run = only(report.results, 'thinker:8b').measurement?.runs[0];
    expect(run?.client.ttftMs).toBeGreaterThan(40);
    // 40 thinking tokens at 200/s come before the answer: about 200 ms later.
    expect((run?.client.ttftAnswerMs ?? 0) - (run?.client.ttftMs ?? 0)).toBeGreaterThan(150);
    expect(run?.server.evalCount).toBe(120);
    expect(run?.server.promptEvalCount).toBeGreaterThan(0);
    expect(run?.prefillTokensPerSec).toBeGreaterThan(0);
    expect(run?.overheadMs).toBeGreaterThanOrEqual(-5);
    expect(run?.overheadMs).toBeLessThan(100);
    expect(run?.client.interTokenP50Ms).toBeGreaterThan(3);
    expect(run?.client.interTokenP99Ms).toBeGreaterThanOrEqual(run?.client.interTokenP50Ms ?? 0);
  }, 30_000);

  it('refuses a model listed with impossible figures, by name, and measures the rest', async () => {
    const double = await startDouble({
      models: [simulatedModel({ name: 'liar:1b', fault: 'absurd-numbers' }), simulatedModel({ name: 'honest:1b' })],
    });
    const { report } = await runCore(namedHostsOptions([double.url]));
    expect(report.results.find((entry) => entry.model === 'liar:1b')).toMatchObject({ status: 'failed', reason: expect.stringContaining('size') });
    expect(report.results.find((entry) => entry.model === 'honest:1b')?.status).toBe('ok');
  }, 30_000);

  it('flags a model measured while another is loaded as contended, and leaves that one loaded', async () => {
    const double = await startDouble({
      models: [simulatedModel({ name: 'target:3b' }), simulatedModel({ name: 'resident:1b' })],
      loaded: ['resident:1b'],
    });
    const { report } = await runCore(namedHostsOptions([double.url], { modelGlob: 'target:*' }));
    const result = only(report.results, 'target:3b');
    expect(result.flags).toContain('contended');
    expect(result.notes.join(' ')).toContain('resident:1b');
    expect(double.loadedModels()).toEqual(['resident:1b']);
  }, 30_000);

  it('fills the reproducibility envelope', async () => {
    const double = await startDouble({
      version: '0.30.7',
      models: [simulatedModel({ name: 'spill:8b', memoryBytes: 8e9, vramBytes: 6e9, contextLength: 8192, quantization: 'Q4_K_M' })],
    });
    const { report } = await runCore(namedHostsOptions([double.url]));
    const envelope = only(report.results, 'spill:8b').measurement?.envelope;
    expect(envelope).toMatchObject({
      ollamaVersion: '0.30.7',
      quantization: 'Q4_K_M',
      gpuShare: 0.75,
      cpuSpillBytes: 2e9,
      options: { temperature: 0, seed: 42, num_predict: 48 },
      toolVersion: expect.any(String),
    });
    expect(envelope?.digest).toMatch(/^[0-9a-f]{64}$/);
    expect(envelope?.contextLength).toBeGreaterThan(0);
    expect(Date.parse(envelope?.startedAt ?? '')).toBeGreaterThan(0);
  }, 30_000);

  it('repeats runs until the median settles with --runs auto', async () => {
    const double = await startDouble({ models: [simulatedModel({ name: 'steady:1b', tokensPerSec: 1500 })] });
    const { report } = await runCore(namedHostsOptions([double.url], { benchmark: { maxTokens: 30, runs: 'auto', modelTimeoutMs: 30_000 } }));
    const runs = only(report.results, 'steady:1b').measurement?.runs.length ?? 0;
    expect(runs).toBeGreaterThanOrEqual(3);
    expect(runs).toBeLessThanOrEqual(10);
  }, 30_000);

  it('ends a model that never finishes at its time budget and goes on', async () => {
    const double = await startDouble({
      models: [simulatedModel({ name: 'endless:1b', fault: 'endless', tokensPerSec: 50 }), simulatedModel({ name: 'fine:1b' })],
    });
    const { report } = await runCore(namedHostsOptions([double.url], { benchmark: { maxTokens: 20, runs: 1, modelTimeoutMs: 1500 } }));
    expect(report.results.find((entry) => entry.model === 'endless:1b')).toMatchObject({ status: 'failed', reason: expect.stringContaining('budget') });
    expect(report.results.find((entry) => entry.model === 'fine:1b')?.status).toBe('ok');
    expect(double.loadedModels()).toEqual([]);
  }, 30_000);

  it('saves every answer for re-scoring', async () => {
    const double = await startDouble({ models: [simulatedModel({ name: 'talker:1b' })] });
    const directory = await mkdtemp(path.join(os.tmpdir(), 'speedrun-responses-'));
    await runCore(namedHostsOptions([double.url], { benchmark: { maxTokens: 40, runs: 2, modelTimeoutMs: 30_000 } }), { saveResponses: responseSaver(directory) });
    const files = await readdir(directory);
    expect(files).toHaveLength(1);
    const saved = JSON.parse(await readFile(path.join(directory, files[0] as string), 'utf8')) as SavedResponses;
    expect(saved.model).toBe('talker:1b');
    expect(saved.runs).toHaveLength(2);
    expect(saved.runs[0]?.answer.length).toBeGreaterThan(0);
    expect(saved.runs[0]?.doneReason).toBe('length');
  }, 30_000);

  it('reuses results of an earlier run for the same digest instead of measuring again', async () => {
    const double = await startDouble({ models: [simulatedModel({ name: 'a:1b' }), simulatedModel({ name: 'b:1b' })] });
    const first = await runCore(namedHostsOptions([double.url], { modelGlob: 'a:*' }));
    const before = double.requests.length;
    const second = await runCore(namedHostsOptions([double.url], { reuse: first.report.results }));
    const prompted = double.requests.slice(before).filter((request) => request.path === '/api/generate').map((request) => (request.body as { model: string }).model);
    expect(new Set(prompted)).toEqual(new Set(['b:1b']));
    expect(second.report.results.map((result) => [result.model, result.status])).toEqual([
      ['a:1b', 'ok'],
      ['b:1b', 'ok'],
    ]);
    expect(second.report.results[0]?.tokensPerSec).toBe(first.report.results[0]?.tokensPerSec);
  }, 30_000);
});
