// Issue 5's fault suite: every fault the Ollama double can serve, put to the real runner. For each,
// the run ends in bounded time, the healthy models beside the fault (on the same server and on
// another one) are measured at their true rate, and what failed says why.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { SpeedrunEvent } from '../main/core/events.js';
import { timedRun } from '../main/core/benchmark/run.js';
import { OllamaClient, OllamaError } from '../main/core/ollama/client.js';
import type { ModelResult, Report } from '../main/core/report.js';
import type { ModelFault, ServerFault, SimulatedModel } from '../main/simulator/ollama-double.js';
import { simulatedModel, useOllamaDoubles } from './helpers/ollama-doubles.js';
import { namedHostsOptions, runCore } from './helpers/speedrun.js';

const startDouble = useOllamaDoubles();

/** The healthy models' true decode rates, which the double reports to the nanosecond. */
const SAME_SERVER_RATE = 300;
const OTHER_SERVER_RATE = 150;
/** Budget per model where a fault would otherwise use the default 300 s. */
const SHORT_BUDGET_MS = 2000;
/** However busy the machine, a run over these few models ends well within this. */
const RUN_BOUND_MS = 45_000;

interface FaultRun {
  report: Report;
  events: SpeedrunEvent[];
  elapsedMs: number;
  faultyUrl: string;
  otherUrl: string;
  faultyLoaded: () => string[];
}

/**
 * One server with the faulty model (or server fault) beside a healthy model, and a second, healthy
 * server, measured together as one run.
 */
async function runBeside(options: { bad?: SimulatedModel; faults?: ServerFault[]; modelTimeoutMs?: number; loaded?: string[] }): Promise<FaultRun> {
  const faulty = await startDouble({
    models: [...(options.bad ? [options.bad] : []), simulatedModel({ name: 'healthy-same:1b', tokensPerSec: SAME_SERVER_RATE })],
    faults: options.faults ?? [],
    loaded: options.loaded ?? [],
  });
  const other = await startDouble({ models: [simulatedModel({ name: 'healthy-other:1b', tokensPerSec: OTHER_SERVER_RATE })] });
  const startedAt = performance.now();
  const { report, events } = await runCore(
    namedHostsOptions([faulty.url, other.url], { benchmark: { maxTokens: 48, runs: 1, modelTimeoutMs: options.modelTimeoutMs ?? 30_000 } }),
  );
  return { report, events, elapsedMs: performance.now() - startedAt, faultyUrl: faulty.url, otherUrl: other.url, faultyLoaded: () => faulty.loadedModels() };
}

function resultOf(report: Report, model: string): ModelResult {
  const found = report.results.find((result) => result.model === model);
  if (!found) throw new Error(`no result for ${JSON.stringify(model)}: ${JSON.stringify(report.results.map((result) => result.model))}`);
  return found;
}

function expectMeasured(report: Report, model: string, truth: number): void {
  const result = resultOf(report, model);
  expect(result.status, `${model}: ${result.reason}`).toBe('ok');
  expect(Math.abs((result.tokensPerSec ?? 0) / truth - 1), model).toBeLessThan(0.05);
  expect(result.measurement?.runs.every((run) => run.tokensPerSecSource === 'server'), model).toBe(true);
}

/** The healthy model beside the fault and the one on the other server were both measured right. */
function expectOthersMeasured(run: FaultRun, options: { sameServer?: boolean } = {}): void {
  if (options.sameServer !== false) expectMeasured(run.report, 'healthy-same:1b', SAME_SERVER_RATE);
  expectMeasured(run.report, 'healthy-other:1b', OTHER_SERVER_RATE);
  expect(run.elapsedMs).toBeLessThan(RUN_BOUND_MS);
}

function eventsOf<T extends SpeedrunEvent['type']>(events: SpeedrunEvent[], type: T): Extract<SpeedrunEvent, { type: T }>[] {
  return events.filter((event): event is Extract<SpeedrunEvent, { type: T }> => event.type === type);
}

