// One generation as scheduled: which tokens, when each is due, and the figures the final chunk
// reports. The schedule is the ground truth a benchmarking client is measured against, so every
// figure here comes from it rather than from when the bytes happened to leave.
import { tokenId } from './tokens.js';

export interface Token {
  text: string;
  /** Streamed as `thinking` (with `response: ""`) rather than as `response`. */
  thinking: boolean;
}

export interface Generation {
  /** The model name as the request spelled it; every chunk echoes it. */
  model: string;
  /** Tokens to emit, thinking first; Infinity for a stream that never ends. */
  count: number;
  token(index: number): Token;
  doneReason: 'stop' | 'length';
  promptEvalCount: number;
  /** Prompt token ids for `context`; null in raw mode, which has no context. */
  promptIds: number[] | null;
  tokensPerSec: number;
  ttftMs: number;
  /** When the request arrived. */
  arrivedAt: number;
  /** When the model was loaded and its slot free: the end of `load_duration`. */
  readyAt: number;
}

/** Token `index` is due at the first token's time plus index / rate. */
export function dueAt(generation: Generation, index: number): number {
  return generation.readyAt + generation.ttftMs + (index * 1000) / generation.tokensPerSec;
}

/** The final chunk goes out one token interval after the last token, when decoding stops. */
export function finishAt(generation: Generation): number {
  return dueAt(generation, generation.count);
}

function nanos(ms: number): number {
  return Math.max(0, Math.round(ms * 1e6));
}

/** Go omits zero metrics (`omitempty`), so they are absent rather than 0. */
function withoutZeros(metrics: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(metrics).filter(([, value]) => value !== 0));
}

/** eval_count / eval_duration * 1e9 equals the model's rate, to the nanosecond. */
export function finalMetrics(generation: Generation, endedAt: number): Record<string, number> {
  const { count, tokensPerSec } = generation;
  return withoutZeros({
    total_duration: nanos(endedAt - generation.arrivedAt),
    load_duration: nanos(generation.readyAt - generation.arrivedAt),
    prompt_eval_count: generation.promptEvalCount,
    prompt_eval_duration: nanos(generation.ttftMs),
    eval_count: count,
    eval_duration: Math.round((count / tokensPerSec) * 1e9),
  });
}

/** The `absurd-numbers` fault: a 31-year load, and one token decoded in no time at all. */
export function absurdMetrics(generation: Generation, endedAt: number): Record<string, number> {
  return {
    total_duration: nanos(endedAt - generation.arrivedAt),
    load_duration: 10 ** 18,
    prompt_eval_count: generation.promptEvalCount,
    prompt_eval_duration: 0,
    eval_count: 1,
    eval_duration: 0,
  };
}

export function contextIds(generation: Generation): number[] | null {
  if (!generation.promptIds) return null;
  const ids = [...generation.promptIds];
  for (let index = 0; index < generation.count; index++) ids.push(tokenId(generation.token(index).text));
  return ids;
}
