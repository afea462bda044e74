// Simulated Ollama servers for a test file: each one started through `startDouble` is closed after
// the test that started it, whatever the test's outcome.
import { afterEach } from 'vitest';
import { startOllamaDouble, type DoubleOptions, type OllamaDouble } from '../../main/simulator/ollama-double.js';

export { simulatedModel } from '../../main/simulator/simulated-model.js';

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
