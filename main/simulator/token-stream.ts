// Writing a generation to the client on its schedule. Deadlines are absolute (computed from the
// first token's time), so timer lateness never accumulates; every token due at a wake-up goes out
// in one socket write; and nothing at all, not even the status line, is sent before the first
// token is due, which is why a loading or queued request looks silent.
import type http from 'node:http';
import { sleepUntil, type Clock } from './clock.js';
import { absurdMetrics, contextIds, dueAt, finalMetrics, finishAt, type Generation } from './generation.js';
import { goJson } from './go-json.js';
import { formatUtc } from './go-time.js';
import { JSON_TYPE, NDJSON_TYPE, sendBody, sendError, writeWithBackpressure } from './http-reply.js';
import { MALFORMED_LINE, MID_STREAM_ERROR, type StreamShape } from './model-faults.js';

const HUGE_LINE_SLAB = 'a'.repeat(64 * 1024);

function chunkLine(generation: Generation, index: number, createdAt: string): string {
  const { text, thinking } = generation.token(index);
  const chunk = thinking
    ? { model: generation.model, created_at: createdAt, response: '', thinking: text, done: false }
    : { model: generation.model, created_at: createdAt, response: text, done: false };
  return `${goJson(chunk)}\n`;
}

function finalChunk(generation: Generation, shape: StreamShape, endedAt: number, text?: { response: string; thinking: string }) {
  const context = contextIds(generation);
  const metrics = shape.ending === 'absurd' ? absurdMetrics(generation, endedAt) : finalMetrics(generation, endedAt);
  return {
    model: generation.model,
    created_at: formatUtc(endedAt),
    response: text?.response ?? '',
    ...(text?.thinking ? { thinking: text.thinking } : {}),
    done: true,
    done_reason: generation.doneReason,
    ...(context && context.length > 0 ? { context } : {}),
    ...metrics,
  };
}

/** A chunk whose `response` is `bytes` long, written in slabs so it never sits in memory whole. */
async function writeHugeLine(res: http.ServerResponse, generation: Generation, createdAt: string, bytes: number): Promise<boolean> {
  const prefix = `{"model":${goJson(generation.model)},"created_at":"${createdAt}","response":"`;
  if (!(await writeWithBackpressure(res, prefix))) return false;
  for (let written = 0; written < bytes; written += HUGE_LINE_SLAB.length) {
    const slab = HUGE_LINE_SLAB.slice(0, Math.min(HUGE_LINE_SLAB.length, bytes - written));
    if (!(await writeWithBackpressure(res, slab))) return false;
  }
  return writeWithBackpressure(res, '","done":false}\n');
}

/** A TCP reset once what was written has left, like a crashed proxy or server. */
function resetAfterFlush(res: http.ServerResponse): void {
  const socket = res.socket;
  if (socket) socket.write('', () => socket.resetAndDestroy());
}

export interface StreamTarget {
  res: http.ServerResponse;
  clock: Clock;
  /** Fires when the client goes away; writing stops. */
  signal: AbortSignal;
}

/** `stream: true` (the default): NDJSON, one chunk per token, then the final chunk. */
export async function streamGeneration(target: StreamTarget, generation: Generation, shape: StreamShape): Promise<void> {
  const { res, clock, signal } = target;
  const stopAfter = Math.min(generation.count, shape.cut?.afterTokens ?? Infinity);
  let next = 0;
  let hugeLinePending = shape.hugeLineBytes !== undefined;
  const startReply = () => {
    if (!res.headersSent) res.writeHead(200, { 'Content-Type': NDJSON_TYPE });
  };
  for (;;) {
    // The first and last tokens and the final chunk bound what a client measures: those are precise.
    const precise = next === 0 || next >= stopAfter - 1;
    await sleepUntil(clock, next < stopAfter ? dueAt(generation, next) : finishAt(generation), signal, precise);
    if (signal.aborted) return;
    const now = clock.now();
    const createdAt = formatUtc(now);
    if (hugeLinePending && shape.hugeLineBytes !== undefined) {
      hugeLinePending = false;
      startReply();
      if (!(await writeHugeLine(res, generation, createdAt, shape.hugeLineBytes))) return;
      continue;
    }
    let batch = '';
    while (next < stopAfter && dueAt(generation, next) <= now) {
      batch += chunkLine(generation, next, createdAt);
      next++;
      if (next === shape.garbageAfter) batch += MALFORMED_LINE;
    }
    if (shape.cut && next === stopAfter) {
      startReply();
      if (shape.cut.how === 'error') {
        res.end(`${batch}${goJson({ error: MID_STREAM_ERROR })}\n`);
      } else {
        if (batch) res.write(batch);
        else res.flushHeaders();
        resetAfterFlush(res);
      }
      return;
    }
    if (next === generation.count && finishAt(generation) <= now) {
      startReply();
      res.end(shape.ending === 'no-done' ? batch : `${batch}${goJson(finalChunk(generation, shape, now))}\n`);
      return;
    }
    if (batch) {
      startReply();
      res.write(batch);
    }
  }
}

/** `stream: false`: one JSON object once the whole generation is done. */
export async function answerWhole(target: StreamTarget, generation: Generation, shape: StreamShape): Promise<void> {
  const { res, clock, signal } = target;
  if (generation.count === Infinity) {
    // An endless generation never completes, so a non-streamed reply never comes.
    await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
    return;
  }
  await sleepUntil(clock, finishAt(generation), signal, true);
  if (signal.aborted) return;
  const endedAt = clock.now();
  if (shape.cut?.how === 'error') {
    sendError(res, 500, MID_STREAM_ERROR);
    return;
  }
  if (shape.cut?.how === 'reset') {
    res.socket?.resetAndDestroy();
    return;
  }
  let response = shape.hugeLineBytes === undefined ? '' : 'a'.repeat(shape.hugeLineBytes);
  let thinking = '';
  for (let index = 0; index < generation.count; index++) {
    const token = generation.token(index);
    if (token.thinking) thinking += token.text;
    else response += token.text;
  }
  if (shape.ending === 'no-done') {
    sendBody(res, 200, JSON_TYPE, goJson({ model: generation.model, created_at: formatUtc(endedAt), response, done: false }));
    return;
  }
  const body = goJson(finalChunk(generation, shape, endedAt, { response, thinking }));
  sendBody(res, 200, JSON_TYPE, shape.garbageAfter === undefined ? body : body.slice(0, Math.floor(body.length / 2)));
}
