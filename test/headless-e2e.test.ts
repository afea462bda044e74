// The headless command end to end, against two simulated servers streaming on known schedules.
import { mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ModelResult, Report } from '../main/core/report.js';
import { simulatedModel, useOllamaDoubles } from './helpers/ollama-doubles.js';
import { interrupt, runHeadless, startHeadless } from './helpers/headless.js';

const GB = 1e9;

describe('npm run headless against two servers', () => {
  const startDouble = useOllamaDoubles();

  it('measures, tiers and recommends, politely', async () => {
    const mac = await startDouble({
      models: [
        simulatedModel({ name: 'tiny-sound:1b', memoryBytes: 1.5 * GB, tokensPerSec: 200, ttftMs: 80, loadMs: 150 }),
        simulatedModel({ name: 'medium:8b', memoryBytes: 6 * GB, tokensPerSec: 50, ttftMs: 150, loadMs: 200 }),
        simulatedModel({ name: 'nomic-embed-text:latest', memoryBytes: 0.3 * GB, capabilities: ['embedding'] }),
        simulatedModel({ name: 'broken:7b', memoryBytes: 5 * GB, fault: 'error-mid-stream' }),
      ],
      loaded: ['medium:8b'],
    });
    const spark = await startDouble({
      models: [
        simulatedModel({ name: 'small-think:4b', memoryBytes: 3 * GB, tokensPerSec: 120, ttftMs: 60, capabilities: ['completion', 'thinking'], thinkingTokens: 20 }),
        simulatedModel({ name: 'tiny-loop:1b', memoryBytes: 1.2 * GB, tokensPerSec: 400, ttftMs: 20, answer: 'repetition' }),
        simulatedModel({ name: 'gpt-oss:120b-cloud', memoryBytes: 0, sizeBytes: 384, cloud: true }),
      ],
    });

    const run = await runHeadless(['--no-scan', '--host', mac.url, '--host', spark.url, '--json', '--runs', '2', '--max-tokens', '96']);
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as Report;

    expect(report.schemaVersion).toBe(1);
    expect(report.hosts.map((host) => host.url)).toEqual([mac.url, spark.url]);
    expect(report.tiers.map((tier) => tier.tier)).toEqual(['tiny', 'small', 'medium', 'large', 'xl']);

    const result = (model: string): ModelResult => {
      const found = report.results.find((entry) => entry.model === model);
      if (!found) throw new Error(`no result for ${model}`);
      return found;
    };
    const truth = { 'tiny-sound:1b': [200, 80], 'medium:8b': [50, 150], 'small-think:4b': [120, 60], 'tiny-loop:1b': [400, 20] } as const;
    for (const [model, [tokensPerSec, ttftMs]] of Object.entries(truth)) {
      const measured = result(model);
      expect(measured.status, model).toBe('ok');
      expect(Math.abs((measured.tokensPerSec ?? 0) / tokensPerSec - 1), model).toBeLessThan(0.05);
      expect(Math.abs((measured.ttftMs ?? 0) - ttftMs), model).toBeLessThan(50);
      expect(measured.loadMs, model).toBeGreaterThan(0);
    }
    expect(result('tiny-sound:1b').tier).toBe('tiny');
    expect(result('small-think:4b').tier).toBe('small');
    expect(result('medium:8b').tier).toBe('medium');

    expect(result('nomic-embed-text:latest')).toMatchObject({ status: 'skipped', reason: expect.stringContaining('embedding') });
    expect(result('gpt-oss:120b-cloud')).toMatchObject({ status: 'skipped', reason: expect.stringContaining('cloud') });
    expect(result('broken:7b')).toMatchObject({ status: 'failed', reason: expect.stringContaining('mid-stream') });

    const tier = (name: string) => report.tiers.find((entry) => entry.tier === name);
    // The looping model is twice as fast and still loses its tier.
    expect(tier('tiny')?.recommended).toEqual({ host: mac.url, model: 'tiny-sound:1b' });
    expect(tier('tiny')?.ranked.map((entry) => entry.model)).toEqual(['tiny-sound:1b', 'tiny-loop:1b']);
    expect(tier('small')?.recommended).toEqual({ host: spark.url, model: 'small-think:4b' });
    expect(tier('medium')?.recommended).toEqual({ host: mac.url, model: 'medium:8b' });
    expect(tier('xl')?.recommended).toBeNull();

    for (const server of [mac, spark]) {
      expect(server.peakInFlightGenerates).toBe(1);
      expect(server.cloudPrompts).toBe(0);
    }
    expect(mac.loadedModels()).toEqual(['medium:8b']);
    expect(spark.loadedModels()).toEqual([]);
  }, 120_000);

  it('prints one table per tier without --json', async () => {
    const double = await startDouble({ models: [simulatedModel({ name: 'solo:3b', memoryBytes: 3 * 1e9 })] });
    const run = await runHeadless(['--no-scan', '--host', double.url, '--runs', '1', '--max-tokens', '32']);
    expect(run.code, run.stderr).toBe(0);
    for (const label of ['Tiny (<2 GB)', 'Small (2-4 GB)', 'Medium (4-8 GB)', 'Large (8-16 GB)', 'XL (16+ GB)']) {
      expect(run.stdout).toContain(label);
    }
    expect(run.stdout).toMatch(/\* solo:3b/);
    expect(run.stdout).not.toContain('\u001b[');
  }, 60_000);

  it('exits 2 and says how to expose a server when none is found', async () => {
    const double = await startDouble({ models: [] });
    await double.close();
    const run = await runHeadless(['--no-scan', '--host', double.url]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('OLLAMA_HOST=0.0.0.0');
  }, 30_000);

  it('stops within a second on Ctrl-C, unloads what it loaded and keeps what finished, on stdout and in --output', async () => {
    const double = await startDouble({
      models: [
        simulatedModel({ name: 'quick:1b', memoryBytes: 1e9, tokensPerSec: 2000 }),
        simulatedModel({ name: 'slow:8b', memoryBytes: 6e9, tokensPerSec: 10 }),
      ],
    });
    const output = path.join(await mkdtemp(path.join(os.tmpdir(), 'speedrun-cancel-')), 'report.json');
    const started = startHeadless(['--no-scan', '--host', double.url, '--json', '--runs', '1', '--max-tokens', '400', '--output', output]);
    // Wait until the slow model is streaming its timed run.
    await expect.poll(() => double.requests.filter((r) => r.path === '/api/generate' && r.endedAt === null && (r.body as { prompt?: string })?.prompt).length, { timeout: 20_000 }).toBeGreaterThan(0);
    await expect.poll(() => double.loadedModels(), { timeout: 20_000 }).toEqual(['slow:8b']);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const { run, exitMs } = await interrupt(started);
    expect(exitMs).toBeLessThan(1000);
    expect(run.code).toBe(130);
    const report = JSON.parse(run.stdout) as Report;
    expect(report.results.map((entry) => [entry.model, entry.status])).toEqual([['quick:1b', 'ok']]);
    const kept = JSON.parse(await readFile(output, 'utf8')) as Report;
    expect(kept.results.map((entry) => [entry.model, entry.status])).toEqual([['quick:1b', 'ok']]);
    expect(kept.results[0]?.tokensPerSec).toBe(report.results[0]?.tokensPerSec);
    expect(double.loadedModels()).toEqual([]);
  }, 60_000);

  it('exits 1 on bad usage', async () => {
    const run = await runHeadless(['--runs', 'many']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('--runs');
  });

  it('runs the demo against simulated servers only, and says so', async () => {
    const run = await runHeadless(['--demo', '--json', '--runs', '1', '--max-tokens', '64']);
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as Report;
    expect(report.hosts.length).toBeGreaterThanOrEqual(2);
    expect(report.hosts.every((host) => host.source === 'demo' && host.url.startsWith('http://127.0.0.1:'))).toBe(true);
    expect(report.results.some((entry) => entry.status === 'ok')).toBe(true);
    expect(run.stderr).toMatch(/simulated/i);
  }, 90_000);
});
