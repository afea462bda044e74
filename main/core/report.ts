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

/**
 * Why a figure should not be taken at face value: `contended` (something else used the server
 * while we measured), `throttling?` (later runs much slower than the first), `unstable` (runs
 * disagree widely).
 */
export type ResultFlag = 'contended' | 'throttling?' | 'unstable';

/** Median and spread of one figure over the timed runs. */
export interface Spread {
  median: number | null;
  /** Interquartile range, in the figure's unit. */
  iqr: number | null;
  /** Coefficient of variation (sd / mean), 0-1. */
  cv: number | null;
  unstable: boolean;
}

/** One timed run, on both clocks. Client times are ms from sending the request. */
export interface RunRecord {
  client: {
    firstByteMs: number | null;
    /** First non-empty `response` or `thinking`. */
    ttftMs: number | null;
    /** First non-empty `response`: later than ttftMs when the model thinks first. */
    ttftAnswerMs: number | null;
    endMs: number;
    interTokenP50Ms: number | null;
    interTokenP99Ms: number | null;
    chunks: number;
  };
  server: {
    totalDurationNs: number;
    loadDurationNs: number;
    promptEvalCount: number;
    promptEvalDurationNs: number;
    evalCount: number;
    evalDurationNs: number;
  };
  /** Decode rate: the server's figure, or the client's where the server's is missing or absurd. */
  tokensPerSec: number | null;
  tokensPerSecSource: 'server' | 'client' | 'none';
  /** Prompt processing rate; null on a prompt-cache hit, where Ollama's figure is inflated. */
  prefillTokensPerSec: number | null;
  /** Client end-to-end minus the server's total_duration: network and client overhead. */
  overheadMs: number | null;
  totalTokens: number;
  doneReason: string;
  quality: number;
  notes: string[];
}

/** What a result was measured under, so two results can be compared honestly. */
export interface Envelope {
  ollamaVersion: string;
  digest: string;
  quantization: string | null;
  /** Context length the model was loaded with (`/api/ps`). */
  contextLength: number | null;
  /** Share of the resident model on the GPU (`size_vram / size`), 0-1. */
  gpuShare: number | null;
  /** Bytes of the model that spilled to CPU memory. */
  cpuSpillBytes: number | null;
  options: { temperature: number; seed: number; num_predict: number; keep_alive: string };
  protocol: { warmupRuns: number; timedRuns: number; runsMode: 'fixed' | 'auto' };
  toolVersion: string;
  startedAt: string;
}

/** The parts of the quality proxy (assess/quality.ts), so a quality figure can be explained. */
export interface QualityBreakdown {
  /** Share of the seven asked-for areas the answer addresses, 0-1. */
  coverage: number;
  /** 1 when the answer holds a fenced code block with code in it. */
  codeBlock: number;
  /** Headings and list items, saturating at one per area, 0-1. */
  structure: number;
  /** Length against what the prompt asks for (about 300 words), 0-1. */
  length: number;
  /** Share of word 4-grams that repeat an earlier one: ~0.02 in prose, ~0.9 in a loop. */
  repeatedNgramShare: number;
  typeTokenRatio: number;
  /** Multiplier for degeneration, 0.1-1. */
  degenerationFactor: number;
  /** Multiplier for an answer cut off by the token budget (`done_reason: length`), 0.6 or 1. */
  truncationFactor: number;
  /** Answer words (thinking excluded: thinking alone is not an answer). */
  words: number;
  truncated: boolean;
}

export interface ScoreBreakdown {
  quality: number;
  /** tokensPerSec over the fastest in the tier, 0-1. */
  speed: number;
  /** 0.4 + 0.6 x speed. */
  speedFactor: number;
}

/** Everything behind a measured result's headline figures. */
export interface Measurement {
  runs: RunRecord[];
  spread: {
    tokensPerSec: Spread;
    ttftMs: Spread;
    ttftAnswerMs: Spread;
    prefillTokensPerSec: Spread;
    interTokenP50Ms: Spread;
    interTokenP99Ms: Spread;
    overheadMs: Spread;
    wallMs: Spread;
  };
  qualityParts: QualityBreakdown;
  scoreParts: ScoreBreakdown | null;
  envelope: Envelope;
}

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
  flags: ResultFlag[];
  /** Plain-language notes: why a flag was raised, which clock a figure came from. */
  notes: string[];
  /** Samples, spreads, both clocks and the envelope; null for a model that was not measured. */
  measurement: Measurement | null;
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
