import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { HttpError, request, streamLines } from '../main/core/ollama/http.js';

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;
const servers: http.Server[] = [];

async function serve(handler: Handler): Promise<string> {
  const server = http.createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

async function failure(promise: Promise<unknown>): Promise<HttpError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof HttpError) return error;
    throw error;
  }
  throw new Error('expected the request to fail');
}

describe('request', () => {
  it('returns status, content type and body', async () => {
    const url = await serve((_req, res) => {
      res.setHeader('Content-Type', 'application/json; charset=utf-8');
      res.end('{"version":"0.30.1"}');
    });
    const response = await request(`${url}/api/version`, { timeoutMs: 1000, maxBodyBytes: 1000 });
    expect(response.status).toBe(200);
    expect(response.contentType).toContain('application/json');
    expect(JSON.parse(response.body.toString())).toEqual({ version: '0.30.1' });
  });

  it('gives up on a server that accepts and never answers', async () => {
    const url = await serve(() => {});
    const started = performance.now();
    const error = await failure(request(url, { timeoutMs: 200, maxBodyBytes: 1000 }));
    expect(error.failure).toBe('timeout');
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('refuses a body over its cap without holding it', async () => {
    const url = await serve((_req, res) => {
      res.write('x'.repeat(64 * 1024));
      res.write('x'.repeat(64 * 1024));
      res.end();
    });
    const error = await failure(request(url, { timeoutMs: 2000, maxBodyBytes: 10_000 }));
    expect(error.failure).toBe('too-large');
  });

  it('refuses a declared content-length over its cap before reading', async () => {
    const url = await serve((_req, res) => {
      res.setHeader('Content-Length', String(100 * 1024 * 1024));
      res.write('x');
    });
    const error = await failure(request(url, { timeoutMs: 2000, maxBodyBytes: 10_000 }));
    expect(error.failure).toBe('too-large');
  });

  it('cuts off a body that trickles past the deadline', async () => {
    const url = await serve((_req, res) => {
      res.write('{');
      const drip = setInterval(() => res.write(' '), 20);
      res.on('close', () => clearInterval(drip));
    });
    const error = await failure(request(url, { timeoutMs: 300, maxBodyBytes: 1_000_000 }));
    expect(error.failure).toBe('timeout');
  });

  it('does not follow redirects', async () => {
    const url = await serve((_req, res) => {
      res.writeHead(302, { Location: 'http://127.0.0.2:9/' });
      res.end();
    });
    const response = await request(url, { timeoutMs: 1000, maxBodyBytes: 1000 });
    expect(response.status).toBe(302);
  });

  it('reports a refused connection', async () => {
    const url = await serve(() => {});
    await new Promise((resolve) => servers.pop()?.close(resolve));
    const error = await failure(request(url, { timeoutMs: 1000, maxBodyBytes: 1000 }));
    expect(error.failure).toBe('connect');
  });

  it('stops at once when cancelled', async () => {
    const url = await serve(() => {});
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const error = await failure(request(url, { timeoutMs: 10_000, maxBodyBytes: 1000, signal: controller.signal }));
    expect(error.failure).toBe('aborted');
  });
});

describe('streamLines', () => {
  const options = { json: {}, headerTimeoutMs: 1000, idleTimeoutMs: 1000, maxLineBytes: 1000, maxErrorBodyBytes: 1000 };

  async function collect(batches: AsyncIterable<string[]>): Promise<string[]> {
    const out: string[] = [];
    for await (const batch of batches) out.push(...batch);
    return out;
  }

  it('yields lines split across and within chunks', async () => {
    const url = await serve((_req, res) => {
      res.write('{"a":1}\n{"b"');
      setTimeout(() => res.end(':2}\n\n{"c":3}'), 20);
    });
    const stream = await streamLines(url, options);
    expect(await collect(stream.lineBatches)).toEqual(['{"a":1}', '{"b":2}', '{"c":3}']);
  });

  it('returns the capped body of a non-200 answer', async () => {
    const url = await serve((_req, res) => {
      res.writeHead(404, { 'Content-Type': 'application/json' });
      res.end('{"error":"model \'x\' not found"}');
    });
    const stream = await streamLines(url, options);
    expect(stream.status).toBe(404);
    expect(stream.errorBody?.toString()).toContain('not found');
  });

  it('cuts off a line longer than its cap', async () => {
    const url = await serve((_req, res) => {
      res.write('y'.repeat(5000));
    });
    const stream = await streamLines(url, options);
    const error = await failure(collect(stream.lineBatches));
    expect(error.failure).toBe('too-large');
  });

  it('cuts off a stream that goes silent', async () => {
    const url = await serve((_req, res) => {
      res.write('{"a":1}\n');
    });
    const stream = await streamLines(url, { ...options, idleTimeoutMs: 150 });
    const error = await failure(collect(stream.lineBatches));
    expect(error.failure).toBe('timeout');
  });

  it('reports a connection reset mid-stream', async () => {
    const url = await serve((req, res) => {
      res.write('{"a":1}\n');
      setTimeout(() => req.socket.destroy(), 20);
    });
    const stream = await streamLines(url, options);
    const error = await failure(collect(stream.lineBatches));
    expect(error.failure).toBe('reset');
  });

  it('times out a server that never sends headers', async () => {
    const url = await serve(() => {});
    const error = await failure(streamLines(url, { ...options, headerTimeoutMs: 150 }));
    expect(error.failure).toBe('timeout');
  });
});
