// What a simulated model is, and the naming rules Ollama applies to model references.
import { createHash } from 'node:crypto';

/** Faults that change how a generate request to one model is answered. */
export type StreamFault =
  | 'malformed-json' // a line that is not JSON, mid-stream
  | 'no-done' // the stream ends without a `done:true` chunk
  | 'error-mid-stream' // status 200, some tokens, then an `{"error":...}` line
  | 'html-200' // status 200 with an HTML page
  | 'huge-line' // one 10 MB line before the tokens
  | 'endless' // tokens forever, never done
  | 'tarpit' // the request is accepted and never answered
  | 'reset' // the connection is reset mid-stream
  | 'absurd-numbers'; // zero/one/negative/10^18 figures in generate, tags, ps and show

export const STREAM_FAULTS: readonly StreamFault[] = [
  'malformed-json',
  'no-done',
  'error-mid-stream',
  'html-200',
  'huge-line',
  'endless',
  'tarpit',
  'reset',
  'absurd-numbers',
];

/** A refusal before any token: `json` false sends the message as text/plain, as a proxy might. */
export interface StatusFault {
  status: 400 | 403 | 404 | 405 | 500 | 503;
  json?: boolean;
}

export type ModelFault = StreamFault | StatusFault;

/** Faults of the whole server. */
export type ServerFault =
  | 'tags-huge-body' // /api/tags streams 100 MB
  | 'tags-malformed' // /api/tags is cut off mid-JSON
  | 'ps-blocks' // /api/ps never answers
  | 'duplicate-names' // /api/tags lists every model twice
  | 'identity-tarpit' // every request is accepted and never answered
  | 'not-ollama' // an ordinary web server
  | 'forbidden'; // 403 for everything

export const SERVER_FAULTS: readonly ServerFault[] = [
  'tags-huge-body',
  'tags-malformed',
  'ps-blocks',
  'duplicate-names',
  'identity-tarpit',
  'not-ollama',
  'forbidden',
];

export interface SimulatedModel {
  /** Always with a tag, e.g. `llama3.2:3b`. Served as-is, even with ANSI escapes or HTML in it. */
  name: string;
  family: string;
  /** As in `details.parameter_size`: `3.2B`, `137M`. */
  parameterSize: string;
  /** `general.parameter_count` in /api/show. */
  parameterCount: number;
  quantization: string;
  /** On disk (/api/tags `size`). */
  sizeBytes: number;
  /** Resident when loaded (/api/ps `size`). */
  memoryBytes: number;
  /** /api/ps `size_vram`; defaults to `memoryBytes` (fully on the GPU). */
  vramBytes?: number;
  contextLength: number;
  /** `completion`, `embedding`, `thinking`, `tools`, `vision`, ... */
  capabilities: string[];
  /** Served from ollama.com: a prompt would be forwarded there, which the double only counts. */
  cloud?: boolean;
  tokensPerSec: number;
  /** Warm time from request to first token (prompt evaluation). */
  ttftMs: number;
  /** Cold load time, reported in `load_duration`. */
  loadMs: number;
  /** A thinking model streams this many `thinking` chunks before its answer. */
  thinkingTokens?: number;
  /** What the model says: a sound self-assessment (default), a repetition loop, nothing, or this text. */
  answer?: 'sound' | 'repetition' | 'empty' | (string & {});
  fault?: ModelFault;
}

export const CLOUD_HOST = 'https://ollama.com:443';

/** A small, fast completion model: the default every test and bench overrides what it pins in. */
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

function hasTag(name: string): boolean {
  return name.lastIndexOf(':') > name.lastIndexOf('/');
}

/** `llama3.2` means `llama3.2:latest`. */
export function withTag(name: string): string {
  return hasTag(name) ? name : `${name}:latest`;
}

/** Ollama resolves references case-insensitively, with the default tag filled in. */
export function findModel(models: readonly SimulatedModel[], reference: string): SimulatedModel | undefined {
  const wanted = withTag(reference.trim()).toLowerCase();
  return models.find((model) => withTag(model.name).toLowerCase() === wanted);
}

/** A stable stand-in for the manifest digest: 64 hex, no `sha256:` prefix. */
export function digestOf(name: string): string {
  return createHash('sha256').update(name).digest('hex');
}

/** `gpt-oss:120b-cloud` runs as `gpt-oss:120b` on ollama.com; `kimi-k2:cloud` as `kimi-k2`. */
export function remoteModelOf(name: string): string {
  const colon = name.lastIndexOf(':');
  const tag = name.slice(colon + 1);
  if (tag === 'cloud') return name.slice(0, colon);
  if (tag.endsWith('-cloud')) return name.slice(0, name.length - '-cloud'.length);
  return name;
}

export function canGenerate(model: SimulatedModel): boolean {
  return model.capabilities.includes('completion');
}

export function canThink(model: SimulatedModel): boolean {
  return model.capabilities.includes('thinking');
}
