// Real sockets, on 127.0.0.1 only: every server here is started by the test on a port the system picks.
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { identifyOllama, type Identity } from '../main/core/discovery/identify.js';
import { classifyConnectError, tcpProbe } from '../main/core/discovery/probe.js';
import type { HttpResponse } from '../main/core/ollama/http.js';

const LOOPBACK = '127.0.0.1';
const servers: (http.Server | net.Server)[] = [];
const sockets = new Set<net.Socket>();

async function listen(server: http.Server | net.Server): Promise<string> {
  servers.push(server);
  server.on('connection', (socket: net.Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.listen(0, LOOPBACK);
  await once(server, 'listening');
  const address = server.address() as net.AddressInfo;
  return `http://${LOOPBACK}:${address.port}`;
}

function httpServer(routes: Record<string, { status: number; type?: string; body: string | Buffer }>): Promise<string> {
  return listen(
    http.createServer((req, res) => {
      const route = routes[req.url ?? ''] ?? { status: 404, type: 'text/plain', body: '404 page not found' };
      res.writeHead(route.status, route.type ? { 'Content-Type': route.type } : {});
      res.end(route.body);
    }),
  );
}

const OLLAMA_ROUTES = {
  '/': { status: 200, type: 'text/plain; charset=utf-8', body: 'Ollama is running' },
  '/api/version': { status: 200, type: 'application/json; charset=utf-8', body: '{"version":"0.30.1"}' },
  '/api/tags': { status: 200, type: 'application/json; charset=utf-8', body: '{"models":[]}' },
};

async function freePort(): Promise<number> {
  const server = net.createServer();
  server.listen(0, LOOPBACK);
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  server.close();
  await once(server, 'close');
  return port;
}

afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
});

describe('tcpProbe on 127.0.0.1', () => {
  it('finds an open port', async () => {
    const url = await httpServer(OLLAMA_ROUTES);
    expect(await tcpProbe(LOOPBACK, Number(new URL(url).port), { timeoutMs: 500 })).toEqual({ outcome: 'open' });
  });

  it('finds a closed port refused', async () => {
    expect(await tcpProbe(LOOPBACK, await freePort(), { timeoutMs: 500 })).toEqual({ outcome: 'refused', code: 'ECONNREFUSED' });
  });

  it('rejects at once with the reason of an aborted signal', async () => {
    const controller = new AbortController();
    controller.abort(new Error('stopped by the user'));
    await expect(tcpProbe(LOOPBACK, 9, { timeoutMs: 500, signal: controller.signal })).rejects.toThrow('stopped by the user');
  });

  it('maps system errors to outcomes', () => {
    expect(classifyConnectError('EHOSTUNREACH')).toEqual({ outcome: 'unreachable', code: 'EHOSTUNREACH' });
    expect(classifyConnectError('ENETUNREACH')).toEqual({ outcome: 'unreachable', code: 'ENETUNREACH' });
    expect(classifyConnectError('ECONNREFUSED')).toEqual({ outcome: 'refused', code: 'ECONNREFUSED' });
    expect(classifyConnectError('ETIMEDOUT')).toEqual({ outcome: 'timeout', code: 'ETIMEDOUT' });
    expect(classifyConnectError('EACCES')).toEqual({ outcome: 'error', code: 'EACCES' });
  });

  describe('against a listener whose accept queue is full', () => {
    // A child process listens with a backlog of 1 (0 would mean Node's default) and then blocks its
    // event loop, so it never accepts: once the kernel's queue is full, handshakes go unanswered.
    let child: ChildProcess;
    let port = 0;
    beforeAll(async () => {
      const script = `
        const server = require('node:net').createServer();
        server.listen({ port: 0, host: '127.0.0.1', backlog: 1 }, () => {
          process.stdout.write(String(server.address().port) + '\\n');
          setTimeout(() => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20000), 50);
        });`;
      child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
      const [chunk] = (await once(child.stdout as NodeJS.ReadableStream, 'data')) as [Buffer];
      port = Number(chunk.toString().trim());
      await new Promise((resolve) => setTimeout(resolve, 200));
    });
    afterAll(() => {
      if (child.pid !== undefined) process.kill(child.pid);
    });

    it('gives up after the timeout', async () => {
      const outcomes: string[] = [];
      for (let attempt = 0; attempt < 6 && !outcomes.includes('timeout'); attempt += 1) {
        const started = Date.now();
        const { outcome } = await tcpProbe(LOOPBACK, port, { timeoutMs: 300 });
        outcomes.push(outcome);
        if (outcome === 'timeout') expect(Date.now() - started).toBeLessThan(1000);
      }
      expect(outcomes).toContain('timeout');
    });
  });
});

