// Records one real run of the core runner against the simulated demo fleet (two Ollama doubles on
// loopback; no sweep, no real server) into test/fixtures/recorded-run.json: every event with the
// milliseconds since the start. The end-to-end popover test replays it through a stub bridge.
//   npx tsx test/renderer/record-run.ts
import { writeFile } from 'node:fs/promises';
import { DEFAULT_DISCOVERY_OPTIONS } from '../../main/core/discovery/discover.js';
import type { SpeedrunEvent } from '../../main/core/events.js';
import { realSpeedrunDeps, speedrun, type SpeedrunOptions } from '../../main/core/speedrun.js';
import { startDemoServers } from '../../main/simulator/demo.js';
import { RECORDED_RUN_FILE, type RecordedRun } from './recorded-run.js';

const demo = await startDemoServers();
const options: SpeedrunOptions = {
  discovery: {
    ...DEFAULT_DISCOVERY_OPTIONS,
    hosts: demo.servers.map((server) => server.url),
    ollamaHostEnv: undefined,
    includeLoopback: false,
    scan: false,
  },
  benchmark: { maxTokens: 256, runs: 2, modelTimeoutMs: 60_000 },
  modelGlob: null,
};
const events: RecordedRun['events'] = [];
const started = performance.now();
try {
  await speedrun(
    options,
    (event: SpeedrunEvent) => events.push({ atMs: Math.round(performance.now() - started), event }),
    new AbortController().signal,
    realSpeedrunDeps(),
  );
} finally {
  await demo.close();
}
const recording: RecordedRun = {
  description: 'speedrun() against the simulated demo fleet (main/simulator/demo-fleet.ts), --no-scan, --max-tokens 256, --runs 2',
  servers: demo.servers.map((server) => ({ label: server.label, url: server.url })),
  events,
};
await writeFile(RECORDED_RUN_FILE, `${JSON.stringify(recording)}\n`);
process.stdout.write(`recorded ${events.length} events over ${events.at(-1)?.atMs ?? 0} ms into ${RECORDED_RUN_FILE}\n`);
