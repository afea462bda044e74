// Each fault the double can inject does what its name says, so fault-injection tests of the
// client exercise what they claim to.
import http from 'node:http';
import { describe, expect, it } from 'vitest';
import type { ModelFault } from '../main/simulator/ollama-double.js';
import { getJson, rawRequest, timedStream, watchFor } from './helpers/raw-http.js';
import { simulatedModel, useOllamaDoubles } from './helpers/ollama-doubles.js';

const startDouble = useOllamaDoubles();

type Json = Record<string, unknown>;

function parses(line: string): boolean {
  try {
    JSON.parse(line);
    return true;
  } catch {
    return false;
  }
}

async function faultyDouble(fault: ModelFault) {
  return startDouble({ models: [simulatedModel({ name: 'faulty:latest', fault })] });
}

const prompt = { model: 'faulty', prompt: 'hi', options: { num_predict: 20 } };

describe('model faults', () => {
  it('malformed-json: puts a line that is not JSON mid-stream, then carries on to done', async () => {
    const double = await faultyDouble('malformed-json');
    const stream = await timedStream(`${double.url}/api/generate`, { body: prompt });
    const texts = stream.lines.map((line) => line.text);
    const bad = texts.findIndex((text) => !parses(text));
    expect(bad).toBeGreaterThan(0);
    expect(bad).toBeLessThan(texts.length - 1);
    expect(JSON.parse(texts.at(-1) ?? '')).toMatchObject({ done: true });
  });

  it('no-done: ends the stream cleanly without a done chunk', async () => {
    const double = await faultyDouble('no-done');
    const stream = await timedStream(`${double.url}/api/generate`, { body: prompt });
    expect(stream.complete).toBe(true);
    expect(stream.lines).toHaveLength(20);
    expect(stream.lines.every((line) => (JSON.parse(line.text) as Json).done === false)).toBe(true);
  });

  it('error-mid-stream: keeps status 200, sends an error line after some tokens, and ends', async () => {
    const double = await faultyDouble('error-mid-stream');
    const stream = await timedStream(`${double.url}/api/generate`, { body: prompt });
    expect(stream.status).toBe(200);
    const chunks = stream.lines.map((line) => JSON.parse(line.text) as Json);
    expect(chunks.length).toBeGreaterThan(1);
    expect(Object.keys(chunks.at(-1) ?? {})).toEqual(['error']);
    expect(chunks.some((chunk) => chunk.done === true)).toBe(false);
  });

  it('status faults: refuse before streaming, as JSON by default or as plain text', async () => {
    const double = await startDouble({
      models: [
        simulatedModel({ name: 'busy:latest', fault: { status: 503 } }),
        simulatedModel({ name: 'proxied:latest', fault: { status: 500, json: false } }),
      ],
    });
    const busy = await rawRequest(`${double.url}/api/generate`, { body: { model: 'busy', prompt: 'hi' } });
    expect(busy.status).toBe(503);
    expect(JSON.parse(busy.body)).toEqual({ error: 'server busy, please try again.  maximum pending requests exceeded' });
    const proxied = await rawRequest(`${double.url}/api/generate`, { body: { model: 'proxied', prompt: 'hi' } });
    expect(proxied.status).toBe(500);
    expect(proxied.headers['content-type']).toMatch(/^text\/plain/);
  });

  it('html-200: answers 200 with an HTML page', async () => {
    const double = await faultyDouble('html-200');
    const reply = await rawRequest(`${double.url}/api/generate`, { body: prompt });
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toMatch(/^text\/html/);
    expect(reply.body).toContain('<html>');
  });

  it('huge-line: sends one line of more than 10 MB before the tokens', async () => {
    const double = await faultyDouble('huge-line');
    const stream = await timedStream(`${double.url}/api/generate`, { body: prompt });
    expect(stream.lines[0]?.text.length).toBeGreaterThan(10 * 1024 * 1024);
    expect(JSON.parse(stream.lines.at(-1)?.text ?? '')).toMatchObject({ done: true });
  });

  it('endless: trickles tokens and never finishes, freeing the model when the client hangs up', async () => {
    const double = await startDouble({ models: [simulatedModel({ name: 'faulty:latest', fault: 'endless', tokensPerSec: 100 })] });
    const watch = await watchFor(`${double.url}/api/generate`, { body: prompt }, 400);
    expect(watch.status).toBe(200);
    expect(watch.ended).toBe(false);
    expect(watch.lines.length).toBeGreaterThan(20);
    expect(watch.lines.some((line) => (JSON.parse(line) as Json).done === true)).toBe(false);
    const next = await watchFor(`${double.url}/api/generate`, { body: prompt }, 200);
    expect(next.lines.length).toBeGreaterThan(0);
  });

  it('tarpit: accepts the request and never answers', async () => {
    const double = await faultyDouble('tarpit');
    const watch = await watchFor(`${double.url}/api/generate`, { body: prompt }, 300);
    expect(watch.status).toBeNull();
  });

  it('reset: resets the connection after some tokens', async () => {
    const double = await faultyDouble('reset');
    const stream = await timedStream(`${double.url}/api/generate`, { body: prompt });
    expect(stream.status).toBe(200);
    expect(stream.complete).toBe(false);
    expect(stream.lines.some((line) => parses(line.text) && (JSON.parse(line.text) as Json).done === true)).toBe(false);
  });

  it('absurd-numbers: a 10^18 size in tags, a negative one in ps, one token in zero time', async () => {
    const double = await faultyDouble('absurd-numbers');
    const tags = await getJson<{ models: Json[] }>(`${double.url}/api/tags`);
    expect(tags.models[0]?.size).toBe(10 ** 18);
    const stream = await timedStream(`${double.url}/api/generate`, { body: prompt });
    const final = JSON.parse(stream.lines.at(-1)?.text ?? '') as Json;
    expect(final).toMatchObject({ done: true, eval_count: 1, eval_duration: 0 });
    const ps = await getJson<{ models: Json[] }>(`${double.url}/api/ps`);
    expect(ps.models[0]?.size).toBeLessThan(0);
  });
});

