// The only HTTP code in the project. Every host on a LAN is untrusted: each request has a deadline,
// each body a size cap, each streamed line a length cap, and redirects are never followed
// (node:http does not follow them). A fresh connection per request (`agent: false`) keeps a
// misbehaving server from poisoning a pooled socket that the next request would reuse.
import http from 'node:http';
import { LineSplitter, LineTooLongError } from './lines.js';

export type HttpFailure =
  | 'connect' // refused, unreachable, DNS
  | 'timeout' // no answer, or no progress, within the deadline
  | 'too-large' // body or line over its cap
  | 'reset' // the connection ended before the body did
  | 'aborted'; // the caller's signal fired

export class HttpError extends Error {
  constructor(
    readonly failure: HttpFailure,
    message: string,
    readonly code?: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export interface HttpResponse {
  status: number;
  contentType: string;
  body: Buffer;
}

export interface RequestOptions {
  method?: 'GET' | 'HEAD' | 'POST';
  json?: unknown;
  /** Deadline for the whole exchange: connect, headers and body. */
  timeoutMs: number;
  maxBodyBytes: number;
  signal?: AbortSignal;
}

export interface StreamOptions {
  json: unknown;
  /** How long the server may stay silent before the status line (a queued or loading model is silent). */
  headerTimeoutMs: number;
  /** How long the body may go without a byte once it has started. */
  idleTimeoutMs: number;
  maxLineBytes: number;
  /** Cap on the body of a non-200 answer, which is read whole to get its error message. */
  maxErrorBodyBytes: number;
  signal?: AbortSignal;
  /** Called once the request has been written to the connection: the moment it was sent. */
  onSent?: () => void;
}

export interface LineStream {
  status: number;
  contentType: string;
  /** Set for a non-200 answer: the (capped) body, and `lineBatches` yields nothing. */
  errorBody: Buffer | null;
  /**
   * The non-empty lines, in batches: all the lines completed by one read from the socket. At
   * thousands of tokens a second, one await per batch instead of per line keeps the client cheap.
   */
  lineBatches: AsyncGenerator<string[], void, undefined>;
}

function describeSocketError(error: NodeJS.ErrnoException, url: string): HttpError {
  const code = error.code ?? '';
  if (['ECONNRESET', 'EPIPE', 'ECONNABORTED'].includes(code)) {
    return new HttpError('reset', `connection to ${url} was reset (${code})`, code);
  }
  return new HttpError('connect', `cannot connect to ${url}: ${code || error.message}`, code);
}

function startRequest(
  url: string,
  method: string,
  json: unknown,
  signal: AbortSignal | undefined,
): { req: http.ClientRequest; response: Promise<http.IncomingMessage> } {
  const payload = json === undefined ? undefined : Buffer.from(JSON.stringify(json));
  const req = http.request(url, {
    method,
    agent: false,
    headers: {
      Accept: 'application/json',
      ...(payload ? { 'Content-Type': 'application/json', 'Content-Length': payload.length } : {}),
    },
  });
  const response = new Promise<http.IncomingMessage>((resolve, reject) => {
    req.once('response', resolve);
    req.once('error', (error: NodeJS.ErrnoException) => {
      if (signal?.aborted) reject(new HttpError('aborted', `request to ${url} was cancelled`));
      else if (error instanceof HttpError) reject(error);
      else reject(describeSocketError(error, url));
    });
  });
  req.end(payload);
  return { req, response };
}

/** Reads a body whole, up to `maxBytes`; a larger one is refused without being held in memory. */
function readBody(res: http.IncomingMessage, maxBytes: number, url: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    // Destroying the response emits its own events synchronously: the first outcome wins.
    let settled = false;
    const fail = (error: HttpError) => {
      if (settled) return;
      settled = true;
      reject(error);
      res.destroy();
    };
    const declared = Number(res.headers['content-length']);
    if (Number.isFinite(declared) && declared > maxBytes) {
      fail(new HttpError('too-large', `${url} answered with ${declared} bytes (limit ${maxBytes})`));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    res.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) fail(new HttpError('too-large', `${url} sent more than ${maxBytes} bytes`));
      else chunks.push(chunk);
    });
    res.once('end', () => {
      if (settled) return;
      settled = true;
      resolve(Buffer.concat(chunks));
    });
    res.once('aborted', () => fail(new HttpError('reset', `${url} closed the connection mid-body`)));
    res.once('error', (error: NodeJS.ErrnoException) => fail(error instanceof HttpError ? error : describeSocketError(error, url)));
  });
}

