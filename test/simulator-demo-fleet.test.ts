// The `--demo` fleet: it must show every tier and every case a benchmark handles, and stay fast.
import { describe, expect, it } from 'vitest';
import { answerTokens } from '../main/simulator/answers.js';
import { DEMO_FLEET } from '../main/simulator/demo-fleet.js';
import { startDemoServers } from '../main/simulator/demo.js';
import type { SimulatedModel } from '../main/simulator/ollama-double.js';
import { getJson } from './helpers/raw-http.js';

const MAX_TOKENS = 512;
const RUNS = 4; // one warm-up and three timed runs

function tierOf(memoryBytes: number): string {
  const gb = memoryBytes / 1e9;
  return gb < 2 ? 'tiny' : gb < 4 ? 'small' : gb < 8 ? 'medium' : gb < 16 ? 'large' : 'xl';
}

function benchmarked(model: SimulatedModel): boolean {
  return model.capabilities.includes('completion') && !model.cloud;
}

/** Time one model takes to benchmark by its schedule: one load, then every run's TTFT and tokens. */
function benchmarkMs(model: SimulatedModel): number {
  const tokens = Math.min(MAX_TOKENS, (model.thinkingTokens ?? 0) + answerTokens(model.answer).count);
  return model.loadMs + RUNS * (model.ttftMs + (tokens * 1000) / model.tokensPerSec);
}

const allModels = DEMO_FLEET.flatMap((server) => server.models);

describe('demo fleet', () => {
  it('simulates a Mac M1 and a DGX Spark', () => {
    expect(DEMO_FLEET.map((server) => server.label)).toEqual(['mac-m1', 'dgx-spark']);
  });

  it('spans all five memory tiers with benchmarkable models', () => {
    const tiers = new Set(allModels.filter(benchmarked).map((model) => tierOf(model.memoryBytes)));
    expect([...tiers].sort()).toEqual(['large', 'medium', 'small', 'tiny', 'xl']);
  });

  it('includes an embedding model, a cloud model, a thinking model and a repetition loop', () => {
    expect(allModels.some((model) => model.capabilities.includes('embedding'))).toBe(true);
    expect(allModels.some((model) => model.cloud && model.sizeBytes < 1000)).toBe(true);
    expect(allModels.some((model) => model.capabilities.includes('thinking') && (model.thinkingTokens ?? 0) > 0 && !model.cloud)).toBe(true);
    expect(allModels.some((model) => model.answer === 'repetition')).toBe(true);
  });

  it('gives every model a tagged name', () => {
    for (const model of allModels) expect(model.name).toMatch(/:[^/]+$/);
  });

  it('benchmarks in under 20 s with its servers side by side', () => {
    const perServerMs = DEMO_FLEET.map((server) => server.models.filter(benchmarked).reduce((sum, model) => sum + benchmarkMs(model), 0));
    expect(Math.max(...perServerMs)).toBeLessThan(20_000);
  });

  it('starts one double per server on loopback and closes them', async () => {
    const demo = await startDemoServers();
    try {
      expect(demo.servers.map((server) => server.label)).toEqual(['mac-m1', 'dgx-spark']);
      for (const server of demo.servers) {
        expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
        const { models } = await getJson<{ models: unknown[] }>(`${server.url}/api/tags`);
        expect(models.length).toBeGreaterThan(0);
      }
    } finally {
      await demo.close();
    }
  });
});
