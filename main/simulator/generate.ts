// POST /api/generate, checks in the order server/routes.go makes them: body, model, cloud,
// unload, thinking, capability, options; then load, wait for the slot, and stream.
import { answerTokens, endlessTokens, thinkingTokens } from './answers.js';
import type { DoubleState, Exchange } from './double-state.js';
import { decodeGenerateRequest, integerOption, type GenerateRequest } from './generate-request.js';
import type { Generation } from './generation.js';
import { goQuote } from './go-json.js';
import { formatUtc } from './go-time.js';
import { sendError, sendJson } from './http-reply.js';
import { answerBeforeStreaming, streamShape } from './model-faults.js';
import { canGenerate, canThink, digestOf, findModel, type SimulatedModel } from './simulated-model.js';
import { answerWhole, streamGeneration } from './token-stream.js';
import { promptTokens, tokenId } from './tokens.js';

/** The context Ollama loads a model with when the request sets no num_ctx (below 24 GiB of VRAM). */
const DEFAULT_NUM_CTX = 4096;

/** Where a real server would send a user who is not signed in to ollama.com. */
const SIGNIN_URL = `https://ollama.com/connect?name=ollama-double&key=${digestOf('ollama-double').slice(0, 43)}`;

function plainReply(request: GenerateRequest, clock: DoubleState['clock'], doneReason: 'load' | 'unload') {
  return { model: request.model, created_at: formatUtc(clock.now()), response: '', done: true, done_reason: doneReason };
}

function plan(
  request: GenerateRequest,
  model: SimulatedModel,
  limits: { numPredict: number | undefined; contextLength: number },
  times: { arrivedAt: number; readyAt: number },
): Generation {
  const thinking = thinkingTokens(canThink(model) && request.think !== false ? (model.thinkingTokens ?? 0) : 0);
  const endless = model.fault === 'endless';
  const answer = endless ? endlessTokens(model.answer) : answerTokens(model.answer);
  const prompt = promptTokens(request.prompt, request.system, request.raw);
  // Without num_predict a model decodes until its context is full.
  const limit = endless
    ? Infinity
    : limits.numPredict !== undefined && limits.numPredict > 0
      ? limits.numPredict
      : Math.max(1, limits.contextLength - prompt.length);
  const natural = thinking.count + answer.count;
  return {
    model: request.model,
    count: Math.min(natural, limit),
    token: (index) =>
      index < thinking.count
        ? { text: thinking.at(index), thinking: true }
        : { text: answer.at(index - thinking.count), thinking: false },
    doneReason: natural > limit ? 'length' : 'stop',
    promptEvalCount: prompt.length,
    promptIds: request.raw ? null : prompt.map(tokenId),
    tokensPerSec: model.tokensPerSec,
    ttftMs: model.ttftMs,
    ...times,
  };
}

export async function handleGenerate(state: DoubleState, exchange: Exchange): Promise<void> {
  const { res, signal, arrivedAt } = exchange;
  const { clock, scheduler, counters } = state;
  const decoded = decodeGenerateRequest(exchange.body);
  if (!decoded.ok) return sendError(res, decoded.status, decoded.error);
  const request = decoded.value;

  const model = findModel(state.models, request.model);
  if (!model) return sendError(res, 404, `model '${request.model}' not found`);
  if (model.cloud) {
    // A real server forwards this to ollama.com; the double counts it so tests can insist it never happens.
    counters.cloudPrompts++;
    return sendJson(res, 401, { error: 'unauthorized', signin_url: SIGNIN_URL });
  }
  if (request.prompt === '' && request.keepAliveMs === 0) {
    scheduler.expire(model);
    return sendJson(res, 200, plainReply(request, clock, 'unload'));
  }
  if (request.think === true && !canThink(model)) {
    return sendError(res, 400, `${goQuote(request.model)} does not support thinking`);
  }
  if (!canGenerate(model)) return sendError(res, 400, `${goQuote(request.model)} does not support generate`);
  const numPredict = integerOption(request.options, 'num_predict');
  if (!numPredict.ok) return sendError(res, numPredict.status, numPredict.error);
  const numCtx = integerOption(request.options, 'num_ctx');
  if (!numCtx.ok) return sendError(res, numCtx.status, numCtx.error);
  if (answerBeforeStreaming(res, model.fault, request.model)) return;

  const contextLength = Math.min(model.contextLength, numCtx.value ?? DEFAULT_NUM_CTX);
  const reservation = await scheduler.reserve(model, request.keepAliveMs, contextLength, signal);
  if (!reservation) return;
  let running = false;
  try {
    if (request.prompt === '') return sendJson(res, 200, plainReply(request, clock, 'load'));
    if (!(await reservation.acquireSlot(signal))) return;
    running = true;
    counters.running++;
    counters.peakRunning = Math.max(counters.peakRunning, counters.running);
    const generation = plan(request, model, { numPredict: numPredict.value, contextLength }, { arrivedAt, readyAt: clock.now() });
    const shape = streamShape(model.fault, generation.count);
    const target = { res, clock, signal };
    if (request.stream) await streamGeneration(target, generation, shape);
    else await answerWhole(target, generation, shape);
  } finally {
    if (running) counters.running--;
    reservation.release();
  }
}