describe('server faults', () => {
  const models = [simulatedModel({ name: 'llama3.2:3b' }), simulatedModel({ name: 'qwen3:8b' })];

  it('tags-huge-body: streams a 100 MB /api/tags without a Content-Length', async () => {
    const double = await startDouble({ models, faults: ['tags-huge-body'] });
    const { bytes, headers, head, tail } = await new Promise<{ bytes: number; headers: http.IncomingHttpHeaders; head: string; tail: string }>(
      (resolve, reject) => {
        http.get(`${double.url}/api/tags`, { agent: false }, (res) => {
          let bytes = 0;
          let head = '';
          let tail = '';
          res.on('data', (chunk: Buffer) => {
            bytes += chunk.length;
            if (head.length < 32) head += chunk.toString('utf8', 0, 32);
            tail = chunk.toString('utf8').slice(-8);
          });
          res.once('end', () => resolve({ bytes, headers: res.headers, head, tail }));
        }).once('error', reject);
      },
    );
    expect(headers['content-length']).toBeUndefined();
    expect(bytes).toBeGreaterThanOrEqual(100_000_000);
    expect(head.startsWith('{"models":[{')).toBe(true);
    expect(tail.endsWith(']}')).toBe(true);
  });

  it('tags-malformed: answers /api/tags with JSON cut off mid-entry', async () => {
    const double = await startDouble({ models, faults: ['tags-malformed'] });
    const reply = await rawRequest(`${double.url}/api/tags`);
    expect(reply.status).toBe(200);
    expect(parses(reply.body)).toBe(false);
  });

  it('ps-blocks: never answers /api/ps while everything else works', async () => {
    const double = await startDouble({ models, faults: ['ps-blocks'] });
    expect((await watchFor(`${double.url}/api/ps`, {}, 300)).status).toBeNull();
    expect((await rawRequest(`${double.url}/api/tags`)).status).toBe(200);
  });

  it('duplicate-names: lists every model twice under the same name', async () => {
    const double = await startDouble({ models, faults: ['duplicate-names'] });
    const names = (await getJson<{ models: Json[] }>(`${double.url}/api/tags`)).models.map((model) => model.name);
    expect(names).toEqual(['llama3.2:3b', 'llama3.2:3b', 'qwen3:8b', 'qwen3:8b']);
  });

  it('identity-tarpit: accepts connections and never answers anything', async () => {
    const double = await startDouble({ models, faults: ['identity-tarpit'] });
    expect((await watchFor(`${double.url}/`, {}, 300)).status).toBeNull();
  });

  it('not-ollama: serves a stock web page instead of the Ollama API', async () => {
    const double = await startDouble({ models, faults: ['not-ollama'] });
    const root = await rawRequest(`${double.url}/`);
    expect(root.status).toBe(200);
    expect(root.headers['content-type']).toBe('text/html');
    expect(root.body).not.toContain('Ollama is running');
    expect((await rawRequest(`${double.url}/api/tags`)).status).toBe(404);
  });

  it('forbidden: answers 403 to everything', async () => {
    const double = await startDouble({ models, faults: ['forbidden'] });
    for (const path of ['/', '/api/version', '/api/tags']) expect((await rawRequest(`${double.url}${path}`)).status).toBe(403);
  });

  it('closes promptly even with tarpitted and endless requests open', async () => {
    const double = await startDouble({
      models: [simulatedModel({ name: 'endless:latest', fault: 'endless' }), simulatedModel({ name: 'tarpit:latest', fault: 'tarpit' })],
    });
    const open = [
      watchFor(`${double.url}/api/generate`, { body: { model: 'endless', prompt: 'hi' } }, 5000),
      watchFor(`${double.url}/api/generate`, { body: { model: 'tarpit', prompt: 'hi' } }, 5000),
    ];
    await new Promise((resolve) => setTimeout(resolve, 100));
    const startedAt = performance.now();
    await double.close();
    expect(performance.now() - startedAt).toBeLessThan(500);
    for (const watch of await Promise.all(open)) expect(watch.ended).toBe(true);
  });
});
