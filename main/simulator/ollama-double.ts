// A faithful stand-in for an Ollama server, on a real socket: used by the test suite and by
// `--demo`. It speaks the REST API as server/routes.go does (shapes, units, status codes, byte
// habits), schedules models as server/sched.go does, and streams tokens on an exact schedule so
// that a client's measurements can be checked against it. Only node built-ins, so it bundles into
// a standalone script (serve.ts).
import http from 'node:http';
import { systemClock, type Clock } from './clock.js';
import type { Counters, DoubleState, Exchange } from './double-state.js';
import { readRequestBody, sendBody, sendEmpty, sendError } from './http-reply.js';
import { hostAllowed, isLoopback, originAllowed } from './origin-policy.js';
import { METHOD_NOT_ALLOWED_BODY, NOT_FOUND_BODY, resolveRoute } from './router.js';
import { ROUTES } from './routes.js';
import { Scheduler } from './scheduler.js';
import { answerAsWebServer, answerForbidden } from './server-faults.js';
import { findModel, type ServerFault, type SimulatedModel } from './simulated-model.js';

export type { Clock } from './clock.js';
export {
  SERVER_FAULTS,
  STREAM_FAULTS,
  type ModelFault,
  type ServerFault,
  type SimulatedModel,
  type StatusFault,
  type StreamFault,
} from './simulated-model.js';

export interface DoubleOptions {
  /** Default 127.0.0.1, like Ollama itself. */
  host?: string;
  /** Default 0: any free port. */
  port?: number;
  /** What /api/version says; default 0.30.1. */
  version?: string;
  /** In /api/tags order, which is newest first. */
  models: SimulatedModel[];
  /** Names of models already resident when the double starts (no load time). */
  loaded?: string[];
  /** OLLAMA_NUM_PARALLEL: generations per model at once; default 1. */
  numParallel?: number;
  /** OLLAMA_MAX_LOADED_MODELS; default 3. */
  maxLoadedModels?: number;
  faults?: ServerFault[];
  /** Default: the system clock, with sub-millisecond precision. */
  clock?: Clock;
}

export interface RequestLogEntry {
  method: string;
  /** Without the query string. */
  path: string;
  /** Parsed JSON when it parses, else the raw text; undefined when empty. */
  body: unknown;
  startedAt: number;
  /** When the reply finished or the connection closed; null while in flight. */
  endedAt: number | null;
  /** null when the connection ended before a status was sent. */
  status: number | null;
}

export interface OllamaDouble {
  /** `http://127.0.0.1:PORT` */
  url: string;
  port: number;
  close(): Promise<void>;
  loadedModels(): string[];
  /** Every request, in arrival order; live. */
  requests: RequestLogEntry[];
  /** Most generations decoding at once (across models; each model runs numParallel at a time). */
  readonly peakConcurrentGenerates: number;
  /** Most /api/generate requests open at once, queued ones included: 1 means the client never overlapped. */
  readonly peakInFlightGenerates: number;
  /** Generate requests that a real server would have forwarded to ollama.com. */
  readonly cloudPrompts: number;
}

const DEFAULT_VERSION = '0.30.1';
/** Spacing of the simulated pull dates, newest first. */
const MODEL_AGE_STEP_MS = 26 * 3600_000;

function validate(options: DoubleOptions): void {
  for (const model of options.models) {
    if (!(model.tokensPerSec > 0)) throw new Error(`simulated model ${model.name}: tokensPerSec must be positive`);
    if (model.ttftMs < 0 || model.loadMs < 0) throw new Error(`simulated model ${model.name}: times cannot be negative`);
  }
  for (const name of options.loaded ?? []) {
    if (!findModel(options.models, name)) throw new Error(`cannot preload ${name}: no such simulated model`);
  }
}

