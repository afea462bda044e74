// Property-based tests of the two layers every byte from the network passes: the NDJSON line
// splitter (on its own, and through a real socket) and the schema layer behind the client. Whatever
// arrives, lines come out exactly or the stream is refused, and parsed values are well-typed,
// finite and non-negative, or the failure is an OllamaError with a reason.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { timedRun } from '../main/core/benchmark/run.js';
import { toRegistryEntry } from '../main/core/enumerate.js';
import { LineSplitter, LineTooLongError } from '../main/core/ollama/lines.js';
import { HttpError, streamLines } from '../main/core/ollama/http.js';
import { OllamaClient, OllamaError } from '../main/core/ollama/client.js';
import type { ShowResponse, TagModel } from '../main/core/ollama/schemas.js';

// ---------------------------------------------------------------------------------------------
// The line splitter

/** One character of a line: any code point but a newline, with whitespace and JSON punctuation often. */
const lineCharacter = fc.oneof(
  { weight: 1, arbitrary: fc.constantFrom(' ', '\r', '\t', '\u00a0', '{', '}', '"', ':') },
  { weight: 4, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }).filter((char) => char !== '\n') },
);

interface SplitCase {
  lines: string[];
  trailingNewline: boolean;
  maxLineBytes: number;
  /** The body as code points, and where it is cut into chunks (indexes into that array). */
  codePoints: string[];
  cuts: number[];
}

const splitCase: fc.Arbitrary<SplitCase> = fc
  .record({
    lines: fc.array(fc.array(lineCharacter, { maxLength: 40 }).map((chars) => chars.join('')), { maxLength: 12 }),
    trailingNewline: fc.boolean(),
    maxLineBytes: fc.integer({ min: 1, max: 120 }),
  })
  .chain(({ lines, trailingNewline, maxLineBytes }) => {
    const codePoints = [...(lines.join('\n') + (trailingNewline && lines.length > 0 ? '\n' : ''))];
    return fc
      .uniqueArray(fc.integer({ min: 1, max: Math.max(1, codePoints.length - 1) }), { maxLength: Math.max(0, codePoints.length - 1) })
      .map((cuts) => ({ lines, trailingNewline, maxLineBytes, codePoints, cuts: cuts.filter((cut) => cut < codePoints.length).sort((a, b) => a - b) }));
  });

function chunksOf({ codePoints, cuts }: SplitCase): { text: string; start: number }[] {
  const bounds = [0, ...cuts, codePoints.length];
  const chunks: { text: string; start: number }[] = [];
  for (let i = 0; i + 1 < bounds.length; i++) {
    const start = bounds[i] as number;
    const end = bounds[i + 1] as number;
    if (end > start) chunks.push({ text: codePoints.slice(start, end).join(''), start });
  }
  return chunks;
}

interface Expectation {
  /** The lines the splitter must give, in order, up to the first over-long one. */
  lines: { text: string; newlineAt: number }[];
  /** Where (a code point index) the first over-long line crosses the cap; null when none does. */
  overflowAt: number | null;
}

/** What a correct splitter does with a case, worked out character by character. */
function expectationOf(testCase: SplitCase): Expectation {
  const lines: Expectation['lines'] = [];
  let position = 0;
  for (const line of testCase.lines) {
    let bytes = 0;
    const chars = [...line];
    for (const [index, char] of chars.entries()) {
      bytes += Buffer.byteLength(char);
      if (bytes > testCase.maxLineBytes) return { lines, overflowAt: position + index };
    }
    position += chars.length;
    // The line ends at its newline, or (the last one, without a newline) at the end of the body.
    if (line.trim()) lines.push({ text: line.trim(), newlineAt: position });
    position += 1;
  }
  return { lines, overflowAt: null };
}

