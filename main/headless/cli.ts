// The headless command: `npm run headless -- [options]`, and the single-file linux builds.
// It hosts the core runner and renders its events; it computes nothing itself.
import os from 'node:os';
import { defaultKnownServersFile } from '../core/discovery/known-servers.js';
import { buildReport, speedrun, realSpeedrunDeps, type SpeedrunOptions } from '../core/speedrun.js';
import type { SpeedrunEvent } from '../core/events.js';
import type { HostInfo, ModelResult, Report } from '../core/report.js';
import { inertJson } from '../core/inert-json.js';
import { readReportFile, reusableResults, writeReportFile } from '../core/report-file.js';
import { TOOL_NAME, TOOL_VERSION } from '../core/version.js';
import { startDemoServers, type DemoServers } from '../simulator/demo.js';
import { HELP, parseCli, UsageError, type CliOptions, type OutputFormat } from './args.js';
import { toCsv, toMarkdown } from './export.js';
import { ProgressView } from './progress.js';
import { responseSaver } from './responses.js';
import { painter, renderReport, type Paint } from './table.js';

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_NO_SERVER = 2;
export const EXIT_CANCELLED = 130;

function speedrunOptions(cli: CliOptions, demo: DemoServers | null): SpeedrunOptions {
  return {
    discovery: {
      // A demo talks to its simulated servers only: no sweep, no 127.0.0.1:11434, no OLLAMA_HOST.
      hosts: demo ? demo.servers.map((server) => server.url) : cli.hosts,
      hostSource: demo ? 'demo' : 'flag',
      ollamaHostEnv: demo ? undefined : process.env.OLLAMA_HOST,
      includeLoopback: !demo,
      scan: !demo && cli.scan,
      subnet: cli.subnet ?? undefined,
      interface: cli.interface ?? undefined,
      scanTimeoutMs: cli.scanTimeoutMs,
      scanConcurrency: cli.scanConcurrency,
      scanDelayMs: cli.scanDelayMs,
      knownServersFile: demo ? undefined : defaultKnownServersFile({ platform: process.platform, env: process.env, homeDir: os.homedir() }),
    },
    benchmark: { maxTokens: cli.maxTokens, runs: cli.runs, modelTimeoutMs: cli.modelTimeoutMs },
    modelGlob: cli.modelGlob,
  };
}

