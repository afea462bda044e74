// The one report model. Every view (terminal tables, JSON, the popover) is built from these types;
// nothing downstream recomputes a figure. Units are in the names.

export const TIERS = ['tiny', 'small', 'medium', 'large', 'xl'] as const;
export type Tier = (typeof TIERS)[number];

/** How a server came to be tried; `demo` marks the simulated servers of `--demo`. */
export type HostSource = 'flag' | 'env' | 'loopback' | 'cache' | 'neighbour' | 'sweep' | 'demo';

export interface HostInfo {
  /** Always `http://address:port`, e.g. `http://127.0.0.1:11434`. */
  url: string;
  version: string;
  source: HostSource;
}

/** One model on one server, as enumerated (before any prompt is sent). */
export interface RegistryEntry {
  host: string;
  model: string;
  digest: string;
  sizeBytes: number;
  parameterCount: number | null;
  quantization: string | null;
  capabilities: string[];
  cloud: boolean;
  /** Context length the model declares, where the server says so. */
  contextLength: number | null;
}

export type ResultStatus = 'ok' | 'failed' | 'skipped';

export interface ModelResult {
  host: string;
  model: string;
  digest: string;
  status: ResultStatus;
  /** Why a model failed or was skipped; null when it was measured. */
  reason: string | null;
  sizeBytes: number;
  /** Resident bytes while loaded (`/api/ps` size); null when never seen loaded. */
  memoryBytes: number | null;
  tier: Tier;
  parameterCount: number | null;
  quantization: string | null;
  loadMs: number | null;
  ttftMs: number | null;
  tokensPerSec: number | null;
  totalTokens: number | null;
  wallMs: number | null;
  /** Response-quality proxy, 0-1. */
  quality: number | null;
  /** Composite score, 0-100, within the tier. */
  score: number | null;
}

export interface RankedEntry {
  host: string;
  model: string;
  score: number;
}

export interface TierSummary {
  tier: Tier;
  label: string;
  recommended: { host: string; model: string } | null;
  ranked: RankedEntry[];
}

export interface Report {
  schemaVersion: 1;
  tool: { name: string; version: string };
  startedAt: string;
  finishedAt: string;
  hosts: HostInfo[];
  results: ModelResult[];
  tiers: TierSummary[];
}
