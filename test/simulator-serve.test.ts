// serve.ts as the network-lab tests use it: bundled by esbuild into one file, run as its own
// process, announcing its URL on stdout and exiting on SIGTERM.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseModelsFile } from '../main/simulator/models-file.js';
import { parseServeArgs, ServeUsageError } from '../main/simulator/serve-args.js';
import { getJson, rawRequest } from './helpers/raw-http.js';
import { simulatedModel } from './helpers/ollama-doubles.js';

let workDir = '';
let bundle = '';
const children: ChildProcessWithoutNullStreams[] = [];

beforeAll(async () => {
  workDir = await mkdtemp(path.join(tmpdir(), 'ollama-double-'));
  bundle = path.join(workDir, 'simulator.cjs');
  // As scripts/build.mjs builds dist/simulator.cjs.
  await build({ entryPoints: ['main/simulator/serve.ts'], bundle: true, platform: 'node', target: 'node20', format: 'cjs', outfile: bundle, logLevel: 'silent' });
});

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

function serve(args: string[]): ChildProcessWithoutNullStreams {
  const child = spawn(process.execPath, [bundle, ...args]);
  children.push(child);
  return child;
}

function firstLine(child: ChildProcessWithoutNullStreams): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      text += chunk;
      const newline = text.indexOf('\n');
      if (newline !== -1) resolve(text.slice(0, newline));
    });
    child.once('exit', (code) => reject(new Error(`serve exited with ${code} before listening`)));
  });
}

function exitOf(child: ChildProcessWithoutNullStreams): Promise<{ code: number | null; stderr: string }> {
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    stderr += chunk;
  });
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stderr })));
}

describe('serve.js, bundled', () => {
  it('serves a demo fleet on 127.0.0.1, prints its URL as one JSON line, and exits 0 on SIGTERM', async () => {
    const child = serve(['--fleet', 'mac-m1', '--port', '0', '--version', '0.31.0']);
    const exited = exitOf(child);
    const { url } = JSON.parse(await firstLine(child)) as { url: string };
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(await getJson(`${url}/api/version`)).toEqual({ version: '0.31.0' });
    const { models } = await getJson<{ models: Array<{ name: string }> }>(`${url}/api/tags`);
    expect(models.map((model) => model.name)).toContain('llama3.2:1b');
    child.kill('SIGTERM');
    expect((await exited).code).toBe(0);
  });

  it('serves models from a JSON file with server faults applied', async () => {
    const file = path.join(workDir, 'models.json');
    await writeFile(file, JSON.stringify({ models: [simulatedModel({ name: 'only:latest' })], loaded: ['only:latest'] }));
    const child = serve(['--models-json', file, '--port', '0', '--fault', 'duplicate-names']);
    const { url } = JSON.parse(await firstLine(child)) as { url: string };
    const { models } = await getJson<{ models: Array<{ name: string }> }>(`${url}/api/tags`);
    expect(models.map((model) => model.name)).toEqual(['only:latest', 'only:latest']);
    expect((await rawRequest(`${url}/api/ps`)).body).toContain('"name":"only:latest"');
  });

  it('exits 2 with usage on bad arguments', async () => {
    const { code, stderr } = await exitOf(serve(['--fleet', 'mac-m1', '--fault', 'gremlins']));
    expect(code).toBe(2);
    expect(stderr).toContain('unknown fault gremlins');
    expect(stderr).toContain('usage:');
  });
});

describe('serve arguments and model files', () => {
  it('defaults to 127.0.0.1:11434', () => {
    expect(parseServeArgs(['--fleet', 'dgx-spark'])).toMatchObject({ host: '127.0.0.1', port: 11434, models: { fleet: 'dgx-spark' }, faults: [] });
  });

  it('wants exactly one source of models', () => {
    expect(() => parseServeArgs([])).toThrow(ServeUsageError);
    expect(() => parseServeArgs(['--fleet', 'a', '--models-json', 'b'])).toThrow(ServeUsageError);
  });

  it('rejects a model file with a mistyped field or an unknown fault', () => {
    expect(() => parseModelsFile(JSON.stringify([{ ...simulatedModel({ name: 'x:1' }), tokensPerSec: 'fast' }]))).toThrow(/tokensPerSec/);
    expect(() => parseModelsFile(JSON.stringify([{ ...simulatedModel({ name: 'x:1' }), fault: 'gremlins' }]))).toThrow(/unknown fault/);
    expect(parseModelsFile(JSON.stringify([{ ...simulatedModel({ name: 'x:1' }), fault: { status: 503 } }])).models[0]?.fault).toEqual({ status: 503 });
  });
});
