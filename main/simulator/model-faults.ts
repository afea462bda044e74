// Per-model faults: how each one bends a generate reply. Faults that refuse before any token are
// answered here; the rest become a StreamShape that the token writer follows.
import type http from 'node:http';
import { goQuote } from './go-json.js';
import { sendBody, sendError, TEXT_TYPE } from './http-reply.js';
import type { ModelFault, StatusFault } from './simulated-model.js';

export interface StreamShape {
  /** After this many tokens, a line that is not JSON. */
  garbageAfter?: number;
  /** After this many tokens the reply breaks off: an `{"error"}` line, or a reset connection. */
  cut?: { afterTokens: number; how: 'error' | 'reset' };
  /** How the reply ends once all tokens are out. */
  ending: 'done' | 'no-done' | 'absurd';
  /** One line this long goes out before the first token. */
  hugeLineBytes?: number;
}

export const MALFORMED_LINE = '{"model":"","created_at":"","response":"<garbage, not JSON\n';
export const MID_STREAM_ERROR =
  'model runner has unexpectedly stopped, this may be due to resource limitations or an internal error, check ollama server logs for details';
const HUGE_LINE_BYTES = 10 * 1024 * 1024;

function halfway(count: number): number {
  return Math.max(1, Math.floor(Math.min(count, 64) / 2));
}

/** `count` is the number of tokens the generation would emit without the fault. */
export function streamShape(fault: ModelFault | undefined, count: number): StreamShape {
  switch (fault) {
    case 'malformed-json':
      return { garbageAfter: halfway(count), ending: 'done' };
    case 'no-done':
      return { ending: 'no-done' };
    case 'error-mid-stream':
      return { cut: { afterTokens: halfway(count), how: 'error' }, ending: 'done' };
    case 'reset':
      return { cut: { afterTokens: halfway(count), how: 'reset' }, ending: 'done' };
    case 'huge-line':
      return { hugeLineBytes: HUGE_LINE_BYTES, ending: 'done' };
    case 'absurd-numbers':
      return { ending: 'absurd' };
    default:
      return { ending: 'done' };
  }
}

const STATUS_MESSAGES: Record<StatusFault['status'], (model: string) => string> = {
  400: () => 'invalid model name',
  403: () => 'remote model is unavailable',
  404: (model) => `model ${goQuote(model)} not found, try pulling it first`,
  405: () => '405 method not allowed',
  500: () => 'llama runner process has terminated: exit status 2',
  503: () => 'server busy, please try again.  maximum pending requests exceeded',
};

const LOGIN_PAGE =
  '<!DOCTYPE html>\n<html><head><title>Sign in</title></head>' +
  '<body><h1>Sign in to continue</h1><form method="post"><input name="user"></form></body></html>\n';

/**
 * Answers for faults that reply before any token. Returns false when the fault (if any) shapes
 * the stream instead. A tarpit answers nothing: the connection stays open until one side closes it.
 */
export function answerBeforeStreaming(res: http.ServerResponse, fault: ModelFault | undefined, model: string): boolean {
  if (typeof fault === 'object') {
    const message = STATUS_MESSAGES[fault.status](model);
    if (fault.json === false) sendBody(res, fault.status, TEXT_TYPE, message);
    else sendError(res, fault.status, message);
    return true;
  }
  if (fault === 'html-200') {
    sendBody(res, 200, 'text/html; charset=utf-8', LOGIN_PAGE);
    return true;
  }
  return fault === 'tarpit';
}
