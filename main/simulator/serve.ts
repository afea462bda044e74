// A simulated Ollama server as a standalone process, for tests that need one outside their own
// process (network namespaces, other languages): `node serve.js --fleet mac-m1 --port 11434`.
// Imports are static so that esbuild can bundle it into one file.
import { readFile } from 'node:fs/promises';
import { DEMO_FLEET } from './demo-fleet.js';
import { parseModelsFile, type ModelsFile } from './models-file.js';
import { startOllamaDouble } from './ollama-double.js';
import { parseServeArgs, SERVE_USAGE, ServeUsageError, type ServeArgs } from './serve-args.js';

async function loadModels(source: ServeArgs['models']): Promise<ModelsFile> {
  if ('fleet' in source) {
    const server = DEMO_FLEET.find((candidate) => candidate.label === source.fleet);
    if (!server) {
      throw new ServeUsageError(`unknown fleet ${source.fleet}; one of ${DEMO_FLEET.map((candidate) => candidate.label).join(', ')}`);
    }
    return { models: server.models, loaded: [] };
  }
  return parseModelsFile(await readFile(source.file, 'utf8'));
}

async function main(argv: string[]): Promise<void> {
  const args = parseServeArgs(argv);
  const { models, loaded } = await loadModels(args.models);
  const double = await startOllamaDouble({
    host: args.host,
    port: args.port,
    models,
    loaded,
    faults: args.faults,
    ...(args.version === undefined ? {} : { version: args.version }),
  });
  process.stdout.write(`${JSON.stringify({ url: double.url })}\n`);
  const stop = () => {
    void double.close().then(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  const usage = error instanceof ServeUsageError ? `\n${SERVE_USAGE}` : '';
  process.stderr.write(`serve: ${error instanceof Error ? error.message : String(error)}${usage}\n`);
  process.exit(2);
});
