// Command-line options of the headless run. Parsing is strict: an unknown option or a bad number
// is a usage error (exit 1) with a message that says which.
import { parseArgs } from 'node:util';

export interface CliOptions {
  hosts: string[];
  scan: boolean;
  subnet: string | null;
  interface: string | null;
  format: OutputFormat;
  maxTokens: number;
  runs: number | 'auto';
  modelGlob: string | null;
  modelTimeoutMs: number;
  scanTimeoutMs: number;
  scanConcurrency: number;
  scanDelayMs: number;
  demo: boolean;
  output: string | null;
  resume: string | null;
  saveResponses: string | null;
  help: boolean;
  version: boolean;
}

/** `table` is the terminal view; the others print the report alone on stdout. */
export const OUTPUT_FORMATS = ['table', 'json', 'markdown', 'csv'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export class UsageError extends Error {
  override name = 'UsageError';
}

export const HELP = `Usage: ollama-speedrun [options]

Finds the Ollama servers you can reach, measures every model on each, and recommends one
model per memory tier: Tiny <2 GB, Small 2-4, Medium 4-8, Large 8-16, XL 16+ (GB = 10^9 bytes
of memory the loaded model occupies).

Where it looks, in order: --host entries, OLLAMA_HOST, 127.0.0.1:11434, then (unless --no-scan)
the private IPv4 network of the interface that carries the default route, one address at a time.

Options:
  --host URL             an Ollama server to measure (host, host:port or http://host:port); repeatable
  --no-scan              do not sweep the local network (--host, OLLAMA_HOST and 127.0.0.1 are still tried)
  --subnet CIDR          sweep this network instead of the default route's (e.g. 192.168.1.0/24)
  --interface NAME       sweep the network of this interface
  --scan-timeout MS      TCP connect timeout per address (default 500)
  --scan-concurrency N   addresses probed at once (default 1: polite; raise it only on your own network)
  --scan-delay MS        pause between probes (default 0)
  --model GLOB           only models whose name matches, e.g. 'qwen3:*'
  --max-tokens N         tokens each timed run may generate (default 512)
  --runs N|auto          timed runs per model after one warm-up; the report gives the median and spread
                         (default 3; auto repeats until the median settles, 3 to 10 runs)
  --model-timeout S      seconds one model may take in all before it is recorded as failed (default 300)
  --json                 print the JSON report alone on stdout (progress goes to stderr); = --format json
  --format F             table (default), json, markdown or csv
  --output FILE          keep the JSON report in FILE, rewritten as each model finishes
  --resume FILE          reuse the models FILE already measured (same host, model and digest)
  --save-responses DIR   keep every answer in DIR, one JSON file per model, to re-score later
  --demo                 run against simulated Ollama servers on loopback (no real server is touched)
  --version              print the version
  --help                 print this help

How a model is scored (0-100, within its tier):
  score   = 100 x quality x (0.4 + 0.6 x speed)
  speed   = tokens/sec / fastest tokens/sec in the same tier (0-1)
  quality = a 0-1 proxy of the answer to the capability prompt: coverage of the seven areas asked
            for, a real code block, structure and length, times penalties for repetition loops
            (down to x0.1) and for an answer cut off by --max-tokens (x0.6); an empty answer is 0.
  Quality multiplies, so a fast model that loops or says nothing never beats a sound one.

Exit status: 0 the run completed (some models may have failed), 1 bad usage or internal error,
2 no Ollama server found, 130 cancelled with Ctrl-C.
`;

function integer(name: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new UsageError(`--${name} takes a whole number from ${min} to ${max}, not "${raw}"`);
  }
  return value;
}

function outputFormat(json: boolean, format: string | undefined): OutputFormat {
  if (format === undefined) return json ? 'json' : 'table';
  if (!(OUTPUT_FORMATS as readonly string[]).includes(format)) {
    throw new UsageError(`--format takes one of ${OUTPUT_FORMATS.join(', ')}, not "${format}"`);
  }
  if (json && format !== 'json') throw new UsageError(`--json and --format ${format} ask for two different outputs`);
  return format as OutputFormat;
}

export function parseCli(argv: string[]): CliOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        host: { type: 'string', multiple: true },
        'no-scan': { type: 'boolean' },
        subnet: { type: 'string' },
        interface: { type: 'string' },
        json: { type: 'boolean' },
        format: { type: 'string' },
        output: { type: 'string' },
        resume: { type: 'string' },
        'save-responses': { type: 'string' },
        'max-tokens': { type: 'string' },
        runs: { type: 'string' },
        model: { type: 'string' },
        'model-timeout': { type: 'string' },
        'scan-timeout': { type: 'string' },
        'scan-concurrency': { type: 'string' },
        'scan-delay': { type: 'string' },
        demo: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
      },
    });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const { values } = parsed;
  return {
    hosts: values.host ?? [],
    scan: !values['no-scan'],
    subnet: values.subnet ?? null,
    interface: values.interface ?? null,
    format: outputFormat(values.json ?? false, values.format),
    maxTokens: integer('max-tokens', values['max-tokens'], 512, 1, 131_072),
    runs: values.runs === 'auto' ? 'auto' : integer('runs', values.runs, 3, 1, 100),
    modelGlob: values.model ?? null,
    modelTimeoutMs: integer('model-timeout', values['model-timeout'], 300, 1, 86_400) * 1000,
    scanTimeoutMs: integer('scan-timeout', values['scan-timeout'], 500, 10, 60_000),
    scanConcurrency: integer('scan-concurrency', values['scan-concurrency'], 1, 1, 256),
    scanDelayMs: integer('scan-delay', values['scan-delay'], 0, 0, 60_000),
    demo: values.demo ?? false,
    output: values.output ?? null,
    resume: values.resume ?? null,
    saveResponses: values['save-responses'] ?? null,
    help: values.help ?? false,
    version: values.version ?? false,
  };
}
