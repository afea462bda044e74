// `npm run bench [-- SECTION...]`: measures the tool itself and prints each figure beside its goal.
// Sections: method, discovery (root and nmap needed), faults, packaging, renderer. Every ratio is against a reference measured in the same run.
import { benchDiscovery } from './discovery.js';
import { benchFaults, FAULT_GOALS } from './faults.js';
import { benchFidelity, benchOverhead, benchPeakMemory, METHOD_GOALS } from './method.js';
import { benchPackaging, PACKAGING_GOALS } from './packaging.js';
import { benchRenderer, RENDERER_GOALS } from './renderer.js';

type Section = () => Promise<void>;

function verdict(ok: boolean): string {
  return ok ? 'meets goal' : 'MISSES GOAL';
}

const fixed = (value: number, places = 2) => (Number.isFinite(value) ? value.toFixed(places) : String(value));

const sections: Record<string, Section> = {
  async method() {
    console.log('\n== Fidelity: reported figures against exact schedules ==');
    const rows = await benchFidelity();
    console.log('  schedule (tok/s, TTFT)   reported tok/s   error    client-clock error   reported TTFT   error');
    for (const row of rows) {
      console.log(
        `  ${`${row.tokensPerSec} tok/s, ${row.ttftMs} ms`.padEnd(24)} ${fixed(row.reportedTokensPerSec).padStart(14)}   ${fixed(row.tokensPerSecErrorPercent, 3).padStart(6)}%   ${fixed(row.clientTokensPerSecErrorPercent, 2).padStart(17)}%   ${fixed(row.reportedTtftMs).padStart(10)} ms   ${fixed(row.ttftErrorMs).padStart(5)} ms`,
      );
    }
    const worstRate = Math.max(...rows.map((row) => row.tokensPerSecErrorPercent));
    const worstTtft = Math.max(...rows.map((row) => row.ttftErrorMs));
    console.log(`  worst tokens/sec error ${fixed(worstRate, 3)}% (goal < ${METHOD_GOALS.tokensPerSecErrorPercent}%): ${verdict(worstRate < METHOD_GOALS.tokensPerSecErrorPercent)}`);
    console.log(`  worst TTFT error ${fixed(worstTtft)} ms (goal < ${METHOD_GOALS.ttftErrorMs} ms): ${verdict(worstTtft < METHOD_GOALS.ttftErrorMs)}`);

    console.log('\n== Client overhead: CPU per 10,000 tokens at 5,000 tok/s ==');
    const overhead = await benchOverhead();
    console.log(`  benchmark client ${fixed(overhead.clientCpuMs, 1)} ms, reference consumer ${fixed(overhead.referenceCpuMs, 1)} ms`);
    console.log(`  ratio ${fixed(overhead.ratio)}x (goal <= ${METHOD_GOALS.cpuRatio}x): ${verdict(overhead.ratio <= METHOD_GOALS.cpuRatio)}`);

    console.log('\n== Peak memory of a headless run over 50 models ==');
    const memory = await benchPeakMemory();
    console.log(`  ${memory.models} models in ${fixed(memory.seconds, 1)} s, peak RSS ${fixed(memory.peakRssMb, 1)} MB (goal < ${METHOD_GOALS.peakRssMb} MB): ${verdict(memory.peakRssMb < METHOD_GOALS.peakRssMb)}`);
  },

  async discovery() {
    console.log('\n== Discovery, in a network lab of namespaces ==');
    await benchDiscovery((text) => console.log(text));
  },

  async faults() {
    console.log('\n== Hostile hosts and faults ==');
    const { survival, cancel, hugeBody } = await benchFaults();
    console.log(`  faults tried ${survival.tried}, survived ${survival.survived} in ${fixed(survival.seconds, 1)} s: ${verdict(survival.survived === survival.tried)}`);
    for (const failure of survival.failures) console.log(`    did not survive: ${failure}`);
    console.log(
      `  Ctrl-C to exit mid-stream: median ${fixed(cancel.medianMs, 0)} ms, max ${fixed(cancel.maxMs, 0)} ms (goal < ${FAULT_GOALS.cancelExitMs} ms): ${verdict(cancel.maxMs < FAULT_GOALS.cancelExitMs)}`,
    );
    const mb = (bytes: number) => `${fixed(bytes / 1e6, 1)} MB`;
    console.log(
      `  refusing a ${mb(hugeBody.offeredBytes)} /api/tags (cap ${mb(hugeBody.capBytes)}): client held at most ${mb(hugeBody.heldBytesPeak)}; headless peak RSS ${mb(hugeBody.peakRssHugeBytes)} against ${mb(hugeBody.peakRssHealthyBytes)} for a healthy server (+${mb(hugeBody.extraPeakRssBytes)}, goal < ${mb(FAULT_GOALS.hugeBodyExtraPeakRssBytes)}): ${verdict(hugeBody.extraPeakRssBytes < FAULT_GOALS.hugeBodyExtraPeakRssBytes)}`,
    );
  },

  async packaging() {
    console.log('\n== Headless executables ==');
    const result = await benchPackaging();
    const mb = (bytes: number) => `${fixed(bytes / 1e6, 1)} MB`;
    console.log(`  linux-x64   ${mb(result.x64SizeBytes)} (${mb(result.x64GzipBytes)} gzipped), ${mb(result.x64AddedBytes)} over the stripped runtime`);
    console.log(`  linux-arm64 ${mb(result.arm64SizeBytes)} (${mb(result.arm64GzipBytes)} gzipped), ${mb(result.arm64AddedBytes)} over the stripped runtime`);
    const added = Math.max(result.x64AddedBytes, result.arm64AddedBytes);
    console.log(`  added size goal <= ${mb(PACKAGING_GOALS.addedBytesMax)}: ${verdict(added <= PACKAGING_GOALS.addedBytesMax)}`);
    console.log(
      `  --version: executable ${fixed(result.versionMsExecutable, 0)} ms, plain node ${fixed(result.versionMsPlainNode, 0)} ms, ratio ${fixed(result.versionTimeRatio)} (goal <= ${PACKAGING_GOALS.versionTimeRatioMax}): ${verdict(result.versionTimeRatio <= PACKAGING_GOALS.versionTimeRatioMax)}`,
    );
  },

  async renderer() {
    console.log('\n== Popover renderer ==');
    const result = await benchRenderer();
    console.log(
      `  JS ${fixed(result.jsGzipBytes / 1000, 1)} kB + CSS ${fixed(result.cssGzipBytes / 1000, 1)} kB gzipped = ${fixed(result.totalGzipBytes / 1000, 1)} kB (goal < ${RENDERER_GOALS.totalGzipBytes / 1000} kB): ${verdict(result.totalGzipBytes < RENDERER_GOALS.totalGzipBytes)}`,
    );
    console.log(
      `  results event to painted results view in Chromium: median ${fixed(result.resultsPaintMs.median, 1)} ms, max ${fixed(result.resultsPaintMs.max, 1)} ms over ${result.resultsPaintMs.samples.length} (goal < ${RENDERER_GOALS.resultsPaintMs} ms): ${verdict(result.resultsPaintMs.median < RENDERER_GOALS.resultsPaintMs)}`,
    );
  },
};

const wanted = process.argv.slice(2);
for (const name of wanted) {
  if (!(name in sections)) {
    console.error(`unknown bench section ${name}; known: ${Object.keys(sections).join(', ')}`);
    process.exit(1);
  }
}
for (const [name, run] of Object.entries(sections)) {
  if (wanted.length === 0 || wanted.includes(name)) await run();
}
