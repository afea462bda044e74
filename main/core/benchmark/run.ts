// One timed generation, measured on both clocks: the client's (when each chunk arrived) and the
// server's (the durations in the final chunk). The server's decode rate is the truth when it is
// sane; the client's clock stands in when the server gives none or gives nonsense.
import type { Emit } from '../events.js';
import { OllamaError, type OllamaClient } from '../ollama/client.js';
import type { GenerateChunk } from '../ollama/schemas.js';

export type Clock = () => number;

export interface ServerTimings {
  totalNs: number;
  loadNs: number;
  promptEvalCount: number;
  promptEvalNs: number;
  evalCount: number;
  evalNs: number;
}

export interface RunSample {
  /** Client clock, ms from sending the request. */
  firstByteMs: number;
  /** First non-empty `response` or `thinking`. */
  ttftMs: number | null;
  /** First non-empty `response`: later than ttftMs for a thinking model. */
  firstAnswerMs: number | null;
  endMs: number;
  /** Client arrival time of each chunk that carried text, ms from sending. */
  tokenArrivalsMs: number[];
  server: ServerTimings;
  doneReason: string;
  answer: string;
  thinking: string;
  tokensPerSec: number | null;
  tokensPerSecSource: 'server' | 'client' | 'none';
  totalTokens: number;
  /** Why the server's figure was not used, when it was not. */
  note: string | null;
  /** Server figures that were impossible and ignored. */
  serverNotes: string[];
}

/** No local model decodes anywhere near this fast; a higher server figure is a broken server. */
const MAX_PLAUSIBLE_TOKENS_PER_SEC = 100_000;
/**
 * Prefill faster than this means Ollama served the prompt from its cache: it then counts the
 * cached tokens but times only the new ones, and the rate means nothing.
 */
const MAX_PLAUSIBLE_PREFILL_TOKENS_PER_SEC = 200_000;
const PROGRESS_INTERVAL_MS = 250;
/**
 * Ollama sends one chunk per generated token and stops at num_predict; a stream far past that (in
 * chunks, or in text at a generous length per token) is a server ignoring the limit, and is cut
 * off before it fills memory, however long the per-model budget.
 */
const RUNAWAY_CHUNKS_PER_TOKEN = 2;
const RUNAWAY_CHUNKS_SLACK = 64;
const RUNAWAY_CHARS_PER_TOKEN = 256;
const RUNAWAY_CHARS_SLACK = 1_000_000;

export interface RunRequest {
  model: string;
  prompt: string;
  maxTokens: number;
  seed: number;
  keepAlive: string | number;
  firstByteTimeoutMs: number;
  /** Emit live progress (timed runs do, the warm-up does not). */
  live: boolean;
}

/** A day in nanoseconds: no single request legitimately takes longer. */
const MAX_PLAUSIBLE_NS = 86_400e9;

/**
 * The final chunk's figures, with each impossible one (negative, non-integer, beyond a day) set to
 * 0, the value Ollama itself uses for "not measured", and named in the notes.
 */
export function serverTimings(chunk: GenerateChunk): { timings: ServerTimings; notes: string[] } {
  const notes: string[] = [];
  const plausible = (field: string, value: number, max: number) => {
    if (Number.isInteger(value) && value >= 0 && value <= max) return value;
    notes.push(`server reported an impossible ${field} (${value}); ignored`);
    return 0;
  };
  return {
    timings: {
      totalNs: plausible('total_duration', chunk.total_duration, MAX_PLAUSIBLE_NS),
      loadNs: plausible('load_duration', chunk.load_duration, MAX_PLAUSIBLE_NS),
      promptEvalCount: plausible('prompt_eval_count', chunk.prompt_eval_count, 1e9),
      promptEvalNs: plausible('prompt_eval_duration', chunk.prompt_eval_duration, MAX_PLAUSIBLE_NS),
      evalCount: plausible('eval_count', chunk.eval_count, 1e9),
      evalNs: plausible('eval_duration', chunk.eval_duration, MAX_PLAUSIBLE_NS),
    },
    notes,
  };
}

/** Decode rate from the client's clock: chunks after the first, over the time they took. */
export function clientTokensPerSec(arrivalsMs: number[]): number | null {
  const first = arrivalsMs[0];
  const last = arrivalsMs[arrivalsMs.length - 1];
  if (arrivalsMs.length < 2 || first === undefined || last === undefined || last <= first) return null;
  return ((arrivalsMs.length - 1) / (last - first)) * 1000;
}