function contentTypeOf(res: http.IncomingMessage): string {
  return String(res.headers['content-type'] ?? '');
}

/** One request, answered whole. */
export async function request(url: string, options: RequestOptions): Promise<HttpResponse> {
  const { signal } = options;
  if (signal?.aborted) throw new HttpError('aborted', `request to ${url} was cancelled`);
  const { req, response } = startRequest(url, options.method ?? 'GET', options.json, signal);
  // Destroying the request surfaces as a reset on the response; remember the real cause.
  let cause: HttpError | null = null;
  const stop = (error: HttpError) => {
    cause ??= error;
    req.destroy(error);
  };
  const timer = setTimeout(() => stop(new HttpError('timeout', `${url} did not answer within ${options.timeoutMs} ms`)), options.timeoutMs);
  const onAbort = () => stop(new HttpError('aborted', `request to ${url} was cancelled`));
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const res = await response;
    const body = options.method === 'HEAD' ? Buffer.alloc(0) : await readBody(res, options.maxBodyBytes, url);
    return { status: res.statusCode ?? 0, contentType: contentTypeOf(res), body };
  } catch (error) {
    throw cause ?? error;
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
    req.destroy();
  }
}

/**
 * A POST whose answer is newline-delimited JSON, yielded as it arrives, in batches of lines.
 * The caller ends the stream early by breaking out of the loop or by aborting the signal;
 * either way the connection is closed.
 */
export async function streamLines(url: string, options: StreamOptions): Promise<LineStream> {
  const { signal } = options;
  if (signal?.aborted) throw new HttpError('aborted', `request to ${url} was cancelled`);
  const { req, response } = startRequest(url, 'POST', options.json, signal);
  if (options.onSent) req.once('finish', options.onSent);
  const onAbort = () => req.destroy(new HttpError('aborted', `request to ${url} was cancelled`));
  signal?.addEventListener('abort', onAbort, { once: true });
  const headerTimer = setTimeout(() => {
    req.destroy(new HttpError('timeout', `${url} sent nothing within ${options.headerTimeoutMs} ms`));
  }, options.headerTimeoutMs);

  let res: http.IncomingMessage;
  try {
    res = await response;
  } catch (error) {
    signal?.removeEventListener('abort', onAbort);
    throw error;
  } finally {
    clearTimeout(headerTimer);
  }

  const status = res.statusCode ?? 0;
  const contentType = contentTypeOf(res);
  if (status !== 200) {
    try {
      const errorBody = await readBody(res, options.maxErrorBodyBytes, url);
      return { status, contentType, errorBody, lineBatches: (async function* () {})() };
    } finally {
      signal?.removeEventListener('abort', onAbort);
      req.destroy();
    }
  }

  async function* lineBatches(): AsyncGenerator<string[], void, undefined> {
    let idleTimer: NodeJS.Timeout | undefined;
    const armIdle = () => {
      clearTimeout(idleTimer);
      idleTimer = setTimeout(() => {
        res.destroy(new HttpError('timeout', `${url} stopped sending for ${options.idleTimeoutMs} ms`));
      }, options.idleTimeoutMs);
    };
    const splitter = new LineSplitter(options.maxLineBytes);
    res.setEncoding('utf8');
    try {
      armIdle();
      for await (const chunk of res as AsyncIterable<string>) {
        armIdle();
        const lines = splitter.push(chunk);
        if (lines.length > 0) yield lines;
      }
      // A cut-off body's last line is a fragment: the cut is the error, not the fragment's JSON.
      if (!res.complete) throw new HttpError('reset', `${url} closed the stream early`);
      const last = splitter.end();
      if (last.length > 0) yield last;
    } catch (error) {
      if (signal?.aborted) throw new HttpError('aborted', `request to ${url} was cancelled`);
      if (error instanceof HttpError) throw error;
      if (error instanceof LineTooLongError) throw new HttpError('too-large', `${url} sent ${error.message}`);
      throw describeSocketError(error as NodeJS.ErrnoException, url);
    } finally {
      clearTimeout(idleTimer);
      signal?.removeEventListener('abort', onAbort);
      req.destroy();
    }
  }

  return { status, contentType, errorBody: null, lineBatches: lineBatches() };
}