describe('a model whose stream misbehaves fails with its reason, and the rest is measured', () => {
  const cases: { fault: ModelFault; what: string; reason: RegExp; tokensPerSec?: number; budgetMs?: number }[] = [
    { fault: 'malformed-json', what: 'a line that is not JSON', reason: /^malformed JSON from \/api\/generate: "/ },
    { fault: 'no-done', what: 'a stream that ends with no done chunk', reason: /^the stream ended without a final \(done\) chunk$/ },
    { fault: 'error-mid-stream', what: '{"error"} mid-stream', reason: /^server error mid-stream: model runner has unexpectedly stopped/ },
    { fault: 'html-200', what: 'a 200 with an HTML body', reason: /^\/api\/generate did not answer JSON \(text\/html\)$/ },
    { fault: 'huge-line', what: 'a line of 10 MB', reason: /\/api\/generate sent a line longer than 4194304 bytes$/ },
    { fault: 'reset', what: 'a reset in the middle of the stream', reason: /\/api\/generate was reset \(ECONNRESET\)|\/api\/generate closed the stream early/ },
    { fault: 'tarpit', what: 'a request accepted and never answered', reason: /^did not finish within the per-model budget of 2 s$/, budgetMs: SHORT_BUDGET_MS },
    {
      fault: 'endless',
      what: 'a stream that trickles tokens and never ends',
      reason: /^did not finish within the per-model budget of 2 s$/,
      tokensPerSec: 20,
      budgetMs: SHORT_BUDGET_MS,
    },
    {
      fault: 'endless',
      what: 'a stream that floods tokens and never ends',
      reason: /^the server streamed past num_predict 32 \(\d+ chunks, \d+ characters\) and was cut off$/,
      tokensPerSec: 20_000,
    },
  ];

  it.each(cases)('$fault: $what', async ({ fault, reason, tokensPerSec, budgetMs }) => {
    const run = await runBeside({ bad: simulatedModel({ name: 'faulty:1b', fault, tokensPerSec: tokensPerSec ?? 200 }), modelTimeoutMs: budgetMs });
    const failed = resultOf(run.report, 'faulty:1b');
    expect(failed.status).toBe('failed');
    expect(failed.reason).toMatch(reason);
    expectOthersMeasured(run);
    // What the run loaded is unloaded again, the failed model included.
    expect(run.faultyLoaded()).toEqual([]);
  }, 60_000);

  it('the flood is cut off long before the budget would end it', async () => {
    const run = await runBeside({ bad: simulatedModel({ name: 'faulty:1b', fault: 'endless', tokensPerSec: 20_000 }), modelTimeoutMs: 120_000 });
    expect(resultOf(run.report, 'faulty:1b').reason).toContain('streamed past num_predict');
    expect(run.elapsedMs).toBeLessThan(60_000);
  }, 90_000);
});

describe('a model refused with an HTTP status fails with the status and the message', () => {
  const messages = {
    400: 'invalid model name',
    403: 'remote model is unavailable',
    404: 'model "faulty:1b" not found, try pulling it first',
    405: '405 method not allowed',
    500: 'llama runner process has terminated: exit status 2',
    503: 'server busy, please try again.  maximum pending requests exceeded',
  } as const;
  const cases = Object.entries(messages).flatMap(([status, message]) =>
    [true, false].map((json) => ({ status: Number(status) as keyof typeof messages, json, message, body: json ? 'JSON' : 'plain text' })),
  );

  it.each(cases)('HTTP $status with a $body body', async ({ status, json, message }) => {
    const run = await runBeside({ bad: simulatedModel({ name: 'faulty:1b', fault: { status, json } }) });
    expect(resultOf(run.report, 'faulty:1b')).toMatchObject({ status: 'failed', reason: `/api/generate: HTTP ${status}: ${message}` });
    expectOthersMeasured(run);
  });
});

describe('impossible figures', () => {
  it('refuses a model listed with a size of 10^18, by name, and measures the rest', async () => {
    const run = await runBeside({ bad: simulatedModel({ name: 'faulty:1b', fault: 'absurd-numbers' }) });
    expect(resultOf(run.report, 'faulty:1b')).toMatchObject({ status: 'failed', reason: expect.stringMatching(/listing of it is invalid \(\/api\/tags entry 0: size: /) });
    expectOthersMeasured(run);
  });

  it('uses the client clock when the final chunk says one token in zero time, and names each impossible figure', async () => {
    const double = await startDouble({ models: [simulatedModel({ name: 'liar:1b', fault: 'absurd-numbers', tokensPerSec: 100 })] });
    const sample = await timedRun(
      new OllamaClient(double.url),
      { model: 'liar:1b', prompt: 'hi', maxTokens: 40, seed: 42, keepAlive: '10m', firstByteTimeoutMs: 10_000, live: false },
      () => performance.now(),
      () => {},
      new AbortController().signal,
    );
    expect(sample.tokensPerSecSource).toBe('client');
    expect(Number.isFinite(sample.tokensPerSec)).toBe(true);
    // 40 tokens over 400 ms, timed on this machine's clock: within a factor of two, however busy.
    expect(sample.tokensPerSec).toBeGreaterThan(50);
    expect(sample.tokensPerSec).toBeLessThan(200);
    expect(sample.note).toBe('server eval_count 1 is too small for a rate; client clock used');
    expect(sample.serverNotes).toEqual(['server reported an impossible load_duration (1000000000000000000); ignored']);
    expect(sample.server.loadNs).toBe(0);
    expect(sample.totalTokens).toBe(40);
  });

  it('leaves out a loaded model whose /api/ps entry has a negative size, as if it were not loaded', async () => {
    const double = await startDouble({
      models: [simulatedModel({ name: 'liar:1b', fault: 'absurd-numbers' }), simulatedModel({ name: 'honest:1b' })],
      loaded: ['liar:1b', 'honest:1b'],
    });
    const running = await new OllamaClient(double.url).ps();
    expect(running.map((model) => model.name)).toEqual(['honest:1b']);
    expect(running[0]?.size).toBe(3_400_000_000);
  });
});

describe('a server that misbehaves as a whole is reported, and the others are measured', () => {
  it('refuses a 100 MB /api/tags at its cap and lists the server as failed', async () => {
    const run = await runBeside({ faults: ['tags-huge-body'] });
    expect(eventsOf(run.events, 'host-failed')).toEqual([{ type: 'host-failed', url: run.faultyUrl, reason: `${run.faultyUrl}/api/tags sent more than 8388608 bytes` }]);
    expect(run.report.results.filter((result) => result.host === run.faultyUrl)).toEqual([]);
    expectOthersMeasured(run, { sameServer: false });
  });

  it('lists a server whose /api/tags is cut off mid-JSON as failed', async () => {
    const run = await runBeside({ faults: ['tags-malformed'] });
    expect(eventsOf(run.events, 'host-failed')).toEqual([{ type: 'host-failed', url: run.faultyUrl, reason: '/api/tags did not answer JSON (application/json)' }]);
    expectOthersMeasured(run, { sameServer: false });
  });

  it('measures every model of a server whose /api/ps blocks, without memory figures, and asks it once', async () => {
    const run = await runBeside({ bad: simulatedModel({ name: 'second:1b', tokensPerSec: 250 }), faults: ['ps-blocks'] });
    expectOthersMeasured(run);
    expectMeasured(run.report, 'second:1b', 250);
    for (const model of ['healthy-same:1b', 'second:1b']) {
      const result = resultOf(run.report, model);
      expect(result.memoryBytes).toBeNull();
      expect(result.notes).toContain('memory use not measured: the server did not answer /api/ps');
    }
    expect(resultOf(run.report, 'healthy-other:1b').memoryBytes).toBe(3_400_000_000);
    expect(eventsOf(run.events, 'warning').map((event) => event.message)).toEqual([
      `${run.faultyUrl}: cannot read /api/ps (${run.faultyUrl}/api/ps did not answer within 10000 ms); models it had loaded may not be restored`,
    ]);
    expect(run.faultyLoaded()).toEqual([]);
  }, 60_000);

  it('measures a model listed twice under one name once, and says so', async () => {
    const run = await runBeside({ bad: simulatedModel({ name: 'twice:1b', tokensPerSec: 250 }), faults: ['duplicate-names'] });
    expectOthersMeasured(run);
    expectMeasured(run.report, 'twice:1b', 250);
    expect(run.report.results.filter((result) => result.model === 'twice:1b')).toHaveLength(1);
    expect(run.report.results.filter((result) => result.model === 'healthy-same:1b')).toHaveLength(1);
    expect(eventsOf(run.events, 'warning').map((event) => event.message)).toEqual([
      `${run.faultyUrl}: twice:1b is listed twice by /api/tags; measuring it once`,
      `${run.faultyUrl}: healthy-same:1b is listed twice by /api/tags; measuring it once`,
    ]);
  });

  const rejections: { fault: ServerFault; reason: RegExp }[] = [
    { fault: 'identity-tarpit', reason: /accepted the connection but sent no answer within 2000 ms/ },
    { fault: 'not-ollama', reason: /is not an Ollama server: GET \/ answered 200 text\/html instead of "Ollama is running"/ },
    { fault: 'forbidden', reason: /answered 403 Forbidden: a web server refusing access, not an Ollama server/ },
  ];
  it.each(rejections)('does not take a server that fails its identity check ($fault) for Ollama', async ({ fault, reason }) => {
    const run = await runBeside({ faults: [fault] });
    const rejected = eventsOf(run.events, 'host-rejected');
    expect(rejected).toHaveLength(1);
    expect(rejected[0]?.url).toBe(run.faultyUrl);
    expect(rejected[0]?.reason).toMatch(reason);
    expect(run.report.hosts.map((host) => host.url)).toEqual([run.otherUrl]);
    expectOthersMeasured(run, { sameServer: false });
  });
});

describe('untrusted names', () => {
  it('keeps names with escape sequences and HTML as data, and measures them like any other', async () => {
    const names = ['\u001b[2J\u001b[31mred\u001b[0m:1b', '<img src=x onerror=alert(1)>:1b', '\u001b]0;pwned\u0007title:1b'];
    const run = await runBeside({ bad: simulatedModel({ name: names[0] as string, tokensPerSec: 250 }) });
    expectMeasured(run.report, names[0] as string, 250);
    expectOthersMeasured(run);
    const double = await startDouble({ models: names.map((name) => simulatedModel({ name, tokensPerSec: 250 })) });
    const { report } = await runCore(namedHostsOptions([double.url]));
    for (const name of names) expectMeasured(report, name, 250);
  });
});

describe('a server that floods text past num_predict', () => {
  const servers: http.Server[] = [];
  afterEach(async () => {
    for (const server of servers.splice(0)) {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('is cut off by the text it sent, without holding it all', async () => {
    // Chunks of 900 kB of text each, without end: within the line cap, far past any answer.
    const slab = JSON.stringify({ response: 'x'.repeat(900_000), done: false }) + '\n';
    const server = http.createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/x-ndjson' });
      const pump = () => {
        while (!res.destroyed && res.write(slab));
        if (!res.destroyed) res.once('drain', pump);
      };
      pump();
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const outcome = await timedRun(
      new OllamaClient(url),
      { model: 'flood:1b', prompt: 'hi', maxTokens: 40, seed: 42, keepAlive: '10m', firstByteTimeoutMs: 10_000, live: false },
      () => performance.now(),
      () => {},
      AbortSignal.timeout(30_000),
    ).catch((error: unknown) => error);
    expect(outcome).toBeInstanceOf(OllamaError);
    expect((outcome as OllamaError).message).toMatch(/^the server streamed past num_predict 40 \(\d+ chunks, \d+ characters\) and was cut off$/);
  });
});
