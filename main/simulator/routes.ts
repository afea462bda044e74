// The routes the double serves, with the methods gin registers for each.
import { psEntry, showResponse, tagsEntry } from './catalog.js';
import type { DoubleState, Exchange } from './double-state.js';
import { handleGenerate } from './generate.js';
import { digestOf, findModel, withTag } from './simulated-model.js';
import { sendBody, sendError, sendJson, TEXT_TYPE } from './http-reply.js';
import { answerHugeTags, answerMalformedTags } from './server-faults.js';

export type Method = 'HEAD' | 'GET' | 'POST' | 'DELETE';
export type Handler = (state: DoubleState, exchange: Exchange) => void | Promise<void>;
export type RouteTable = Readonly<Record<string, Partial<Record<Method, Handler>>>>;

const identity: Handler = (_state, { res }) => sendBody(res, 200, TEXT_TYPE, 'Ollama is running');

const version: Handler = (state, { res }) => sendJson(res, 200, { version: state.version });

const tags: Handler = async (state, { res }) => {
  const now = state.clock.now();
  if (state.faults.has('tags-huge-body')) return answerHugeTags(res, state.models, now);
  if (state.faults.has('tags-malformed')) return answerMalformedTags(res);
  const entries = state.models.flatMap((model) => {
    const entry = tagsEntry(model, state.modifiedAt.get(model) ?? now);
    // The copy differs only in its digest, as when two manifests claim one name.
    return state.faults.has('duplicate-names') ? [entry, { ...entry, digest: digestOf(`${model.name}#copy`) }] : [entry];
  });
  sendJson(res, 200, { models: entries });
};

/** Whatever was loaded longest-lived first, as PsHandler sorts. */
const ps: Handler = (state, { res }) => {
  if (state.faults.has('ps-blocks')) return;
  const loaded = state.scheduler.loaded().sort((a, b) => Math.floor(b.expiresAt / 1000) - Math.floor(a.expiresAt / 1000));
  sendJson(res, 200, { models: loaded.map(psEntry) });
};

function showRequestName(body: Buffer): { name: string } | { error: string } {
  const text = body.toString('utf8');
  if (text.trim() === '') return { error: 'missing request body' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { error: 'unexpected EOF' };
  }
  const fields = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as Record<string, unknown>;
  const name = [fields.model, fields.name].find((value) => typeof value === 'string' && value !== '');
  return typeof name === 'string' ? { name } : { error: 'model is required' };
}

const show: Handler = (state, { res, body }) => {
  const request = showRequestName(body);
  if ('error' in request) return sendError(res, 400, request.error);
  const model = findModel(state.models, request.name);
  if (!model) return sendError(res, 404, `model '${withTag(request.name.trim())}' not found`);
  sendJson(res, 200, showResponse(model, state.modifiedAt.get(model) ?? state.clock.now()));
};

export const ROUTES: RouteTable = {
  '/': { HEAD: identity, GET: identity },
  '/api/version': { HEAD: version, GET: version },
  '/api/tags': { HEAD: tags, GET: tags },
  '/api/show': { POST: show },
  '/api/ps': { GET: ps },
  '/api/generate': { POST: handleGenerate },
};
