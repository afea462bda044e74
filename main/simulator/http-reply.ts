// Writing replies the way Ollama's gin server does, and reading request bodies.
import type http from 'node:http';
import { goJson } from './go-json.js';

export const JSON_TYPE = 'application/json; charset=utf-8';
export const NDJSON_TYPE = 'application/x-ndjson';
export const TEXT_TYPE = 'text/plain; charset=utf-8';

/** A plain JSON reply: Go-escaped, no trailing newline, with a Content-Length. */
export function sendJson(res: http.ServerResponse, status: number, value: unknown): void {
  sendBody(res, status, JSON_TYPE, goJson(value));
}

export function sendError(res: http.ServerResponse, status: number, message: string): void {
  sendJson(res, status, { error: message });
}

/** A complete body; for HEAD, node:http sends the headers (Content-Length included) without it. */
export function sendBody(res: http.ServerResponse, status: number, contentType: string, body: string): void {
  const bytes = Buffer.from(body);
  res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': bytes.length });
  res.end(bytes);
}

/** A status with no body at all, as `c.AbortWithStatus` sends. */
export function sendEmpty(res: http.ServerResponse, status: number): void {
  res.writeHead(status, { 'Content-Length': 0 });
  res.end();
}

/** Writes and waits for the socket to drain when it is full, so huge bodies stay out of memory. */
export async function writeWithBackpressure(res: http.ServerResponse, data: string | Buffer): Promise<boolean> {
  if (res.destroyed) return false;
  if (res.write(data)) return true;
  return new Promise((resolve) => {
    const settle = (ok: boolean) => {
      res.off('drain', drained);
      res.off('close', closed);
      resolve(ok);
    };
    const drained = () => settle(true);
    const closed = () => settle(false);
    res.once('drain', drained);
    res.once('close', closed);
  });
}

/** Bodies beyond this are cut off; no real request to Ollama comes close. */
const MAX_REQUEST_BYTES = 16 * 1024 * 1024;

export function readRequestBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_REQUEST_BYTES) chunks.push(chunk);
    });
    req.once('end', () => resolve(Buffer.concat(chunks)));
    req.once('error', () => resolve(Buffer.concat(chunks)));
    req.once('close', () => resolve(Buffer.concat(chunks)));
  });
}