function parseBody(body: Buffer): unknown {
  if (body.length === 0) return undefined;
  const text = body.toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

async function dispatch(state: DoubleState, exchange: Exchange, path: string, guardsHost: boolean): Promise<void> {
  const { req, res } = exchange;
  const { faults } = state;
  if (faults.has('identity-tarpit')) return;
  if (faults.has('not-ollama')) return answerAsWebServer(res, path);
  if (faults.has('forbidden')) return answerForbidden(res);

  const origin = req.headers.origin;
  if (!originAllowed(origin, req.headers.host)) return sendEmpty(res, 403);
  if (origin !== undefined) {
    res.setHeader('Access-Control-Allow-Origin', origin);
    res.setHeader('Vary', 'Origin');
    if (req.method === 'OPTIONS') {
      res.setHeader('Access-Control-Allow-Methods', 'GET,POST,PUT,PATCH,DELETE,HEAD,OPTIONS');
      res.setHeader('Access-Control-Allow-Headers', 'Authorization,Content-Type,User-Agent,Accept,X-Requested-With');
      res.setHeader('Access-Control-Max-Age', '43200');
      return sendEmpty(res, 204);
    }
  }
  // DNS rebinding guard: a loopback server answers only to local host names.
  if (guardsHost) {
    if (!hostAllowed(req.headers.host)) return sendEmpty(res, 403);
    if (req.method === 'OPTIONS') return sendEmpty(res, 204);
  }

  const route = resolveRoute(ROUTES, req.method ?? 'GET', path);
  if (route.kind === 'not-found') return sendBody(res, 404, 'text/plain', NOT_FOUND_BODY);
  if (route.kind === 'method-not-allowed') {
    res.setHeader('Allow', route.allow);
    return sendBody(res, 405, 'text/plain', METHOD_NOT_ALLOWED_BODY);
  }
  return route.handler(state, exchange);
}

export async function startOllamaDouble(options: DoubleOptions): Promise<OllamaDouble> {
  validate(options);
  const host = options.host ?? '127.0.0.1';
  const clock = options.clock ?? systemClock;
  const scheduler = new Scheduler({
    clock,
    maxLoaded: options.maxLoadedModels ?? 3,
    numParallel: options.numParallel ?? 1,
  });
  const startedAt = clock.now();
  const counters: Counters = { cloudPrompts: 0, running: 0, peakRunning: 0 };
  const state: DoubleState = {
    models: options.models,
    version: options.version ?? DEFAULT_VERSION,
    faults: new Set(options.faults ?? []),
    clock,
    scheduler,
    modifiedAt: new Map(options.models.map((model, index) => [model, startedAt - (index + 1) * MODEL_AGE_STEP_MS])),
    counters,
  };
  for (const name of options.loaded ?? []) {
    const model = findModel(options.models, name);
    if (model) scheduler.preload(model, Math.min(model.contextLength, 4096));
  }

  const requests: RequestLogEntry[] = [];
  let generatesInFlight = 0;
  let peakInFlightGenerates = 0;
  const guardsHost = isLoopback(host);

  const server = http.createServer({ noDelay: true }, (req, res) => {
    const arrivedAt = clock.now();
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const entry: RequestLogEntry = { method: req.method ?? '', path, body: undefined, startedAt: arrivedAt, endedAt: null, status: null };
    requests.push(entry);
    const isGenerate = path === '/api/generate' && req.method === 'POST';
    if (isGenerate) {
      generatesInFlight++;
      peakInFlightGenerates = Math.max(peakInFlightGenerates, generatesInFlight);
    }
    const hangUp = new AbortController();
    // A reply written after the client left fails quietly; the abort signal stops the writer.
    res.on('error', () => undefined);
    res.once('close', () => {
      entry.endedAt = clock.now();
      entry.status = res.headersSent ? res.statusCode : null;
      if (isGenerate) generatesInFlight--;
      hangUp.abort();
    });
    void readRequestBody(req)
      .then((body) => {
        entry.body = parseBody(body);
        return dispatch(state, { req, res, body, arrivedAt, signal: hangUp.signal }, path, guardsHost);
      })
      .catch((error: unknown) => {
        // A bug in the double must fail the request loudly, not hang it like a tarpit.
        if (res.headersSent) res.destroy();
        else sendError(res, 500, `ollama double: ${error instanceof Error ? error.message : String(error)}`);
      });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : (options.port ?? 0);
  const urlHost = host.includes(':') ? `[${host}]` : host;

  return {
    url: `http://${urlHost}:${port}`,
    port,
    requests,
    loadedModels: () => scheduler.loaded().map((loaded) => loaded.model.name),
    get peakConcurrentGenerates() {
      return counters.peakRunning;
    },
    get peakInFlightGenerates() {
      return peakInFlightGenerates;
    },
    get cloudPrompts() {
      return counters.cloudPrompts;
    },
    close: () =>
      new Promise<void>((resolve) => {
        scheduler.close();
        server.close(() => resolve());
        // Tarpits, endless streams and keep-alive sockets would otherwise hold close() open.
        server.closeAllConnections();
      }),
  };
}
