// Issue 5 through the real headless command: hostile names never reach the terminal raw, a killed
// run leaves a report file that parses and holds every finished model (and resumes from it), and
// Ctrl-C ends the command within a second at any stage.
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { Report } from '../main/core/report.js';
import { terminalSafe } from '../main/headless/sanitize.js';
import type { OllamaDouble } from '../main/simulator/ollama-double.js';
import { cleanEnv, interrupt, runHeadless, startHeadless } from './helpers/headless.js';
import { simulatedModel, useOllamaDoubles } from './helpers/ollama-doubles.js';

const startDouble = useOllamaDoubles();

/** Characters a terminal may obey; only tab and newline may reach it raw. */
const TERMINAL_ACTIVE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/u;

async function scratch(): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), 'speedrun-faults-'));
}

/** No OLLAMA_HOST, and a config folder of its own, so no remembered server is ever tried. */
function isolatedEnv(directory: string): NodeJS.ProcessEnv {
  return cleanEnv({ XDG_CONFIG_HOME: path.join(directory, 'config') });
}

async function readReport(file: string): Promise<Report> {
  return JSON.parse(await readFile(file, 'utf8')) as Report;
}

/** A timed run (a prompt with the full num_predict) of `model` is streaming right now. */
function timedRunInFlight(double: OllamaDouble, model: string, maxTokens: number): boolean {
  return double.requests.some((request) => {
    const body = request.body as { model?: string; prompt?: string; options?: { num_predict?: number } } | undefined;
    return request.path === '/api/generate' && request.endedAt === null && body?.model === model && body.prompt !== '' && body.options?.num_predict === maxTokens;
  });
}

function prompted(double: OllamaDouble, from = 0): string[] {
  return double.requests
    .slice(from)
    .filter((request) => request.path === '/api/generate' && (request.body as { prompt?: string }).prompt !== '')
    .map((request) => (request.body as { model: string }).model);
}

/**
 * An Ollama that streams a generation slowly and never answers an unload (`keep_alive: 0`), as a
 * wedged server might. The double cannot serve this: its unload always answers.
 */
