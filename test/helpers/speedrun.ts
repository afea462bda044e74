// Runs the core runner against named servers only: no sweep, no 127.0.0.1:11434, no OLLAMA_HOST.
import type { SpeedrunEvent } from '../../main/core/events.js';
import type { Report } from '../../main/core/report.js';
import { realSpeedrunDeps, speedrun, type SpeedrunDeps, type SpeedrunOptions } from '../../main/core/speedrun.js';

export function namedHostsOptions(urls: string[], overrides: Partial<SpeedrunOptions> = {}): SpeedrunOptions {
  return {
    discovery: {
      hosts: urls,
      ollamaHostEnv: undefined,
      includeLoopback: false,
      scan: false,
      scanTimeoutMs: 500,
      scanConcurrency: 1,
      scanDelayMs: 0,
    },
    benchmark: { maxTokens: 48, runs: 1, modelTimeoutMs: 30_000 },
    modelGlob: null,
    ...overrides,
  };
}

export async function runCore(
  options: SpeedrunOptions,
  deps: Partial<SpeedrunDeps> = {},
  signal: AbortSignal = new AbortController().signal,
): Promise<{ report: Report; events: SpeedrunEvent[] }> {
  const events: SpeedrunEvent[] = [];
  const report = await speedrun(options, (event) => events.push(event), signal, { ...realSpeedrunDeps(), ...deps });
  return { report, events };
}
