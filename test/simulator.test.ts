// The Ollama test double against its contract: the real server's REST behaviour (ollama-api.md,
// server/routes.go, server/sched.go) and an exact token schedule, checked over real sockets.
import { describe, expect, it } from 'vitest';
import { SOUND_ANSWER } from '../main/simulator/answers.js';
import { getJson, rawRequest, timedStream, type TimedStream } from './helpers/raw-http.js';
import { simulatedModel, useOllamaDoubles } from './helpers/ollama-doubles.js';

const startDouble = useOllamaDoubles();

type Json = Record<string, unknown>;

interface PsModel {
  name: string;
  model: string;
  size: number;
  size_vram: number;
  expires_at: string;
  context_length: number;
  digest: string;
  details: Json;
}

function parsedLines(stream: TimedStream): Json[] {
  return stream.lines.map((line) => JSON.parse(line.text) as Json);
}

function tokenLines(stream: TimedStream) {
  return stream.lines.filter((line) => (JSON.parse(line.text) as Json).done === false);
}

function finalChunk(stream: TimedStream): Json {
  const last = parsedLines(stream).at(-1);
  expect(last?.done).toBe(true);
  return last ?? {};
}

/**
 * Client-side decode rate: the least-squares slope of arrival time over token index, which one
 * late arrival on a busy machine barely moves.
 */
function measuredRate(stream: TimedStream): number {
  const times = tokenLines(stream).map((line) => line.atMs);
  const meanIndex = (times.length - 1) / 2;
  const meanTime = times.reduce((sum, time) => sum + time, 0) / times.length;
  let covariance = 0;
  let variance = 0;
  times.forEach((time, index) => {
    covariance += (index - meanIndex) * (time - meanTime);
    variance += (index - meanIndex) ** 2;
  });
  return 1000 / (covariance / variance);
}

async function loadedNames(url: string): Promise<string[]> {
  return (await getJson<{ models: PsModel[] }>(`${url}/api/ps`)).models.map((model) => model.name);
}

const RFC3339_UTC = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z$/;
const RFC3339_LOCAL = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?(Z|[+-]\d\d:\d\d)$/;