export function decodeRate(server: ServerTimings, arrivalsMs: number[]): Pick<RunSample, 'tokensPerSec' | 'tokensPerSecSource' | 'note'> {
  const client = clientTokensPerSec(arrivalsMs);
  const fallback = (note: string) => ({ tokensPerSec: client, tokensPerSecSource: client === null ? ('none' as const) : ('client' as const), note });
  if (server.evalCount < 2) return fallback(`server eval_count ${server.evalCount} is too small for a rate; client clock used`);
  if (server.evalNs <= 0) return fallback('server gave no eval_duration; client clock used');
  const rate = (server.evalCount / server.evalNs) * 1e9;
  if (rate > MAX_PLAUSIBLE_TOKENS_PER_SEC) return fallback(`server rate ${Math.round(rate)} tok/s is implausible; client clock used`);
  return { tokensPerSec: rate, tokensPerSecSource: 'server', note: null };
}

export function prefillRate(server: ServerTimings): { rate: number | null; note: string | null } {
  if (server.promptEvalCount === 0 || server.promptEvalNs <= 0) return { rate: null, note: 'no prompt evaluation timed: prefill n/a' };
  const rate = (server.promptEvalCount / server.promptEvalNs) * 1e9;
  if (rate > MAX_PLAUSIBLE_PREFILL_TOKENS_PER_SEC) return { rate: null, note: 'prompt cache hit: prefill n/a' };
  return { rate, note: null };
}

/** Gaps between consecutive text chunks, as the client saw them. */
export function interTokenGapsMs(arrivalsMs: readonly number[]): number[] {
  const gaps: number[] = [];
  for (let i = 1; i < arrivalsMs.length; i++) gaps.push((arrivalsMs[i] as number) - (arrivalsMs[i - 1] as number));
  return gaps.sort((a, b) => a - b);
}

export async function timedRun(
  client: OllamaClient,
  run: RunRequest,
  clock: Clock,
  emit: Emit,
  signal: AbortSignal,
): Promise<RunSample> {
  // The clock starts when the request has left, so connecting (a fresh connection per request,
  // which a keep-alive client would not pay) is not counted as the model's time to first token.
  let sentAt = clock();
  const since = () => clock() - sentAt;
  let firstByteMs: number | null = null;
  let ttftMs: number | null = null;
  let firstAnswerMs: number | null = null;
  const tokenArrivalsMs: number[] = [];
  let answer = '';
  let thinking = '';
  let lastProgressAt = -Infinity;
  let final: GenerateChunk | null = null;
  let chunkCount = 0;
  const maxChunks = run.maxTokens * RUNAWAY_CHUNKS_PER_TOKEN + RUNAWAY_CHUNKS_SLACK;
  const maxChars = run.maxTokens * RUNAWAY_CHARS_PER_TOKEN + RUNAWAY_CHARS_SLACK;

  const stream = client.generate(
    {
      model: run.model,
      prompt: run.prompt,
      keepAlive: run.keepAlive,
      options: { temperature: 0, seed: run.seed, num_predict: run.maxTokens },
    },
    run.firstByteTimeoutMs,
    signal,
    () => (sentAt = clock()),
  );
  for await (const chunks of stream) {
    // One clock reading per batch: its chunks arrived together.
    const at = since();
    firstByteMs ??= at;
    for (const chunk of chunks) {
      if (chunk.response || chunk.thinking) {
        ttftMs ??= at;
        tokenArrivalsMs.push(at);
      }
      if (chunk.response) firstAnswerMs ??= at;
      answer += chunk.response;
      thinking += chunk.thinking;
      if (chunk.done) final = chunk;
    }
    chunkCount += chunks.length;
    if (chunkCount > maxChunks || answer.length + thinking.length > maxChars) {
      throw new OllamaError(`the server streamed past num_predict ${run.maxTokens} (${chunkCount} chunks, ${answer.length + thinking.length} characters) and was cut off`);
    }
    if (run.live && at - lastProgressAt >= PROGRESS_INTERVAL_MS) {
      lastProgressAt = at;
      emit({
        type: 'bench-progress',
        host: client.baseUrl,
        model: run.model,
        stage: 'generate',
        tokens: tokenArrivalsMs.length,
        tokensPerSec: clientTokensPerSec(tokenArrivalsMs),
        elapsedMs: at,
      });
    }
  }
  const endMs = since();
  // generate() throws unless the stream ended with its done chunk, so final is set here.
  const done = final as GenerateChunk;
  const { timings: server, notes: serverNotes } = serverTimings(done);
  const rate = decodeRate(server, tokenArrivalsMs);
  return {
    firstByteMs: firstByteMs ?? endMs,
    ttftMs,
    firstAnswerMs,
    endMs,
    tokenArrivalsMs,
    server,
    doneReason: done.done_reason,
    answer,
    thinking,
    ...rate,
    serverNotes,
    // Every text chunk is at least one token: a server counting fewer than it sent is wrong.
    totalTokens: Math.max(server.evalCount, tokenArrivalsMs.length),
  };
}
