// Is the server at a URL really Ollama? `GET /` answers "Ollama is running"; failing that (a proxy in
// front of it), `/api/version` and `/api/tags` answer in Ollama's shapes. Every request is short and
// capped, because an address on a LAN can be anything: a printer, a router's web page, a tarpit.
import { HttpError, request, type HttpResponse, type RequestOptions } from '../ollama/http.js';

export const DEFAULT_IDENTIFY_TIMEOUT_MS = 2000;

const GREETING = 'Ollama is running';
const SMALL_BODY_BYTES = 64 * 1024;
const TAGS_BODY_BYTES = 8 * 1024 * 1024;

export type IdentityFailure =
  | 'unreachable' // the connection was refused or failed
  | 'tarpit' // it accepted the connection and never answered
  | 'not-http' // it answered with something that is not HTTP, or hung up
  | 'not-ollama' // an HTTP server, but not Ollama
  | 'forbidden' // 403: Ollama refusing a Host or Origin it does not allow, or a web server refusing
  | 'too-large' // it sent far more than Ollama ever sends for these paths
  | 'unsupported'; // a URL this client cannot speak to (https)

export type Identity =
  | { ok: true; version: string }
  | { ok: false; failure: IdentityFailure; reason: string };

export interface IdentifyOptions {
  timeoutMs: number;
  signal?: AbortSignal;
}

export type Identify = (url: string, options: IdentifyOptions) => Promise<Identity>;
export type HttpRequest = (url: string, options: RequestOptions) => Promise<HttpResponse>;

type Answer = { response: HttpResponse } | { error: HttpError };

function kib(bytes: number): string {
  return `${Math.round(bytes / 1024).toLocaleString('en-US')} KiB`;
}

function describeAnswer(path: string, answer: Answer): string {
  if ('error' in answer) {
    if (answer.error.failure === 'too-large') return `${path} sent too large a body`;
    return `${path} failed (${answer.error.message})`;
  }
  const { status, contentType } = answer.response;
  return `${path} answered ${status}${contentType ? ` ${contentType.split(';')[0]}` : ''}`;
}

function jsonOf(answer: Answer): unknown {
  if ('error' in answer || answer.response.status !== 200) return undefined;
  try {
    return JSON.parse(answer.response.body.toString('utf8'));
  } catch {
    return undefined;
  }
}

function versionOf(answer: Answer): string | null {
  const json = jsonOf(answer);
  if (typeof json !== 'object' || json === null) return null;
  const version = (json as { version?: unknown }).version;
  return typeof version === 'string' && version.length > 0 && version.length < 100 ? version : null;
}

function hasModelList(answer: Answer): boolean {
  const json = jsonOf(answer);
  return typeof json === 'object' && json !== null && Array.isArray((json as { models?: unknown }).models);
}

/**
 * Confirms an Ollama server and reads its version. Never throws except when `signal` is aborted,
 * and then with the signal's reason.
 */
export async function identifyOllama(url: string, options: IdentifyOptions, send: HttpRequest = request): Promise<Identity> {
  if (!url.startsWith('http://')) {
    return {
      ok: false,
      failure: 'unsupported',
      reason: `${url}: only plain http:// servers can be checked; name the server by its http:// address`,
    };
  }
  const { timeoutMs, signal } = options;
  const ask = async (path: string, maxBodyBytes: number): Promise<Answer> => {
    try {
      return { response: await send(`${url}${path}`, { timeoutMs, maxBodyBytes, signal }) };
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      if (error instanceof HttpError) return { error };
      return { error: new HttpError('connect', `${url}${path}: ${String(error)}`) };
    }
  };

  const root = await ask('/', SMALL_BODY_BYTES);
  if ('error' in root) {
    const { failure, code, message } = root.error;
    if (failure === 'timeout') {
      return {
        ok: false,
        failure: 'tarpit',
        reason: `${url} accepted the connection but sent no answer within ${timeoutMs} ms (a tarpit, or a server too busy to answer)`,
      };
    }
    if (failure === 'connect' && code?.startsWith('HPE_')) {
      return { ok: false, failure: 'not-http', reason: `${url} answered with something that is not HTTP (${code})` };
    }
    if (failure === 'reset') {
      return { ok: false, failure: 'not-http', reason: `${url} closed the connection without an HTTP answer` };
    }
    if (failure === 'connect') return { ok: false, failure: 'unreachable', reason: message };
  } else {
    const { status, body } = root.response;
    if (status === 200 && body.toString('utf8').trim() === GREETING) {
      return { ok: true, version: versionOf(await ask('/api/version', SMALL_BODY_BYTES)) ?? 'unknown' };
    }
    if (status === 403) {
      const reason =
        body.length === 0
          ? `${url} answered 403 Forbidden with an empty body, as Ollama does for a Host or Origin it does not allow ` +
            `(reached through a proxy or port forward while bound to 127.0.0.1); on that machine set OLLAMA_HOST=0.0.0.0 ` +
            `(or add this origin to OLLAMA_ORIGINS) and restart Ollama`
          : `${url} answered 403 Forbidden: a web server refusing access, not an Ollama server`;
      return { ok: false, failure: 'forbidden', reason };
    }
  }

  // Not the greeting: perhaps Ollama behind a proxy that serves something else at `/`.
  const version = await ask('/api/version', SMALL_BODY_BYTES);
  const versionText = versionOf(version);
  if (versionText !== null) {
    const tags = await ask('/api/tags', TAGS_BODY_BYTES);
    if (hasModelList(tags)) return { ok: true, version: versionText };
    return {
      ok: false,
      failure: 'not-ollama',
      reason: `${url} is not an Ollama server: /api/version looks right but ${describeAnswer('/api/tags', tags)} without a model list`,
    };
  }

  const rootTooLarge = 'error' in root && root.error.failure === 'too-large';
  if (rootTooLarge) {
    return {
      ok: false,
      failure: 'too-large',
      reason: `${url} is not an Ollama server: GET / sent more than ${kib(SMALL_BODY_BYTES)} (Ollama's answer is "${GREETING}")`,
    };
  }
  return {
    ok: false,
    failure: 'not-ollama',
    reason:
      `${url} is not an Ollama server: ${describeAnswer('GET /', root)} instead of "${GREETING}", ` +
      `and ${describeAnswer('/api/version', version)}`,
  };
}
