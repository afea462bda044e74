// Plain node:http requests that keep what a client library would hide: exact status, headers,
// body bytes, and when each streamed line arrived. A fresh connection per request (agent: false)
// so no test sees another's socket.
import http from 'node:http';

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface RawRequestOptions {
  method?: string;
  /** An object is sent as JSON; a string as-is. */
  body?: unknown;
  headers?: Record<string, string>;
}

function send(url: string, options: RawRequestOptions): http.ClientRequest {
  const payload = options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
  const req = http.request(url, {
    method: options.method ?? (payload === undefined ? 'GET' : 'POST'),
    agent: false,
    headers: { ...(payload === undefined ? {} : { 'Content-Type': 'application/json' }), ...options.headers },
  });
  req.end(payload);
  return req;
}

export function rawRequest(url: string, options: RawRequestOptions = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = send(url, options);
    req.once('error', reject);
    req.once('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.once('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.once('error', reject);
    });
  });
}

export async function getJson<T>(url: string): Promise<T> {
  return JSON.parse((await rawRequest(url)).body) as T;
}

export interface TimedLine {
  text: string;
  /** Milliseconds after the request was sent. */
  atMs: number;
}

export interface TimedStream {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** When the status line and headers arrived, ms after sending. */
  headersAtMs: number;
  lines: TimedLine[];
  /** The body ended normally (not cut off by a reset or a close). */
  complete: boolean;
  /** A socket error, e.g. ECONNRESET. */
  errorCode: string | null;
}

/** Sends a request and records every line of the answer with its arrival time. */
export function timedStream(url: string, options: RawRequestOptions = {}): Promise<TimedStream> {
  return new Promise((resolve) => {
    const sentAt = performance.now();
    const result: TimedStream = { status: 0, headers: {}, headersAtMs: NaN, lines: [], complete: false, errorCode: null };
    let pending = '';
    const finish = () => {
      if (pending) result.lines.push({ text: pending, atMs: performance.now() - sentAt });
      pending = '';
      resolve(result);
    };
    const req = send(url, options);
    req.once('error', (error: NodeJS.ErrnoException) => {
      result.errorCode = error.code ?? error.message;
      finish();
    });
    req.once('response', (res) => {
      result.status = res.statusCode ?? 0;
      result.headers = res.headers;
      result.headersAtMs = performance.now() - sentAt;
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        const atMs = performance.now() - sentAt;
        pending += chunk;
        let newline = pending.indexOf('\n');
        while (newline !== -1) {
          result.lines.push({ text: pending.slice(0, newline), atMs });
          pending = pending.slice(newline + 1);
          newline = pending.indexOf('\n');
        }
      });
      res.once('error', (error: NodeJS.ErrnoException) => {
        result.errorCode = error.code ?? error.message;
      });
      res.once('close', () => {
        result.complete = res.complete;
        finish();
      });
    });
  });
}

export interface Watch {
  /** null when no status line arrived in time. */
  status: number | null;
  lines: string[];
  /** The answer ended (either way) before the watch did. */
  ended: boolean;
}

/** Sends a request, watches the answer for `ms`, then hangs up: for tarpits and endless streams. */
export function watchFor(url: string, options: RawRequestOptions, ms: number): Promise<Watch> {
  return new Promise((resolve) => {
    const watch: Watch = { status: null, lines: [], ended: false };
    let text = '';
    const req = send(url, options);
    const timer = setTimeout(() => {
      req.destroy();
      resolve({ ...watch, lines: text.split('\n').filter(Boolean) });
    }, ms);
    const ended = () => {
      watch.ended = true;
      clearTimeout(timer);
      resolve({ ...watch, lines: text.split('\n').filter(Boolean) });
    };
    req.once('error', ended);
    req.once('response', (res) => {
      watch.status = res.statusCode ?? 0;
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
      });
      res.once('close', ended);
    });
  });
}