const wedged = { streaming: false, unloadsAsked: 0 };
const wedgedServers: http.Server[] = [];
afterEach(async () => {
  for (const server of wedgedServers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

async function serveWedgedOllama(): Promise<string> {
  Object.assign(wedged, { streaming: false, unloadsAsked: 0 });
  const json = (res: http.ServerResponse, value: unknown) => {
    res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify(value));
  };
  const details = { format: 'gguf', family: 'llama', families: ['llama'], parameter_size: '1.0B', quantization_level: 'Q4_K_M' };
  const server = http.createServer((req, res) => {
    const received: Buffer[] = [];
    req.on('data', (piece: Buffer) => received.push(piece));
    req.once('end', () => {
      const body = (received.length > 0 ? JSON.parse(Buffer.concat(received).toString('utf8')) : {}) as { prompt?: string; keep_alive?: unknown };
      switch (req.url) {
        case '/':
          res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
          return res.end('Ollama is running');
        case '/api/version':
          return json(res, { version: '0.30.1' });
        case '/api/tags':
          return json(res, { models: [{ name: 'wedged:1b', model: 'wedged:1b', size: 1e9, digest: 'a'.repeat(64), details, capabilities: ['completion'] }] });
        case '/api/show':
          return json(res, { details, model_info: {}, capabilities: ['completion'] });
        case '/api/ps':
          return json(res, { models: [] });
        case '/api/generate':
          if (body.prompt === '' && body.keep_alive === 0) {
            wedged.unloadsAsked++;
            return;
          }
          if (body.prompt === '') return json(res, { model: 'wedged:1b', response: '', done: true, done_reason: 'load' });
          res.writeHead(200, { 'Content-Type': 'application/x-ndjson' });
          wedged.streaming = true;
          {
            const drip = setInterval(() => res.write(`${JSON.stringify({ model: 'wedged:1b', response: 'x', done: false })}\n`), 50);
            res.once('close', () => clearInterval(drip));
          }
          return;
        default:
          res.writeHead(404);
          res.end();
      }
    });
  });
  wedgedServers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('hostile model names', () => {
  const names = [
    '\u001b[2J\u001b[31mred\u001b[0m:1b',
    '\u001b]0;pwned\u0007title:1b',
    'c1\u009b31mcsi:1b',
    'bidi\u202eevil:1b',
    'bell\u0007back\u0008cr\rnl\nx:1b',
    '<script>alert(1)</script>:1b',
  ];

  it('never reach the terminal raw, and stay exact in the JSON', async () => {
    const directory = await scratch();
    const double = await startDouble({
      models: [
        ...names.map((name) => simulatedModel({ name, tokensPerSec: 400 })),
        // Failures whose reasons carry the name, as the server's error message quotes it.
        simulatedModel({ name: '\u001b[31mmissing\u009b:1b', fault: { status: 404 } }),
        simulatedModel({ name: '\u001b[31mbroken\u202e:1b', fault: { status: 500, json: false } }),
      ],
    });
    const output = path.join(directory, 'report.json');
    const env = isolatedEnv(directory);
    const table = await runHeadless(['--no-scan', '--host', double.url, '--runs', '1', '--max-tokens', '24', '--output', output], env);
    expect(table.code, table.stderr).toBe(0);
    for (const [stream, text] of [['stdout', table.stdout], ['stderr', table.stderr]] as const) {
      expect(TERMINAL_ACTIVE.exec(text), `${stream} holds a raw control character`).toBeNull();
    }
    // Shown, visibly escaped, rather than obeyed or dropped; HTML is plain text in a terminal.
    for (const name of names) expect(table.stdout).toContain(terminalSafe(name));
    expect(table.stdout).toContain('c1\\u{9b}31mcsi:1b');
    expect(table.stdout).toContain('<script>alert(1)</script>:1b');
    expect(table.stdout).toMatch(/failed .*missing.*HTTP 404/);

    const fileText = await readFile(output, 'utf8');
    expect(TERMINAL_ACTIVE.exec(fileText.replaceAll('\n', ''))).toBeNull();
    const report = JSON.parse(fileText) as Report;
    expect(report.results.filter((result) => result.status === 'ok').map((result) => result.model).sort()).toEqual([...names].sort());

    const json = await runHeadless(['--no-scan', '--host', double.url, '--runs', '1', '--max-tokens', '24', '--json'], env);
    expect(json.code, json.stderr).toBe(0);
    expect(TERMINAL_ACTIVE.exec(json.stdout.replaceAll('\n', ''))).toBeNull();
    expect(TERMINAL_ACTIVE.exec(json.stderr.replaceAll('\n', ''))).toBeNull();
    const printed = JSON.parse(json.stdout) as Report;
    expect(printed.results.map((result) => result.model).sort()).toEqual(report.results.map((result) => result.model).sort());
  }, 90_000);
});

describe('a run killed in the middle', () => {
  it('leaves a report file that parses and holds every finished model, and a resumed run measures only the rest', async () => {
    const directory = await scratch();
    const double = await startDouble({
      models: [
        simulatedModel({ name: 'first:1b', tokensPerSec: 2000 }),
        simulatedModel({ name: 'second:1b', tokensPerSec: 1500 }),
        simulatedModel({ name: 'slow:8b', memoryBytes: 6e9, tokensPerSec: 10 }),
      ],
    });
    const output = path.join(directory, 'report.json');
    const env = isolatedEnv(directory);
    const started = startHeadless(['--no-scan', '--host', double.url, '--runs', '1', '--max-tokens', '400', '--output', output], env);
    // The slow model's timed run starts seconds after the second model finished (load, then a
    // 32-token warm-up at 10 tokens a second): by then both finished models are on disk.
    await expect.poll(() => timedRunInFlight(double, 'slow:8b', 400), { timeout: 30_000 }).toBe(true);
    started.child.kill('SIGKILL');
    const killed = await started.done;
    expect(killed.code).toBeNull();
    expect(killed.stderr).toMatch(/first:1b on 127\.0\.0\.1:\d+: /);
    expect(killed.stderr).toMatch(/second:1b on 127\.0\.0\.1:\d+: /);

    const report = await readReport(output);
    expect(report.schemaVersion).toBe(1);
    expect(report.hosts.map((host) => host.url)).toEqual([double.url]);
    expect(report.results.map((result) => [result.model, result.status])).toEqual([
      ['first:1b', 'ok'],
      ['second:1b', 'ok'],
    ]);
    // Written whole and renamed into place: no temporary file is left beside it.
    expect(await readdir(directory)).toEqual(expect.arrayContaining(['report.json']));
    expect((await readdir(directory)).filter((name) => name.endsWith('.tmp'))).toEqual([]);

    const before = double.requests.length;
    const resumed = await runHeadless(['--no-scan', '--host', double.url, '--runs', '1', '--max-tokens', '16', '--resume', output, '--output', output, '--json'], env);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(new Set(prompted(double, before))).toEqual(new Set(['slow:8b']));
    const final = await readReport(output);
    expect(final.results.map((result) => [result.model, result.status])).toEqual([
      ['first:1b', 'ok'],
      ['second:1b', 'ok'],
      ['slow:8b', 'ok'],
    ]);
    expect(final.results[0]?.tokensPerSec).toBe(report.results[0]?.tokensPerSec);
  }, 90_000);
});

describe('a report file that is not a report', () => {
  it('is moved aside with a message, and the run goes on and writes a fresh one', async () => {
    const directory = await scratch();
    const double = await startDouble({ models: [simulatedModel({ name: 'solo:1b' })] });
    const file = path.join(directory, 'report.json');
    await writeFile(file, '{"schemaVersion":1,"results":[{"model":"half-writ');
    const run = await runHeadless(['--no-scan', '--host', double.url, '--runs', '1', '--max-tokens', '16', '--resume', file, '--output', file], isolatedEnv(directory));
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/report\.json is not valid JSON; moved it to .*report\.json\.corrupt-[\dTZ-]+ and starting afresh/);
    const corrupt = (await readdir(directory)).filter((name) => name.startsWith('report.json.corrupt-'));
    expect(corrupt).toHaveLength(1);
    expect(await readFile(path.join(directory, corrupt[0] as string), 'utf8')).toContain('half-writ');
    expect((await readReport(file)).results.map((result) => [result.model, result.status])).toEqual([['solo:1b', 'ok']]);
  }, 30_000);

  it('is refused before the run, not after it, when it cannot be a file at all', async () => {
    const directory = await scratch();
    const double = await startDouble({ models: [simulatedModel({ name: 'solo:1b' })] });
    const run = await runHeadless(['--no-scan', '--host', double.url, '--output', directory], isolatedEnv(directory));
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('cannot use the report file: EISDIR');
    expect(run.stderr).not.toContain('internal error');
    expect(double.requests).toEqual([]);
  }, 30_000);
});

describe('Ctrl-C', () => {
  it('ends the command within a second while a server is still being identified', async () => {
    const directory = await scratch();
    const tarpit = await startDouble({ models: [simulatedModel({ name: 'never:1b' })], faults: ['identity-tarpit'] });
    const output = path.join(directory, 'report.json');
    const started = startHeadless(['--no-scan', '--host', tarpit.url, '--json', '--output', output], isolatedEnv(directory));
    await expect.poll(() => tarpit.requests.length, { timeout: 20_000 }).toBeGreaterThan(0);
    const { run, exitMs } = await interrupt(started);
    expect(exitMs).toBeLessThan(1000);
    expect(run.code).toBe(130);
    expect(run.stderr).not.toContain('internal error');
    const report = JSON.parse(run.stdout) as Report;
    expect(report.results).toEqual([]);
    expect((await readReport(output)).results).toEqual([]);
  }, 30_000);

  it('ends the command within a second even when the server no longer answers the unload', async () => {
    const directory = await scratch();
    const url = await serveWedgedOllama();
    const started = startHeadless(['--no-scan', '--host', url, '--json', '--runs', '1', '--max-tokens', '400'], isolatedEnv(directory));
    await expect.poll(() => wedged.streaming, { timeout: 20_000 }).toBe(true);
    const { run, exitMs } = await interrupt(started);
    expect(exitMs).toBeLessThan(1000);
    expect(run.code).toBe(130);
    expect(wedged.unloadsAsked).toBeGreaterThan(0);
    expect(run.stderr).toMatch(/could not unload wedged:1b \(no answer within [\d.]+ s of the cancel; it may still be loaded\)/);
  }, 30_000);

  it('ends the command within a second while a model sits in a tarpit, keeping what finished', async () => {
    const directory = await scratch();
    const double = await startDouble({ models: [simulatedModel({ name: 'quick:1b' }), simulatedModel({ name: 'stuck:1b', fault: 'tarpit' })] });
    const output = path.join(directory, 'report.json');
    const started = startHeadless(['--no-scan', '--host', double.url, '--json', '--runs', '1', '--max-tokens', '32', '--output', output], isolatedEnv(directory));
    await expect.poll(() => double.requests.some((request) => request.endedAt === null && (request.body as { model?: string } | undefined)?.model === 'stuck:1b'), { timeout: 20_000 }).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const { run, exitMs } = await interrupt(started);
    expect(exitMs).toBeLessThan(1000);
    expect(run.code).toBe(130);
    const expected = [['quick:1b', 'ok']];
    expect((JSON.parse(run.stdout) as Report).results.map((result) => [result.model, result.status])).toEqual(expected);
    expect((await readReport(output)).results.map((result) => [result.model, result.status])).toEqual(expected);
    expect(double.loadedModels()).toEqual([]);
  }, 30_000);
});