describe('identifying Ollama over real HTTP on 127.0.0.1', () => {
  const options = { timeoutMs: 700 };

  it('confirms Ollama by its greeting and reads the version', async () => {
    expect(await identifyOllama(await httpServer(OLLAMA_ROUTES), options)).toEqual({ ok: true, version: '0.30.1' });
  });

  it('confirms Ollama behind a proxy that serves a page at / by /api/version and /api/tags', async () => {
    const url = await httpServer({
      ...OLLAMA_ROUTES,
      '/': { status: 200, type: 'text/html', body: '<!doctype html><title>Open WebUI</title>' },
    });
    expect(await identifyOllama(url, options)).toEqual({ ok: true, version: '0.30.1' });
  });

  it('calls a server that accepts and never answers a tarpit, within the timeout', async () => {
    const url = await listen(net.createServer(() => {}));
    const started = Date.now();
    const identity = await identifyOllama(url, { timeoutMs: 300 });
    expect(Date.now() - started).toBeLessThan(1500);
    expect(identity).toMatchObject({ ok: false, failure: 'tarpit' });
    expect((identity as { reason: string }).reason).toMatch(/accepted the connection but sent no answer within 300 ms/);
  });

  it('tells a web server that is not Ollama, and says what it answered', async () => {
    const url = await httpServer({ '/': { status: 200, type: 'text/html; charset=utf-8', body: '<html>router login</html>' } });
    const identity = await identifyOllama(url, options);
    expect(identity).toEqual({
      ok: false,
      failure: 'not-ollama',
      reason: `${url} is not an Ollama server: GET / answered 200 text/html instead of "Ollama is running", and /api/version answered 404 text/plain`,
    });
  });

  it("explains Ollama's empty 403 for a Host or Origin it does not allow", async () => {
    const url = await httpServer({ '/': { status: 403, body: '' } });
    const identity = await identifyOllama(url, options);
    expect(identity).toMatchObject({ ok: false, failure: 'forbidden' });
    expect((identity as { reason: string }).reason).toMatch(/403 Forbidden with an empty body.*OLLAMA_HOST=0\.0\.0\.0/);
  });

  it('tells a web server refusing access apart from Ollama', async () => {
    const url = await httpServer({ '/': { status: 403, type: 'text/html', body: '<h1>Forbidden</h1>' } });
    const identity = await identifyOllama(url, options);
    expect(identity).toMatchObject({ ok: false, failure: 'forbidden' });
    expect((identity as { reason: string }).reason).toMatch(/a web server refusing access, not an Ollama server/);
  });

  it('refuses a body far larger than anything Ollama sends, without reading it all', async () => {
    const huge = Buffer.alloc(2 * 1024 * 1024, 'x');
    const url = await httpServer({ '/': { status: 200, body: huge }, '/api/version': { status: 200, body: huge } });
    const identity = await identifyOllama(url, options);
    expect(identity).toMatchObject({ ok: false, failure: 'too-large' });
    expect((identity as { reason: string }).reason).toMatch(/sent more than 64 KiB/);
  });

  it('tells a server that speaks something other than HTTP', async () => {
    const url = await listen(net.createServer((socket) => socket.write('SSH-2.0-OpenSSH_9.6\r\n')));
    expect(await identifyOllama(url, options)).toMatchObject({ ok: false, failure: 'not-http' });
  });

  it('tells a server that hangs up at once', async () => {
    const url = await listen(net.createServer((socket) => socket.destroy()));
    expect(await identifyOllama(url, options)).toMatchObject({ ok: false, failure: 'not-http' });
  });

  it('reports a refused connection as unreachable', async () => {
    const identity = await identifyOllama(`http://${LOOPBACK}:${await freePort()}`, options);
    expect(identity).toMatchObject({ ok: false, failure: 'unreachable' });
  });

  it('does not follow a redirect', async () => {
    const target = await httpServer(OLLAMA_ROUTES);
    const url = await listen(
      http.createServer((_req, res) => {
        res.writeHead(302, { Location: target });
        res.end();
      }),
    );
    expect(await identifyOllama(url, options)).toMatchObject({ ok: false, failure: 'not-ollama' });
  });

  it('stops at once when aborted during a tarpit, with the signal reason', async () => {
    const url = await listen(net.createServer(() => {}));
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('cancelled')), 100);
    const started = Date.now();
    await expect(identifyOllama(url, { timeoutMs: 10_000, signal: controller.signal })).rejects.toThrow('cancelled');
    expect(Date.now() - started).toBeLessThan(1000);
  });
});

describe('identifying with an injected HTTP client', () => {
  const answer = (status: number, body: string, contentType = 'application/json'): HttpResponse => ({
    status,
    contentType,
    body: Buffer.from(body),
  });

  it('reports "unknown" for an Ollama too old to have /api/version', async () => {
    const identity = await identifyOllama('http://10.0.0.2:11434', { timeoutMs: 100 }, async (url) =>
      url.endsWith('/') ? answer(200, 'Ollama is running', 'text/plain') : answer(404, '404 page not found', 'text/plain'),
    );
    expect(identity).toEqual({ ok: true, version: 'unknown' });
  });

  it('does not take a server with /api/version but no model list for Ollama', async () => {
    const identity: Identity = await identifyOllama('http://10.0.0.2:11434', { timeoutMs: 100 }, async (url) => {
      if (url.endsWith('/api/version')) return answer(200, '{"version":"1.0"}');
      if (url.endsWith('/api/tags')) return answer(200, '{"tags":[]}');
      return answer(404, 'not found', 'text/plain');
    });
    expect(identity).toMatchObject({ ok: false, failure: 'not-ollama' });
  });

  it('does not speak https, and says how to name the server instead', async () => {
    const identity = await identifyOllama('https://10.0.0.2:443', { timeoutMs: 100 }, async () => {
      throw new Error('must not be called');
    });
    expect(identity).toMatchObject({ ok: false, failure: 'unsupported' });
  });
});
