// Every event the runner emits, in one place. The terminal UI and the Electron popover are
// consumers of this stream and of the final Report; neither computes a figure of its own.
import type { HostInfo, ModelResult, RegistryEntry, Report, TierSummary } from './report.js';

export type Phase = 'discover' | 'enumerate' | 'benchmark' | 'assess';

export type SpeedrunEvent =
  | { type: 'phase'; phase: Phase }
  /** A plain-language line about discovery: what is swept and why, or why not. */
  | { type: 'discovery-note'; message: string }
  | { type: 'scan-progress'; network: string; probed: number; total: number }
  | { type: 'host-found'; host: HostInfo }
  /** Something answered, or was named, but is not a usable Ollama server. */
  | { type: 'host-rejected'; url: string; reason: string }
  /** Discovery finished; `advice` explains what to check when a server is missing. */
  | { type: 'discovery-done'; hosts: HostInfo[]; tried: string[]; advice: string[] }
  | { type: 'host-failed'; url: string; reason: string }
  | { type: 'model-listed'; entry: RegistryEntry }
  | { type: 'bench-start'; host: string; model: string; index: number; total: number }
  | {
      type: 'bench-progress';
      host: string;
      model: string;
      stage: 'load' | 'generate';
      tokens: number;
      /** Live client-side decode rate; null until two tokens have arrived. */
      tokensPerSec: number | null;
      elapsedMs: number;
    }
  | { type: 'bench-done'; result: ModelResult }
  | { type: 'assessment'; tiers: TierSummary[] }
  /** A problem that does not end the run (a host or model that misbehaved). */
  | { type: 'warning'; message: string }
  | { type: 'done'; report: Report; cancelled: boolean };

export type SpeedrunEventType = SpeedrunEvent['type'];
export type Emit = (event: SpeedrunEvent) => void;