describe('LineSplitter', () => {
  it('gives exactly the trimmed non-empty lines, however the body is cut into chunks', () => {
    fc.assert(
      fc.property(splitCase, (testCase) => {
        const expected = expectationOf(testCase);
        fc.pre(expected.overflowAt === null);
        const splitter = new LineSplitter(testCase.maxLineBytes);
        const got = chunksOf(testCase).flatMap((chunk) => splitter.push(chunk.text));
        got.push(...splitter.end());
        expect(got).toEqual(expected.lines.map((line) => line.text));
      }),
      { numRuns: 500 },
    );
  });

  it('refuses a line over the cap in the very chunk that takes it over, having given only the lines before it', () => {
    fc.assert(
      fc.property(splitCase, (testCase) => {
        const expected = expectationOf(testCase);
        fc.pre(expected.overflowAt !== null);
        const overflowAt = expected.overflowAt as number;
        const splitter = new LineSplitter(testCase.maxLineBytes);
        const got: string[] = [];
        let refusedInChunkAt: number | null = null;
        for (const chunk of chunksOf(testCase)) {
          try {
            got.push(...splitter.push(chunk.text));
          } catch (error) {
            expect(error).toBeInstanceOf(LineTooLongError);
            refusedInChunkAt = chunk.start;
            break;
          }
        }
        expect(refusedInChunkAt).not.toBeNull();
        const throwingChunk = chunksOf(testCase).find((chunk) => chunk.start === refusedInChunkAt);
        // The chunk that was refused is the one holding the character that crossed the cap.
        expect(overflowAt).toBeGreaterThanOrEqual(refusedInChunkAt as number);
        expect(overflowAt).toBeLessThan((refusedInChunkAt as number) + [...(throwingChunk?.text ?? '')].length);
        // Lines completed in earlier chunks came out; nothing after the over-long line did.
        expect(got).toEqual(expected.lines.filter((line) => line.newlineAt < (refusedInChunkAt as number)).map((line) => line.text));
      }),
      { numRuns: 500 },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// A scripted server: each request is answered with what the current property run set.

interface Script {
  /** Raw bytes of a streamed `/api/generate`, written in these pieces. */
  streamPieces: Buffer[];
  /** Raw JSON text per plain endpoint (`/api/generate`: the answer to `stream: false`). */
  bodies: Record<string, string>;
}

let script: Script = { streamPieces: [], bodies: {} };
let server: http.Server;
let baseUrl = '';

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const received: Buffer[] = [];
    req.on('data', (piece: Buffer) => received.push(piece));
    req.once('end', () => {
      const path = req.url ?? '/';
      if (path === '/api/generate' && asksForStream(Buffer.concat(received))) {
        res.writeHead(200, { 'Content-Type': 'application/x-ndjson' });
        void writePieces(res, script.streamPieces);
        return;
      }
      const body = script.bodies[path];
      if (body === undefined) {
        res.writeHead(404, { 'Content-Type': 'text/plain' });
        res.end('404 page not found');
        return;
      }
      res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8' });
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

/** A generate request streams unless it says `stream: false` (the load and unload requests). */
function asksForStream(body: Buffer): boolean {
  try {
    return (JSON.parse(body.toString('utf8')) as { stream?: unknown }).stream !== false;
  } catch {
    return true;
  }
}

/** Writes each piece separately, yielding to the event loop between them so they leave apart. */
async function writePieces(res: http.ServerResponse, pieces: Buffer[]): Promise<void> {
  for (const piece of pieces) {
    if (res.destroyed) return;
    res.write(piece);
    await new Promise((resolve) => setImmediate(resolve));
  }
  res.end();
}

describe('streamLines through a real socket', () => {
  it('gives exactly the lines however the bytes are split (characters included), and refuses an over-long line', async () => {
    await fc.assert(
      fc.asyncProperty(
        splitCase,
        fc.array(fc.integer({ min: 1, max: 400 }), { maxLength: 30 }),
        async (testCase, byteCuts) => {
          const bytes = Buffer.from(testCase.codePoints.join(''));
          const cuts = [...new Set(byteCuts.filter((cut) => cut < bytes.length))].sort((a, b) => a - b);
          const bounds = [0, ...cuts, bytes.length];
          script = { streamPieces: bounds.slice(0, -1).map((start, i) => bytes.subarray(start, bounds[i + 1])), bodies: {} };
          const expected = expectationOf(testCase);
          const stream = await streamLines(`${baseUrl}/api/generate`, {
            json: {},
            headerTimeoutMs: 5000,
            idleTimeoutMs: 5000,
            maxLineBytes: testCase.maxLineBytes,
            maxErrorBodyBytes: 1000,
          });
          const got: string[] = [];
          let failure: unknown = null;
          try {
            for await (const batch of stream.lineBatches) got.push(...batch);
          } catch (error) {
            failure = error;
          }
          if (expected.overflowAt === null) {
            expect(failure).toBeNull();
            expect(got).toEqual(expected.lines.map((line) => line.text));
          } else {
            expect(failure).toBeInstanceOf(HttpError);
            expect((failure as HttpError).failure).toBe('too-large');
            // Whatever came out before the refusal is a prefix of the lines before the long one.
            expect(expected.lines.map((line) => line.text).slice(0, got.length)).toEqual(got);
          }
        },
      ),
      { numRuns: 60 },
    );
  }, 60_000);
});

// ---------------------------------------------------------------------------------------------
// The schema layer

/** Numbers as raw JSON text, so values JSON.stringify cannot write (1e400 parses to Infinity, -0) are sent too. */
const RAW = '\u0000raw:';
const raw = (arbitrary: fc.Arbitrary<number | bigint | string>) => arbitrary.map((value) => `${RAW}${String(value)}`);
const wildNumber = raw(
  fc.oneof(
    fc.constantFrom('1e400', '-1e400', '-0', '1e18', '1e15', '-1', '0.5', '9007199254740993', '1e-400', '86400000000001'),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.integer(),
    fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }),
  ),
);
/** A byte count, duration or token count a sane server could send. */
const saneNumber = raw(fc.oneof(fc.integer({ min: 0, max: 2 ** 40 }), fc.integer({ min: 0, max: 1000 })));
const number = fc.oneof({ weight: 3, arbitrary: saneNumber }, { weight: 1, arbitrary: wildNumber });

const scalar = fc.oneof(wildNumber, fc.string({ maxLength: 12 }), fc.boolean(), fc.constant(null));
const anyJson = fc.oneof({ weight: 3, arbitrary: scalar }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) });
/** Nearly always the expected type, now and then anything at all. */
const loosely = <T>(arbitrary: fc.Arbitrary<T>) => fc.oneof({ weight: 12, arbitrary }, { weight: 1, arbitrary: anyJson });
const text = loosely(fc.string({ maxLength: 16 }));
const name = loosely(fc.string({ minLength: 1, maxLength: 16 }));
const parameterSize = loosely(
  fc.oneof(fc.constantFrom('8.0B', '137M', '0B', '-5B', '1e400B', `${'9'.repeat(400)}B`, `${'9'.repeat(20)}T`, '7T', ''), fc.string({ maxLength: 8 })),
);

const details = loosely(
  fc.record(
    {
      format: text,
      family: text,
      families: loosely(fc.oneof(fc.constant(null), fc.array(fc.string({ maxLength: 8 }), { maxLength: 3 }))),
      parameter_size: parameterSize,
      quantization_level: text,
    },
    { requiredKeys: [] },
  ),
);
const capabilities = loosely(fc.array(fc.constantFrom('completion', 'thinking', 'embedding'), { maxLength: 3 }));

const tagEntry = fc.record(
  { name, model: text, size: loosely(number), digest: text, details, capabilities, remote_model: text, remote_host: text },
  { requiredKeys: ['name'] },
);
const psEntry = fc.record(
  { name, model: text, size: loosely(number), digest: text, size_vram: loosely(number), context_length: loosely(number), expires_at: text },
  { requiredKeys: ['name'] },
);
const modelList = <T>(entry: fc.Arbitrary<T>) =>
  loosely(fc.record({ models: loosely(fc.array(loosely(entry), { maxLength: 6 })) }, { requiredKeys: [] }));
const modelInfo = loosely(
  fc.dictionary(
    fc.constantFrom('general.architecture', 'general.parameter_count', 'llama.context_length', 'qwen3.context_length', 'other'),
    fc.oneof(number, fc.constantFrom('llama', 'qwen3'), anyJson),
    { maxKeys: 5 },
  ),
);
const showBody = loosely(fc.record({ details, model_info: modelInfo, capabilities, remote_model: text, remote_host: text }, { requiredKeys: [] }));
const versionBody = loosely(fc.record({ version: text }, { requiredKeys: [] }));
const token = fc.record({ response: text, thinking: text, done: fc.constant(false) }, { requiredKeys: ['done'] });
/** A final chunk's figures: plausible ones (a real rate), or any numbers at all. */
const figures = fc.oneof(
  fc.record({
    eval_count: raw(fc.integer({ min: 2, max: 500 })),
    eval_duration: raw(fc.integer({ min: 10_000_000, max: 10_000_000_000 })),
    prompt_eval_count: raw(fc.integer({ min: 0, max: 500 })),
    prompt_eval_duration: raw(fc.integer({ min: 0, max: 10_000_000_000 })),
  }),
  fc.record(
    {
      total_duration: loosely(number),
      load_duration: loosely(number),
      prompt_eval_count: loosely(number),
      prompt_eval_duration: loosely(number),
      eval_count: loosely(number),
      eval_duration: loosely(number),
    },
    { requiredKeys: [] },
  ),
);
const final = fc.tuple(fc.record({ response: text, done: fc.constant(true), done_reason: text }, { requiredKeys: ['done'] }), figures).map(([base, numbers]) => ({ ...base, ...numbers }));
/** A stream: tokens, now and then a line of anything or an error, and usually a final chunk. */
const streamBody = fc.tuple(
  fc.array(fc.oneof({ weight: 20, arbitrary: token }, { weight: 1, arbitrary: anyJson }, { weight: 1, arbitrary: fc.record({ error: fc.string({ maxLength: 12 }) }) }), { maxLength: 8 }),
  fc.option(final, { freq: 8 }),
);

function jsonText(value: unknown): string {
  return JSON.stringify(value).replace(/"\\u0000raw:([^"]*)"/g, (_match, raw: string) => raw);
}

/** Every number anywhere in a value: none may be NaN or infinite. */
function numbersIn(value: unknown, path = 'value'): [string, number][] {
  if (typeof value === 'number') return [[path, value]];
  if (Array.isArray(value)) return value.flatMap((item, index) => numbersIn(item, `${path}[${index}]`));
  if (typeof value === 'object' && value !== null) return Object.entries(value).flatMap(([key, item]) => numbersIn(item, `${path}.${key}`));
  return [];
}

function expectFinite(value: unknown): void {
  for (const [path, number] of numbersIn(value)) expect(Number.isFinite(number), `${path} is ${number}`).toBe(true);
}

function expectByteCount(value: number, what: string): void {
  expect(Number.isSafeInteger(value) && value >= 0 && value <= 1e15, `${what} is ${value}`).toBe(true);
}

function expectCountOrNull(value: number | null, what: string): void {
  if (value !== null) expect(Number.isSafeInteger(value) && value > 0, `${what} is ${value}`).toBe(true);
}

/** The call either answers, or fails with an OllamaError carrying a reason; nothing else. */
async function settle<T>(call: Promise<T>): Promise<T | null> {
  try {
    return await call;
  } catch (error) {
    expect(error).toBeInstanceOf(OllamaError);
    expect((error as OllamaError).message.length).toBeGreaterThan(0);
    return null;
  }
}

const SANE_TAG: TagModel = {
  name: 'sane:1b',
  model: 'sane:1b',
  size: 1,
  digest: '',
  details: { format: '', family: '', families: [], parameter_size: '', quantization_level: '' },
  capabilities: [],
  remote_model: '',
  remote_host: '',
};

describe('the schema layer behind the client', () => {
  it('turns any answer into well-typed, finite, non-negative values or an OllamaError', async () => {
    const client = new OllamaClient(baseUrl);
    // How often each path was taken with a value that passed, so the property is never vacuous.
    const reached = { tags: 0, parameterSizes: 0, ps: 0, shows: 0, loads: 0, samples: 0, serverRates: 0 };
    await fc.assert(
      fc.asyncProperty(modelList(tagEntry), modelList(psEntry), showBody, versionBody, streamBody, loosely(final), async (tags, ps, show, version, stream, whole) => {
        const [lines, last] = stream;
        const streamText = [...lines, ...(last ? [last] : [])].map(jsonText).join('\n');
        script = {
          streamPieces: [Buffer.from(streamText)],
          bodies: { '/api/tags': jsonText(tags), '/api/ps': jsonText(ps), '/api/show': jsonText(show), '/api/version': jsonText(version), '/api/generate': jsonText(whole) },
        };

        const listed = await settle(client.tags());
        const shown: ShowResponse | null = await settle(client.show('sane:1b'));
        reached.tags += listed?.models.length ?? 0;
        reached.parameterSizes += listed?.models.filter((tag) => /\d[KMBT]$/i.test(tag.details.parameter_size)).length ?? 0;
        if (shown) reached.shows++;
        for (const tag of [...(listed?.models ?? []), SANE_TAG]) {
          expect(tag.name.length).toBeGreaterThan(0);
          expectByteCount(tag.size, 'tag size');
          expect(tag.details.families.every((family) => typeof family === 'string')).toBe(true);
          expect(tag.capabilities.every((capability) => typeof capability === 'string')).toBe(true);
          for (const show of [shown, null]) {
            const entry = toRegistryEntry(baseUrl, tag, show);
            expectFinite(entry);
            expectByteCount(entry.sizeBytes, 'sizeBytes');
            expectCountOrNull(entry.parameterCount, 'parameterCount');
            expectCountOrNull(entry.contextLength, 'contextLength');
          }
        }
        for (const rejected of listed?.rejected ?? []) expect(rejected.reason).toMatch(/^\/api\/tags entry \d+: /);

        const running = (await settle(client.ps())) ?? [];
        reached.ps += running.length;
        for (const model of running) {
          expectFinite(model);
          expectByteCount(model.size, 'ps size');
          expectByteCount(model.size_vram, 'ps size_vram');
          expect(Number.isSafeInteger(model.context_length) && model.context_length >= 0).toBe(true);
        }

        const loaded = await settle(client.loadOrUnload('sane:1b', '10m', 5000));
        if (loaded) {
          reached.loads++;
          expectFinite(loaded);
        }

        const versionText = await settle(client.version());
        if (versionText !== null) expect(typeof versionText).toBe('string');

        const sample = await settle(
          timedRun(
            client,
            { model: 'sane:1b', prompt: 'hi', maxTokens: 16, seed: 42, keepAlive: '10m', firstByteTimeoutMs: 5000, live: false },
            () => performance.now(),
            () => {},
            AbortSignal.timeout(10_000),
          ),
        );
        if (sample) {
          reached.samples++;
          if (sample.tokensPerSecSource === 'server') reached.serverRates++;
          expectFinite(sample);
          for (const [field, value] of Object.entries(sample.server)) expect(Number.isSafeInteger(value) && value >= 0, `${field} is ${value}`).toBe(true);
          if (sample.tokensPerSec !== null) expect(sample.tokensPerSec).toBeGreaterThan(0);
          expect(sample.totalTokens).toBeGreaterThanOrEqual(0);
        }
      }),
      { numRuns: 150 },
    );
    for (const [path, count] of Object.entries(reached)) expect(count, path).toBeGreaterThanOrEqual(5);
  }, 120_000);
});
