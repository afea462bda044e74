// Simulated Ollama servers for a test file: each one started through `startDouble` is closed after
// the test that started it, whatever the test's outcome.
import { afterEach } from 'vitest';
import { startOllamaDouble, type DoubleOptions, type OllamaDouble, type SimulatedModel } from '../../main/simulator/ollama-double.js';

export function useOllamaDoubles(): (options: DoubleOptions) => Promise<OllamaDouble> {
  const running: OllamaDouble[] = [];
  afterEach(async () => {
    await Promise.all(running.splice(0).map((double) => double.close()));
  });
  return async (options) => {
    const double = await startOllamaDouble(options);
    running.push(double);
    return double;
  };
}

/** A small, fast completion model; tests override what they pin. */
export function simulatedModel(overrides: Partial<SimulatedModel> & { name: string }): SimulatedModel {
  return {
    family: 'llama',
    parameterSize: '3.2B',
    parameterCount: 3_212_749_888,
    quantization: 'Q4_K_M',
    sizeBytes: 2_019_393_189,
    memoryBytes: 3_400_000_000,
    contextLength: 131_072,
    capabilities: ['completion', 'tools'],
    tokensPerSec: 2000,
    ttftMs: 5,
    loadMs: 5,
    ...overrides,
  };
}
