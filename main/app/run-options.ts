// The popover's settings as the core runner's options. The app adds no rule of its own: what is
// not a setting is the core's default.
import { DEFAULT_DISCOVERY_OPTIONS } from '../core/discovery/discover.js';
import type { SpeedrunOptions } from '../core/speedrun.js';
import type { Settings } from '../contract.js';

/** The terminal command's default for `--model-timeout` (300 s). */
export const MODEL_TIMEOUT_MS = 300_000;

export interface RunEnvironment {
  /** OLLAMA_HOST as the app sees it (a Dock-launched app on macOS usually has none). */
  ollamaHostEnv: string | undefined;
  /** Where discovery remembers the servers it found, in the app's user-data folder. */
  knownServersFile: string;
}

export function runOptions(settings: Settings, environment: RunEnvironment): SpeedrunOptions {
  return {
    discovery: {
      ...DEFAULT_DISCOVERY_OPTIONS,
      hosts: settings.extraHosts,
      ollamaHostEnv: environment.ollamaHostEnv,
      scan: settings.scan,
      subnet: settings.subnet ?? undefined,
      knownServersFile: environment.knownServersFile,
    },
    benchmark: { maxTokens: settings.maxTokens, runs: settings.runs, modelTimeoutMs: MODEL_TIMEOUT_MS },
    modelGlob: null,
  };
}