describe('identity', () => {
  it('answers GET and HEAD / with "Ollama is running" as text/plain', async () => {
    const double = await startDouble({ models: [] });
    const get = await rawRequest(`${double.url}/`);
    expect(get.status).toBe(200);
    expect(get.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(get.body).toBe('Ollama is running');
    const head = await rawRequest(`${double.url}/`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers['content-length']).toBe('17');
    expect(head.body).toBe('');
  });

  it('reports its version as a plain JSON object with no trailing newline', async () => {
    const double = await startDouble({ models: [], version: '0.30.1' });
    const reply = await rawRequest(`${double.url}/api/version`);
    expect(reply.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(reply.body).toBe('{"version":"0.30.1"}');
  });

  it('listens on 127.0.0.1 unless told otherwise', async () => {
    const double = await startDouble({ models: [] });
    expect(double.url).toBe(`http://127.0.0.1:${double.port}`);
  });
});

describe('/api/tags', () => {
  it('lists models newest first with Ollama fields, byte sizes and bare 64-hex digests', async () => {
    const double = await startDouble({
      models: [simulatedModel({ name: 'llama3.2:3b' }), simulatedModel({ name: 'qwen3:8b', family: 'qwen3', sizeBytes: 5_225_387_923 })],
    });
    const { models } = await getJson<{ models: Json[] }>(`${double.url}/api/tags`);
    expect(models.map((model) => model.name)).toEqual(['llama3.2:3b', 'qwen3:8b']);
    const [newest, older] = models;
    expect(Object.keys(newest ?? {})).toEqual(['name', 'model', 'modified_at', 'size', 'digest', 'details', 'capabilities']);
    expect(newest?.model).toBe('llama3.2:3b');
    expect(Date.parse(String(newest?.modified_at))).toBeGreaterThan(Date.parse(String(older?.modified_at)));
    expect(String(newest?.modified_at)).toMatch(RFC3339_LOCAL);
    expect(older?.size).toBe(5_225_387_923);
    expect(newest?.digest).toMatch(/^[0-9a-f]{64}$/);
    expect(newest?.details).toEqual({
      parent_model: '',
      format: 'gguf',
      family: 'llama',
      families: ['llama'],
      parameter_size: '3.2B',
      quantization_level: 'Q4_K_M',
      context_length: 131_072,
    });
    expect(newest?.capabilities).toEqual(['completion', 'tools']);
  });

  it('derives the same digest for the same name on every start', async () => {
    const models = [simulatedModel({ name: 'llama3.2:3b' })];
    const first = await getJson<{ models: Json[] }>(`${(await startDouble({ models })).url}/api/tags`);
    const second = await getJson<{ models: Json[] }>(`${(await startDouble({ models })).url}/api/tags`);
    expect(first.models[0]?.digest).toBe(second.models[0]?.digest);
  });

  it('marks cloud models with remote_model and remote_host and a size of a few hundred bytes', async () => {
    const double = await startDouble({
      models: [simulatedModel({ name: 'gpt-oss:120b-cloud', family: 'gptoss', cloud: true, sizeBytes: 384, memoryBytes: 384 })],
    });
    const { models } = await getJson<{ models: Json[] }>(`${double.url}/api/tags`);
    expect(models[0]).toMatchObject({
      name: 'gpt-oss:120b-cloud',
      remote_model: 'gpt-oss:120b',
      remote_host: 'https://ollama.com:443',
      size: 384,
    });
  });

  it('answers {"models":[]} when no model is installed', async () => {
    const double = await startDouble({ models: [] });
    expect((await rawRequest(`${double.url}/api/tags`)).body).toBe('{"models":[]}');
  });

  it('serves names with ANSI escapes and HTML as-is, escaping <, > and & as Go does', async () => {
    const ansi = '\u001b[31mred\u001b[0m:latest';
    const html = '<img src=x onerror=alert(1)>&:latest';
    const double = await startDouble({ models: [simulatedModel({ name: ansi }), simulatedModel({ name: html })] });
    const reply = await rawRequest(`${double.url}/api/tags`);
    expect(reply.body).not.toMatch(/[<>&]/);
    expect(reply.body).toContain('\\u003cimg src=x onerror=alert(1)\\u003e\\u0026:latest');
    expect(reply.body).toContain('\\u001b[31mred');
    const names = (JSON.parse(reply.body) as { models: Json[] }).models.map((model) => model.name);
    expect(names).toEqual([ansi, html]);
    const generated = await timedStream(`${double.url}/api/generate`, { body: { model: ansi, prompt: 'hi', options: { num_predict: 3 } } });
    expect(finalChunk(generated).model).toBe(ansi);
  });
});

describe('/api/show', () => {
  const models = [
    simulatedModel({ name: 'qwen3:8b', family: 'qwen3', parameterCount: 8_190_735_360, contextLength: 40_960, capabilities: ['completion', 'thinking'] }),
    simulatedModel({ name: 'gpt-oss:120b-cloud', family: 'gptoss', cloud: true, sizeBytes: 384 }),
  ];

  it('describes a model: details, GGUF model_info, capabilities and modified_at', async () => {
    const double = await startDouble({ models });
    const reply = await rawRequest(`${double.url}/api/show`, { body: { model: 'qwen3:8b' } });
    expect(reply.status).toBe(200);
    const show = JSON.parse(reply.body) as Json;
    expect(Object.keys(show)).toEqual(['license', 'modelfile', 'parameters', 'template', 'details', 'model_info', 'capabilities', 'modified_at']);
    expect(show.details).toMatchObject({ format: 'gguf', family: 'qwen3', parameter_size: '3.2B', quantization_level: 'Q4_K_M' });
    expect(show.model_info).toMatchObject({
      'general.architecture': 'qwen3',
      'general.parameter_count': 8_190_735_360,
      'qwen3.context_length': 40_960,
      'tokenizer.ggml.tokens': null,
    });
    const keys = Object.keys(show.model_info as Json);
    expect(keys).toEqual([...keys].sort());
    expect(show.capabilities).toEqual(['completion', 'thinking']);
    expect(String(show.modified_at)).toMatch(RFC3339_LOCAL);
    expect(String(show.modelfile)).toContain('# FROM qwen3:8b');
  });

  it('accepts the older "name" field and a name without its tag', async () => {
    const double = await startDouble({ models: [simulatedModel({ name: 'mistral:latest' })] });
    expect((await rawRequest(`${double.url}/api/show`, { body: { name: 'mistral:latest' } })).status).toBe(200);
    expect((await rawRequest(`${double.url}/api/show`, { body: { model: 'mistral' } })).status).toBe(200);
  });

  it('refuses a request naming no model with 400 "model is required"', async () => {
    const double = await startDouble({ models });
    const reply = await rawRequest(`${double.url}/api/show`, { body: {} });
    expect(reply.status).toBe(400);
    expect(reply.body).toBe('{"error":"model is required"}');
    const empty = await rawRequest(`${double.url}/api/show`, { method: 'POST' });
    expect(empty.body).toBe('{"error":"missing request body"}');
  });

  it('answers 404 naming the missing model with its tag filled in', async () => {
    const double = await startDouble({ models });
    const reply = await rawRequest(`${double.url}/api/show`, { body: { model: 'foo' } });
    expect(reply.status).toBe(404);
    expect(reply.body).toBe(`{"error":"model 'foo:latest' not found"}`);
  });

  it('gives cloud models remote fields and an almost empty model_info', async () => {
    const double = await startDouble({ models });
    const show = JSON.parse((await rawRequest(`${double.url}/api/show`, { body: { model: 'gpt-oss:120b-cloud' } })).body) as Json;
    expect(show).toMatchObject({ remote_model: 'gpt-oss:120b', remote_host: 'https://ollama.com:443' });
    expect(Object.keys(show.model_info as Json)).toEqual(['general.architecture', 'gptoss.context_length']);
  });
});

describe('/api/generate', () => {
  it('streams NDJSON chunks that concatenate to the answer, then a final chunk of integer-nanosecond figures', async () => {
    const model = simulatedModel({ name: 'llama3.2:3b', tokensPerSec: 4000, ttftMs: 30 });
    const double = await startDouble({ models: [model], loaded: ['llama3.2:3b'] });
    const stream = await timedStream(`${double.url}/api/generate`, { body: { model: 'llama3.2:3b', prompt: 'Who are you?' } });
    expect(stream.status).toBe(200);
    expect(stream.headers['content-type']).toBe('application/x-ndjson');
    const chunks = parsedLines(stream);
    const tokens = chunks.slice(0, -1);
    for (const chunk of tokens) {
      expect(Object.keys(chunk)).toEqual(['model', 'created_at', 'response', 'done']);
      expect(chunk.model).toBe('llama3.2:3b');
      expect(String(chunk.created_at)).toMatch(RFC3339_UTC);
    }
    expect(tokens.map((chunk) => chunk.response).join('')).toBe(SOUND_ANSWER);
    const final = finalChunk(stream);
    expect(Object.keys(final)).toEqual([
      'model', 'created_at', 'response', 'done', 'done_reason', 'context',
      'total_duration', 'load_duration', 'prompt_eval_count', 'prompt_eval_duration', 'eval_count', 'eval_duration',
    ]);
    expect(final.done_reason).toBe('stop');
    expect(final.eval_count).toBe(tokens.length);
    const numbers = ['total_duration', 'load_duration', 'prompt_eval_count', 'prompt_eval_duration', 'eval_count', 'eval_duration'];
    for (const key of numbers) expect(Number.isInteger(final[key])).toBe(true);
    expect(final.prompt_eval_duration).toBe(30_000_000);
    expect(((final.eval_count as number) / (final.eval_duration as number)) * 1e9).toBeCloseTo(4000, 6);
    const parts = (final.load_duration as number) + (final.prompt_eval_duration as number) + (final.eval_duration as number);
    expect(final.total_duration as number).toBeGreaterThanOrEqual(parts - 1e6);
    expect(final.total_duration as number).toBeLessThan(parts + 30e6);
    expect((final.context as number[]).length).toBe((final.prompt_eval_count as number) + (final.eval_count as number));
  });

  it('stops at num_predict with done_reason "length"', async () => {
    const double = await startDouble({ models: [simulatedModel({ name: 'llama3.2:3b' })] });
    const stream = await timedStream(`${double.url}/api/generate`, { body: { model: 'llama3.2:3b', prompt: 'hi', options: { num_predict: 7 } } });
    const final = finalChunk(stream);
    expect(tokenLines(stream)).toHaveLength(7);
    expect(final).toMatchObject({ done_reason: 'length', eval_count: 7 });
  });

  it('says "stop" when the answer ends before num_predict, and omits zero figures', async () => {
    const double = await startDouble({ models: [simulatedModel({ name: 'quiet:latest', answer: 'empty' }), simulatedModel({ name: 'terse:latest', answer: 'Yes.' })] });
    const terse = finalChunk(await timedStream(`${double.url}/api/generate`, { body: { model: 'terse', prompt: 'hi', options: { num_predict: 100 } } }));
    expect(terse).toMatchObject({ done_reason: 'stop', eval_count: 2 });
    const quiet = finalChunk(await timedStream(`${double.url}/api/generate`, { body: { model: 'quiet', prompt: 'hi' } }));
    expect(quiet.done_reason).toBe('stop');
    expect(quiet).not.toHaveProperty('eval_count');
    expect(quiet).not.toHaveProperty('eval_duration');
  });

  it('sends nothing, not even the status line, until the first token is due after load and prompt evaluation', async () => {
    const double = await startDouble({ models: [simulatedModel({ name: 'slow:latest', loadMs: 250, ttftMs: 100 })] });
    const stream = await timedStream(`${double.url}/api/generate`, { body: { model: 'slow', prompt: 'hi', options: { num_predict: 3 } } });
    expect(stream.headersAtMs).toBeGreaterThanOrEqual(348);
    expect(stream.lines[0]?.atMs).toBeGreaterThanOrEqual(348);
    expect(stream.headersAtMs).toBeLessThan(450);
  });

  it('reports a cold load in load_duration and only scheduling time when warm; TTFT follows the schedule', async () => {
    const double = await startDouble({ models: [simulatedModel({ name: 'm:latest', loadMs: 200, ttftMs: 60 })] });
    const body = { model: 'm', prompt: 'hi', options: { num_predict: 2 } };
    const cold = await timedStream(`${double.url}/api/generate`, { body });
    const warm = await timedStream(`${double.url}/api/generate`, { body });
    const coldLoadMs = (finalChunk(cold).load_duration as number) / 1e6;
    const warmLoadMs = (finalChunk(warm).load_duration as number) / 1e6;
    expect(coldLoadMs).toBeGreaterThanOrEqual(200);
    expect(coldLoadMs).toBeLessThan(260);
    expect(warmLoadMs).toBeGreaterThan(0);
    expect(warmLoadMs).toBeLessThan(20);
    expect(cold.lines[0]?.atMs).toBeGreaterThanOrEqual(259);
    expect(cold.lines[0]?.atMs).toBeLessThan(340);
    expect(warm.lines[0]?.atMs).toBeGreaterThanOrEqual(59);
    expect(warm.lines[0]?.atMs).toBeLessThan(100);
  });

  it.each([50, 1000])('keeps to the token schedule at %i tok/s, as measured by the client', async (tokensPerSec) => {
    const double = await startDouble({ models: [simulatedModel({ name: 'r:latest', tokensPerSec, answer: 'repetition' })], loaded: ['r'] });
    const numPredict = tokensPerSec === 50 ? 40 : 1000;
    const stream = await timedStream(`${double.url}/api/generate`, { body: { model: 'r', prompt: 'go', options: { num_predict: numPredict } } });
    expect(tokenLines(stream)).toHaveLength(numPredict);
    expect(Math.abs(measuredRate(stream) / tokensPerSec - 1)).toBeLessThan(0.04);
    const final = finalChunk(stream);
    expect(((final.eval_count as number) / (final.eval_duration as number)) * 1e9).toBeCloseTo(tokensPerSec, 6);
  });

  it('writes every token due at one wake-up together, so 20,000 tok/s still arrives on time', async () => {
    const double = await startDouble({ models: [simulatedModel({ name: 'fast:latest', tokensPerSec: 20_000, answer: 'repetition' })], loaded: ['fast'] });
    // A whole second of tokens, so that a stall of the busy machine is a small share of it.
    const stream = await timedStream(`${double.url}/api/generate`, { body: { model: 'fast', prompt: 'go', options: { num_predict: 20_000 } } });
    const tokens = tokenLines(stream);
    expect(tokens).toHaveLength(20_000);
    const arrivals = new Set(tokens.map((line) => line.atMs));
    expect(arrivals.size).toBeLessThan(tokens.length / 4);
    expect(Math.abs(measuredRate(stream) / 20_000 - 1)).toBeLessThan(0.1);
  });

  it('answers stream:false with one JSON object holding the whole response', async () => {
    const double = await startDouble({ models: [simulatedModel({ name: 'llama3.2:3b' })] });
    const reply = await rawRequest(`${double.url}/api/generate`, { body: { model: 'llama3.2:3b', prompt: 'hi', stream: false } });
    expect(reply.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(reply.body.endsWith('}')).toBe(true);
    const whole = JSON.parse(reply.body) as Json;
    expect(whole).toMatchObject({ response: SOUND_ANSWER, done: true, done_reason: 'stop' });
  });

  it('streams a thinking model\'s thinking chunks first, with an empty response, unless think is false', async () => {
    const model = simulatedModel({ name: 'qwen3:4b', capabilities: ['completion', 'thinking'], thinkingTokens: 12 });
    const double = await startDouble({ models: [model] });
    const thinking = parsedLines(await timedStream(`${double.url}/api/generate`, { body: { model: 'qwen3:4b', prompt: 'hi', options: { num_predict: 20 } } }));
    expect(thinking.slice(0, 12).every((chunk) => chunk.response === '' && typeof chunk.thinking === 'string' && chunk.thinking !== '')).toBe(true);
    expect(Object.keys(thinking[0] ?? {})).toEqual(['model', 'created_at', 'response', 'thinking', 'done']);
    expect(thinking.slice(12, 20).every((chunk) => !('thinking' in chunk) && chunk.response !== '')).toBe(true);
    expect(thinking.at(-1)?.eval_count).toBe(20);
    const direct = parsedLines(await timedStream(`${double.url}/api/generate`, { body: { model: 'qwen3:4b', prompt: 'hi', think: false, options: { num_predict: 5 } } }));
    expect(direct.some((chunk) => 'thinking' in chunk)).toBe(false);
  });

  it('refuses think:true on a model that cannot think', async () => {
    const double = await startDouble({ models: [simulatedModel({ name: 'llama3.2:3b' })] });
    const reply = await rawRequest(`${double.url}/api/generate`, { body: { model: 'llama3.2:3b', prompt: 'hi', think: true } });
    expect(reply.status).toBe(400);
    expect(reply.body).toBe('{"error":"\\"llama3.2:3b\\" does not support thinking"}');
  });

  it('refuses to generate with an embedding model, naming it as sent', async () => {
    const double = await startDouble({ models: [simulatedModel({ name: 'nomic-embed-text:latest', capabilities: ['embedding'] })] });
    const reply = await rawRequest(`${double.url}/api/generate`, { body: { model: 'nomic-embed-text', prompt: 'hi' } });
    expect(reply.status).toBe(400);
    expect(reply.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(reply.body).toBe('{"error":"\\"nomic-embed-text\\" does not support generate"}');
    expect(double.loadedModels()).toEqual([]);
  });

  it('answers 404 for an unknown model, echoing the name as sent', async () => {
    const double = await startDouble({ models: [] });
    const reply = await rawRequest(`${double.url}/api/generate`, { body: { model: 'nope', prompt: 'hi' } });
    expect(reply.status).toBe(404);
    expect(reply.body).toBe(`{"error":"model 'nope' not found"}`);
  });

  it('answers 400 to a missing body and to fields of the wrong type, 500 to a mistyped option', async () => {
    const double = await startDouble({ models: [simulatedModel({ name: 'm:latest' })] });
    const missing = await rawRequest(`${double.url}/api/generate`, { method: 'POST' });
    expect([missing.status, missing.body]).toEqual([400, '{"error":"missing request body"}']);
    const mistyped = await rawRequest(`${double.url}/api/generate`, { body: { model: 'm', prompt: 5 } });
    expect(mistyped.status).toBe(400);
    expect(mistyped.body).toContain('cannot unmarshal number into Go struct field GenerateRequest.prompt of type string');
    const option = await rawRequest(`${double.url}/api/generate`, { body: { model: 'm', prompt: 'hi', options: { num_predict: 'lots' } } });
    expect([option.status, option.body]).toEqual([500, '{"error":"option \\"num_predict\\" must be of type integer"}']);
  });

  it('counts and refuses a prompt to a cloud model, which a real server would forward to ollama.com', async () => {
    const double = await startDouble({ models: [simulatedModel({ name: 'gpt-oss:120b-cloud', cloud: true, sizeBytes: 384 })] });
    expect(double.cloudPrompts).toBe(0);
    const reply = await rawRequest(`${double.url}/api/generate`, { body: { model: 'gpt-oss:120b-cloud', prompt: 'hi' } });
    expect(reply.status).toBe(401);
    expect(double.cloudPrompts).toBe(1);
  });

  it('escapes <, > and & inside streamed text', async () => {
    const double = await startDouble({ models: [simulatedModel({ name: 'm:latest', answer: 'Fish & chips <b>hot</b>' })] });
    const reply = await rawRequest(`${double.url}/api/generate`, { body: { model: 'm', prompt: 'hi' } });
    expect(reply.body).not.toMatch(/[<>&]/);
    expect(reply.body).toContain('\\u0026');
    expect(reply.body).toContain('\\u003c');
    const text = reply.body.trim().split('\n').map((line) => (JSON.parse(line) as Json).response).join('');
    expect(text).toBe('Fish & chips <b>hot</b>');
  });
});

describe('keep_alive and /api/ps', () => {
  const models = ['a', 'b', 'c', 'd'].map((name) => simulatedModel({ name: `${name}:latest`, loadMs: 20 }));

  it('loads on an empty prompt with one plain JSON object, and lists the model for five minutes', async () => {
    const double = await startDouble({ models });
    const reply = await rawRequest(`${double.url}/api/generate`, { body: { model: 'a', prompt: '' } });
    expect(reply.headers['content-type']).toBe('application/json; charset=utf-8');
    const load = JSON.parse(reply.body) as Json;
    expect(Object.keys(load)).toEqual(['model', 'created_at', 'response', 'done', 'done_reason']);
    expect(load).toMatchObject({ model: 'a', response: '', done: true, done_reason: 'load' });
    const ps = await getJson<{ models: PsModel[] }>(`${double.url}/api/ps`);
    expect(ps.models).toHaveLength(1);
    const [loaded] = ps.models;
    expect(Object.keys(loaded ?? {})).toEqual(['name', 'model', 'size', 'digest', 'details', 'expires_at', 'size_vram', 'context_length']);
    expect(loaded).toMatchObject({ name: 'a:latest', size: 3_400_000_000, size_vram: 3_400_000_000, context_length: 4096 });
    expect(loaded?.expires_at).toMatch(RFC3339_LOCAL);
    const remainingMs = Date.parse(loaded?.expires_at ?? '') - Date.now();
    expect(remainingMs).toBeGreaterThan(299_000);
    expect(remainingMs).toBeLessThanOrEqual(300_000);
  });

  it('unloads on an empty prompt with keep_alive 0', async () => {
    const double = await startDouble({ models, loaded: ['a'] });
    const reply = await rawRequest(`${double.url}/api/generate`, { body: { model: 'a', prompt: '', keep_alive: 0 } });
    expect(JSON.parse(reply.body)).toMatchObject({ done: true, done_reason: 'unload' });
    expect(await loadedNames(double.url)).toEqual([]);
  });

  it('unloads right after answering a prompt sent with keep_alive 0', async () => {
    const double = await startDouble({ models });
    await timedStream(`${double.url}/api/generate`, { body: { model: 'a', prompt: 'hi', keep_alive: '0', options: { num_predict: 2 } } });
    expect(await loadedNames(double.url)).toEqual([]);
  });

  it('keeps a model for centuries with a negative keep_alive', async () => {
    const double = await startDouble({ models });
    await rawRequest(`${double.url}/api/generate`, { body: { model: 'a', prompt: '', keep_alive: -1 } });
    await rawRequest(`${double.url}/api/generate`, { body: { model: 'b', prompt: '', keep_alive: '-1m' } });
    const ps = await getJson<{ models: PsModel[] }>(`${double.url}/api/ps`);
    for (const model of ps.models) expect(new Date(model.expires_at).getUTCFullYear()).toBeGreaterThan(2200);
  });

  it('expires a model when its keep_alive (a number of seconds, or a Go duration) runs out', async () => {
    const double = await startDouble({ models });
    await rawRequest(`${double.url}/api/generate`, { body: { model: 'a', prompt: '', keep_alive: 0.1 } });
    await rawRequest(`${double.url}/api/generate`, { body: { model: 'b', prompt: '', keep_alive: '700ms' } });
    expect((await loadedNames(double.url)).sort()).toEqual(['a:latest', 'b:latest']);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await loadedNames(double.url)).toEqual(['b:latest']);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await loadedNames(double.url)).toEqual([]);
  });

  it('refuses a keep_alive string without a unit, as Go\'s time.ParseDuration does', async () => {
    const double = await startDouble({ models });
    const reply = await rawRequest(`${double.url}/api/generate`, { body: { model: 'a', prompt: 'hi', keep_alive: '300' } });
    expect(reply.status).toBe(400);
    expect(reply.body).toBe('{"error":"time: missing unit in duration \\"300\\""}');
  });

  it('keeps at most three models, evicting the idle one used longest ago', async () => {
    const double = await startDouble({ models });
    const load = (name: string) => rawRequest(`${double.url}/api/generate`, { body: { model: name, prompt: '' } });
    await load('a');
    await load('b');
    await load('c');
    await load('a');
    await load('d');
    expect((await loadedNames(double.url)).sort()).toEqual(['a:latest', 'c:latest', 'd:latest']);
  });
});

describe('concurrency (OLLAMA_NUM_PARALLEL=1)', () => {
  it('queues a second generate to the same model silently until the first has finished', async () => {
    const model = simulatedModel({ name: 'm:latest', tokensPerSec: 200, ttftMs: 20 });
    const double = await startDouble({ models: [model], loaded: ['m'] });
    const body = { model: 'm', prompt: 'hi', options: { num_predict: 40 } };
    const [first, second] = await Promise.all([
      timedStream(`${double.url}/api/generate`, { body }),
      timedStream(`${double.url}/api/generate`, { body }),
    ]);
    const firstEndMs = first.lines.at(-1)?.atMs ?? 0;
    expect(firstEndMs).toBeGreaterThan(200);
    expect(second.headersAtMs).toBeGreaterThanOrEqual(firstEndMs - 2);
    expect((finalChunk(second).load_duration as number) / 1e6).toBeGreaterThan(firstEndMs - 15);
    expect(double.peakConcurrentGenerates).toBe(1);
    expect(double.peakInFlightGenerates).toBe(2);
  });

  it('runs two loaded models side by side, as a real server does', async () => {
    const models = ['a', 'b'].map((name) => simulatedModel({ name: `${name}:latest`, tokensPerSec: 200 }));
    const double = await startDouble({ models, loaded: ['a', 'b'] });
    await Promise.all(
      ['a', 'b'].map((name) => timedStream(`${double.url}/api/generate`, { body: { model: name, prompt: 'hi', options: { num_predict: 30 } } })),
    );
    expect(double.peakConcurrentGenerates).toBe(2);
  });

  it('reports one generate at a time for a client that waits for each answer', async () => {
    const double = await startDouble({ models: [simulatedModel({ name: 'm:latest' })] });
    for (let run = 0; run < 3; run++) {
      await timedStream(`${double.url}/api/generate`, { body: { model: 'm', prompt: 'hi', options: { num_predict: 5 } } });
    }
    expect(double.peakInFlightGenerates).toBe(1);
    expect(double.peakConcurrentGenerates).toBe(1);
  });
});

describe('routing and access', () => {
  it('answers an unknown path with a plain-text 404', async () => {
    const double = await startDouble({ models: [] });
    const reply = await rawRequest(`${double.url}/api/nothing`);
    expect([reply.status, reply.headers['content-type'], reply.body]).toEqual([404, 'text/plain', '404 page not found']);
  });

  it('answers a known path with the wrong method with 405 and an Allow header', async () => {
    const double = await startDouble({ models: [] });
    const tags = await rawRequest(`${double.url}/api/tags`, { method: 'POST', body: {} });
    expect([tags.status, tags.headers.allow, tags.body]).toEqual([405, 'HEAD, GET', '405 method not allowed']);
    const generate = await rawRequest(`${double.url}/api/generate`);
    expect([generate.status, generate.headers.allow]).toEqual([405, 'POST']);
  });

  it('refuses a request from a foreign Origin with an empty 403, and serves local ones', async () => {
    const double = await startDouble({ models: [] });
    const foreign = await rawRequest(`${double.url}/api/tags`, { headers: { Origin: 'https://evil.example' } });
    expect([foreign.status, foreign.body]).toEqual([403, '']);
    const local = await rawRequest(`${double.url}/api/tags`, { headers: { Origin: 'http://localhost:5173' } });
    expect(local.status).toBe(200);
    expect(local.headers['access-control-allow-origin']).toBe('http://localhost:5173');
  });

  it('refuses a Host header that is not local while bound to loopback (DNS rebinding)', async () => {
    const double = await startDouble({ models: [] });
    expect((await rawRequest(`${double.url}/`, { headers: { Host: 'attacker.example' } })).status).toBe(403);
    expect((await rawRequest(`${double.url}/`, { headers: { Host: 'ollama.local:11434' } })).status).toBe(200);
  });

  it('logs each request with its parsed body, status and times', async () => {
    const double = await startDouble({ models: [simulatedModel({ name: 'm:latest' })] });
    await rawRequest(`${double.url}/api/show?verbose=1`, { body: { model: 'm' } });
    const [entry] = double.requests;
    expect(entry).toMatchObject({ method: 'POST', path: '/api/show', body: { model: 'm' }, status: 200 });
    expect(entry?.endedAt).toBeGreaterThanOrEqual(entry?.startedAt ?? Infinity);
  });
});