async function main(argv: string[]): Promise<number> {
  let cli: CliOptions;
  try {
    cli = parseCli(argv);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`${TOOL_NAME}: ${error.message}\nTry --help.\n`);
      return EXIT_FAILURE;
    }
    throw error;
  }
  if (cli.help) {
    process.stdout.write(HELP);
    return EXIT_OK;
  }
  if (cli.version) {
    process.stdout.write(`${TOOL_NAME} ${TOOL_VERSION}\n`);
    return EXIT_OK;
  }

  const colour = process.stdout.isTTY === true && !process.env.NO_COLOR;
  const paint = painter(colour);
  const controller = new AbortController();
  let interrupts = 0;
  const onInterrupt = () => {
    interrupts++;
    if (interrupts > 1) process.exit(EXIT_CANCELLED);
    process.stderr.write('\nStopping: unloading what this run loaded (Ctrl-C again to quit at once)\n');
    controller.abort();
  };
  process.on('SIGINT', onInterrupt);
  process.on('SIGTERM', onInterrupt);

  const demo = cli.demo ? await startDemoServers() : null;
  const hostLabels = new Map(demo?.servers.map((server) => [server.url, `simulated ${server.label}`]) ?? []);
  const progress = new ProgressView(process.stderr, painter(process.stderr.isTTY === true && !process.env.NO_COLOR), process.stderr.isTTY === true, hostLabels);
  if (demo) progress.handle({ type: 'warning', message: 'DEMO: every server below is simulated on this machine; no real Ollama is measured.' });

  let reuse: ModelResult[] = [];
  try {
    if (cli.resume) {
      const previous = await readReportFile(cli.resume);
      if (previous.kind === 'read') reuse = reusableResults(previous.report);
      else if (previous.kind === 'moved-aside') progress.handle({ type: 'warning', message: `${cli.resume} is ${previous.reason}; moved it to ${previous.movedTo} and starting afresh` });
      else progress.handle({ type: 'warning', message: `${cli.resume} does not exist; starting afresh` });
    }
    if (cli.output && cli.output !== cli.resume) {
      const existing = await readReportFile(cli.output);
      if (existing.kind === 'moved-aside') progress.handle({ type: 'warning', message: `${cli.output} was ${existing.reason}; moved it to ${existing.movedTo}` });
    }
  } catch (error) {
    // A path that is neither a report nor free (a directory, a file it may not read or move) is
    // said now, before the run, and not as a crash after an hour of measuring.
    progress.stop();
    await demo?.close();
    process.stderr.write(`${TOOL_NAME}: cannot use the report file: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT_FAILURE;
  }

  // The report file is rewritten as each model finishes, so an interrupted run keeps its results.
  const startedAt = new Date().toISOString();
  const hosts: HostInfo[] = [];
  const finished: ModelResult[] = [];
  let writing = Promise.resolve();
  const keepReport = () => {
    if (!cli.output) return;
    const snapshot = buildReport(startedAt, new Date().toISOString(), [...hosts], [...finished]);
    const output = cli.output;
    writing = writing.then(() => writeReportFile(output, snapshot)).catch((error: unknown) => {
      progress.handle({ type: 'warning', message: `could not write ${output}: ${error instanceof Error ? error.message : String(error)}` });
    });
  };

  let report: Report;
  try {
    report = await speedrun(
      { ...speedrunOptions(cli, demo), reuse },
      (event: SpeedrunEvent) => {
        if (event.type === 'host-found') hosts.push(event.host);
        if (event.type === 'bench-done') {
          finished.push(event.result);
          keepReport();
        }
        progress.handle(event);
      },
      controller.signal,
      { ...realSpeedrunDeps(), saveResponses: cli.saveResponses ? responseSaver(cli.saveResponses) : undefined },
    );
  } finally {
    progress.stop();
    await demo?.close();
  }
  await writing;
  // A report file that cannot be written must not cost the results on stdout.
  let outputFailed = false;
  if (cli.output) {
    await writeReportFile(cli.output, report).catch((error: unknown) => {
      outputFailed = true;
      process.stderr.write(`${TOOL_NAME}: could not write ${cli.output}: ${error instanceof Error ? error.message : String(error)}\n`);
    });
  }

  if (report.hosts.length === 0 && !controller.signal.aborted) {
    process.stderr.write(paint('red', 'No Ollama server was found.') + '\n');
    if (cli.format === 'json') process.stdout.write(inertJson(report));
    return EXIT_NO_SERVER;
  }
  process.stdout.write(renderOutput(cli.format, report, paint, hostLabels, demo !== null));
  if (controller.signal.aborted) return EXIT_CANCELLED;
  return outputFailed ? EXIT_FAILURE : EXIT_OK;
}

function renderOutput(format: OutputFormat, report: Report, paint: Paint, hostLabels: ReadonlyMap<string, string>, simulated: boolean): string {
  switch (format) {
    case 'json':
      return inertJson(report);
    case 'markdown':
      return toMarkdown(report);
    case 'csv':
      return toCsv(report);
    case 'table': {
      const banner = simulated ? paint('yellow', 'SIMULATED DEMO: these figures come from simulated servers, not from real models.') + '\n\n' : '';
      return banner + renderReport(report, paint, hostLabels);
    }
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    // Timers of a cancelled request must not keep a finished run alive.
    setTimeout(() => process.exit(code), 100).unref();
  },
  (error: unknown) => {
    process.stderr.write(`${TOOL_NAME}: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(EXIT_FAILURE);
  },
);
